// An event rate for test source plugins: how many events are due since
// open, waiting inside next_batch (as a real plugin waits for input) for at
// most 50 ms when none is.
#pragma once

#include <cstdint>

namespace bulkhead::test_plugins {

class RateLimit {
 public:
  // perSecond == 0: no limit.
  void start(uint64_t perSecond);
  // How many of `wanted` events may be produced now, `produced` being the
  // count so far; 0 after a bounded wait means "return TIMEOUT".
  uint64_t allow(uint64_t produced, uint64_t wanted) const;

 private:
  uint64_t perSecond_ = 0;
  uint64_t startNs_ = 0;
};

}  // namespace bulkhead::test_plugins
