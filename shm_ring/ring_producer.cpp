#include "shm_ring/ring_producer.h"

namespace bulkhead {

RingStatus RingProducer::reserve(std::uint32_t tag, std::uint32_t length, std::span<std::byte>& out,
                                 RingDeadline deadline, const RingWaitOptions& options) noexcept {
  RingStatus s = tryReserve(tag, length, out);
  if (s != RingStatus::kFull) return s;
  commit();
  // A kFull attempt may have left a pad record pending; publishing it lets
  // the consumer skip to the start of the area, without which the space we
  // wait for could never appear.
  auto attempt = [&] {
    RingStatus r = tryReserve(tag, length, out);
    if (r == RingStatus::kFull) commit();
    return r;
  };
  return ring_detail::waitFor(attempt, RingStatus::kFull, &ring_.control->consumer.producerSleeping,
                              deadline, options, history_);
}

}  // namespace bulkhead
