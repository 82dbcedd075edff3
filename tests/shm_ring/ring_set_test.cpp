// Layout of several rings in one memfd, and attaching to it from an fd.
#include "shm_ring/ring_set.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "shm_ring/ring_consumer.h"
#include "shm_ring/ring_producer.h"
#include "tests/shm_ring/ring_test_util.h"

namespace bulkhead {
namespace {

using namespace std::chrono_literals;
constexpr std::array<std::uint64_t, 4> kCaps{1 << 16, 4096, 4096, 1024};

UniqueFd dupFd(int fd) {
  return UniqueFd(sysCall("dup", [&] { return ::dup(fd); }));
}

TEST(RingSetTest, LayoutKeepsEveryPartCacheLineAligned) {
  RingSetLayout layout(kCaps);
  EXPECT_EQ(layout.ringCount(), 4u);
  EXPECT_EQ(layout.controlOffset(0), sizeof(RingSetHeader));
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(layout.controlOffset(i) % kCacheLine, 0u);
    EXPECT_EQ(layout.dataOffset(i) % kCacheLine, 0u);
    EXPECT_EQ(layout.capacity(i), kCaps[i]);
    if (i > 0) {
      EXPECT_EQ(layout.controlOffset(i), layout.dataOffset(i - 1) + kCaps[i - 1]);
    }
  }
  EXPECT_EQ(layout.totalSize(), layout.dataOffset(3) + kCaps[3]);
}

TEST(RingSetTest, RejectsBadCapacities) {
  const std::array<std::uint64_t, 1> notPow2{1000}, tooSmall{32};
  EXPECT_THROW(RingSetLayout{notPow2}, std::invalid_argument);
  EXPECT_THROW(RingSetLayout{tooSmall}, std::invalid_argument);
  EXPECT_THROW(RingSetLayout{std::span<const std::uint64_t>{}}, std::invalid_argument);
  const std::array<std::uint64_t, kMaxRingsPerSet + 1> tooMany{};
  EXPECT_THROW(RingSetLayout{tooMany}, std::invalid_argument);
}

TEST(RingSetTest, AttachedMappingSeesTheSameRings) {
  RingSet a = RingSet::create(kCaps);
  RingSet b = RingSet::attach(dupFd(a.fd()), kCaps);
  EXPECT_NE(a.region().data(), b.region().data());  // two mappings, one memfd
  RingProducer p(a.ring(2));
  RingConsumer c(b.ring(2), 1u << 5);
  std::span<std::byte> out;
  ASSERT_EQ(p.tryReserve(5, 3, out), RingStatus::kOk);
  std::memcpy(out.data(), "abc", 3);
  p.commit();
  RingRecord rec;
  ASSERT_EQ(c.tryPeek(rec), RingStatus::kOk);
  EXPECT_EQ(std::memcmp(rec.payload.data(), "abc", 3), 0);
  RingConsumer other(b.ring(1), 1u << 5);
  EXPECT_EQ(other.tryPeek(rec), RingStatus::kEmpty);
}

TEST(RingSetTest, AttachRejectsAMismatchedLayout) {
  RingSet a = RingSet::create(kCaps);
  std::array<std::uint64_t, 4> swapped{4096, 1 << 16, 4096, 1024};  // same total size
  EXPECT_THROW(RingSet::attach(dupFd(a.fd()), swapped), std::system_error);
  std::array<std::uint64_t, 3> fewer{1 << 16, 4096, 4096};
  EXPECT_THROW(RingSet::attach(dupFd(a.fd()), fewer), std::system_error);
}

TEST(RingSetTest, AttachRejectsATamperedHeader) {
  RingSet a = RingSet::create(kCaps);
  reinterpret_cast<RingSetHeader*>(a.region().data())->capacities[0] = 1 << 20;
  EXPECT_THROW(RingSet::attach(dupFd(a.fd()), kCaps), std::system_error);
}

// A region a dead peer left behind, header and indices scribbled over and
// records half consumed, is as good as new after reset(): a new peer
// attaches, and every ring starts empty and carries records.
TEST(RingSetTest, ResetLeavesNothingOfTheLastPeer) {
  RingSet a = RingSet::create(kCaps);
  {
    RingSet old = RingSet::attach(dupFd(a.fd()), kCaps);
    RingProducer p(old.ring(0));
    std::span<std::byte> out;
    for (int i = 0; i < 5; ++i) {
      ASSERT_EQ(p.tryReserve(5, 100, out), RingStatus::kOk);
      std::memset(out.data(), 0xAB, out.size());
    }
    p.commit();
    std::memset(old.region().data(), 0xFF, sizeof(RingSetHeader));
    for (std::size_t i = 1; i < kCaps.size(); ++i) {
      std::memset(old.ring(i).control, 0x5A, sizeof(RingControl));
    }
  }
  EXPECT_THROW(RingSet::attach(dupFd(a.fd()), kCaps), std::system_error);

  a.reset();
  RingSet b = RingSet::attach(dupFd(a.fd()), kCaps);
  for (std::size_t i = 0; i < kCaps.size(); ++i) {
    RingConsumer c(a.ring(i), 1u << 5);
    RingRecord rec;
    EXPECT_EQ(c.tryPeek(rec), RingStatus::kEmpty) << "ring " << i;
    RingProducer p(b.ring(i));
    std::span<std::byte> out;
    ASSERT_EQ(p.tryReserve(5, 3, out), RingStatus::kOk) << "ring " << i;
    std::memcpy(out.data(), "new", 3);
    p.commit();
    ASSERT_EQ(c.tryPeek(rec), RingStatus::kOk) << "ring " << i;
    EXPECT_EQ(std::memcmp(rec.payload.data(), "new", 3), 0);
  }
}

TEST(RingSetTest, RegionIsSealedAgainstResizing) {
  RingSet a = RingSet::create(kCaps);
  // A peer that shrinks the memfd would make our next access SIGBUS.
  EXPECT_EQ(::ftruncate(a.fd(), 4096), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(::ftruncate(a.fd(), 1 << 24), -1);
}

TEST(RingSetTest, AttachRejectsAnUnsealedMemfd) {
  RingSetLayout layout(kCaps);
  UniqueFd fd(::memfd_create("unsealed", MFD_CLOEXEC));
  ASSERT_TRUE(fd);
  ASSERT_EQ(::ftruncate(fd.get(), static_cast<off_t>(layout.totalSize())), 0);
  EXPECT_THROW(RingSet::attach(std::move(fd), kCaps), std::system_error);
}

TEST(RingSetTest, AttachRejectsAWrongSize) {
  SharedRegion small = SharedRegion::create("small", 4096);
  EXPECT_THROW(RingSet::attach(dupFd(small.fd()), kCaps), std::system_error);
}

// The shape later work uses: a child attaches from the fd alone, serves
// requests from one ring and answers on another.
TEST(RingSetTest, ChildAttachedByFdAnswersRequests) {
  RingSet set = RingSet::create(kCaps);
  const int fd = set.fd();
  testing::Child child([&] {
    // Drop the inherited mapping's role: use only what the fd gives.
    RingSet mine = RingSet::attach(dupFd(fd), kCaps);
    RingConsumer requests(mine.ring(1), 1u << 2);
    RingProducer responses(mine.ring(2));
    for (int i = 0; i < 100; ++i) {
      RingRecord rec;
      if (requests.peek(rec, RingClock::now() + 10s) != RingStatus::kOk) return 1;
      std::uint32_t v;
      std::memcpy(&v, rec.payload.data(), 4);
      requests.release();
      std::span<std::byte> out;
      if (responses.reserve(3, 4, out, RingClock::now() + 10s) != RingStatus::kOk) return 2;
      v *= 2;
      std::memcpy(out.data(), &v, 4);
      responses.commit();
    }
    return 0;
  });
  RingProducer requests(set.ring(1));
  RingConsumer responses(set.ring(2), 1u << 3);
  const RingWaitOptions wait{.pidfd = child.pidfd()};
  for (std::uint32_t i = 0; i < 100; ++i) {
    std::span<std::byte> out;
    ASSERT_EQ(requests.reserve(2, 4, out, RingClock::now() + 10s, wait), RingStatus::kOk);
    std::memcpy(out.data(), &i, 4);
    requests.commit();
    RingRecord rec;
    ASSERT_EQ(responses.peek(rec, RingClock::now() + 10s, wait), RingStatus::kOk);
    std::uint32_t v;
    std::memcpy(&v, rec.payload.data(), 4);
    EXPECT_EQ(v, 2 * i);
    responses.release();
  }
  EXPECT_EQ(child.exitCode(), 0);
}

}  // namespace
}  // namespace bulkhead
