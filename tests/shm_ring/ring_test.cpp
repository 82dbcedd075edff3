// Framing, wrap-around, full/empty, batching, deadlines and wake-ups of one
// ring, on a real memfd-backed RingSet.
#include <gtest/gtest.h>
#include <poll.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "shm_ring/ring_consumer.h"
#include "shm_ring/ring_producer.h"
#include "shm_ring/ring_set.h"
#include "tests/shm_ring/ring_test_util.h"

namespace bulkhead {
namespace {

using namespace std::chrono_literals;
constexpr std::uint64_t kAllTags = ~std::uint64_t{0};

struct OneRing {
  explicit OneRing(std::uint64_t capacity)
      : caps{capacity},
        set(RingSet::create(caps)),
        producer(set.ring(0)),
        consumer(set.ring(0), kAllTags) {}
  std::array<std::uint64_t, 1> caps;
  RingSet set;
  RingProducer producer;
  RingConsumer consumer;
  RingControl& control() { return *set.ring(0).control; }
};

void put(RingProducer& p, std::uint32_t tag, std::string_view text) {
  std::span<std::byte> out;
  ASSERT_EQ(p.tryReserve(tag, static_cast<std::uint32_t>(text.size()), out), RingStatus::kOk);
  ASSERT_EQ(out.size(), text.size());
  std::memcpy(out.data(), text.data(), text.size());
}

std::string text(const RingRecord& r) {
  return std::string(reinterpret_cast<const char*>(r.payload.data()), r.payload.size());
}

TEST(RingTest, RecordKeepsTagLengthAndBytes) {
  OneRing r(1024);
  put(r.producer, 3, "hello");
  put(r.producer, 0, "");
  put(r.producer, 63, "eight by");
  r.producer.commit();
  RingRecord rec;
  ASSERT_EQ(r.consumer.tryPeek(rec), RingStatus::kOk);
  EXPECT_EQ(rec.tag, 3u);
  EXPECT_EQ(text(rec), "hello");
  ASSERT_EQ(r.consumer.tryPeek(rec), RingStatus::kOk);
  EXPECT_EQ(rec.tag, 0u);
  EXPECT_TRUE(rec.payload.empty());
  ASSERT_EQ(r.consumer.tryPeek(rec), RingStatus::kOk);
  EXPECT_EQ(rec.tag, 63u);
  EXPECT_EQ(text(rec), "eight by");
  EXPECT_EQ(r.consumer.tryPeek(rec), RingStatus::kEmpty);
  // 8-byte headers, payloads padded to 8: 16 + 8 + 16.
  EXPECT_EQ(r.consumer.pendingBytes(), 40u);
}

TEST(RingTest, PayloadSpansAreAlignedAndInsideTheDataArea) {
  OneRing r(256);
  const RingView v = r.set.ring(0);
  for (std::uint32_t len : {1u, 7u, 9u, 13u}) put(r.producer, 1, std::string(len, 'x'));
  r.producer.commit();
  RingRecord rec;
  while (r.consumer.tryPeek(rec) == RingStatus::kOk) {
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(rec.payload.data()) % 8, 0u);
    EXPECT_GE(rec.payload.data(), v.data);
    EXPECT_LE(rec.payload.data() + rec.payload.size(), v.data + v.capacity);
  }
}

TEST(RingTest, RejectsOversizedRecordsAndReservedTags) {
  OneRing r(256);
  std::span<std::byte> out;
  EXPECT_EQ(r.producer.maxPayload(), 248u);
  EXPECT_EQ(r.producer.tryReserve(1, 249, out), RingStatus::kTooLarge);
  EXPECT_EQ(r.producer.tryReserve(64, 1, out), RingStatus::kTooLarge);
  EXPECT_EQ(r.producer.tryReserve(kPadTag, 1, out), RingStatus::kTooLarge);
  EXPECT_EQ(r.producer.tryReserve(1, 248, out), RingStatus::kOk);
}

TEST(RingTest, FullThenEmptyThenFullAgain) {
  OneRing r(1024);
  std::span<std::byte> out;
  int n = 0;
  while (r.producer.tryReserve(1, 56, out) == RingStatus::kOk) ++n;  // 64 bytes each
  EXPECT_EQ(n, 16);
  EXPECT_EQ(r.producer.tryReserve(1, 0, out), RingStatus::kFull);
  r.producer.commit();
  RingRecord rec;
  int m = 0;
  while (r.consumer.tryPeek(rec) == RingStatus::kOk) ++m;
  EXPECT_EQ(m, 16);
  // Not released yet: the producer still sees a full ring.
  EXPECT_EQ(r.producer.tryReserve(1, 0, out), RingStatus::kFull);
  r.consumer.release();
  EXPECT_EQ(r.producer.tryReserve(1, 1016, out), RingStatus::kOk);
}

TEST(RingTest, WrapsWithPadRecordsAndKeepsOrder) {
  OneRing r(256);
  std::uint64_t produced = 0, consumed = 0;
  std::vector<std::byte> expect;
  // Footprints of 16..128 bytes against a 256-byte ring force a pad record
  // every few records and at every possible offset.
  while (consumed < 5000) {
    for (;;) {
      const auto len = static_cast<std::uint32_t>(produced * 37 % 120);
      std::span<std::byte> out;
      const RingStatus s = r.producer.tryReserve(produced % 7, len, out);
      if (s == RingStatus::kFull) break;
      ASSERT_EQ(s, RingStatus::kOk);
      testing::fillStress(produced, out);
      ++produced;
    }
    r.producer.commit();
    RingRecord rec;
    RingStatus s;
    while ((s = r.consumer.tryPeek(rec)) == RingStatus::kOk) {
      ASSERT_EQ(rec.tag, consumed % 7);
      ASSERT_EQ(rec.payload.size(), consumed * 37 % 120);
      ASSERT_TRUE(testing::checkStress(consumed, rec.payload)) << consumed;
      ++consumed;
    }
    ASSERT_EQ(s, RingStatus::kEmpty);
    r.consumer.release();
  }
  EXPECT_EQ(consumed, produced);
}

TEST(RingTest, LargestRecordFitsAfterAPad) {
  OneRing r(256);
  put(r.producer, 1, std::string(100, 'a'));  // footprint 112: head at 112
  r.producer.commit();
  RingRecord rec;
  ASSERT_EQ(r.consumer.tryPeek(rec), RingStatus::kOk);
  r.consumer.release();
  std::span<std::byte> out;
  // 248 bytes need the whole ring: first a pad to the end is published...
  EXPECT_EQ(r.producer.tryReserve(2, 248, out), RingStatus::kFull);
  r.producer.commit();
  EXPECT_EQ(r.consumer.tryPeek(rec), RingStatus::kEmpty);  // the pad is skipped
  r.consumer.release();
  // ...then, once the consumer skipped it, the record fits at offset 0.
  ASSERT_EQ(r.producer.tryReserve(2, 248, out), RingStatus::kOk);
  EXPECT_EQ(out.data(), r.set.ring(0).data + kRecordHeaderSize);
}

TEST(RingTest, BatchPublishesOneIndexPerCommitAndRelease) {
  OneRing r(4096);
  for (int i = 0; i < 10; ++i) put(r.producer, 1, "0123456789abcdef");  // 24 bytes each
  RingRecord rec;
  EXPECT_EQ(std::atomic_ref<std::uint64_t>(r.control().producer.head).load(), 0u);
  EXPECT_EQ(r.consumer.tryPeek(rec), RingStatus::kEmpty);
  EXPECT_EQ(r.producer.pendingBytes(), 240u);
  r.producer.commit();
  EXPECT_EQ(std::atomic_ref<std::uint64_t>(r.control().producer.head).load(), 240u);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(r.consumer.tryPeek(rec), RingStatus::kOk);
  EXPECT_EQ(std::atomic_ref<std::uint64_t>(r.control().consumer.tail).load(), 0u);
  r.consumer.release();
  EXPECT_EQ(std::atomic_ref<std::uint64_t>(r.control().consumer.tail).load(), 240u);
}

TEST(RingTest, PeekTimesOutAtTheDeadline) {
  OneRing r(256);
  RingRecord rec;
  const auto start = RingClock::now();
  EXPECT_EQ(r.consumer.peek(rec, start + 30ms), RingStatus::kTimeout);
  EXPECT_GE(RingClock::now() - start, 30ms);
  // The sleep announcement is withdrawn on the way out.
  EXPECT_EQ(std::atomic_ref<std::uint32_t>(r.control().producer.consumerSleeping).load(), 0u);
}

TEST(RingTest, ReserveTimesOutOnAFullRing) {
  OneRing r(256);
  put(r.producer, 1, std::string(200, 'x'));
  std::span<std::byte> out;
  const auto start = RingClock::now();
  EXPECT_EQ(r.producer.reserve(1, 200, out, start + 30ms), RingStatus::kTimeout);
  EXPECT_GE(RingClock::now() - start, 30ms);
  // Waiting committed the pending record so the consumer could drain it.
  RingRecord rec;
  EXPECT_EQ(r.consumer.tryPeek(rec), RingStatus::kOk);
}

TEST(RingTest, ExpiredDeadlineStillTakesWhatIsThere) {
  OneRing r(256);
  put(r.producer, 1, "x");
  r.producer.commit();
  RingRecord rec;
  EXPECT_EQ(r.consumer.peek(rec, RingClock::now() - 1s), RingStatus::kOk);
}

// Waits (with no spin or yield phase) until the sleeper's flag shows it is
// parked on the futex, so the wake path is what gets tested.
void awaitFlag(const std::uint32_t& flag) {
  while (std::atomic_ref<const std::uint32_t>(flag).load() == 0) std::this_thread::sleep_for(1ms);
}

TEST(RingTest, CommitWakesASleepingConsumer) {
  OneRing r(256);
  RingStatus got = RingStatus::kEmpty;
  std::string payload;
  std::thread consumer([&] {
    RingRecord rec;
    got = r.consumer.peek(rec, RingClock::now() + 30s, RingWaitOptions{.spin = 0ns, .yield = 0ns});
    if (got == RingStatus::kOk) payload = text(rec);
  });
  awaitFlag(r.control().producer.consumerSleeping);
  put(r.producer, 1, "wake");
  r.producer.commit();
  consumer.join();
  EXPECT_EQ(got, RingStatus::kOk);
  EXPECT_EQ(payload, "wake");
  EXPECT_EQ(std::atomic_ref<std::uint32_t>(r.control().producer.consumerSleeping).load(), 0u);
}

TEST(RingTest, ReleaseWakesASleepingProducer) {
  OneRing r(256);
  put(r.producer, 1, std::string(200, 'x'));
  r.producer.commit();
  RingStatus got = RingStatus::kFull;
  std::thread producer([&] {
    std::span<std::byte> out;
    got = r.producer.reserve(1, 200, out, RingClock::now() + 30s,
                             RingWaitOptions{.spin = 0ns, .yield = 0ns});
  });
  awaitFlag(r.control().consumer.producerSleeping);
  RingRecord rec;
  ASSERT_EQ(r.consumer.tryPeek(rec), RingStatus::kOk);
  r.consumer.release();
  producer.join();
  EXPECT_EQ(got, RingStatus::kOk);
}

TEST(RingTest, PeerDeathEndsTheWaitAndDeliversCommittedRecords) {
  OneRing r(1024);
  testing::Child child([&] {
    RingProducer p(r.set.ring(0));
    for (int i = 0; i < 3; ++i) {
      std::span<std::byte> out;
      if (p.tryReserve(4, 8, out) != RingStatus::kOk) return 1;
      std::memset(out.data(), i, out.size());
    }
    p.commit();
    std::this_thread::sleep_for(50ms);
    return 0;
  });
  RingRecord rec;
  const RingWaitOptions wait{.pidfd = child.pidfd()};
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(r.consumer.peek(rec, RingClock::now() + 30s, wait), RingStatus::kOk);
    EXPECT_EQ(rec.payload[0], static_cast<std::byte>(i));
  }
  // kPeerDead (not kTimeout) means the pidfd, not the 30 s deadline, ended it.
  EXPECT_EQ(r.consumer.peek(rec, RingClock::now() + 30s, wait), RingStatus::kPeerDead);
  EXPECT_EQ(child.exitCode(), 0);
}

