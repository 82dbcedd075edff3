// The reading end of a ring. Zero copy: tryPeek() returns a view of the next
// record inside the shared data area; release() hands every record peeked
// since the last release back to the producer with one index store.
//
// Hostile peer: the producer may write anything into the shared block at any
// time. Each index and record header is read exactly once (one atomic load)
// into a local and checked before use: the head must move forward by a
// multiple of 8 and stay within one capacity of our tail; a record must fit
// the published bytes and the end of the data area; the tag must be in the
// allow mask; a pad record must run to the end of the area. Any violation
// returns kCorrupt, sticky from then on, so the caller can kill the peer.
// Every call does bounded work (at most capacity/8 records per call).
//
// Ownership: a RingRecord's payload points into shared memory and is valid
// until the next release(). Its bytes stay writable by the peer, so parse them
// as untrusted (bound-check, or copy out first when they are read twice).
// Not thread safe: one consumer per ring (SPSC).
#pragma once

#include <atomic>
#include <cstdint>
#include <span>

#include "shm_ring/ring_layout.h"
#include "shm_ring/ring_status.h"
#include "shm_ring/ring_wait.h"

namespace bulkhead {

struct RingRecord {
  std::uint32_t tag = 0;
  std::span<const std::byte> payload;
};

class RingConsumer {
 public:
  RingConsumer() = default;
  // allowedTags: bit t set when tag t (0..kMaxUserTag) may appear.
  RingConsumer(RingView ring, std::uint64_t allowedTags) noexcept
      : ring_(ring),
        mask_(ring.capacity - 1),
        allowedTags_(allowedTags),
        tail_(std::atomic_ref<std::uint64_t>(ring.control->consumer.tail)
                  .load(std::memory_order_relaxed)),
        cursor_(tail_),
        cachedHead_(tail_) {
    // Our own start index came from shared memory too: an unaligned value
    // would misframe every record.
    if ((tail_ & (kRecordAlign - 1)) != 0) corrupt_ = true;
  }

  RingStatus tryPeek(RingRecord& out) noexcept {
    if (corrupt_) return RingStatus::kCorrupt;
    for (;;) {
      if (cursor_ == cachedHead_) {
        // seq_cst (at least acquire): pairs with the producer's store in
        // commit(), so the record bytes below are those it wrote before
        // publishing; seq_cst for the sleep handshake in peek(). A plain
        // load on x86.
        const std::uint64_t head = std::atomic_ref<std::uint64_t>(ring_.control->producer.head)
                                       .load(std::memory_order_seq_cst);
        // Forward only, at most one capacity ahead of what we released, and
        // on a record boundary. Unsigned wrap turns a backward head into a
        // huge distance that fails the bound.
        if (head - cachedHead_ > tail_ + ring_.capacity - cachedHead_ ||
            (head & (kRecordAlign - 1)) != 0) {
          return fail();
        }
        cachedHead_ = head;
        if (cursor_ == head) return RingStatus::kEmpty;
      }
      const std::uint64_t offset = cursor_ & mask_;
      const std::uint64_t available = cachedHead_ - cursor_;
      // relaxed: ordered by the load of head above; one load, so the
      // checked value is the used value even if the peer rewrites the header.
      const std::uint64_t header = std::atomic_ref<const std::uint64_t>(
                                       *reinterpret_cast<const std::uint64_t*>(ring_.data + offset))
                                       .load(std::memory_order_relaxed);
      const std::uint32_t tag = recordTag(header);
      const std::uint64_t footprint = recordFootprint(recordLength(header));
      if (footprint > available || footprint > ring_.capacity - offset) return fail();
      if (tag == kPadTag) {
        if (offset + footprint != ring_.capacity) return fail();
        cursor_ += footprint;
        continue;
      }
      if (tag > kMaxUserTag || ((allowedTags_ >> tag) & 1) == 0) return fail();
      out.tag = tag;
      out.payload =
          std::span<const std::byte>(ring_.data + offset + kRecordHeaderSize, recordLength(header));
      cursor_ += footprint;
      return RingStatus::kOk;
    }
  }

  // Like tryPeek() but waits for a record until `deadline`. Before it waits it
  // releases what was peeked (the producer may be waiting for that space), so
  // earlier RingRecord views end there.
  RingStatus peek(RingRecord& out, RingDeadline deadline,
                  const RingWaitOptions& options = {}) noexcept;

  // Returns every record peeked since the last release to the producer.
  void release() noexcept {
    if (cursor_ == tail_) return;
    // seq_cst (at least release): our reads of the released records happen
    // before the producer, loading tail, reuses their bytes; seq_cst orders
    // it before the sleep-flag load in wakeIfSleeping (ring_wait.h).
    std::atomic_ref<std::uint64_t>(ring_.control->consumer.tail)
        .store(cursor_, std::memory_order_seq_cst);
    tail_ = cursor_;
    ring_detail::wakeIfSleeping(&ring_.control->consumer.producerSleeping);
  }

  // Bytes peeked but not yet released.
  std::uint64_t pendingBytes() const noexcept { return cursor_ - tail_; }
  // Bytes published and not yet released, as of the last head this
  // consumer read and checked: how full the ring was then.
  std::uint64_t backlogBytes() const noexcept { return cachedHead_ - tail_; }
  std::uint64_t capacity() const noexcept { return ring_.capacity; }

 private:
  RingStatus fail() noexcept {
    corrupt_ = true;
    return RingStatus::kCorrupt;
  }

  RingView ring_{};
  std::uint64_t mask_ = 0;
  std::uint64_t allowedTags_ = 0;
  std::uint64_t tail_ = 0;        // last tail stored to shared memory
  std::uint64_t cursor_ = 0;      // end of records peeked (local truth)
  std::uint64_t cachedHead_ = 0;  // last checked producer head
  bool corrupt_ = false;
  RingWaitHistory history_;  // spin or not at the next wait
};

}  // namespace bulkhead
