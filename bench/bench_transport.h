// Byte-stream baselines for the ring benchmarks: the same framed records
// (8-byte header + payload) over a socketpair or a pipe, written either one
// syscall per record or in batches, and read through a buffered frame reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace bulkhead::bench {

// Writes all of `bytes` to `fd` (loops over short writes). False on error.
bool writeAll(int fd, std::span<const std::byte> bytes) noexcept;
// Reads exactly `bytes.size()` bytes. False on EOF or error.
bool readAll(int fd, std::span<std::byte> bytes) noexcept;

// Frames records into a buffer and flushes it every `batch` records.
class FrameWriter {
 public:
  FrameWriter(int fd, std::size_t maxRecord, std::size_t batch);
  bool write(std::uint32_t tag, std::span<const std::byte> payload) noexcept;
  bool flush() noexcept;

 private:
  int fd_;
  std::size_t batch_;
  std::size_t pending_ = 0;
  std::vector<std::byte> buffer_;
  std::size_t used_ = 0;
};

// Reads large chunks and hands out one framed record at a time (copied into
// its buffer, as any stream receiver must).
class FrameReader {
 public:
  FrameReader(int fd, std::size_t maxRecord);
  // False on EOF, error or a frame larger than maxRecord.
  bool next(std::span<const std::byte>& payload) noexcept;

 private:
  int fd_;
  std::size_t maxRecord_;
  std::vector<std::byte> buffer_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

}  // namespace bulkhead::bench
