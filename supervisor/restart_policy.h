// RestartPolicy: when a failed runner may start again, and when a plugin
// has failed too often and is disabled (the circuit breaker).
//
// One rule for every failure, whether a runner crashed, missed a deadline,
// sent garbage or could not even start: failures older than the window are
// forgotten; a failure that finds maxRestarts failures in the window trips
// the breaker; otherwise the next start waits 0 after the first failure in
// a window, then backoffInitial, doubling each time, up to backoffMax.
// Pure logic on the times it is given, so tests need no processes.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>

#include "config/isolation_config.h"

namespace bulkhead {

class RestartPolicy {
 public:
  using Clock = std::chrono::steady_clock;

  struct Verdict {
    bool disabled = false;                  // the breaker tripped
    std::chrono::milliseconds backoff{0};   // until the next start
    std::size_t failuresInWindow = 0;       // this one included
  };

  explicit RestartPolicy(const RestartSettings& settings) : settings_(settings) {}

  // Records a failure at `now` and says what follows from it.
  Verdict onFailure(Clock::time_point now);
  // The earliest time the next runner may start.
  Clock::time_point nextStart() const { return nextStart_; }
  bool disabled() const { return disabled_; }
  // Disables without a failure (a restarted plugin that reports another
  // identity).
  void disable() { disabled_ = true; }
  const RestartSettings& settings() const { return settings_; }

 private:
  RestartSettings settings_;
  std::deque<Clock::time_point> failures_;
  Clock::time_point nextStart_{};
  bool disabled_ = false;
};

}  // namespace bulkhead
