// A peer that breaks the protocol: garbage indices, lengths and tags, a
// producer that dies mid-record, a consumer that never consumes or lies
// about its index, and a process scribbling over the whole ring.
#include <gtest/gtest.h>
#include <signal.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#include "shm_ring/ring_consumer.h"
#include "shm_ring/ring_producer.h"
#include "shm_ring/ring_set.h"
#include "tests/shm_ring/ring_test_util.h"

namespace bulkhead {
namespace {

using namespace std::chrono_literals;
constexpr std::uint64_t kCapacity = 1024;
constexpr std::uint64_t kTags = 0b1110;  // tags 1, 2, 3

class HostileRingTest : public ::testing::Test {
 protected:
  RingView view() const { return set_.ring(0); }
  void setHead(std::uint64_t v) {
    std::atomic_ref<std::uint64_t>(view().control->producer.head).store(v);
  }
  void setTail(std::uint64_t v) {
    std::atomic_ref<std::uint64_t>(view().control->consumer.tail).store(v);
  }
  void setHeader(std::uint64_t offset, std::uint32_t tag, std::uint32_t length) {
    const std::uint64_t h = packRecordHeader(tag, length);
    std::memcpy(view().data + offset, &h, 8);
  }
  RingStatus peekOnce() {
    RingConsumer c(view(), kTags);
    RingRecord rec;
    return c.tryPeek(rec);
  }

