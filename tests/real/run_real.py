#!/usr/bin/env python3
"""One `real` test: bulkhead on a case of cases/, compared with Falco's golden.

    run_real.py --bulkhead BIN --case NAME --isolation process|inprocess|proxy [--falco BIN]

Opt-in: the real plugins come from $BULKHEAD_REAL_PLUGINS (a folder of
lib<name>.so built from falcosecurity/plugins) and the real rules files from
$BULKHEAD_REAL_RULES (default: ../shared/data/falco-rules beside the
checkout). Without either the test is skipped (exit 77, ctest's SKIP).
The inputs are generated afresh (gen_inputs.py) into a folder the runners,
which run as another user, can read. Lines of a case starting with
"#bulkhead# " are uncommented for bulkhead (Falco never sees them).

--isolation proxy wraps each plugin of the case with `bulkhead wrap` and
loads the proxies in-process: the plugins then run sandboxed behind the
proxy library, as inside Falco. With --falco, Falco itself runs the case
on those proxies instead of bulkhead: its alerts must be its own golden.

The okta case runs bulkhead beside okta_api.py's stand-in of the Okta API,
in private mount and network namespaces (skipped unless root with unshare and
openssl), and stops it with SIGINT once the golden's number of alert lines
appeared and 2 s passed without another (or 5 s without any new alert after
the stand-in served its last event).
"""

import argparse
import os
import pathlib
import re
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import record  # noqa: E402  (substitute, alert_lines, is_json_case, bulkhead_config)
import okta_api  # noqa: E402

SKIP = 77


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(SKIP)


def readable_tree(root):
    for dirpath, dirnames, filenames in os.walk(root):
        os.chmod(dirpath, 0o755)
        for f in filenames:
            os.chmod(os.path.join(dirpath, f), 0o644)


def wrap_plugins(bulkhead, case_text, plugins, out):
    """A folder holding, under each plugin's file name, its proxy."""
    out.mkdir()
    for name in sorted(set(re.findall(r"@PLUGINS@/(lib\w+\.so)", case_text))):
        subprocess.run([bulkhead, "wrap", os.path.join(plugins, name), "-o", str(out / name)],
                       check=True, stdout=subprocess.DEVNULL)
    return str(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bulkhead", required=True)
    ap.add_argument("--case", required=True)
    ap.add_argument("--isolation", choices=("process", "inprocess", "proxy"), required=True)
    ap.add_argument("--falco", help="run this Falco on the proxies instead of bulkhead")
    args = ap.parse_args()
    if args.falco and args.isolation != "proxy":
        ap.error("--falco needs --isolation proxy")

    plugins = os.environ.get("BULKHEAD_REAL_PLUGINS", "")
    if not plugins:
        skip("set BULKHEAD_REAL_PLUGINS to a folder of real plugin .so files to run it")
    if not os.path.isdir(plugins):
        skip(f"BULKHEAD_REAL_PLUGINS={plugins} is not a folder")
    rules = os.environ.get("BULKHEAD_REAL_RULES",
                           str(HERE.parents[2] / "shared" / "data" / "falco-rules"))
    if not os.path.isdir(rules):
        skip(f"no real rules folder at {rules} (set BULKHEAD_REAL_RULES)")

    case_text = (HERE / "cases" / f"{args.case}.yaml").read_text()
    golden = HERE / "golden" / f"{args.case}.out"
    with tempfile.TemporaryDirectory(prefix="bulkhead-real-") as tmp:
        inputs = pathlib.Path(tmp) / "inputs"
        subprocess.run([sys.executable, str(HERE / "gen_inputs.py"), str(inputs)], check=True,
                       stdout=subprocess.DEVNULL)
        if args.isolation == "proxy":
            plugins = wrap_plugins(args.bulkhead, case_text, plugins, pathlib.Path(tmp) / "proxies")
        config = pathlib.Path(tmp) / "falco.yaml"
        text = record.substitute(case_text, plugins, str(inputs), rules, str(HERE))
        config.write_text(text if args.falco else record.bulkhead_config(text))
        readable_tree(tmp)
        env = dict(os.environ, TZ="UTC", FALCO_HOSTNAME="golden")
        if args.falco:
            cmd = [args.falco, "-c", str(config), "--disable-source", "syscall"]
        else:
            isolation = "inprocess" if args.isolation == "proxy" else args.isolation
            cmd = [args.bulkhead, "-c", str(config), "-o",
                   f"bulkhead.defaults.isolation={isolation}"]
        json_case = record.is_json_case(case_text)
        if record.uses_okta_api(case_text):
            expect = len(golden.read_text(errors="surrogateescape").splitlines())
            try:
                run = okta_api.run(cmd, env, tmp, json_case, expect=expect)
            except okta_api.Skip as e:
                skip(str(e))
            problem = run.problem()
            if problem:
                sys.stderr.write(run.stderr[-4000:])
                sys.stderr.write(run.server_log[-2000:])
                print(f"bulkhead: {problem}")
                return 1
        else:
            run = subprocess.run(cmd, env=env, capture_output=True, text=True,
                                 errors="surrogateescape", timeout=300)
        if run.returncode != 0:
            sys.stderr.write(run.stderr[-4000:])
            print(f"bulkhead exited {run.returncode}")
            return 1
        actual = pathlib.Path(tmp) / "actual.out"
        lines = record.alert_lines(run.stdout, json_case)
        actual.write_text("".join(line + "\n" for line in lines), errors="surrogateescape")
        cmd = [sys.executable, str(HERE / "compare.py"), "--golden", str(golden), "--actual",
               str(actual)]
        if args.case.startswith("dummy"):
            cmd.append("--mask-time")
        return subprocess.run(cmd).returncode


if __name__ == "__main__":
    sys.exit(main())
