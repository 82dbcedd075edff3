#include "supervisor/crash_log_limiter.h"

#include <utility>

namespace bulkhead {

CrashLogLimiter::Verdict CrashLogLimiter::admit(Clock::time_point now, std::string report) {
  Verdict v;
  if (!open_ || now - start_ >= interval_) {
    v.summary = take(now);
    open_ = true;
    start_ = now;
    logged_ = 0;
  }
  if (logged_ < burst_) {
    ++logged_;
    v.log = true;
  } else {
    ++heldBack_;
    last_ = std::move(report);
  }
  return v;
}

std::optional<CrashLogLimiter::Summary> CrashLogLimiter::due(Clock::time_point now) {
  if (heldBack_ == 0 || now - start_ < interval_) return std::nullopt;
  return take(now);
}

std::optional<CrashLogLimiter::Summary> CrashLogLimiter::flush(Clock::time_point now) {
  return take(now);
}

std::optional<CrashLogLimiter::Summary> CrashLogLimiter::take(Clock::time_point now) {
  if (heldBack_ == 0) return std::nullopt;
  Summary s{std::exchange(heldBack_, 0), now - start_, std::exchange(last_, {})};
  return s;
}

}  // namespace bulkhead
