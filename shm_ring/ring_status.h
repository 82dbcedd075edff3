// Result of every ring operation. The hot path reports, it never throws.
#pragma once

#include <cstdint>

namespace bulkhead {

// clang-format 14 misreads the attribute and mangles the enum body.
// clang-format off
enum class [[nodiscard]] RingStatus : std::uint8_t {
  kOk,
  kEmpty,     // nothing to read right now (try variants only)
  kFull,      // not enough free space right now (try variants only)
  kTimeout,   // the deadline passed first
  kPeerDead,  // the pidfd given to the wait reported the peer's death
  kTooLarge,  // the record can never fit this ring, or the tag is reserved
  kCorrupt,   // the peer broke the ring protocol: kill it; the ring stays unusable
};
// clang-format on

const char* ringStatusName(RingStatus status) noexcept;

}  // namespace bulkhead
