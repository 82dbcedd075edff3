// The writing end of a ring. Zero copy: tryReserve() hands out a span inside
// the shared data area, the caller fills it, commit() publishes every record
// reserved since the last commit with one index store (a batch of N records
// costs one publish and at most one wake syscall).
//
// The consumer's index is untrusted: it is read once per refresh, checked to
// lie between the last value seen and our own head, and a violation makes the
// producer report kCorrupt from then on. Writes are confined to the data area
// whatever the peer does, since offsets are masked with our own capacity.
//
// Ownership: a span returned by tryReserve()/reserve() is valid for writing
// until the next commit(); after commit() the bytes belong to the consumer.
// Not thread safe: one producer per ring (SPSC).
#pragma once

#include <atomic>
#include <cstdint>
#include <span>

#include "shm_ring/ring_layout.h"
#include "shm_ring/ring_status.h"
#include "shm_ring/ring_wait.h"

namespace bulkhead {

class RingProducer {
 public:
  RingProducer() = default;
  // Starts at the ring's current head, read once (the creator zeroes a fresh
  // ring; a value the peer tampered with shows up as kCorrupt later).
  explicit RingProducer(RingView ring) noexcept
      : ring_(ring),
        mask_(ring.capacity - 1),
        head_(std::atomic_ref<std::uint64_t>(ring.control->producer.head)
                  .load(std::memory_order_relaxed)),
        published_(head_),
        // Assume the ring is full until the tail is read and checked.
        cachedTail_(head_ - ring.capacity) {
    // The start index came from shared memory: an unaligned one would make
    // every header store misaligned.
    if ((head_ & (kRecordAlign - 1)) != 0) corrupt_ = true;
  }

  // Largest payload one record can carry in this ring.
  std::uint64_t maxPayload() const noexcept { return ring_.capacity - kRecordHeaderSize; }

  // Reserves a record of `length` payload bytes with `tag` (<= kMaxUserTag).
  // kFull: commit() what is pending and retry later (a pad record may already
  // be pending). kTooLarge: the record can never fit or the tag is reserved.
  RingStatus tryReserve(std::uint32_t tag, std::uint32_t length,
                        std::span<std::byte>& out) noexcept {
    if (corrupt_) return RingStatus::kCorrupt;
    if (tag > kMaxUserTag || length > maxPayload()) return RingStatus::kTooLarge;
    const std::uint64_t need = recordFootprint(length);
    std::uint64_t offset = head_ & mask_;
    const std::uint64_t contiguous = ring_.capacity - offset;
    if (need > contiguous) {
      if (RingStatus s = ensureFree(contiguous); s != RingStatus::kOk) return s;
      writeHeader(offset, packRecordHeader(
                              kPadTag, static_cast<std::uint32_t>(contiguous - kRecordHeaderSize)));
      head_ += contiguous;
      offset = 0;
    }
    if (RingStatus s = ensureFree(need); s != RingStatus::kOk) return s;
    writeHeader(offset, packRecordHeader(tag, length));
    out = std::span<std::byte>(ring_.data + offset + kRecordHeaderSize, length);
    head_ += need;
    return RingStatus::kOk;
  }

  // Like tryReserve() but waits for space until `deadline`. Before it waits
  // it commits what is pending (the consumer may be waiting for exactly those
  // records), so every span reserved earlier must be filled by then.
  RingStatus reserve(std::uint32_t tag, std::uint32_t length, std::span<std::byte>& out,
                     RingDeadline deadline, const RingWaitOptions& options = {}) noexcept;

  // Publishes every record reserved since the last commit.
  void commit() noexcept {
    if (head_ == published_) return;
    // seq_cst (at least release): the headers and payloads written before
    // this store become visible to a consumer that loads head; seq_cst also
    // orders it before the sleep-flag load in wakeIfSleeping (ring_wait.h).
    std::atomic_ref<std::uint64_t>(ring_.control->producer.head)
        .store(head_, std::memory_order_seq_cst);
    published_ = head_;
    ring_detail::wakeIfSleeping(&ring_.control->producer.consumerSleeping);
  }

  // Bytes reserved but not yet committed.
  std::uint64_t pendingBytes() const noexcept { return head_ - published_; }

 private:
  RingStatus ensureFree(std::uint64_t bytes) noexcept {
    if (ring_.capacity - (head_ - cachedTail_) >= bytes) return RingStatus::kOk;
    // seq_cst (at least acquire): pairs with the consumer's store of tail,
    // so its reads of the records it released happen before we overwrite
    // them; seq_cst for the sleep handshake in reserve(). A plain load on x86.
    const std::uint64_t tail = std::atomic_ref<std::uint64_t>(ring_.control->consumer.tail)
                                   .load(std::memory_order_seq_cst);
    // Hostile check: the tail only moves forward and never passes our head.
    // Unsigned arithmetic makes a backward or wild value fail the comparison.
    if (tail - cachedTail_ > head_ - cachedTail_) {
      corrupt_ = true;
      return RingStatus::kCorrupt;
    }
    cachedTail_ = tail;
    return ring_.capacity - (head_ - cachedTail_) >= bytes ? RingStatus::kOk : RingStatus::kFull;
  }

  void writeHeader(std::uint64_t offset, std::uint64_t header) noexcept {
    // relaxed: published by the release store in commit(); atomic_ref keeps
    // the consumer's single 8-byte read of the header race-free.
    std::atomic_ref<std::uint64_t>(*reinterpret_cast<std::uint64_t*>(ring_.data + offset))
        .store(header, std::memory_order_relaxed);
  }

  RingView ring_{};
  std::uint64_t mask_ = 0;
  std::uint64_t head_ = 0;        // end of reserved records (local truth)
  std::uint64_t published_ = 0;   // last head stored to shared memory
  std::uint64_t cachedTail_ = 0;  // last checked consumer tail
  bool corrupt_ = false;
  RingWaitHistory history_;  // spin or not at the next wait
};

}  // namespace bulkhead
