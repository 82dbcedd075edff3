#include "shm_ring/ring_set.h"

#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

namespace bulkhead {

RingSetLayout::RingSetLayout(std::span<const std::uint64_t> capacities) {
  if (capacities.empty() || capacities.size() > kMaxRingsPerSet) {
    throw std::invalid_argument("ring set: " + std::to_string(capacities.size()) +
                                " rings, need 1.." + std::to_string(kMaxRingsPerSet));
  }
  count_ = capacities.size();
  std::size_t offset = sizeof(RingSetHeader);
  for (std::size_t i = 0; i < count_; ++i) {
    if (!isValidRingCapacity(capacities[i])) {
      throw std::invalid_argument("ring set: ring " + std::to_string(i) + " capacity " +
                                  std::to_string(capacities[i]) +
                                  " is not a power of two in [64, 1 GiB]");
    }
    capacities_[i] = capacities[i];
    controlOffsets_[i] = offset;
    // Capacities are multiples of the cache line, so every control block
    // and data area stays cache-line aligned.
    offset += sizeof(RingControl) + capacities[i];
  }
  totalSize_ = offset;
}

RingSet RingSet::create(std::span<const std::uint64_t> capacities, const char* name) {
  RingSetLayout layout(capacities);
  SharedRegion region = SharedRegion::create(name, layout.totalSize());
  RingSet set(layout, std::move(region));
  set.reset();  // the header; the rest of a new memfd reads as zeros already
  return set;
}

void RingSet::reset() noexcept {
  std::byte* base = region_.data();
  if (base == nullptr) return;
  RingSetHeader header{};
  header.magic = kRingSetMagic;
  header.version = kRingSetVersion;
  header.ringCount = static_cast<std::uint32_t>(layout_.ringCount());
  header.totalSize = layout_.totalSize();
  for (std::size_t i = 0; i < layout_.ringCount(); ++i) header.capacities[i] = layout_.capacity(i);
  // Written before the fd is handed to a peer, so plain copies are enough:
  // the peer maps the region only later.
  std::memcpy(base, &header, sizeof header);
  for (std::size_t i = 0; i < layout_.ringCount(); ++i) {
    std::memset(base + layout_.controlOffset(i), 0, sizeof(RingControl));
  }
}

RingSet RingSet::attach(UniqueFd fd, std::span<const std::uint64_t> capacities) {
  RingSetLayout layout(capacities);
  SharedRegion region = SharedRegion::attach(std::move(fd), layout.totalSize());
  RingSetHeader header;
  std::memcpy(&header, region.data(), sizeof header);  // one read, then local checks
  bool same = header.magic == kRingSetMagic && header.version == kRingSetVersion &&
              header.ringCount == layout.ringCount() && header.totalSize == layout.totalSize();
  for (std::size_t i = 0; same && i < layout.ringCount(); ++i) {
    same = header.capacities[i] == layout.capacity(i);
  }
  if (!same) {
    throw std::system_error(EPROTO, std::generic_category(),
                            "ring set: header does not match the expected layout (magic, "
                            "version, ring count or capacities)");
  }
  return RingSet(layout, std::move(region));
}

RingView RingSet::ring(std::size_t index) const noexcept {
  std::byte* base = region_.data();
  return RingView{reinterpret_cast<RingControl*>(base + layout_.controlOffset(index)),
                  base + layout_.dataOffset(index), layout_.capacity(index)};
}

}  // namespace bulkhead
