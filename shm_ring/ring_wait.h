// Spin, then yield, then sleep on a shared futex: how both ring ends wait.
//
// Sleeping is announced through a futex word in shared memory; the other side
// makes the wake syscall only when it sees that announcement, so while both
// sides are busy no syscall happens at all. The announcement and the index
// form a Dekker pair: the sleeper stores its flag then re-reads the index, the
// publisher stores the index then reads the flag. All four accesses are
// seq_cst, so they fall in one total order and at least one side sees the
// other's store: no wake is lost. (seq_cst operations rather than fences:
// ThreadSanitizer understands them, and on x86 the cost is the same single
// locked store per publish; seq_cst loads are plain loads there.)
#pragma once

#include <sched.h>

#include <atomic>
#include <chrono>
#include <cstdint>

#include "shm_ring/ring_layout.h"
#include "shm_ring/ring_status.h"

namespace bulkhead {

using RingClock = std::chrono::steady_clock;
using RingDeadline = RingClock::time_point;

struct RingWaitOptions {
  // A pidfd of the peer, or -1. A futex cannot be polled together with a
  // pidfd, so a sleeper with a pidfd sleeps in slices of `pidfdSlice` and polls
  // the pidfd (without blocking) between slices: the peer's death is noticed
  // within one slice. Without a pidfd it sleeps until woken or the deadline.
  int pidfd = -1;
  std::chrono::nanoseconds spin = std::chrono::microseconds(20);
  std::chrono::nanoseconds yield = std::chrono::microseconds(50);
  std::chrono::nanoseconds pidfdSlice = std::chrono::milliseconds(10);
};

// What one end of a ring learnt from its last wait. A wait that ended only
// after sleeping for longer than kIdlePeer means the peer is idle: the next
// wait skips the spin and yield phases, which would only burn CPU (an idle
// runner would otherwise spin ~70 us at every one of its periodic waits).
// A wait that ends sooner means the peer is busy: spinning pays again.
struct RingWaitHistory {
  static constexpr std::chrono::milliseconds kIdlePeer{1};
  bool peerIdle = false;
};

// Wakes whichever end of `ring` sleeps, publishing nothing. A process that
// watches the peer's pidfd (e.g. in its event loop) calls this when the peer
// dies, so waits given that pidfd return kPeerDead at once rather than at the
// end of their current slice. Harmless when nobody sleeps.
void wakeRingWaiters(RingView ring) noexcept;

namespace ring_detail {

void cpuRelax() noexcept;
// FUTEX_WAIT without FUTEX_PRIVATE_FLAG: the word lives in a MAP_SHARED
// mapping and the waker is another process.
void futexWait(std::uint32_t* word, std::uint32_t expected,
               std::chrono::nanoseconds timeout) noexcept;
void futexWakeOne(std::uint32_t* word) noexcept;
// True when the pidfd reports the process has exited (non-blocking poll).
bool pidfdSignalled(int pidfd) noexcept;

// Wakes the peer if it announced that it sleeps on `flag`. Called right after
// publishing an index with a seq_cst store.
inline void wakeIfSleeping(std::uint32_t* flag) noexcept {
  std::atomic_ref<std::uint32_t> f(*flag);
  // seq_cst: must not be ordered before the caller's seq_cst index store
  // (see the top of this file). exchange so that one announcement costs one
  // wake syscall even if several publishes see it.
  if (f.load(std::memory_order_seq_cst) != 0 && f.exchange(0, std::memory_order_seq_cst) != 0) {
    futexWakeOne(flag);
  }
}

// Calls attempt() until it returns something other than `idle`, the deadline
// passes, or the peer dies. `flag` is this side's sleep announcement.
template <typename Attempt>
RingStatus waitFor(Attempt&& attempt, RingStatus idle, std::uint32_t* flag, RingDeadline deadline,
                   const RingWaitOptions& options, RingWaitHistory& history) noexcept {
  RingStatus s = attempt();
  if (s != idle) return s;
  const auto start = RingClock::now();
  const auto spinEnd = start + options.spin;
  const auto yieldEnd = spinEnd + options.yield;
  const bool spin = !history.peerIdle;
  // A busy peer unless this wait proves otherwise (MarkIdle below).
  history.peerIdle = false;
  while (spin) {
    for (int i = 0; i < 64; ++i) {
      cpuRelax();
      if ((s = attempt()) != idle) return s;
    }
    const auto now = RingClock::now();
    if (now >= deadline) return RingStatus::kTimeout;
    if (now >= spinEnd) break;
  }
  while (spin) {
    sched_yield();
    if ((s = attempt()) != idle) return s;
    const auto now = RingClock::now();
    if (now >= deadline) return RingStatus::kTimeout;
    if (now >= yieldEnd) break;
  }
  std::atomic_ref<std::uint32_t> f(*flag);
  struct MarkIdle {  // on every way out of the sleeping phase
    const RingClock::time_point start;
    RingWaitHistory& history;
    ~MarkIdle() { history.peerIdle = RingClock::now() - start > RingWaitHistory::kIdlePeer; }
  } markIdle{start, history};
  for (;;) {
    // seq_cst: the announcement precedes attempt()'s seq_cst index load in
    // the total order; pairs with wakeIfSleeping().
    f.store(1, std::memory_order_seq_cst);
    if ((s = attempt()) != idle) break;
    auto now = RingClock::now();
    if (now >= deadline) {
      s = RingStatus::kTimeout;
      break;
    }
    auto slice = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - now);
    if (options.pidfd >= 0 && slice > options.pidfdSlice) slice = options.pidfdSlice;
    // The pidfd is checked after the announcement and before sleeping: a
    // death-watcher's wakeRingWaiters() that ran before our flag store is
    // then caught here, one that runs after it finds the flag and wakes us.
    const bool dead = options.pidfd >= 0 && pidfdSignalled(options.pidfd);
    if (!dead) futexWait(flag, 1, slice);
    if (dead || (options.pidfd >= 0 && pidfdSignalled(options.pidfd))) {
      // Whatever the peer published before dying is still delivered.
      s = attempt();
      if (s == idle) s = RingStatus::kPeerDead;
      break;
    }
  }
  f.store(0, std::memory_order_seq_cst);
  return s;
}

}  // namespace ring_detail
}  // namespace bulkhead
