// Compiles the shipped profiles without installing them (installing is a
// fault test in tests/sandbox_runner/). Checks the hand-written prologue.
#include "policies/seccomp_filter.h"

#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/seccomp.h>

#include <cstddef>

#include "tests/policies/policy_test_util.h"

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

TEST(SeccompFilter, PlaceholderBindsToTheSameProgram) {
  for (const char* name : {"default", "network", "strict"}) {
    Policy p = loadPolicyFile(kPolicyDir / (std::string(name) + ".yaml"));
    for (Phase phase : {Phase::kLoading, Phase::kServing}) {
      SeccompFilter direct = SeccompFilter::compile(p, phase, {.selfPid = 4242});
      SeccompFilter shipped = SeccompFilter::compile(p, phase, {.selfPid = kSelfPidPlaceholder});
      std::vector<sock_filter> copy(shipped.instructions().begin(), shipped.instructions().end());
      SeccompFilter rebuilt = SeccompFilter::fromProgram(std::move(copy), phase, p.specAllow);
      // Each $pid rule (tgkill, kill) gives one comparison.
      EXPECT_GE(rebuilt.bindSelfPid(4242), 1u) << name;
      ASSERT_EQ(rebuilt.instructions().size(), direct.instructions().size()) << name;
      for (size_t i = 0; i < direct.instructions().size(); ++i) {
        const sock_filter& a = direct.instructions()[i];
        const sock_filter& b = rebuilt.instructions()[i];
        EXPECT_TRUE(a.code == b.code && a.jt == b.jt && a.jf == b.jf && a.k == b.k)
            << name << " instruction " << i;
      }
      // The placeholder matches nothing else in the program.
      SeccompFilter again = SeccompFilter::compile(p, phase, {.selfPid = 4242});
      EXPECT_EQ(again.bindSelfPid(99), 0u);
    }
  }
}

TEST(SeccompFilter, FromProgramChecksShape) {
  EXPECT_THROW(SeccompFilter::fromProgram({}, Phase::kServing, false), PolicyError);
  std::vector<sock_filter> noReturn = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0)};
  EXPECT_THROW(SeccompFilter::fromProgram(noReturn, Phase::kServing, false), PolicyError);
  std::vector<sock_filter> huge(BPF_MAXINSNS + 1, BPF_STMT(BPF_RET | BPF_K, 0));
  EXPECT_THROW(SeccompFilter::fromProgram(huge, Phase::kServing, false), PolicyError);
  std::vector<sock_filter> ok = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
  EXPECT_EQ(SeccompFilter::fromProgram(ok, Phase::kLoading, true).instructions().size(), 1u);
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
