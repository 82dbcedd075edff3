#include "policies/policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "tests/policies/policy_test_util.h"

namespace bulkhead {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

const fs::path kPolicyDir = fs::path(BULKHEAD_SOURCE_DIR) / "policies";

std::string loadError(const fs::path& file) {
  try {
    loadPolicyFile(file);
  } catch (const PolicyError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for " << file;
  return {};
}

const SyscallSet* findSet(const Policy& p, std::string_view name) {
  for (const auto& s : p.sets) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

bool allows(const Policy& p, Phase phase, std::string_view syscall) {
  auto rules = p.rulesFor(phase);
  return std::any_of(rules.begin(), rules.end(),
                     [&](const SyscallRule* r) { return r->syscall == syscall && !r->errnoValue; });
}

constexpr const char* kMinimal = R"(name: tiny
sets:
  - name: basics
    reason: test
    rules:
      - {syscall: read, reason: r}
)";

TEST(Policy, ShippedProfilesLoad) {
  for (const char* name : {"default", "network", "strict"}) {
    SCOPED_TRACE(name);
    Policy p = loadPolicyFile(kPolicyDir / (std::string(name) + ".yaml"));
    EXPECT_EQ(p.name, name);
    EXPECT_FALSE(p.sets.empty());
    for (const auto& set : p.sets) {
      EXPECT_FALSE(set.reason.empty()) << set.name;
      for (const auto& r : set.rules) {
        EXPECT_FALSE(r.reason.empty()) << r.syscall;
        EXPECT_GE(r.number, 0) << r.syscall;
      }
    }
    EXPECT_TRUE(p.skippedSyscalls.empty());
  }
}

TEST(Policy, DefaultHasNoNetworkNoExecNoPtrace) {
  Policy p = loadPolicyFile(kPolicyDir / "default.yaml");
  EXPECT_FALSE(p.allowNetwork);
  for (Phase phase : {Phase::kLoading, Phase::kServing}) {
    for (const char* forbidden : {"socket",
                                  "connect",
                                  "bind",
                                  "execve",
                                  "execveat",
                                  "ptrace",
                                  "process_vm_readv",
                                  "process_vm_writev",
                                  "fork",
                                  "vfork",
                                  "unshare",
                                  "setns",
                                  "mount",
                                  "memfd_create",
                                  "pidfd_open",
                                  "tkill",
                                  "rt_sigqueueinfo",
                                  "mkdirat",
                                  "unlinkat",
                                  "renameat2"}) {
      EXPECT_FALSE(allows(p, phase, forbidden)) << forbidden;
    }
  }
}

TEST(Policy, LoadingOnlySetsStayOutOfServing) {
  Policy p = loadPolicyFile(kPolicyDir / "default.yaml");
  EXPECT_TRUE(allows(p, Phase::kLoading, "seccomp"));
  EXPECT_FALSE(allows(p, Phase::kServing, "seccomp"));
  const SyscallSet* code = findSet(p, "loading_code");
  ASSERT_NE(code, nullptr);
  EXPECT_TRUE(code->loading);
  EXPECT_FALSE(code->serving);
  // In serving, every mmap/mprotect rule must forbid PROT_EXEC.
  for (const SyscallRule* r : p.rulesFor(Phase::kServing)) {
    if (r->syscall != "mmap" && r->syscall != "mprotect") continue;
    ASSERT_EQ(r->conditions.size(), 1u) << r->origin;
    EXPECT_EQ(r->conditions[0].op, ArgCondition::Op::kMaskedEq);
    EXPECT_EQ(r->conditions[0].value, 0u);
  }
}

TEST(Policy, NetworkExtendsDefault) {
  Policy net = loadPolicyFile(kPolicyDir / "network.yaml");
  Policy def = loadPolicyFile(kPolicyDir / "default.yaml");
  EXPECT_TRUE(net.allowNetwork);
  ASSERT_EQ(net.files.size(), 2u);
  EXPECT_EQ(net.files[0].filename(), "network.yaml");
  EXPECT_EQ(net.files[1].filename(), "default.yaml");
  EXPECT_NE(findSet(net, "sockets"), nullptr);
  for (const auto& s : def.sets) EXPECT_NE(findSet(net, s.name), nullptr) << s.name;
  EXPECT_TRUE(allows(net, Phase::kServing, "socket"));
  EXPECT_GT(net.readPaths.size(), def.readPaths.size());
  EXPECT_NE(std::find(net.readPaths.begin(), net.readPaths.end(), "/etc/resolv.conf"),
            net.readPaths.end());
}

TEST(Policy, ClockAndGlibcSyscallsAllowed) {
  Policy p = loadPolicyFile(kPolicyDir / "default.yaml");
  for (const char* s : {"openat", "newfstatat", "rseq", "faccessat2", "close_range",
                        "clock_gettime", "futex", "sched_getaffinity", "sigaltstack",
                        "rt_sigaction", "rt_sigprocmask", "gettid", "tgkill", "madvise", "clone"}) {
    EXPECT_TRUE(allows(p, Phase::kServing, s)) << s;
  }
}

TEST(Policy, UnknownSyscallNamesFileAndLine) {
  ScratchDir dir;
  auto f = dir.write("bad.yaml", R"(name: bad
sets:
  - name: s
    reason: test
    rules:
      - {syscall: read, reason: r}
      - {syscall: reed, reason: typo}
)");
  std::string e = loadError(f);
  EXPECT_NE(e.find("bad.yaml:7:"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown syscall 'reed'"), std::string::npos) << e;
}

TEST(Policy, UnknownKeyIsAnError) {
  ScratchDir dir;
  auto f = dir.write("bad.yaml", R"(name: bad
sets:
  - name: s
    reason: test
    rules:
      - {syscall: read, reason: r, wehn: "arg0 == 1"}
)");
  std::string e = loadError(f);
  EXPECT_NE(e.find("bad.yaml:6:"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown key 'wehn'"), std::string::npos) << e;
}

TEST(Policy, MissingReasonIsAnError) {
  ScratchDir dir;
  auto f = dir.write("bad.yaml", R"(name: bad
sets:
  - name: s
    reason: test
    rules:
      - {syscall: read}
)");
  std::string e = loadError(f);
  EXPECT_NE(e.find("bad.yaml:6:"), std::string::npos) << e;
  EXPECT_NE(e.find("lacks a 'reason'"), std::string::npos) << e;
}

TEST(Policy, BadConditionNamesLine) {
  ScratchDir dir;
  auto f = dir.write("bad.yaml", R"(name: bad
sets:
  - name: s
    reason: test
    rules:
      - syscall: socket
        reason: r
        when: "arg0 == AF_MARS"
)");
  std::string e = loadError(f);
  EXPECT_NE(e.find("bad.yaml:8:"), std::string::npos) << e;
  EXPECT_NE(e.find("AF_MARS"), std::string::npos) << e;
}

TEST(Policy, TwoConditionsOnOneArgumentRejected) {
  ScratchDir dir;
  auto f = dir.write("bad.yaml", R"(name: bad
sets:
  - name: s
    reason: test
    rules:
      - syscall: socket
        reason: r
        when: ["arg0 == 1", "arg0 == 2"]
)");
  EXPECT_NE(loadError(f).find("two conditions on arg0"), std::string::npos);
}

TEST(Policy, YamlSyntaxErrorNamesLine) {
  ScratchDir dir;
  auto f = dir.write("bad.yaml", "name: bad\nsets:\n  - name: [unclosed\n");
  std::string e = loadError(f);
  EXPECT_NE(e.find("bad.yaml:"), std::string::npos) << e;
  EXPECT_NE(e.find("YAML syntax error"), std::string::npos) << e;
}

TEST(Policy, NameMustMatchFile) {
  ScratchDir dir;
  auto f = dir.write("other.yaml", kMinimal);
  std::string e = loadError(f);
  EXPECT_NE(e.find("other.yaml:1:"), std::string::npos) << e;
  EXPECT_NE(e.find("does not match"), std::string::npos) << e;
}

TEST(Policy, UnknownPhaseAndErrnoRejected) {
  ScratchDir dir;
  auto f = dir.write("bad.yaml", R"(name: bad
sets:
  - name: s
    reason: test
    phases: [loading, servng]
    rules:
      - {syscall: read, reason: r}
)");
  std::string e = loadError(f);
  EXPECT_NE(e.find("bad.yaml:5:"), std::string::npos) << e;
  EXPECT_NE(e.find("servng"), std::string::npos) << e;
  auto g = dir.write("bad.yaml", R"(name: bad
sets:
  - name: s
    reason: test
    rules:
      - {syscall: read, reason: r, errno: EWHAT}
)");
  EXPECT_NE(loadError(g).find("EWHAT"), std::string::npos);
}

TEST(Policy, RelativePathRejected) {
  ScratchDir dir;
  auto f = dir.write("bad.yaml", R"(name: bad
paths:
  read: [lib]
sets: []
)");
  std::string e = loadError(f);
  EXPECT_NE(e.find("bad.yaml:3:"), std::string::npos) << e;
  EXPECT_NE(e.find("not an absolute path"), std::string::npos) << e;
}

TEST(Policy, DuplicateSetRejected) {
  ScratchDir dir;
  dir.write("base.yaml", R"(name: base
sets:
  - name: basics
    reason: test
    rules:
      - {syscall: read, reason: r}
)");
  auto f = dir.write("child.yaml", R"(name: child
extends: base
sets:
  - name: basics
    reason: again
    rules:
      - {syscall: write, reason: w}
)");
  std::string e = loadError(f);
  EXPECT_NE(e.find("child.yaml:4:"), std::string::npos) << e;
  EXPECT_NE(e.find("already defined at"), std::string::npos) << e;
  EXPECT_NE(e.find("base.yaml:3"), std::string::npos) << e;
}

TEST(Policy, ExtendsCycleAndMissingParent) {
  ScratchDir dir;
  dir.write("a.yaml", "name: a\nextends: b\nsets: []\n");
  auto b = dir.write("b.yaml", "name: b\nextends: a\nsets: []\n");
  EXPECT_NE(loadError(b).find("cycle"), std::string::npos);
  auto self = dir.write("s.yaml", "name: s\nextends: s\nsets: []\n");
  EXPECT_NE(loadError(self).find("cycle"), std::string::npos);
  auto orphan = dir.write("o.yaml", "name: o\nextends: nowhere\nsets: []\n");
  std::string e = loadError(orphan);
  EXPECT_NE(e.find("o.yaml:2:"), std::string::npos) << e;
  EXPECT_NE(e.find("nowhere.yaml"), std::string::npos) << e;
  auto path = dir.write("p.yaml", "name: p\nextends: ../etc/x\nsets: []\n");
  EXPECT_NE(loadError(path).find("not a path"), std::string::npos);
}

TEST(Policy, SanitizerSetsOnlyInSanitizerBuilds) {
  ScratchDir dir;
  auto f = dir.write("san.yaml", R"(name: san
sets:
  - name: always
    reason: test
    rules:
      - {syscall: read, reason: r}
  - name: extras
    reason: test
    build: sanitizer
    rules:
      - {syscall: write, reason: w}
)");
  Policy p = loadPolicyFile(f);
#ifdef BULKHEAD_SANITIZER_BUILD
  EXPECT_NE(findSet(p, "extras"), nullptr);
#else
  EXPECT_EQ(findSet(p, "extras"), nullptr);
#endif
  EXPECT_NE(findSet(p, "always"), nullptr);
}

TEST(Policy, MissingFileIsAnError) {
  EXPECT_NE(loadError("/nonexistent/dir/x.yaml").find("cannot open"), std::string::npos);
}

TEST(Policy, NonMappingInputsDoNotCrash) {
  ScratchDir dir;
  for (const char* text : {"", "- a\n- b\n", "name: g\nsets: 3\n", "name: [1]\n", "x: y\n",
                           "name: g\nsets:\n  - 5\n", "name: g\nsets:\n  - {name: s}\n",
                           "name: g\nsets:\n  - {name: s, reason: r, rules: [{reason: r}]}\n",
                           "name: g\nnetwork: maybe\nsets: []\n"}) {
    SCOPED_TRACE(text);
    auto f = dir.write("g.yaml", text);
    EXPECT_THROW(loadPolicyFile(f), PolicyError);
  }
}

}  // namespace
}  // namespace bulkhead
