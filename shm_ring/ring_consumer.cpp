#include "shm_ring/ring_consumer.h"

namespace bulkhead {

RingStatus RingConsumer::peek(RingRecord& out, RingDeadline deadline,
                              const RingWaitOptions& options) noexcept {
  RingStatus s = tryPeek(out);
  if (s != RingStatus::kEmpty) return s;
  release();
  return ring_detail::waitFor([&] { return tryPeek(out); }, RingStatus::kEmpty,
                              &ring_.control->producer.consumerSleeping, deadline, options,
                              history_);
}

}  // namespace bulkhead
