#include "supervisor/death_watch.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <array>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "supervisor/child_process.h"
#include "supervisor/spawner.h"
#include "tests/supervisor/proc_inspect.h"
#include "shm_ring/ring_consumer.h"
#include "shm_ring/ring_producer.h"
#include "shm_ring/ring_set.h"

namespace bulkhead {
namespace {

using namespace std::chrono_literals;

// One watch and one spawner for the test process, as main() has.
DeathWatch& theWatch() {
  static DeathWatch* w = new DeathWatch();
  return *w;
}

ChildProcess sleeper() {
  static Spawner* spawner = new Spawner();
  return spawner->spawn("/bin/sleep", {"sleep", "600"}, {}, {});
}

RingSet oneRing() {
  const std::array<uint64_t, 1> caps = {64u << 10};
  return RingSet::create(caps, "death-watch-test");
}

// A wait whose own pidfd slice outlasts its deadline: only a wake-up from
// outside can make it see the death before the deadline.
RingWaitOptions sliceLongerThanDeadline(int pidfd) {
  RingWaitOptions o;
  o.pidfd = pidfd;
  o.pidfdSlice = std::chrono::hours(1);
  return o;
}

// Returns once `flag` announces a sleeper (the sleeper may be a moment from
// its futex call still, which the wait's design covers either way) or the
// waiter is done already, which the test's checks then report.
void waitUntilAsleep(const uint32_t* flag, const std::atomic<bool>& done) {
  while (std::atomic_ref<const uint32_t>(*flag).load() == 0 && !done) {
    std::this_thread::sleep_for(1ms);
  }
  std::this_thread::sleep_for(20ms);
}

TEST(DeathWatchTest, DeathEndsASleepingConsumerWaitWithPeerDead) {
  RingSet rings = oneRing();
  ChildProcess child = sleeper();
  const RingView ring = rings.ring(0);
  DeathWatch::Registration reg = theWatch().watch(child.pidfd(), {&ring, 1});
  ASSERT_TRUE(reg.active());
  const uint64_t before = theWatch().wakeUps();

  RingStatus status = RingStatus::kOk;
  std::atomic<bool> done{false};
  std::thread waiter([&] {
    RingConsumer consumer(ring, ~0ull);
    RingRecord rec;
    status = consumer.peek(rec, RingClock::now() + 120s, sliceLongerThanDeadline(child.pidfd()));
    done = true;
  });
  waitUntilAsleep(&ring.control->producer.consumerSleeping, done);
  EXPECT_FALSE(child.poll()) << "the peer died before the test killed it";
  ::kill(child.pid(), SIGKILL);
  waiter.join();
  EXPECT_EQ(status, RingStatus::kPeerDead);
  EXPECT_GT(theWatch().wakeUps(), before);
}

TEST(DeathWatchTest, DeathEndsASleepingProducerWaitWithPeerDead) {
  RingSet rings = oneRing();
  ChildProcess child = sleeper();
  const RingView ring = rings.ring(0);
  DeathWatch::Registration reg = theWatch().watch(child.pidfd(), {&ring, 1});
  ASSERT_TRUE(reg.active());

  RingStatus status = RingStatus::kOk;
  std::atomic<bool> done{false};
  std::thread waiter([&] {
    RingProducer producer(ring);
    const auto deadline = RingClock::now() + 120s;
    const auto options = sliceLongerThanDeadline(child.pidfd());
    std::span<std::byte> out;
    // Fill the ring; nobody consumes, so a reservation ends up waiting.
    while ((status = producer.reserve(1, 1024, out, deadline, options)) == RingStatus::kOk) {
      producer.commit();
    }
    done = true;
  });
  waitUntilAsleep(&ring.control->consumer.producerSleeping, done);
  ::kill(child.pid(), SIGKILL);
  waiter.join();
  EXPECT_EQ(status, RingStatus::kPeerDead);
}

TEST(DeathWatchTest, UnwatchedRingsAreNeverTouchedAgain) {
  const size_t before = theWatch().watched();
  ChildProcess child = sleeper();
  {
    RingSet rings = oneRing();
    const RingView ring = rings.ring(0);
    DeathWatch::Registration reg = theWatch().watch(child.pidfd(), {&ring, 1});
    ASSERT_TRUE(reg.active());
    EXPECT_EQ(theWatch().watched(), before + 1);
    reg.reset();
    EXPECT_FALSE(reg.active());
    EXPECT_EQ(theWatch().watched(), before);
  }  // the mapping is gone: a late wake-up would fault
  const uint64_t wakeUps = theWatch().wakeUps();
  child.kill();
  // Another watched death afterwards proves the watch thread went past the
  // first one (events are handled in order) without touching the old rings.
  RingSet rings = oneRing();
  const RingView ring = rings.ring(0);
  ChildProcess second = sleeper();
  DeathWatch::Registration reg = theWatch().watch(second.pidfd(), {&ring, 1});
  RingStatus status = RingStatus::kOk;
  std::atomic<bool> done{false};
  std::thread waiter([&] {
    RingConsumer consumer(ring, ~0ull);
    RingRecord rec;
    status = consumer.peek(rec, RingClock::now() + 120s, sliceLongerThanDeadline(second.pidfd()));
    done = true;
  });
  waitUntilAsleep(&ring.control->producer.consumerSleeping, done);
  ::kill(second.pid(), SIGKILL);
  waiter.join();
  EXPECT_EQ(status, RingStatus::kPeerDead);
  EXPECT_EQ(theWatch().wakeUps(), wakeUps + 1);
}

// Several threads register, see deaths and unregister at once, as engine
// threads restarting runners of different hosts do; under TSan/ASan any
// race between a wake-up and the unmapping would show here.
TEST(DeathWatchTest, ConcurrentWatchDeathAndUnwatchLeaveNothingBehind) {
  const size_t before = theWatch().watched();
  std::vector<std::thread> threads;
  std::atomic<int> peerDead{0};
  constexpr int kThreads = 4;
  constexpr int kRounds = 10;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        RingSet rings = oneRing();
        const RingView ring = rings.ring(0);
        ChildProcess child = sleeper();
        DeathWatch::Registration reg = theWatch().watch(child.pidfd(), {&ring, 1});
        if ((i + t) % 2 == 0) {
          ::kill(child.pid(), SIGKILL);
          RingConsumer consumer(ring, ~0ull);
          RingRecord rec;
          if (consumer.peek(rec, RingClock::now() + 120s, sliceLongerThanDeadline(child.pidfd())) ==
              RingStatus::kPeerDead) {
            peerDead++;
          }
        }
        // Unwatch racing the watch thread's wake-up, then unmap.
        reg.reset();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(peerDead.load(), kThreads * kRounds / 2);
  EXPECT_EQ(theWatch().watched(), before);
}


// main() owns the watch: destroying it stops its thread and closes its fds.
TEST(DeathWatchTest, DestroyingTheWatchStopsItsThread) {
  // The test's spawner thread (started on first use) stays; it is not counted.
  ChildProcess first = sleeper();
  const size_t fds = openFdCount();
  const size_t threads = threadCount();
  for (int i = 0; i < 20; ++i) {
    DeathWatch w;
    ChildProcess child = sleeper();
    RingSet rings = oneRing();
    const RingView ring = rings.ring(0);
    DeathWatch::Registration reg = w.watch(child.pidfd(), {&ring, 1});
    EXPECT_TRUE(reg.active());
  }
  EXPECT_EQ(openFdCount(), fds);
  EXPECT_EQ(threadCount(), threads);
}

}  // namespace
}  // namespace bulkhead
