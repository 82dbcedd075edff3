#include "bench/bench_transport.h"

#include <unistd.h>

#include <cstring>

#include "shm_ring/unique_fd.h"

namespace bulkhead::bench {

bool writeAll(int fd, std::span<const std::byte> bytes) noexcept {
  while (!bytes.empty()) {
    const ssize_t n = sysCallNoThrow([&] { return ::write(fd, bytes.data(), bytes.size()); });
    if (n <= 0) return false;
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  return true;
}

bool readAll(int fd, std::span<std::byte> bytes) noexcept {
  while (!bytes.empty()) {
    const ssize_t n = sysCallNoThrow([&] { return ::read(fd, bytes.data(), bytes.size()); });
    if (n <= 0) return false;
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  return true;
}

FrameWriter::FrameWriter(int fd, std::size_t maxRecord, std::size_t batch)
    : fd_(fd), batch_(batch), buffer_(batch * (maxRecord + 8)) {}

bool FrameWriter::write(std::uint32_t tag, std::span<const std::byte> payload) noexcept {
  const std::uint64_t header = (std::uint64_t{tag} << 32) | payload.size();
  std::memcpy(buffer_.data() + used_, &header, 8);
  std::memcpy(buffer_.data() + used_ + 8, payload.data(), payload.size());
  used_ += 8 + payload.size();
  return ++pending_ < batch_ || flush();
}

bool FrameWriter::flush() noexcept {
  const bool ok = writeAll(fd_, std::span<const std::byte>(buffer_.data(), used_));
  used_ = 0;
  pending_ = 0;
  return ok;
}

FrameReader::FrameReader(int fd, std::size_t maxRecord)
    : fd_(fd),
      maxRecord_(maxRecord),
      buffer_(std::max<std::size_t>(1 << 18, 4 * (maxRecord + 8))) {}

bool FrameReader::next(std::span<const std::byte>& payload) noexcept {
  for (;;) {
    const std::size_t have = end_ - begin_;
    if (have >= 8) {
      std::uint64_t header;
      std::memcpy(&header, buffer_.data() + begin_, 8);
      const std::size_t length = static_cast<std::uint32_t>(header);
      if (length > maxRecord_) return false;
      if (have >= 8 + length) {
        payload = std::span<const std::byte>(buffer_.data() + begin_ + 8, length);
        begin_ += 8 + length;
        return true;
      }
    }
    if (begin_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + begin_, have);
      begin_ = 0;
      end_ = have;
    }
    const ssize_t n =
        sysCallNoThrow([&] { return ::read(fd_, buffer_.data() + end_, buffer_.size() - end_); });
    if (n <= 0) return false;
    end_ += static_cast<std::size_t>(n);
  }
}

}  // namespace bulkhead::bench
