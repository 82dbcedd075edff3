// DeathWatch: one thread that watches the pidfds of all live
// runners with epoll and, the moment one turns readable, wakes every ring
// waiter of that runner (wakeRingWaiters). An engine thread sleeping on a
// ring futex cannot poll a pidfd at the same time; without this it would
// notice a death only at the end of its current pidfd slice.
//
// Lifetime: a Registration names the rings it wakes by pointer into the
// runner's shared mapping. Its destructor returns only once the watch thread
// can no longer touch them (removal and wake-up run under one mutex), so
// destroying the Registration before the mapping is all a user must do.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "shm_ring/ring_layout.h"
#include "shm_ring/unique_fd.h"

namespace bulkhead {

class DeathWatch {
 public:
  class Registration {
   public:
    Registration() = default;
    Registration(Registration&& o) noexcept;
    Registration& operator=(Registration&& o) noexcept;
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;
    ~Registration() { reset(); }

    // True while the watch holds this runner; false for a default one or
    // when registering failed (the ring waits' own pidfd slice is then the
    // only way a death is noticed).
    bool active() const { return id_ != 0; }
    // Stops watching; no wake-up for these rings runs after it returns.
    void reset() noexcept;

   private:
    friend class DeathWatch;
    Registration(DeathWatch* owner, uint64_t id) : owner_(owner), id_(id) {}
    DeathWatch* owner_ = nullptr;
    uint64_t id_ = 0;
  };

  // Starts the watch thread. main() owns one and passes it down.
  DeathWatch();
  // Stops the thread; every Registration must be gone first.
  ~DeathWatch();
  DeathWatch(const DeathWatch&) = delete;
  DeathWatch& operator=(const DeathWatch&) = delete;

  // Watches `pidfd` (duplicated: the caller may close its own at any time)
  // and wakes `rings` when it turns readable. Never throws: a failure is
  // logged and yields an inactive Registration.
  Registration watch(int pidfd, std::span<const RingView> rings) noexcept;

  // Deaths seen so far (tests: a wake-up came from the watch).
  uint64_t wakeUps() const noexcept;
  // Runners watched right now (tests: nothing is left behind).
  size_t watched() const noexcept;

 private:
  void run();
  void unwatch(uint64_t id) noexcept;

  struct Impl;
  Impl* impl_;
};

}  // namespace bulkhead
