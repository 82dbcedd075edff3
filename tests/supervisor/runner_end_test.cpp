#include "supervisor/runner_end.h"

#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace bulkhead {
namespace {

using ::testing::HasSubstr;

ChildStatus signalled(int sig) { return ChildStatus{true, sig}; }

// A cursor on an unreadable log: finds nothing, at once.
KernelLogCursor noLog() { return KernelLogCursor(); }

TEST(RunnerEnd, ExitAndSignalsAreTheRunnersOwnEnds) {
  KernelLogCursor log = noLog();
  RunnerEnd e = classifyExit(ChildStatus{false, 3}, log, 1, 0);
  EXPECT_EQ(e.kind, RunnerEnd::Kind::kExited);
  EXPECT_EQ(e.describe(), "exited with code 3");
  e = classifyExit(signalled(SIGSEGV), log, 1, 0);
  EXPECT_EQ(e.kind, RunnerEnd::Kind::kSignalled);
  EXPECT_EQ(e.describe(), "killed by signal 11 (SIGSEGV)");
}

TEST(RunnerEnd, SigsysIsASeccompKillEvenWithoutItsAuditRecord) {
  KernelLogCursor log = noLog();
  RunnerEnd e = classifyExit(signalled(SIGSYS), log, 1, 0);
  EXPECT_EQ(e.kind, RunnerEnd::Kind::kSeccompKill);
  EXPECT_THAT(e.describe(), HasSubstr("(seccomp violation: syscall unknown"));
}

TEST(RunnerEnd, RlimitSignalsAreResourceLimits) {
  KernelLogCursor log = noLog();
  RunnerEnd e = classifyExit(signalled(SIGXCPU), log, 1, 0);
  EXPECT_EQ(e.kind, RunnerEnd::Kind::kResourceLimit);
  EXPECT_THAT(e.describe(), HasSubstr("resource limit: CPU time"));
  EXPECT_EQ(classifyExit(signalled(SIGXFSZ), log, 1, 0).kind, RunnerEnd::Kind::kResourceLimit);
}

TEST(RunnerEnd, EachEndCountsWhereItBelongs) {
  struct Case {
    RunnerEnd::Kind kind;
    uint64_t crashes, seccomp, deadline, malformed;
  };
  const Case cases[] = {
      {RunnerEnd::Kind::kExited, 1, 0, 0, 0},
      {RunnerEnd::Kind::kSignalled, 1, 0, 0, 0},
      {RunnerEnd::Kind::kSeccompKill, 1, 1, 0, 0},
      {RunnerEnd::Kind::kResourceLimit, 1, 0, 0, 0},
      {RunnerEnd::Kind::kHandshakeFailed, 1, 0, 0, 0},
      {RunnerEnd::Kind::kDeadlineMissed, 0, 0, 1, 0},
      {RunnerEnd::Kind::kMalformed, 0, 0, 0, 1},
  };
  for (const Case& c : cases) {
    HostCounters counters;
    countRunnerEnd(RunnerEnd{c.kind, 0, "x"}, counters);
    EXPECT_EQ(counters.crashes, c.crashes) << static_cast<int>(c.kind);
    EXPECT_EQ(counters.seccompKills, c.seccomp) << static_cast<int>(c.kind);
    EXPECT_EQ(counters.deadlineKills, c.deadline) << static_cast<int>(c.kind);
    EXPECT_EQ(counters.malformed, c.malformed) << static_cast<int>(c.kind);
  }
}

TEST(RunnerEnd, TheSupervisorsVerdictsSayWhat) {
  EXPECT_EQ((RunnerEnd{RunnerEnd::Kind::kDeadlineMissed, 9, "next_batch, 1000 ms"}.describe()),
            "missed its deadline (next_batch, 1000 ms) and was killed");
  EXPECT_EQ((RunnerEnd{RunnerEnd::Kind::kMalformed, 9, "ring corrupt"}.describe()),
            "sent a malformed record (ring corrupt) and was killed");
  EXPECT_THAT((RunnerEnd{RunnerEnd::Kind::kHandshakeFailed, 0, "no hello"}.describe()),
              HasSubstr("no hello"));
}

}  // namespace
}  // namespace bulkhead

namespace bulkhead {
namespace {

TEST(RunnerEnd, SeccompAdviceNamesTheProfileAndTheKeyToChange) {
  RunnerEnd seccomp{RunnerEnd::Kind::kSeccompKill, SIGSYS, "socket"};
  const std::string advice = seccompAdvice(seccomp, "default", "okta");
  EXPECT_THAT(advice, HasSubstr("the 'default' profile does not allow that call"));
  EXPECT_THAT(advice, HasSubstr("bulkhead.plugins.okta.policy"));
  RunnerEnd crash{RunnerEnd::Kind::kSignalled, SIGSEGV, ""};
  EXPECT_EQ(seccompAdvice(crash, "default", "okta"), "");
}

}  // namespace
}  // namespace bulkhead
