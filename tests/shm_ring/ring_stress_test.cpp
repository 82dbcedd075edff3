// Moves RING_STRESS_RECORDS records of random sizes (0 B to 16 KiB) through
// one ring, cross-process and across threads, checking order, tag, size and a
// checksum of every byte. Built twice: a short run (unit, also under
// sanitizers) and a 10-million-record soak.
#include <gtest/gtest.h>

#include <array>
#include <thread>

#include "shm_ring/ring_consumer.h"
#include "shm_ring/ring_producer.h"
#include "shm_ring/ring_set.h"
#include "tests/shm_ring/ring_test_util.h"

#ifndef RING_STRESS_RECORDS
#define RING_STRESS_RECORDS 200000
#endif
// Distinct suite names keep the two builds' ctest entries apart.
#ifndef RING_STRESS_SUITE
#define RING_STRESS_SUITE RingStressTest
#endif

namespace bulkhead {
namespace {

using namespace std::chrono_literals;
constexpr std::uint64_t kRecords = RING_STRESS_RECORDS;
constexpr std::uint32_t kMaxLarge = 16384;
constexpr std::array<std::uint64_t, 1> kCaps{1 << 16};

// Commits every `batch` records so both batching and single publishes happen.
int produce(RingView ring, const RingWaitOptions& wait) {
  RingProducer p(ring);
  for (std::uint64_t seq = 0; seq < kRecords; ++seq) {
    std::span<std::byte> out;
    const RingStatus s = p.reserve(testing::stressTag(seq), testing::stressSize(seq, kMaxLarge),
                                   out, RingClock::now() + 60s, wait);
    if (s != RingStatus::kOk) return 10 + static_cast<int>(s);
    testing::fillStress(seq, out);
    if (seq % (1 + seq % 61) == 0) p.commit();
  }
  p.commit();
  return 0;
}

// Returns the number of records verified; stops at the first mismatch.
std::uint64_t consume(RingView ring, const RingWaitOptions& wait, RingStatus& last) {
  RingConsumer c(ring, testing::kStressTags);
  std::uint64_t seq = 0;
  while (seq < kRecords) {
    RingRecord rec;
    last = c.peek(rec, RingClock::now() + 60s, wait);
    if (last != RingStatus::kOk) break;
    if (rec.tag != testing::stressTag(seq) ||
        rec.payload.size() != testing::stressSize(seq, kMaxLarge) ||
        !testing::checkStress(seq, rec.payload)) {
      ADD_FAILURE() << "record " << seq << " mismatched (tag " << rec.tag << ", size "
                    << rec.payload.size() << ")";
      break;
    }
    ++seq;
    if (seq % 32 == 0) c.release();
  }
  c.release();
  return seq;
}

TEST(RING_STRESS_SUITE, CrossProcess) {
  RingSet set = RingSet::create(kCaps);
  const int fd = set.fd();
  testing::Child child([&] {
    RingSet mine = RingSet::attach(UniqueFd(::dup(fd)), kCaps);
    return produce(mine.ring(0), {});
  });
  RingStatus last = RingStatus::kOk;
  const std::uint64_t got = consume(set.ring(0), RingWaitOptions{.pidfd = child.pidfd()}, last);
  EXPECT_EQ(got, kRecords) << "last status " << ringStatusName(last);
  EXPECT_EQ(child.exitCode(), 0);
}

// Same stream between two threads: what ThreadSanitizer can check.
TEST(RING_STRESS_SUITE, Threads) {
  RingSet set = RingSet::create(kCaps);
  int produced = -1;
  std::thread producer([&] { produced = produce(set.ring(0), {}); });
  RingStatus last = RingStatus::kOk;
  const std::uint64_t got = consume(set.ring(0), {}, last);
  producer.join();
  EXPECT_EQ(got, kRecords) << "last status " << ringStatusName(last);
  EXPECT_EQ(produced, 0);
}

}  // namespace
}  // namespace bulkhead
