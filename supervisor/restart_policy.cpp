#include "supervisor/restart_policy.h"

#include <algorithm>
#include <cstdint>

namespace bulkhead {

RestartPolicy::Verdict RestartPolicy::onFailure(Clock::time_point now) {
  while (!failures_.empty() && now - failures_.front() > settings_.window) failures_.pop_front();
  Verdict v;
  v.failuresInWindow = failures_.size() + 1;
  if (disabled_ || failures_.size() >= settings_.maxRestarts) {
    disabled_ = true;
    v.disabled = true;
    return v;
  }
  if (!failures_.empty()) {
    // Capped shift: past 2^20 the maximum has long been reached.
    const auto doublings = std::min<std::size_t>(failures_.size() - 1, 20);
    const std::chrono::milliseconds doubled = settings_.backoffInitial * (int64_t{1} << doublings);
    v.backoff = std::min(settings_.backoffMax, doubled);
  }
  failures_.push_back(now);
  nextStart_ = now + v.backoff;
  return v;
}

}  // namespace bulkhead
