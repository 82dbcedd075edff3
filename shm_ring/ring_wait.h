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
  // When set and true, a sleeping wait ends early with kTimeout (after one
  // last look for a record). The canceller stores true, then calls
  // wakeRingWaiters() on the ring; a wait that checks the flag before that
  // store sleeps and is woken by it.
  const std::atomic<bool>* cancel = nullptr;
};

// How long one end of a ring waited last time. Spinning only pays when the
// peer answers within the spin phase, yielding only within the yield phase:
// a wait that lasted longer than a phase skips that phase next time and
// goes to sleep sooner. On 2 cores shared by the engine and several
// runners a waiter that spins takes the core the peer it waits for needs,
// and an idle runner would spin ~70 us at each of its periodic waits.
// A wait that ends within a phase turns the phases back on.
struct RingWaitHistory {
  std::chrono::nanoseconds lastWait{0};
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
  const bool spin = history.lastWait <= options.spin;
  const bool yield = history.lastWait <= options.spin + options.yield;
  struct Remember {  // on every way out
    const RingClock::time_point start;
    RingWaitHistory& history;
    ~Remember() { history.lastWait = RingClock::now() - start; }
  } remember{start, history};
  while (spin) {
    for (int i = 0; i < 64; ++i) {
      cpuRelax();
      if ((s = attempt()) != idle) return s;
    }
    const auto now = RingClock::now();
    if (now >= deadline) return RingStatus::kTimeout;
    if (now >= spinEnd) break;
  }
  while (yield) {
    sched_yield();
    if ((s = attempt()) != idle) return s;
    const auto now = RingClock::now();
    if (now >= deadline) return RingStatus::kTimeout;
    if (now >= yieldEnd) break;
  }
  std::atomic_ref<std::uint32_t> f(*flag);
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
    if (options.cancel != nullptr && options.cancel->load(std::memory_order_seq_cst)) {
      s = attempt();
      if (s == idle) s = RingStatus::kTimeout;
      break;
    }
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
