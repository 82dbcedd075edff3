#include "supervisor/crash_log_limiter.h"

#include <string>

#include <gtest/gtest.h>

namespace bulkhead {
namespace {

using namespace std::chrono_literals;
using Clock = CrashLogLimiter::Clock;

// Reports `n` crashes 100 ms apart from `at`; returns how many were logged
// and adds every summary's count to `summed`.
size_t crashes(CrashLogLimiter& l, Clock::time_point& at, size_t n, uint64_t& summed) {
  size_t logged = 0;
  for (size_t i = 0; i < n; ++i, at += 100ms) {
    CrashLogLimiter::Verdict v = l.admit(at, "crash " + std::to_string(i));
    if (v.summary) summed += v.summary->heldBack;
    logged += v.log;
  }
  return logged;
}

TEST(CrashLogLimiter, LogsTheFirstFewOfAnIntervalAndHoldsTheRestBack) {
  CrashLogLimiter l(3, 10s);
  Clock::time_point at = Clock::now();
  uint64_t summed = 0;
  EXPECT_EQ(crashes(l, at, 40, summed), 3u);  // 4 s of crashes: one interval
  EXPECT_EQ(summed, 0u);
  EXPECT_FALSE(l.due(at)) << "the interval is not over yet";
  const auto s = l.due(at + 6s);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->heldBack, 37u);
  EXPECT_EQ(s->last, "crash 39");
  EXPECT_GE(s->over, 10s);
  EXPECT_FALSE(l.due(at + 7s)) << "summed up once";
}

TEST(CrashLogLimiter, AnEndedIntervalIsSummedUpBeforeTheNextReport) {
  CrashLogLimiter l(2, 1s);
  Clock::time_point at = Clock::now();
  uint64_t summed = 0;
  EXPECT_EQ(crashes(l, at, 10, summed), 2u);
  // The 11th, at 1 s: a new interval, which brings the summary of the last.
  CrashLogLimiter::Verdict v = l.admit(at, "next");
  EXPECT_TRUE(v.log);
  ASSERT_TRUE(v.summary);
  EXPECT_EQ(v.summary->heldBack, 8u);
  EXPECT_EQ(v.summary->last, "crash 9");
}

// Logged lines and summaries together account for every report.
TEST(CrashLogLimiter, CountsAreNeverLost) {
  CrashLogLimiter l(5, 2s);
  Clock::time_point at = Clock::now();
  uint64_t summed = 0;
  const size_t logged = crashes(l, at, 1000, summed);  // 100 s: 50 intervals
  if (auto s = l.flush(at)) summed += s->heldBack;
  EXPECT_EQ(logged, 50u * 5u);
  EXPECT_EQ(logged + summed, 1000u);
  EXPECT_FALSE(l.flush(at)) << "nothing left to sum up";
}

TEST(CrashLogLimiter, FlushSumsUpAnIntervalThatIsNotOver) {
  CrashLogLimiter l(1, 60s);
  const Clock::time_point t0 = Clock::now();
  EXPECT_TRUE(l.admit(t0, "a").log);
  EXPECT_FALSE(l.admit(t0 + 1s, "b").log);
  EXPECT_FALSE(l.due(t0 + 2s));
  const auto s = l.flush(t0 + 2s);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->heldBack, 1u);
  EXPECT_EQ(s->last, "b");
  EXPECT_EQ(s->over, 2s);
}

TEST(CrashLogLimiter, RareCrashesAreAllLogged) {
  CrashLogLimiter l(2, 10s);
  const Clock::time_point t0 = Clock::now();
  for (int i = 0; i < 20; ++i) {
    CrashLogLimiter::Verdict v = l.admit(t0 + std::chrono::seconds(6 * i), "crash");
    EXPECT_TRUE(v.log) << i;
    EXPECT_FALSE(v.summary) << i;
  }
}

}  // namespace
}  // namespace bulkhead
