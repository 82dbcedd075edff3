#!/usr/bin/env python3
"""Record the golden alert files of the `real` test from a real Falco.

    record.py --falco PATH/falco --plugins DIR --out GOLDEN_DIR
              [--rules DIR] [--case NAME ...] [--keep-work DIR] [--timeout S]

For every cases/<name>.yaml (or only the --case ones) it
  1. generates the inputs (gen_inputs.py) into a temporary folder,
  2. replaces the placeholders @PLUGINS@, @INPUTS@, @RULES@ and @TESTDIR@,
  3. runs `falco -c <case>.yaml --disable-source syscall` with TZ=UTC and
     FALCO_HOSTNAME=golden,
  4. writes GOLDEN_DIR/<name>.out: only the alert lines of stdout, in Falco's
     order (JSON cases: lines starting with "{"; text cases: lines starting
     with "HH:MM:SS.nnnnnnnnn: ").
Then it prints, per case, the number of alerts and the rules that fired and
did not fire (rule names read from the case's rules files).

A case whose plugin polls a web API (okta: it loads libokta.so) runs beside
the loopback stand-in of okta_api.py, in private mount and network
namespaces (root, unshare and openssl needed; without them the case is
skipped, or, when named with --case, an error). Falco is stopped with SIGINT
once the stand-in has served its events and no alert came for 5 s. Such a
case is recorded twice and must give the same lines both times.

It only runs a Falco that already exists; it never builds one. Only the
standard library is used.
"""

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import gen_inputs  # noqa: E402
import okta_api  # noqa: E402

DEFAULT_RULES = "/work/shared/data/falco-rules"
TEXT_ALERT = re.compile(r"^\d\d:\d\d:\d\d\.\d{9}: ")
RULE_NAME = re.compile(r"^- rule:\s*(.+?)\s*$")
# Falco priority words as they appear after the time prefix in text lines.
PRIORITIES = ("Emergency", "Alert", "Critical", "Error", "Warning", "Notice",
              "Informational", "Debug")


def substitute(text, plugins, inputs, rules, testdir):
    for key, value in (("@PLUGINS@", plugins), ("@INPUTS@", inputs),
                       ("@RULES@", rules), ("@TESTDIR@", testdir)):
        text = text.replace(key, value)
    left = re.findall(r"@[A-Z]+@", text)
    if left:
        raise SystemExit("unknown placeholders left: %s" % sorted(set(left)))
    return text


# Lines of a case only bulkhead reads (Falco warns about a `bulkhead` key).
BULKHEAD_ONLY = re.compile(r"^#bulkhead# ", re.M)


def bulkhead_config(text):
    """The config bulkhead gets: the case with its "#bulkhead# " lines uncommented."""
    return BULKHEAD_ONLY.sub("", text)


def uses_okta_api(yaml_text):
    """True for cases that need okta_api's stand-in server."""
    return "/libokta.so'" in yaml_text


def is_json_case(yaml_text):
    m = re.search(r"^json_output:\s*(\S+)", yaml_text, re.M)
    return bool(m) and m.group(1).lower() == "true"


def alert_lines(stdout, json_case):
    out = []
    for line in stdout.split("\n"):
        if json_case:
            if line.startswith("{"):
                out.append(line)
        elif TEXT_ALERT.match(line):
            out.append(line)
    return out


def rules_in(yaml_text):
    """Rule names defined in the rules files a case loads, in load order."""
    names = []
    for path in re.findall(r"^\s*-\s*'([^']+\.yaml)'\s*$", yaml_text, re.M):
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = RULE_NAME.match(line)
                if m:
                    name = m.group(1)
                    if name[:1] in "'\"" and name[-1:] == name[:1]:
                        name = name[1:-1]
                    if name not in names:
                        names.append(name)
    return names


