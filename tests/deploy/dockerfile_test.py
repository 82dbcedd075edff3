#!/usr/bin/env python3
"""deploy/container/Dockerfile checked without building it (no container
runtime is needed): the stages and the --from references between them,
that every path it COPYs from the build context exists and is not
excluded by .dockerignore, that the build stage copies every folder CMake
adds and installs every -dev package of the Makefile's DEPS that the two
binaries need, that the runtime stage installs no -dev package, and that
the entry point is the path the package installs.

    dockerfile_test.py <source dir>
"""
import fnmatch
import os
import re
import shlex
import sys
import unittest

SOURCE = sys.argv[1] if len(sys.argv) > 1 else "."
DOCKERFILE = os.path.join(SOURCE, "deploy", "container", "Dockerfile")
# DEPS the image's build does not need: clang and its tools (lint, fuzz)
# and the benchmarks (BUILD_BENCH=OFF), the tests' own tools (packaging,
# certificates, a Prometheus server).
NOT_FOR_THE_IMAGE = {"clang", "clang-tidy", "libbenchmark-dev", "debootstrap", "python3-yaml",
                     "openssl", "prometheus"}


def instructions():
    """(instruction, arguments) with continuation lines joined."""
    with open(DOCKERFILE, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"\\\n", " ", text)
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def stages():
    """[(name, base, [(instruction, args)])]"""
    result = []
    for word, rest in instructions():
        if word == "FROM":
            parts = rest.split()
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None
            result.append((name, parts[0], []))
        else:
            result[-1][2].append((word, rest))
    return result


def copies(stage):
    """(from stage or None, [sources], destination) of each COPY."""
    out = []
    for word, rest in stage[2]:
        if word != "COPY":
            continue
        args = shlex.split(rest)
        source = None
        while args and args[0].startswith("--"):
            flag = args.pop(0)
            if flag.startswith("--from="):
                source = flag.split("=", 1)[1]
        out.append((source, args[:-1], args[-1]))
    return out


def apt_packages(stage):
    pkgs = set()
    for word, rest in stage[2]:
        if word == "RUN" and "apt-get install" in rest:
            for cmd in rest.split("&&"):
                if "apt-get install" in cmd:
                    pkgs.update(w for w in cmd.split()[cmd.split().index("install") + 1:]
                                if not w.startswith("-"))
    return pkgs


def dockerignore():
    path = os.path.join(SOURCE, ".dockerignore")
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [l.strip() for l in f if l.strip() and not l.startswith("#")]


def makefile_deps():
    with open(os.path.join(SOURCE, "Makefile"), encoding="utf-8") as f:
        text = re.sub(r"\\\n", " ", f.read())
    return set(re.search(r"^DEPS\s*:=(.*)$", text, re.M).group(1).split())


class DockerfileTest(unittest.TestCase):
    def test_two_stages_on_debian_12_slim(self):
        s = stages()
        self.assertEqual([x[0] for x in s], ["build", "runtime"])
        for name, base, _ in s:
            self.assertEqual(base, "debian:12-slim", name)

    def test_from_references_name_earlier_stages(self):
        seen = []
        for stage in stages():
            for source, _, _ in copies(stage):
                if source is not None:
                    self.assertIn(source, seen, f"COPY --from={source} in {stage[0]}")
            seen.append(stage[0])
        runtime = stages()[-1]
        self.assertTrue(any(src == "build" for src, _, _ in copies(runtime)),
                        "the runtime stage takes nothing from the build stage")

    def test_what_is_copied_from_the_context_exists(self):
        ignored = dockerignore()
        for stage in stages():
            for source, srcs, _ in copies(stage):
                if source is not None:
                    continue
                for src in srcs:
                    path = os.path.join(SOURCE, src)
                    self.assertTrue(os.path.exists(path), f"COPY {src}: not in the context")
                    top = src.strip("/").split("/")[0]
                    for pattern in ignored:
                        self.assertFalse(fnmatch.fnmatch(top, pattern.rstrip("/")),
                                         f"COPY {src} is excluded by .dockerignore ({pattern})")

    def test_the_build_copies_every_folder_cmake_adds(self):
        with open(os.path.join(SOURCE, "CMakeLists.txt"), encoding="utf-8") as f:
            top = f.read()
        needed = set(re.search(r"foreach\(dir ([^)]*)\)", top).group(1).split())
        needed |= {"tests", "cmake", "packaging"}
        needed |= set(re.findall(r"^include\((\w+)/", top, re.M))
        copied = {src.strip("/").split("/")[0]
                  for source, srcs, _ in copies(stages()[0]) if source is None for src in srcs}
        self.assertEqual(needed - copied, set(), "folders the build stage does not copy")

    def test_the_build_installs_the_dev_packages(self):
        wanted = makefile_deps() - NOT_FOR_THE_IMAGE
        have = apt_packages(stages()[0])
        self.assertEqual(wanted - have, set(), "DEPS the build stage does not install")

    def test_the_runtime_installs_no_dev_package(self):
        pkgs = apt_packages(stages()[-1])
        self.assertEqual([p for p in pkgs if p.endswith("-dev")], [])
        self.assertTrue(any(p.endswith(".deb") for p in pkgs), "the runtime installs no .deb")

    def test_entrypoint_is_the_installed_binary(self):
        runtime = stages()[-1][2]
        entry = next(rest for word, rest in runtime if word == "ENTRYPOINT")
        self.assertEqual(entry, '["/usr/bin/bulkhead"]')
        cmd = next(rest for word, rest in runtime if word == "CMD")
        self.assertIn("/etc/bulkhead/falco.yaml", cmd)
        with open(os.path.join(SOURCE, "cmake", "Packaging.cmake"), encoding="utf-8") as f:
            self.assertIn("install(TARGETS bulkhead RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})",
                          f.read())

    def test_exposes_the_webserver_port(self):
        runtime = stages()[-1][2]
        self.assertIn(("EXPOSE", "8765"), runtime)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
