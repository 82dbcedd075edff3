// A memfd-backed block of shared memory, mapped read-write with
// Boost.Interprocess. One side create()s it (memfd, size, seals, map) and
// hands the fd to the other, which attach()es (check seals and size, map).
//
// Seals are a security requirement, not a nicety: if the peer could shrink
// the memfd, our next access to the mapping would raise SIGBUS. create()
// applies F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL, and attach() refuses an
// fd without the first two, so neither side can be killed by a resize.
//
// Errors (setup only, not a hot path) throw std::system_error naming the call.
#pragma once

#include <boost/interprocess/mapped_region.hpp>
#include <cstddef>
#include <span>

#include "shm_ring/unique_fd.h"

namespace bulkhead {

class SharedRegion {
 public:
  SharedRegion() = default;
  SharedRegion(SharedRegion&&) noexcept = default;
  SharedRegion& operator=(SharedRegion&&) noexcept = default;

  // `name` shows in /proc/<pid>/fd and maps (memfd:<name>). The bytes start
  // zeroed.
  static SharedRegion create(const char* name, std::size_t size);
  // Maps `fd` when it is a sealed memfd of exactly `expectedSize` bytes.
  static SharedRegion attach(UniqueFd fd, std::size_t expectedSize);

  std::byte* data() const noexcept { return static_cast<std::byte*>(region_.get_address()); }
  std::size_t size() const noexcept { return region_.get_size(); }
  std::span<std::byte> bytes() const noexcept { return {data(), size()}; }
  // The memfd; pass it to the peer (dup it, or mark it inheritable at exec).
  int fd() const noexcept { return fd_.get(); }

 private:
  SharedRegion(UniqueFd fd, std::size_t size);

  UniqueFd fd_;
  boost::interprocess::mapped_region region_;
};

}  // namespace bulkhead