def run_case(name, args, inputs, workdir):
    with open(os.path.join(HERE, "cases", name + ".yaml"), encoding="utf-8") as f:
        raw = f.read()
    text = substitute(raw, os.path.abspath(args.plugins), inputs,
                      os.path.abspath(args.rules), HERE)
    conf = os.path.join(workdir, name + ".yaml")
    with open(conf, "w", encoding="utf-8") as f:
        f.write(text)
    env = dict(os.environ)
    env["TZ"] = "UTC"
    env["FALCO_HOSTNAME"] = "golden"
    cmd = [args.falco, "-c", conf, "--disable-source", "syscall"]
    json_case = is_json_case(text)
    if uses_okta_api(text):
        runs = []
        for attempt in (1, 2):
            res = okta_api.run(cmd, env, workdir, json_case)
            save_output(workdir, "%s.%d" % (name, attempt), res.stdout, res.stderr)
            with open(os.path.join(workdir, "%s.%d.server.log" % (name, attempt)), "w",
                      encoding="utf-8") as f:
                f.write(res.server_log)
            problem = res.problem()
            if problem or res.returncode != 0:
                sys.stderr.write(res.stderr[-4000:])
                raise SystemExit("%s: falco run %d: %s" % (
                    name, attempt, problem or "exited with %d" % res.returncode))
            runs.append(alert_lines(res.stdout, json_case))
        if runs[0] != runs[1]:
            raise SystemExit("%s: two recordings differ (%d and %d alerts); see --keep-work"
                             % (name, len(runs[0]), len(runs[1])))
        return text, json_case, runs[0]
    proc = subprocess.run(cmd, env=env, cwd=workdir, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=args.timeout)
    stdout = proc.stdout.decode("utf-8", errors="surrogateescape")
    stderr = proc.stderr.decode("utf-8", errors="replace")
    save_output(workdir, name, stdout, stderr)
    if proc.returncode != 0:
        sys.stderr.write(stderr[-4000:])
        raise SystemExit("%s: falco exited with %d" % (name, proc.returncode))
    lines = alert_lines(stdout, json_case)
    return text, json_case, lines


def save_output(workdir, stem, stdout, stderr):
    with open(os.path.join(workdir, stem + ".stdout"), "w", encoding="utf-8",
              errors="surrogateescape") as f:
        f.write(stdout)
    with open(os.path.join(workdir, stem + ".stderr"), "w", encoding="utf-8") as f:
        f.write(stderr)


def summarize(name, text, json_case, lines):
    print("== %s: %d alerts" % (name, len(lines)))
    if not json_case:
        # Text lines carry no rule name: count them by priority word.
        counts = collections.Counter(l.split(" ", 2)[1] for l in lines)
        for prio in PRIORITIES:
            if prio in counts:
                print("   %4d  %s" % (counts[prio], prio))
        return
    counts = collections.Counter(json.loads(l)["rule"] for l in lines)
    names = rules_in(text)
    for rule in names:
        if rule in counts:
            print("   fired %4d  %s" % (counts[rule], rule))
    for rule in names:
        if rule not in counts:
            print("   never       %s" % rule)
    for rule in sorted(set(counts) - set(names)):
        print("   fired %4d  %s (not found in the rules files)" % (counts[rule], rule))


def main(argv):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--falco", required=True, help="path of the falco binary")
    p.add_argument("--plugins", required=True, help="folder with the plugin .so files")
    p.add_argument("--out", required=True, help="golden folder to write")
    p.add_argument("--rules", default=DEFAULT_RULES, help="real rules folder")
    p.add_argument("--case", action="append", default=[], help="only these cases")
    p.add_argument("--keep-work", help="keep inputs, configs and raw stdout/stderr here")
    p.add_argument("--timeout", type=float, default=300.0)
    args = p.parse_args(argv[1:])

    cases = args.case or sorted(f[:-5] for f in os.listdir(os.path.join(HERE, "cases"))
                                if f.endswith(".yaml"))
    os.makedirs(args.out, exist_ok=True)
    if args.keep_work:
        workdir = os.path.abspath(args.keep_work)
        os.makedirs(workdir, exist_ok=True)
        cleanup = False
    else:
        workdir = tempfile.mkdtemp(prefix="bulkhead-real-")
        cleanup = True
    try:
        inputs = os.path.join(workdir, "inputs")
        if os.path.exists(inputs):
            shutil.rmtree(inputs)
        gen_inputs.write(inputs)
        version = subprocess.run([args.falco, "--version"], stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT).stdout.decode(errors="replace")
        empty = []
        for name in cases:
            try:
                text, json_case, lines = run_case(name, args, inputs, workdir)
            except okta_api.Skip as e:
                if name in args.case:
                    raise SystemExit("%s: cannot record here: %s" % (name, e))
                print("== %s: skipped (%s); its golden file is left as it is" % (name, e))
                continue
            with open(os.path.join(args.out, name + ".out"), "w", encoding="utf-8",
                      errors="surrogateescape", newline="\n") as f:
                for line in lines:
                    f.write(line + "\n")
            if not lines:
                empty.append(name)
            summarize(name, text, json_case, lines)
        with open(os.path.join(args.out, "FALCO_VERSION"), "w", encoding="utf-8") as f:
            f.write(version.strip().splitlines()[0] + "\n" if version.strip() else "unknown\n")
        if empty:
            raise SystemExit("empty golden files: %s" % ", ".join(empty))
    finally:
        if cleanup:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
