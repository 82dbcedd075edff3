#include "shm_ring/ring_consumer.h"

namespace bulkhead {

RingStatus RingConsumer::peek(RingRecord& out, RingDeadline deadline,
                              const RingWaitOptions& options) noexcept {
  RingStatus s = tryPeek(out);
  if (s != RingStatus::kEmpty) return s;
  release();
  // An attempt that comes back empty may still have skipped a pad record
  // published meanwhile: its space goes back at once, since the producer
  // may be waiting for exactly that space and would otherwise wait until
  // this wait ends.
  auto attempt = [&] {
    const RingStatus s = tryPeek(out);
    if (s == RingStatus::kEmpty) release();
    return s;
  };
  return ring_detail::waitFor(attempt, RingStatus::kEmpty, &ring_.control->producer.consumerSleeping,
                              deadline, options, history_);
}

}  // namespace bulkhead
