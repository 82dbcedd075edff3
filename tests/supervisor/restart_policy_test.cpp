#include "supervisor/restart_policy.h"

#include <gtest/gtest.h>

namespace bulkhead {
namespace {

using namespace std::chrono_literals;
using Clock = RestartPolicy::Clock;

RestartSettings settings(uint32_t maxRestarts) {
  RestartSettings s;
  s.maxRestarts = maxRestarts;
  s.window = 60s;
  s.backoffInitial = 10ms;
  s.backoffMax = 50ms;
  return s;
}

TEST(RestartPolicy, FirstRestartIsImmediateThenBackoffDoublesToItsMaximum) {
  RestartPolicy p(settings(10));
  const Clock::time_point t0 = Clock::now();
  const std::chrono::milliseconds expected[] = {0ms, 10ms, 20ms, 40ms, 50ms, 50ms};
  for (size_t i = 0; i < std::size(expected); ++i) {
    const auto now = t0 + std::chrono::seconds(i);
    RestartPolicy::Verdict v = p.onFailure(now);
    EXPECT_FALSE(v.disabled);
    EXPECT_EQ(v.backoff, expected[i]) << "failure " << i + 1;
    EXPECT_EQ(v.failuresInWindow, i + 1);
    EXPECT_EQ(p.nextStart(), now + expected[i]);
  }
}

TEST(RestartPolicy, BreakerTripsOnTheFailureAfterMaxRestartsInTheWindow) {
  RestartPolicy p(settings(3));
  const Clock::time_point t0 = Clock::now();
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(p.onFailure(t0 + std::chrono::seconds(i)).disabled);
  RestartPolicy::Verdict v = p.onFailure(t0 + 3s);
  EXPECT_TRUE(v.disabled);
  EXPECT_EQ(v.failuresInWindow, 4u);
  EXPECT_TRUE(p.disabled());
  // Disabled stays disabled, however long it waits.
  EXPECT_TRUE(p.onFailure(t0 + 1h).disabled);
}

TEST(RestartPolicy, FailuresOlderThanTheWindowAreForgotten) {
  RestartPolicy p(settings(2));
  const Clock::time_point t0 = Clock::now();
  EXPECT_FALSE(p.onFailure(t0).disabled);
  EXPECT_FALSE(p.onFailure(t0 + 1s).disabled);
  // 61 s after the first and 60 s after the second: only the second counts.
  RestartPolicy::Verdict v = p.onFailure(t0 + 61s);
  EXPECT_FALSE(v.disabled);
  EXPECT_EQ(v.failuresInWindow, 2u);
  EXPECT_EQ(v.backoff, 10ms);
  // Once all are older than the window, the next restart is immediate again.
  v = p.onFailure(t0 + 200s);
  EXPECT_FALSE(v.disabled);
  EXPECT_EQ(v.backoff, 0ms);
}

TEST(RestartPolicy, ZeroRestartsDisablesOnTheFirstFailure) {
  RestartPolicy p(settings(0));
  EXPECT_TRUE(p.onFailure(Clock::now()).disabled);
}

TEST(RestartPolicy, DisableWithoutAFailure) {
  RestartPolicy p(settings(5));
  p.disable();
  EXPECT_TRUE(p.disabled());
  EXPECT_TRUE(p.onFailure(Clock::now()).disabled);
}

}  // namespace
}  // namespace bulkhead
