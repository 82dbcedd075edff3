#include "tests/plugins/common/rate_limit.h"

#include <time.h>

#include <algorithm>

namespace bulkhead::test_plugins {

namespace {

uint64_t monotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

constexpr uint64_t kMaxWaitNs = 50'000'000;

}  // namespace

void RateLimit::start(uint64_t perSecond) {
  perSecond_ = perSecond;
  startNs_ = monotonicNs();
}

uint64_t RateLimit::allow(uint64_t produced, uint64_t wanted) const {
  if (perSecond_ == 0) return wanted;
  auto due = [&] {
    const long double elapsed = static_cast<long double>(monotonicNs() - startNs_);
    const auto d = static_cast<uint64_t>(elapsed * perSecond_ / 1e9L);
    return d > produced ? std::min(d - produced, wanted) : 0;
  };
  if (uint64_t n = due()) return n;
  const uint64_t nextAt = startNs_ + (produced + 1) * 1000000000ull / perSecond_;
  const uint64_t now = monotonicNs();
  const uint64_t wait = std::min(nextAt > now ? nextAt - now : 0, kMaxWaitNs);
  timespec w{static_cast<time_t>(wait / 1000000000ull), static_cast<long>(wait % 1000000000ull)};
  nanosleep(&w, nullptr);
  return due();
}

}  // namespace bulkhead::test_plugins
