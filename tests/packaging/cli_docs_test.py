#!/usr/bin/env python3
"""Every flag bulkhead's command line defines is offered by the bash
completion and described in the manual page.

The flags are read from supervisor/command_line.cpp (the first argument of
each add_option / add_flag call, e.g. "-V,--validate"), so a flag added
there without its completion or documentation fails here.

    cli_docs_test.py <source dir>
"""
import os
import re
import shutil
import subprocess
import sys
import unittest

SOURCE = sys.argv[1] if len(sys.argv) > 1 else "."


def read(*parts):
    with open(os.path.join(SOURCE, *parts), encoding="utf-8") as f:
        return f.read()


def defined_flags():
    text = read("supervisor", "command_line.cpp")
    flags = set()
    for names in re.findall(r'add_(?:option|flag)\(\s*"([^"]+)"', text):
        for name in names.split(","):
            name = name.strip()
            if name.startswith("-"):
                flags.add(name)
    return flags


def completion_words():
    text = read("packaging", "bulkhead.bash-completion")
    words = set()
    # The words of the compgen -W lists and the case patterns.
    for block in re.findall(r"compgen -W '([^']*)'", text):
        words.update(block.split())
    for pattern in re.findall(r"^\s*([-\w |]+)\)\s*$", text, re.M):
        words.update(w.strip() for w in pattern.split("|"))
    return words


class CliDocsTest(unittest.TestCase):
    def test_flags_are_found(self):
        flags = defined_flags()
        # The parser is not fooled: the flags every build has are there.
        for f in ("-c", "-r", "-o", "-V", "--validate", "--list", "--list-plugins"):
            self.assertIn(f, flags)

    def test_every_flag_is_completed(self):
        missing = sorted(defined_flags() - completion_words())
        self.assertEqual(missing, [], "flags the bash completion does not offer")

    def test_every_flag_is_in_the_manual(self):
        man = read("packaging", "bulkhead.8")
        missing = [f for f in sorted(defined_flags()) if f.replace("-", "\\-") not in man]
        self.assertEqual(missing, [], "flags packaging/bulkhead.8 does not describe")

    def test_options_with_values_complete_no_flag_as_value(self):
        # After -c, -r and -V the completion offers files, not flags.
        text = read("packaging", "bulkhead.bash-completion")
        for flag in ("-c)", "-r)", "-V | --validate)"):
            block = text.split(flag, 1)[1].split(";;", 1)[0]
            self.assertIn("_filedir", block, flag)

    def test_isolation_modes_match_the_parser(self):
        cli = read("supervisor", "command_line.cpp")
        modes = re.search(r'IsMember\(\{([^}]*)\}\)', cli).group(1)
        modes = set(re.findall(r'"([^"]+)"', modes))
        text = read("packaging", "bulkhead.bash-completion")
        block = text.split("--isolation)", 1)[1].split(";;", 1)[0]
        offered = set(re.search(r"compgen -W '([^']*)'", block).group(1).split())
        self.assertEqual(offered, modes)

    def complete(self, *words):
        """What the completion function offers for `bulkhead WORDS...`,
        with bash-completion's helpers replaced by minimal stand-ins."""
        script = r"""
            _init_completion() {
                words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD
                cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}
            }
            _filedir() { COMPREPLY=(FILES); }
            source "$1"; shift
            COMP_WORDS=(bulkhead "$@"); COMP_CWORD=$#
            _bulkhead
            printf '%s\n' "${COMPREPLY[@]}"
        """
        path = os.path.join(SOURCE, "packaging", "bulkhead.bash-completion")
        out = subprocess.run(["bash", "-c", script, "bash", path, *words],
                             capture_output=True, text=True, check=True)
        return sorted(out.stdout.split())

    @unittest.skipIf(shutil.which("bash") is None, "bash is not installed")
    def test_completion_runs(self):
        self.assertEqual(self.complete("--isolation", ""), ["inprocess", "process"])
        self.assertEqual(self.complete("--list"), ["--list", "--list-plugins"])
        self.assertEqual(self.complete("-c", ""), ["FILES"])
        self.assertEqual(self.complete("-c", "x.yaml", "--js"), ["--json"])


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
