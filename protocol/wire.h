// The records that cross the rings between the supervisor and a runner.
//
//   ring 0 source   runner -> engine  kBatch (rc, events back to back),
//                                     kBatchFields (pre-extracted values)
//   ring 1 request  engine -> runner  kExtract, kParse
//   ring 2 response runner -> engine  kExtractResult, kParseResult
//   ring 3 async    runner -> engine  kEvent (a 402 event)
//
// Integers are host-endian and copied with memcpy (payloads need not be
// aligned). WireReader is the only way a payload is read: every read is
// bounds-checked and a short or inconsistent payload is an error, never a
// read past the record.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace bulkhead::wire {

enum Ring : size_t {
  kSourceRing = 0,
  kRequestRing = 1,
  kResponseRing = 2,
  kAsyncRing = 3,
  // Not a ring: its data area is the runner's status board
  // (protocol/status_board.h).
  kStatusBoard = 4,
};
inline constexpr size_t kRingCount = 5;
inline constexpr uint64_t kStatusBoardBytes = 64;

enum Tag : uint32_t {
  kEvent = 1,
  // One next_batch result: a header (BatchHeader in wire_codec.h), then its
  // events back to back, each as long as its own header says. A batch too
  // large for one record is split; only its last record is marked last and
  // carries the return code.
  kBatch = 2,
  kExtract = 3,
  kParse = 4,
  kExtractResult = 5,
  kParseResult = 6,
  // Follows the last kBatch record of a batch whose header says so: the
  // values of the pre-extraction requests for every event of the batch, an
  // extract result whose seq is the requests' generation.
  kBatchFields = 7,
};
constexpr uint64_t tagMask(std::initializer_list<uint32_t> tags) {
  uint64_t m = 0;
  for (uint32_t t : tags) m |= uint64_t{1} << t;
  return m;
}

// Appends to a fixed span; `ok()` turns false (and stays false) when the
// span is too small, so a caller writes everything and checks once.
class WireWriter {
 public:
  explicit WireWriter(std::span<std::byte> out) : out_(out) {}
  template <typename T>
  void put(T v) {
    bytes(&v, sizeof(T));
  }
  void bytes(const void* p, size_t n) {
    if (!ok_ || n > out_.size() - pos_) {
      ok_ = false;
      return;
    }
    if (n > 0) std::memcpy(out_.data() + pos_, p, n);
    pos_ += n;
  }
  void str(std::string_view s) {
    put<uint32_t>(static_cast<uint32_t>(s.size()));
    bytes(s.data(), s.size());
  }
  bool ok() const { return ok_; }
  size_t size() const { return pos_; }

 private:
  std::span<std::byte> out_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// Counts what a WireWriter would write, to size a ring reservation.
class WireSizer {
 public:
  template <typename T>
  void put(T) {
    n_ += sizeof(T);
  }
  void bytes(const void*, size_t n) { n_ += n; }
  void str(std::string_view s) { n_ += sizeof(uint32_t) + s.size(); }
  size_t size() const { return n_; }

 private:
  size_t n_ = 0;
};

class WireReader {
 public:
  explicit WireReader(std::span<const std::byte> in) : in_(in) {}
  template <typename T>
  bool get(T& v) {
    if (sizeof(T) > in_.size() - pos_) return fail();
    std::memcpy(&v, in_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  // A view of the next n bytes (not copied).
  bool view(size_t n, std::span<const std::byte>& out) {
    if (n > in_.size() - pos_) return fail();
    out = in_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  bool str(std::string& s, size_t max) {
    uint32_t n = 0;
    std::span<const std::byte> b;
    if (!get(n) || n > max || !view(n, b)) return fail();
    s.assign(reinterpret_cast<const char*>(b.data()), b.size());
    return true;
  }
  size_t remaining() const { return in_.size() - pos_; }
  bool ok() const { return ok_; }

 private:
  bool fail() {
    ok_ = false;
    return false;
  }
  std::span<const std::byte> in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace bulkhead::wire
