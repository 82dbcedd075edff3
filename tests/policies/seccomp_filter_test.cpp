// Compiles the shipped profiles without installing them (installing is a
// fault test in tests/sandbox_runner/). Checks the hand-written prologue.
#include "policies/seccomp_filter.h"

#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/seccomp.h>

#include <cstddef>

#include "policy_test_util.h"

namespace bulkhead {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

const fs::path kPolicyDir = fs::path(BULKHEAD_SOURCE_DIR) / "policies";

TEST(SeccompFilter, ShippedProfilesCompileInBothPhases) {
  for (const char* name : {"default", "network", "strict"}) {
    Policy p = loadPolicyFile(kPolicyDir / (std::string(name) + ".yaml"));
    for (Phase phase : {Phase::kLoading, Phase::kServing}) {
      SeccompFilter f = SeccompFilter::compile(p, phase, {.selfPid = 4242});
      EXPECT_GT(f.instructions().size(), 10u) << name;
      EXPECT_LE(f.instructions().size(), static_cast<size_t>(BPF_MAXINSNS)) << name;
      EXPECT_EQ(f.phase(), phase);
    }
  }
}

#if defined(__x86_64__)
TEST(SeccompFilter, PrologueChecksArchThenX32) {
  Policy p = loadPolicyFile(kPolicyDir / "default.yaml");
  SeccompFilter f = SeccompFilter::compile(p, Phase::kServing);
  auto insns = f.instructions();
  ASSERT_GE(insns.size(), 6u);
  EXPECT_EQ(insns[0].code, BPF_LD | BPF_W | BPF_ABS);
  EXPECT_EQ(insns[0].k, offsetof(seccomp_data, arch));
  EXPECT_EQ(insns[1].code, BPF_JMP | BPF_JEQ | BPF_K);
  EXPECT_EQ(insns[1].k, static_cast<uint32_t>(AUDIT_ARCH_X86_64));
  EXPECT_EQ(insns[2].code, BPF_RET | BPF_K);
  EXPECT_EQ(insns[2].k, static_cast<uint32_t>(SECCOMP_RET_KILL_PROCESS));
  EXPECT_EQ(insns[3].k, offsetof(seccomp_data, nr));
  EXPECT_EQ(insns[4].code, BPF_JMP | BPF_JSET | BPF_K);
  EXPECT_EQ(insns[4].k, 0x40000000u);
  EXPECT_EQ(insns[5].k, static_cast<uint32_t>(SECCOMP_RET_KILL_PROCESS));
}
#endif

TEST(SeccompFilter, SelfPidChangesTheProgram) {
  Policy p = loadPolicyFile(kPolicyDir / "default.yaml");
  auto a = SeccompFilter::compile(p, Phase::kServing, {.selfPid = 100});
  auto b = SeccompFilter::compile(p, Phase::kServing, {.selfPid = 200});
  auto hasK = [](const SeccompFilter& f, uint32_t k) {
    for (const auto& i : f.instructions()) {
      if (i.code == (BPF_JMP | BPF_JEQ | BPF_K) && i.k == k) return true;
    }
    return false;
  };
  EXPECT_TRUE(hasK(a, 100));
  EXPECT_FALSE(hasK(a, 200));
  EXPECT_TRUE(hasK(b, 200));
}

TEST(SeccompFilter, ConflictingActionsNameTheRule) {
  ScratchDir dir;
  auto f = dir.write("clash.yaml", R"(name: clash
sets:
  - name: a
    reason: test
    rules:
      - {syscall: read, reason: r}
  - name: b
    reason: test
    rules:
      - {syscall: read, reason: r, errno: EPERM}
)");
  Policy p = loadPolicyFile(f);
  try {
    SeccompFilter::compile(p, Phase::kServing);
    FAIL() << "libseccomp accepted two actions for one unconditional syscall";
  } catch (const PolicyError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("clash.yaml:10"), std::string::npos) << msg;
    EXPECT_NE(msg.find("read"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace bulkhead