TEST(RingTest, DeathWatcherWakeEndsAWaitBeforeItsSlice) {
  OneRing r(1024);
  testing::Child child([] {
    std::this_thread::sleep_for(100ms);
    return 0;
  });
  // A slice as long as the deadline: without the watcher's wake the wait
  // would only notice the death after 60 s.
  const RingWaitOptions wait{.pidfd = child.pidfd(), .spin = 0ns, .yield = 0ns, .pidfdSlice = 60s};
  RingStatus got = RingStatus::kOk;
  std::thread waiter([&] {
    RingRecord rec;
    got = r.consumer.peek(rec, RingClock::now() + 60s, wait);
  });
  pollfd p{child.pidfd(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 30000), 1);
  const auto start = RingClock::now();
  wakeRingWaiters(r.set.ring(0));
  waiter.join();
  EXPECT_EQ(got, RingStatus::kPeerDead);
  EXPECT_LT(RingClock::now() - start, 30s);
}

// A record that does not fit before the end of the ring is preceded by a
// pad record. A consumer already asleep when the pad is published skips it
// inside its wait; the producer is waiting for exactly that space, so the
// consumer must hand it back at once rather than when its wait ends.
TEST(RingTest, PadSkippedWhileWaitingIsReleasedAtOnce) {
  OneRing r(1024);
  put(r.producer, 1, std::string(592, 'a'));  // footprint 600
  r.producer.commit();
  RingRecord rec;
  ASSERT_EQ(r.consumer.tryPeek(rec), RingStatus::kOk);
  r.consumer.release();  // tail 600: 424 bytes left before the end

  const RingWaitOptions wait{.spin = 0ns, .yield = 0ns};
  RingStatus got = RingStatus::kTimeout;
  std::string payload;
  std::thread consumer([&] {
    RingRecord next;
    got = r.consumer.peek(next, RingClock::now() + 5s, wait);
    if (got == RingStatus::kOk) payload = text(next);
  });
  while (std::atomic_ref<std::uint32_t>(r.control().producer.consumerSleeping).load() == 0) {
    std::this_thread::sleep_for(1ms);
  }
  // Footprint 704: more than the 424 bytes up to the end, so a pad goes
  // first, and more than the 600 free at the start until the pad is released.
  std::span<std::byte> out;
  ASSERT_EQ(r.producer.reserve(2, 692, out, RingClock::now() + 5s, wait), RingStatus::kOk);
  std::memset(out.data(), 'b', out.size());
  r.producer.commit();
  consumer.join();
  ASSERT_EQ(got, RingStatus::kOk);
  EXPECT_EQ(payload, std::string(692, 'b'));
}

