#!/usr/bin/env python3
"""Prints which product folder includes which, and fails on a cycle.

Reads the `#include "folder/file.h"` lines of the product folders (tests and
benchmarks may include anything). Exit 1 when the folder graph has a cycle
or a bare project include, so `make lint` keeps the layout honest.
"""
import os
import re
import sys

FOLDERS = ["plugin_api", "shm_ring", "protocol", "config", "policies", "engine", "outputs",
           "metrics", "sandbox_runner", "supervisor", "proxy"]


def main(root):
    deps = {f: set() for f in FOLDERS}
    bad = []
    for folder in FOLDERS:
        for name in sorted(os.listdir(os.path.join(root, folder))):
            if not name.endswith((".h", ".cpp")):
                continue
            path = os.path.join(root, folder, name)
            with open(path) as f:
                for line in f:
                    m = re.match(r'\s*#include "([^"]+)"', line)
                    if not m:
                        continue
                    target = m.group(1).split("/")[0]
                    if "/" not in m.group(1):
                        bad.append(f"{folder}/{name}: bare include \"{m.group(1)}\"")
                    elif target in deps and target != folder:
                        deps[folder].add(target)
    for folder in FOLDERS:
        print(f"{folder:15} -> {', '.join(sorted(deps[folder])) or '-'}")
    # Depth-first search for a back edge.
    state = {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(deps[node]):
            if state.get(nxt) == "open":
                bad.append("cycle: " + " -> ".join(stack + [node, nxt]))
            elif nxt not in state:
                visit(nxt, stack + [node])
        state[node] = "done"

    for folder in FOLDERS:
        if folder not in state:
            visit(folder, [])
    for b in bad:
        print(b, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
