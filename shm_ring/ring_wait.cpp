#include "shm_ring/ring_wait.h"

#include <linux/futex.h>
#include <poll.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <ctime>

#include "shm_ring/unique_fd.h"

namespace bulkhead {

const char* ringStatusName(RingStatus status) noexcept {
  switch (status) {
    case RingStatus::kOk:
      return "ok";
    case RingStatus::kEmpty:
      return "empty";
    case RingStatus::kFull:
      return "full";
    case RingStatus::kTimeout:
      return "timeout";
    case RingStatus::kPeerDead:
      return "peer dead";
    case RingStatus::kTooLarge:
      return "too large";
    case RingStatus::kCorrupt:
      return "corrupt";
  }
  return "unknown";
}

namespace ring_detail {

void cpuRelax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

void futexWait(std::uint32_t* word, std::uint32_t expected,
               std::chrono::nanoseconds timeout) noexcept {
  if (timeout.count() <= 0) return;
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(timeout.count() / 1'000'000'000);
  ts.tv_nsec = static_cast<long>(timeout.count() % 1'000'000'000);
  // EAGAIN (word already changed), EINTR and ETIMEDOUT all just return: the
  // caller re-checks the ring and its deadline either way.
  ::syscall(SYS_futex, word, FUTEX_WAIT, expected, &ts, nullptr, 0);
}

void futexWakeOne(std::uint32_t* word) noexcept {
  ::syscall(SYS_futex, word, FUTEX_WAKE, 1, nullptr, nullptr, 0);
}

bool pidfdSignalled(int pidfd) noexcept {
  pollfd p{pidfd, POLLIN, 0};
  const int r = sysCallNoThrow([&] { return ::poll(&p, 1, 0); });
  // An invalid pidfd (POLLNVAL) also counts as a dead peer: waiting on a
  // process we can no longer observe would only end at the deadline.
  return r > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

}  // namespace ring_detail

void wakeRingWaiters(RingView ring) noexcept {
  // Unconditional: this runs once per peer death, never on the hot path.
  for (std::uint32_t* flag :
       {&ring.control->producer.consumerSleeping, &ring.control->consumer.producerSleeping}) {
    // seq_cst: ordered after a canceller's flag store, so a sleeper that
    // missed the cancel flag finds this store in its futex word or is woken.
    std::atomic_ref<std::uint32_t>(*flag).store(0, std::memory_order_seq_cst);
    ring_detail::futexWakeOne(flag);
  }
}

}  // namespace bulkhead
