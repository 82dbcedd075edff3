// Several rings plus a small header in one shared region: the unit the
// supervisor creates per runner (source, request, response, async rings).
//
//   [RingSetHeader][RingControl 0][data 0][RingControl 1][data 1]...
//
// Both sides compute this layout from the same capacity list (carried on the
// control plane), so every offset and pointer a side uses is its own. The
// header only lets attach() check, once, that the creator agreed; it is never
// read again, because the peer can rewrite it at will.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include "shm_ring/ring_layout.h"
#include "shm_ring/shared_region.h"
#include "shm_ring/unique_fd.h"

namespace bulkhead {

inline constexpr std::size_t kMaxRingsPerSet = 8;
inline constexpr std::uint64_t kRingSetMagic = 0x31304752'4B4C4842ull;  // "BHLKRG01"
inline constexpr std::uint32_t kRingSetVersion = 1;

struct alignas(kCacheLine) RingSetHeader {
  std::uint64_t magic;
  std::uint32_t version;
  std::uint32_t ringCount;
  std::uint64_t totalSize;
  std::uint64_t capacities[kMaxRingsPerSet];
};
static_assert(sizeof(RingSetHeader) == 2 * kCacheLine);
static_assert(std::is_trivially_copyable_v<RingSetHeader>);
static_assert(std::is_standard_layout_v<RingSetHeader>);

// Offsets of each ring inside the region, from a list of capacities (each a
// power of two in [kMinRingCapacity, kMaxRingCapacity]). Throws
// std::invalid_argument naming the bad ring otherwise.
class RingSetLayout {
 public:
  RingSetLayout() = default;
  explicit RingSetLayout(std::span<const std::uint64_t> capacities);

  std::size_t ringCount() const noexcept { return count_; }
  std::size_t totalSize() const noexcept { return totalSize_; }
  std::uint64_t capacity(std::size_t ring) const noexcept { return capacities_[ring]; }
  std::size_t controlOffset(std::size_t ring) const noexcept { return controlOffsets_[ring]; }
  std::size_t dataOffset(std::size_t ring) const noexcept {
    return controlOffsets_[ring] + sizeof(RingControl);
  }

 private:
  std::size_t count_ = 0;
  std::size_t totalSize_ = 0;
  std::array<std::uint64_t, kMaxRingsPerSet> capacities_{};
  std::array<std::size_t, kMaxRingsPerSet> controlOffsets_{};
};

class RingSet {
 public:
  RingSet() = default;
  RingSet(RingSet&&) noexcept = default;
  RingSet& operator=(RingSet&&) noexcept = default;

  // Creates the memfd, writes the header; rings start empty.
  static RingSet create(std::span<const std::uint64_t> capacities,
                        const char* name = "bulkhead-rings");
  // Maps a region created by the peer with the same capacity list. Throws
  // std::system_error when the fd, its size, seals or header do not match.
  static RingSet attach(UniqueFd fd, std::span<const std::uint64_t> capacities);

  // Empties every ring again, as create() left them, for a new peer: the
  // header is rewritten and every ring's indices and sleep flags zeroed.
  // Data areas keep their bytes: no record is read before it is written.
  // Only while no other process maps the region (the old peer is reaped):
  // it saves unmapping and freeing the pages and faulting them in again.
  void reset() noexcept;

  // Pointers computed from our own layout; the index is ours too.
  RingView ring(std::size_t index) const noexcept;
  std::size_t ringCount() const noexcept { return layout_.ringCount(); }
  const RingSetLayout& layout() const noexcept { return layout_; }
  const SharedRegion& region() const noexcept { return region_; }
  int fd() const noexcept { return region_.fd(); }

 private:
  RingSet(RingSetLayout layout, SharedRegion region) noexcept
      : layout_(layout), region_(std::move(region)) {}

  RingSetLayout layout_;
  SharedRegion region_;
};

}  // namespace bulkhead