// A cancelled wait ends long before its deadline, on both ends of a ring,
// and says kTimeout; a record that is there is still delivered.
TEST(RingTest, CancelEndsSleepingWaitsOnBothEnds) {
  OneRing r(1024);
  std::atomic<bool> cancel{false};
  const RingWaitOptions wait{.spin = 0ns, .yield = 0ns, .cancel = &cancel};
  // Fill the ring so the producer's reserve has to wait for space.
  OneRing full(1024);
  std::span<std::byte> out;
  while (full.producer.tryReserve(1, 64, out) == RingStatus::kOk) {
  }
  full.producer.commit();

  RingStatus consumed = RingStatus::kOk;
  RingStatus reserved = RingStatus::kOk;
  std::thread consumer([&] {
    RingRecord rec;
    consumed = r.consumer.peek(rec, RingClock::now() + 60s, wait);
  });
  std::thread producer(
      [&] { reserved = full.producer.reserve(1, 64, out, RingClock::now() + 60s, wait); });
  // Both announce their sleep before the cancel, so the wake is what ends them.
  while (std::atomic_ref<std::uint32_t>(r.control().producer.consumerSleeping).load() == 0 ||
         std::atomic_ref<std::uint32_t>(full.control().consumer.producerSleeping).load() == 0) {
    std::this_thread::sleep_for(1ms);
  }
  const auto start = RingClock::now();
  cancel.store(true);
  wakeRingWaiters(r.set.ring(0));
  wakeRingWaiters(full.set.ring(0));
  consumer.join();
  producer.join();
  EXPECT_LT(RingClock::now() - start, 30s);
  EXPECT_EQ(consumed, RingStatus::kTimeout);
  EXPECT_EQ(reserved, RingStatus::kTimeout);

  // Cancelled or not, a waiting record is delivered.
  put(r.producer, 2, "here");
  r.producer.commit();
  RingRecord rec;
  EXPECT_EQ(r.consumer.peek(rec, RingClock::now() + 60s, wait), RingStatus::kOk);
}

