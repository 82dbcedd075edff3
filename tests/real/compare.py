#!/usr/bin/env python3
"""Compare two alert files line by line (golden from Falco, actual from bulkhead).

    compare.py --golden FILE --actual FILE [--mask-time] [--max-diffs N]

Lines are compared as exact strings, in order, with two allowances:
  - JSON lines (starting with "{") must parse as JSON on both sides, and the
    top-level "hostname" member is left out of the comparison;
  - with --mask-time, time-like values are replaced before comparing: the
    top-level "time" value, output_fields members evt.time* / evt.rawtime* /
    evt.datetime*, and every HH:MM:SS.nnnnnnnnn or ISO 8601 time with
    nanoseconds inside a line (the prefix of "output" and of text lines).

Everything else counts: key order, escaping, number formatting, spacing.
Prints "equal N of M" (M is the longer file's line count); on a difference
also the first differing pair(s) and how many lines differ. Exit 0 when the
files are equal, 1 when not, 2 on usage or read errors. Standard library only.
"""

import argparse
import json
import re
import sys

HOSTNAME = r'"hostname":"(?:[^"\\]|\\.)*"'
HOSTNAME_PATTERNS = [
    re.compile(r"," + HOSTNAME + r"(?=[,}])"),      # not the first member
    re.compile(r"(?<=\{)" + HOSTNAME + r","),        # first member, more follow
    re.compile(r"(?<=\{)" + HOSTNAME + r"(?=\})"),   # the only member
]
TOP_TIME = re.compile(r'(?<=[{,])"time":"(?:[^"\\]|\\.)*"')
FIELD_TIME = re.compile(
    r'"(evt\.(?:time|rawtime|datetime)[A-Za-z0-9_.]*)":'
    r'(?:-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|"(?:[^"\\]|\\.)*"|null)')
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(?:Z|[+-]\d\d:?\d\d)?")
CLOCK_TIME = re.compile(r"(?<!\d)\d\d:\d\d:\d\d\.\d{9}(?!\d)")


def read_lines(path):
    with open(path, "rb") as f:
        data = f.read()
    text = data.decode("utf-8", errors="surrogateescape")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def drop_hostname(line):
    for pat in HOSTNAME_PATTERNS:
        new, n = pat.subn("", line, count=1)
        if n:
            return new
    return line


def mask_time(line):
    line = TOP_TIME.sub('"time":"<TIME>"', line)
    line = FIELD_TIME.sub(lambda m: '"%s":"<TIME>"' % m.group(1), line)
    line = ISO_TIME.sub("<ISOTIME>", line)
    line = CLOCK_TIME.sub("<HH:MM:SS.NS>", line)
    return line


def parse_json(line):
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def normalize(line, mask):
    """Returns (comparable text, parsed JSON or None, error or None)."""
    parsed = None
    err = None
    if line.startswith("{"):
        parsed = parse_json(line)
        if parsed is None:
            err = "not a JSON object"
        line = drop_hostname(line)
    if mask:
        line = mask_time(line)
    return line, parsed, err


def semantic(parsed, mask):
    """The parsed line without hostname, with times masked the same way."""
    if parsed is None:
        return None
    p = dict(parsed)
    p.pop("hostname", None)
    if mask:
        return parse_json(mask_time(json.dumps(p, ensure_ascii=False,
                                               separators=(",", ":"))))
    return p


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--golden", required=True)
    ap.add_argument("--actual", required=True)
    ap.add_argument("--mask-time", action="store_true")
    ap.add_argument("--max-diffs", type=int, default=1,
                    help="how many differing pairs to print (default 1)")
    args = ap.parse_args(argv[1:])
    try:
        golden = read_lines(args.golden)
        actual = read_lines(args.actual)
    except OSError as e:
        print("compare.py: %s" % e, file=sys.stderr)
        return 2

    total = max(len(golden), len(actual))
    equal = 0
    differ = 0
    shown = 0
    for i in range(total):
        g = golden[i] if i < len(golden) else None
        a = actual[i] if i < len(actual) else None
        same = False
        note = None
        if g is not None and a is not None:
            gn, gjson, gerr = normalize(g, args.mask_time)
            an, ajson, aerr = normalize(a, args.mask_time)
            if gerr or aerr:
                note = "golden: %s; actual: %s" % (gerr or "ok", aerr or "ok")
            elif gn == an:
                same = True
            elif gjson is not None and ajson is not None and \
                    semantic(gjson, args.mask_time) == semantic(ajson, args.mask_time):
                note = "same JSON value, different text (key order, escaping or number format)"
        if same:
            equal += 1
            continue
        differ += 1
        if shown < args.max_diffs:
            shown += 1
            print("line %d differs:" % (i + 1))
            print("  golden: %s" % (g if g is not None else "<missing>"))
            print("  actual: %s" % (a if a is not None else "<missing>"))
            if note:
                print("  note:   %s" % note)
    if differ:
        print("%d of %d lines differ (golden has %d lines, actual %d)"
              % (differ, total, len(golden), len(actual)))
    print("equal %d of %d" % (equal, total))
    return 0 if differ == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
