// libFuzzer target: the fuzz input is the whole shared block of one ring
// (control lines and data area) as a hostile producer left it, followed by a
// script of 8-byte writes the peer makes while we consume. The consumer must
// return from every call, never touch memory outside the block (ASan checks:
// the block is an exact-size heap allocation), never hand out a span outside
// the data area, and stay corrupt once it said so. A producer is then run on
// the same block, against whatever tail the fuzzer wrote.
//
// Input: [capacity selector][tag mask][block bytes...][script: (u16 offset, u64 value)...]
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "shm_ring/ring_consumer.h"
#include "shm_ring/ring_producer.h"

namespace {

using bulkhead::RingConsumer;
using bulkhead::RingControl;
using bulkhead::RingProducer;
using bulkhead::RingRecord;
using bulkhead::RingStatus;
using bulkhead::RingView;

struct FreeDeleter {
  void operator()(void* p) const noexcept { std::free(p); }
};

[[noreturn]] void violation() { __builtin_trap(); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint64_t capacity = std::uint64_t{64} << (data[0] % 7);  // 64 B .. 4 KiB
  const std::uint64_t tags = data[1] & 0x80 ? ~std::uint64_t{0} : data[1];
  data += 2;
  size -= 2;

  const std::size_t blockSize = sizeof(RingControl) + capacity;
  std::unique_ptr<std::byte, FreeDeleter> block(
      static_cast<std::byte*>(std::aligned_alloc(bulkhead::kCacheLine, blockSize)));
  const std::size_t filled = size < blockSize ? size : blockSize;
  std::memset(block.get(), 0, blockSize);
  std::memcpy(block.get(), data, filled);
  data += filled;
  size -= filled;

  const RingView view{reinterpret_cast<RingControl*>(block.get()),
                      block.get() + sizeof(RingControl), capacity};
  const auto peerWrite = [&]() -> bool {
    if (size < 10) return false;
    std::uint16_t at;
    std::uint64_t value;
    std::memcpy(&at, data, 2);
    std::memcpy(&value, data + 2, 8);
    data += 10;
    size -= 10;
    std::memcpy(block.get() + (at % (blockSize / 8)) * 8, &value, 8);
    return true;
  };

  RingConsumer consumer(view, tags);
  std::uint64_t sum = 0;
  int released = 0;
  // Bounded on purpose: a consumer that loops forever makes libFuzzer time out.
  for (int step = 0; step < 100000; ++step) {
    RingRecord rec;
    const RingStatus s = consumer.tryPeek(rec);
    if (s == RingStatus::kOk) {
      if (rec.payload.data() < view.data ||
          rec.payload.data() + rec.payload.size() > view.data + capacity ||
          rec.tag > bulkhead::kMaxUserTag || ((tags >> rec.tag) & 1) == 0) {
        violation();
      }
      for (std::byte b : rec.payload) sum += static_cast<std::uint8_t>(b);
      if (++released % 3 == 0) consumer.release();
      if (released % 5 == 0) peerWrite();
      continue;
    }
    if (s == RingStatus::kCorrupt) {
      if (consumer.tryPeek(rec) != RingStatus::kCorrupt) violation();
      break;
    }
    if (s != RingStatus::kEmpty) violation();
    consumer.release();
    if (!peerWrite()) break;
  }

  RingProducer producer(view);
  for (std::uint32_t i = 0; i < 64; ++i) {
    std::span<std::byte> out;
    const std::uint32_t length = static_cast<std::uint32_t>((sum + i * 37) % capacity);
    const RingStatus s = producer.tryReserve(i % 64, length, out);
    if (s == RingStatus::kOk) {
      if (out.data() < view.data || out.data() + out.size() > view.data + capacity) violation();
      std::memset(out.data(), 0x5A, out.size());
    } else if (s == RingStatus::kCorrupt) {
      break;
    }
    if (i % 4 == 3) producer.commit();
    if (i % 8 == 7) peerWrite();
  }
  producer.commit();
  return 0;
}
