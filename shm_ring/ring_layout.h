// Layout of one ring inside shared memory, and the record framing. Both
// processes map these bytes; the peer may rewrite any of them at any time, so
// nothing here is ever trusted without a check (see ring_consumer.h).
//
// Ring = control block (two cache lines) + data area of `capacity` bytes
// (a power of two). Indices are free-running 64-bit byte counts; the offset in
// the data area is `index & (capacity - 1)`. A record is an 8-byte header word
// (low 32 bits: payload length, high 32 bits: tag) followed by the payload,
// padded to 8 bytes. A record never straddles the end of the data area: when
// it would, the producer first writes a pad record (tag kPadTag) that fills
// the rest of the area, so the consumer always gets one contiguous span.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace bulkhead {

inline constexpr std::size_t kCacheLine = 64;
inline constexpr std::uint64_t kRecordAlign = 8;
inline constexpr std::uint64_t kRecordHeaderSize = 8;
inline constexpr std::uint32_t kPadTag = 0xFFFF'FFFFu;
// User tags index a 64-bit allow mask in the consumer (one AND per record).
inline constexpr std::uint32_t kMaxUserTag = 63;
inline constexpr std::uint64_t kMinRingCapacity = 64;
inline constexpr std::uint64_t kMaxRingCapacity = std::uint64_t{1} << 30;

constexpr std::uint64_t packRecordHeader(std::uint32_t tag, std::uint32_t length) noexcept {
  return (std::uint64_t{tag} << 32) | length;
}
constexpr std::uint32_t recordTag(std::uint64_t header) noexcept {
  return static_cast<std::uint32_t>(header >> 32);
}
constexpr std::uint32_t recordLength(std::uint64_t header) noexcept {
  return static_cast<std::uint32_t>(header);
}
// Bytes a record with `length` payload bytes occupies in the data area.
constexpr std::uint64_t recordFootprint(std::uint64_t length) noexcept {
  return kRecordHeaderSize + ((length + kRecordAlign - 1) & ~(kRecordAlign - 1));
}
constexpr bool isValidRingCapacity(std::uint64_t capacity) noexcept {
  return capacity >= kMinRingCapacity && capacity <= kMaxRingCapacity &&
         (capacity & (capacity - 1)) == 0;
}

// The fields are plain integers reached through std::atomic_ref rather than
// std::atomic members: that keeps the shared struct trivially copyable and
// standard layout (it is raw bytes from the peer's point of view), and gives
// the futex syscalls a plain uint32_t address.
//
// Each side's hot line holds the index it writes plus the sleep flag of the
// *other* side: the writer of the index checks that flag after every publish,
// so it reads its own cache line; the flag itself is written only by a side
// about to sleep, which is rare.
struct alignas(kCacheLine) RingProducerLine {
  std::uint64_t head;              // written by the producer: end of published records
  std::uint32_t consumerSleeping;  // futex word: 1 while the consumer sleeps on it
  std::uint32_t reserved0;
  std::uint8_t padding[kCacheLine - 16];
};

struct alignas(kCacheLine) RingConsumerLine {
  std::uint64_t tail;              // written by the consumer: end of released records
  std::uint32_t producerSleeping;  // futex word: 1 while the producer sleeps on it
  std::uint32_t reserved0;
  std::uint8_t padding[kCacheLine - 16];
};

struct RingControl {
  RingProducerLine producer;
  RingConsumerLine consumer;
};

static_assert(sizeof(RingProducerLine) == kCacheLine);
static_assert(sizeof(RingConsumerLine) == kCacheLine);
static_assert(sizeof(RingControl) == 2 * kCacheLine);
static_assert(alignof(RingControl) == kCacheLine);
static_assert(offsetof(RingControl, consumer) == kCacheLine);
static_assert(std::is_trivially_copyable_v<RingControl>);
static_assert(std::is_standard_layout_v<RingControl>);
static_assert(std::atomic_ref<std::uint64_t>::is_always_lock_free);
static_assert(std::atomic_ref<std::uint32_t>::is_always_lock_free);
static_assert(std::atomic_ref<std::uint64_t>::required_alignment <= kRecordAlign);

// One ring as this process sees it. The pointers and capacity come from this
// process's own layout computation, never from shared memory.
struct RingView {
  RingControl* control = nullptr;
  std::byte* data = nullptr;
  std::uint64_t capacity = 0;
};

}  // namespace bulkhead