  std::array<std::uint64_t, 1> caps_{kCapacity};
  RingSet set_ = RingSet::create(caps_);
};

TEST_F(HostileRingTest, WellFormedRecordPasses) {
  setHeader(0, 1, 10);
  setHead(24);
  EXPECT_EQ(peekOnce(), RingStatus::kOk);
}

TEST_F(HostileRingTest, HeadMoreThanOneCapacityAhead) {
  setHeader(0, 1, 10);
  setHead(kCapacity + 8);
  EXPECT_EQ(peekOnce(), RingStatus::kCorrupt);
}

TEST_F(HostileRingTest, HeadMovingBackwards) {
  RingConsumer c(view(), kTags);
  setHeader(0, 1, 8);
  setHead(16);
  RingRecord rec;
  ASSERT_EQ(c.tryPeek(rec), RingStatus::kOk);
  setHead(8);
  EXPECT_EQ(c.tryPeek(rec), RingStatus::kCorrupt);
}

TEST_F(HostileRingTest, HeadNotOnARecordBoundary) {
  setHeader(0, 1, 0);
  setHead(12);
  EXPECT_EQ(peekOnce(), RingStatus::kCorrupt);
}

TEST_F(HostileRingTest, HugeHeadWrapsToSmallDistance) {
  setHeader(0, 1, 0);
  setHead(~std::uint64_t{0} - 7);  // "-8": a backward head seen as unsigned
  EXPECT_EQ(peekOnce(), RingStatus::kCorrupt);
}

TEST_F(HostileRingTest, LengthBeyondPublishedBytes) {
  setHeader(0, 1, 100);
  setHead(64);
  EXPECT_EQ(peekOnce(), RingStatus::kCorrupt);
}

TEST_F(HostileRingTest, LengthOfFourGigabytes) {
  setHeader(0, 1, 0xFFFF'FFFFu);
  setHead(kCapacity);
  EXPECT_EQ(peekOnce(), RingStatus::kCorrupt);
}

TEST_F(HostileRingTest, RecordCrossingTheEndOfTheArea) {
  // Consumer starts at offset 1000 (tail and head both there), the record
  // claims 40 bytes: it would run 24 bytes past the end of the area.
  setTail(1000);
  setHeader(1000, 1, 32);
  setHead(1000 + 40);
  EXPECT_EQ(peekOnce(), RingStatus::kCorrupt);
}

TEST_F(HostileRingTest, UnknownTag) {
  setHeader(0, 9, 0);
  setHead(8);
  EXPECT_EQ(peekOnce(), RingStatus::kCorrupt);
  setHeader(0, 0x7000'0000u, 0);
  EXPECT_EQ(peekOnce(), RingStatus::kCorrupt);
}

TEST_F(HostileRingTest, PadThatStopsShortOfTheEnd) {
  setHeader(0, kPadTag, 16);
  setHeader(24, 1, 0);
  setHead(32);
  EXPECT_EQ(peekOnce(), RingStatus::kCorrupt);
}

TEST_F(HostileRingTest, PadsCoveringTheWholeRingEndInEmpty) {
  // Legal but useless: a full-ring pad. The consumer skips it and stops.
  setHeader(0, kPadTag, kCapacity - 8);
  setHead(kCapacity);
  EXPECT_EQ(peekOnce(), RingStatus::kEmpty);
}

TEST_F(HostileRingTest, MisalignedStartingTail) {
  setTail(4);
  setHead(4);
  EXPECT_EQ(peekOnce(), RingStatus::kCorrupt);
}

TEST_F(HostileRingTest, CorruptIsStickyEvenAfterTheRingLooksFineAgain) {
  RingConsumer c(view(), kTags);
  setHeader(0, 9, 0);
  setHead(8);
  RingRecord rec;
  ASSERT_EQ(c.tryPeek(rec), RingStatus::kCorrupt);
  setHeader(0, 1, 0);
  EXPECT_EQ(c.tryPeek(rec), RingStatus::kCorrupt);
  EXPECT_EQ(c.peek(rec, RingClock::now() + 1s), RingStatus::kCorrupt);
}

TEST_F(HostileRingTest, HeaderRewrittenAfterCheckIsNotReread) {
  // The payload view is computed from the one header value read; rewriting
  // the header afterwards cannot stretch a returned span.
  RingConsumer c(view(), kTags);
  setHeader(0, 1, 8);
  setHead(16);
  RingRecord rec;
  ASSERT_EQ(c.tryPeek(rec), RingStatus::kOk);
  setHeader(0, 1, 0xFFFF'0000u);
  EXPECT_EQ(rec.payload.size(), 8u);
  EXPECT_EQ(c.tryPeek(rec), RingStatus::kEmpty);
}

TEST_F(HostileRingTest, ProducerRejectsAMisalignedStartingHead) {
  setHead(0x9c);
  RingProducer p(view());
  std::span<std::byte> out;
  EXPECT_EQ(p.tryReserve(1, 8, out), RingStatus::kCorrupt);
}

TEST_F(HostileRingTest, ProducerRejectsTailBeyondHead) {
  RingProducer p(view());
  setTail(64);
  std::span<std::byte> out;
  EXPECT_EQ(p.tryReserve(1, 8, out), RingStatus::kCorrupt);
  EXPECT_EQ(p.tryReserve(1, 8, out), RingStatus::kCorrupt);  // sticky
}

TEST_F(HostileRingTest, ProducerRejectsTailMovingBackwards) {
  RingProducer p(view());
  std::span<std::byte> out;
  for (int i = 0; i < 8; ++i) ASSERT_EQ(p.tryReserve(1, 120, out), RingStatus::kOk);
  p.commit();
  setTail(512);
  ASSERT_EQ(p.tryReserve(1, 120, out), RingStatus::kOk);  // reads tail 512
  setTail(256);
  for (int i = 0; i < 4; ++i) (void)p.tryReserve(1, 120, out);
  EXPECT_EQ(p.tryReserve(1, 120, out), RingStatus::kCorrupt);
}

TEST_F(HostileRingTest, ProducerDyingMidRecordYieldsPeerDeadNotAHang) {
  const int fd = set_.fd();
  testing::Child child([&] {
    RingSet mine = RingSet::attach(UniqueFd(::dup(fd)), caps_);
    RingProducer p(mine.ring(0));
    std::span<std::byte> out;
    if (p.tryReserve(1, 16, out) != RingStatus::kOk) return 1;
    std::memcpy(out.data(), "complete record!", 16);
    p.commit();
    if (p.tryReserve(2, 500, out) != RingStatus::kOk) return 1;
    std::memset(out.data(), 0xAB, 200);  // half written, never committed
    ::raise(SIGKILL);
    return 0;
  });
  RingConsumer c(view(), kTags);
  RingRecord rec;
  const RingWaitOptions wait{.pidfd = child.pidfd()};
  ASSERT_EQ(c.peek(rec, RingClock::now() + 60s, wait), RingStatus::kOk);
  EXPECT_EQ(rec.tag, 1u);
  EXPECT_EQ(c.peek(rec, RingClock::now() + 60s, wait), RingStatus::kPeerDead);
  EXPECT_EQ(child.exitCode(), 128 + SIGKILL);
}

TEST_F(HostileRingTest, ConsumerThatNeverConsumes) {
  const int fd = set_.fd();
  testing::Child child([&] {
    RingSet mine = RingSet::attach(UniqueFd(::dup(fd)), caps_);
    std::this_thread::sleep_for(60s);  // holds the ring, reads nothing
    return 0;
  });
  RingProducer p(view());
  std::span<std::byte> out;
  int fitted = 0;
  while (p.tryReserve(1, 56, out) == RingStatus::kOk) ++fitted;
  EXPECT_EQ(fitted, 16);
  RingWaitOptions wait{.pidfd = child.pidfd()};
  EXPECT_EQ(p.reserve(1, 56, out, RingClock::now() + 50ms, wait), RingStatus::kTimeout);
  child.kill();
  EXPECT_EQ(p.reserve(1, 56, out, RingClock::now() + 60s, wait), RingStatus::kPeerDead);
  EXPECT_EQ(child.exitCode(), 128 + SIGKILL);
}

// A process that rewrites every byte of the ring (indices, headers, futex
// words) with random values while we consume. Every call must return, every
// span must lie inside the data area, and the stream must be declared corrupt.
TEST_F(HostileRingTest, ScribblingPeerNeverCrashesTheConsumer) {
  const RingView v = view();
  std::byte* const base = reinterpret_cast<std::byte*>(v.control);
  const std::size_t bytes = sizeof(RingControl) + kCapacity;
  testing::Child child([&] {
    std::uint64_t state = 42;
    const auto end = std::chrono::steady_clock::now() + 300ms;
    while (std::chrono::steady_clock::now() < end) {
      for (int i = 0; i < 256; ++i) {
        const std::uint64_t r = testing::splitmix(state);
        const std::size_t at = (r >> 8) % (bytes / 8) * 8;
        std::uint64_t value = testing::splitmix(state);
        // Half of the writes are plausible: small heads, short headers.
        if (r & 1)
          value = (r & 2) ? (value % (2 * kCapacity)) & ~7ull : packRecordHeader(r % 4, value % 64);
        std::atomic_ref<std::uint64_t>(*reinterpret_cast<std::uint64_t*>(base + at))
            .store(value, std::memory_order_relaxed);
      }
    }
    return 0;
  });
  int corrupt = 0, ok = 0;
  const RingWaitOptions wait{.pidfd = child.pidfd(), .spin = 5us, .yield = 5us, .pidfdSlice = 1ms};
  for (;;) {
    RingConsumer c(v, kTags);
    RingRecord rec;
    RingStatus s;
    while ((s = c.peek(rec, RingClock::now() + 5ms, wait)) == RingStatus::kOk) {
      ++ok;
      ASSERT_GE(rec.payload.data(), v.data);
      ASSERT_LE(rec.payload.data() + rec.payload.size(), v.data + v.capacity);
      volatile std::uint8_t sink = 0;
      for (auto b : rec.payload) sink = sink + static_cast<std::uint8_t>(b);
      c.release();
    }
    if (s == RingStatus::kCorrupt) ++corrupt;
    // After the peer's death the garbage stays: the stream is corrupt for good.
    if (s == RingStatus::kPeerDead || ring_detail::pidfdSignalled(child.pidfd())) break;
  }
  EXPECT_EQ(child.exitCode(), 0);
  EXPECT_GT(corrupt, 0);
  ::testing::Test::RecordProperty("records_accepted", ok);
}

}  // namespace
}  // namespace bulkhead