// A wait longer than the spin phase skips the spin next time and sleeps at
// once; one that ends within the spin phase turns spinning back on.
TEST(RingTest, WaitsLongerThanTheSpinSkipItNextTime) {
  std::uint32_t flag = 0;
  RingWaitOptions options;
  options.spin = std::chrono::milliseconds(1);
  options.yield = std::chrono::microseconds(0);
  RingWaitHistory history;
  int attempts = 0;
  auto never = [&] {
    ++attempts;
    return RingStatus::kEmpty;
  };
  auto waitMs = [&](int ms) {
    attempts = 0;
    return ring_detail::waitFor(never, RingStatus::kEmpty, &flag,
                                RingClock::now() + std::chrono::milliseconds(ms), options, history);
  };
  EXPECT_EQ(waitMs(5), RingStatus::kTimeout);
  EXPECT_GE(attempts, 64);  // spun first
  EXPECT_GT(history.lastWait, options.spin);
  EXPECT_EQ(waitMs(5), RingStatus::kTimeout);
  EXPECT_LT(attempts, 64);  // straight to the futex: one attempt per wake-up

  // A record there at the first look after the announcement: a short wait.
  int calls = 0;
  auto second = [&] { return ++calls >= 2 ? RingStatus::kOk : RingStatus::kEmpty; };
  EXPECT_EQ(ring_detail::waitFor(second, RingStatus::kEmpty, &flag,
                                 RingClock::now() + std::chrono::seconds(1), options, history),
            RingStatus::kOk);
  EXPECT_LE(history.lastWait, options.spin);
  // So the next wait spins again.
  attempts = 0;
  calls = 0;
  auto tenth = [&] {
    ++attempts;
    return ++calls >= 100 ? RingStatus::kOk : RingStatus::kEmpty;
  };
  EXPECT_EQ(ring_detail::waitFor(tenth, RingStatus::kEmpty, &flag,
                                 RingClock::now() + std::chrono::seconds(1), options, history),
            RingStatus::kOk);
  EXPECT_EQ(attempts, 100);  // answered while spinning, not after a futex sleep
}

TEST(RingTest, StatusNamesAreDistinct) {
  EXPECT_STREQ(ringStatusName(RingStatus::kCorrupt), "corrupt");
  EXPECT_STREQ(ringStatusName(RingStatus::kPeerDead), "peer dead");
}

}  // namespace
}  // namespace bulkhead
