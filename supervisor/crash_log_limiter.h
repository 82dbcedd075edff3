// CrashLogLimiter: how many crash-report lines one plugin may log. A plugin
// in a crash loop must not flood the log and bury every other line: in
// each interval its first `burst` crash reports are logged in full, the
// rest are only counted, and one summary line ("37 more crashes in the
// last 10 s, last: ...") follows once the interval is over. Every report is
// either logged or counted in a summary, so nothing is lost; the host's
// counters are kept apart from this and stay exact.
//
// Pure logic on the times it is given, so tests need no clock and no sleeps.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace bulkhead {

class CrashLogLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // The reports held back in one interval.
  struct Summary {
    uint64_t heldBack = 0;
    Clock::duration over{};  // from the interval's first report to now
    std::string last;        // the last report held back
  };

  struct Verdict {
    bool log = false;  // log this report now
    // Held back in the interval that this report ended: log it first.
    std::optional<Summary> summary;
  };

  CrashLogLimiter(std::size_t burst, Clock::duration interval)
      : burst_(burst), interval_(interval) {}

  // One crash report at `now`.
  Verdict admit(Clock::time_point now, std::string report);
  // The summary of an interval over by `now` that held reports back; a
  // host asks now and then, so that a crash loop that stopped is still
  // summed up.
  std::optional<Summary> due(Clock::time_point now);
  // The summary of whatever is held back, interval over or not (before the
  // last line of a plugin: its breaker tripped, or it shuts down).
  std::optional<Summary> flush(Clock::time_point now);
  // Whether any report is held back for a summary.
  bool holding() const { return heldBack_ > 0; }

 private:
  std::optional<Summary> take(Clock::time_point now);

  std::size_t burst_;
  Clock::duration interval_;
  Clock::time_point start_{};
  bool open_ = false;  // an interval has started
  std::size_t logged_ = 0;
  uint64_t heldBack_ = 0;
  std::string last_;
};

}  // namespace bulkhead
