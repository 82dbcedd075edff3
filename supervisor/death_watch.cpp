#include "supervisor/death_watch.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include "shm_ring/ring_wait.h"

namespace bulkhead {

struct DeathWatch::Impl {
  struct Entry {
    UniqueFd pidfd;  // our own duplicate, registered in `epoll`
    std::vector<RingView> rings;
  };
  // Guards `entries` and every use of a ring pointer in it: the watch thread
  // wakes under it, unwatch() erases under it.
  mutable std::mutex mu;
  UniqueFd epoll;
  UniqueFd stop;  // eventfd: readable once the watch is to end
  std::thread thread;
  std::unordered_map<uint64_t, Entry> entries;
  uint64_t nextId = 1;
  std::atomic<uint64_t> wakeUps{0};
};

// Not an id unwatch() hands out: marks the stop eventfd in epoll.
constexpr uint64_t kStopId = 0;

DeathWatch::Registration::Registration(Registration&& o) noexcept
    : owner_(o.owner_), id_(std::exchange(o.id_, 0)) {}

DeathWatch::Registration& DeathWatch::Registration::operator=(Registration&& o) noexcept {
  if (this != &o) {
    reset();
    owner_ = o.owner_;
    id_ = std::exchange(o.id_, 0);
  }
  return *this;
}

void DeathWatch::Registration::reset() noexcept {
  if (id_ != 0) owner_->unwatch(std::exchange(id_, 0));
}

DeathWatch::DeathWatch() : impl_(new Impl) {
  impl_->epoll.reset(sysCall("epoll_create1", [] { return ::epoll_create1(EPOLL_CLOEXEC); }));
  impl_->stop.reset(sysCall("eventfd", [] { return ::eventfd(0, EFD_CLOEXEC); }));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kStopId;
  sysCall("epoll_ctl(ADD)",
          [&] { return ::epoll_ctl(impl_->epoll.get(), EPOLL_CTL_ADD, impl_->stop.get(), &ev); });
  impl_->thread = std::thread([this] { run(); });
}

DeathWatch::~DeathWatch() {
  const uint64_t one = 1;
  // An eventfd counter far below its maximum: only a signal can interrupt.
  while (::write(impl_->stop.get(), &one, sizeof one) < 0 && errno == EINTR) {
  }
  impl_->thread.join();
  delete impl_;
}

DeathWatch::Registration DeathWatch::watch(int pidfd, std::span<const RingView> rings) noexcept {
  std::vector<RingView> views;
  try {
    views.assign(rings.begin(), rings.end());
  } catch (const std::bad_alloc&) {
    return {};
  }
  UniqueFd dup(::fcntl(pidfd, F_DUPFD_CLOEXEC, 3));
  if (!dup) {
    spdlog::warn("death watch: cannot duplicate pidfd {}: {}", pidfd, std::strerror(errno));
    return {};
  }
  std::lock_guard lock(impl_->mu);
  const uint64_t id = impl_->nextId++;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = id;
  if (::epoll_ctl(impl_->epoll.get(), EPOLL_CTL_ADD, dup.get(), &ev) != 0) {
    spdlog::warn("death watch: epoll_ctl(ADD) of pidfd {}: {}", pidfd, std::strerror(errno));
    return {};
  }
  try {
    impl_->entries.try_emplace(id);
  } catch (const std::bad_alloc&) {
    ::epoll_ctl(impl_->epoll.get(), EPOLL_CTL_DEL, dup.get(), nullptr);
    return {};
  }
  Impl::Entry& e = impl_->entries[id];
  e.pidfd = std::move(dup);
  e.rings = std::move(views);
  return Registration(this, id);
}

void DeathWatch::unwatch(uint64_t id) noexcept {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->entries.find(id);
  if (it == impl_->entries.end()) return;
  // Explicitly: the runner's own pidfd shares our duplicate's open file, so
  // closing ours alone would leave the epoll entry alive.
  if (it->second.pidfd) {
    ::epoll_ctl(impl_->epoll.get(), EPOLL_CTL_DEL, it->second.pidfd.get(), nullptr);
  }
  impl_->entries.erase(it);
}

void DeathWatch::run() {
  epoll_event events[16];
  for (;;) {
    const int n = ::epoll_wait(impl_->epoll.get(), events, 16, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      spdlog::error("death watch: epoll_wait: {}; deaths are now noticed by polling only",
                    std::strerror(errno));
      return;
    }
    std::lock_guard lock(impl_->mu);
    for (int i = 0; i < n; ++i) {
      if (events[i].data.u64 == kStopId) return;
      // An event may name a runner unwatched since epoll_wait returned.
      auto it = impl_->entries.find(events[i].data.u64);
      if (it == impl_->entries.end() || !it->second.pidfd) continue;
      // Counted first: a woken waiter may look at the count at once.
      impl_->wakeUps.fetch_add(1, std::memory_order_relaxed);
      for (const RingView& ring : it->second.rings) wakeRingWaiters(ring);
      // A pidfd stays readable: drop it from the set (level-triggered epoll
      // would report it again at once), keep the entry until unwatch().
      ::epoll_ctl(impl_->epoll.get(), EPOLL_CTL_DEL, it->second.pidfd.get(), nullptr);
      it->second.pidfd.reset();
    }
  }
}

uint64_t DeathWatch::wakeUps() const noexcept {
  return impl_->wakeUps.load(std::memory_order_relaxed);
}

size_t DeathWatch::watched() const noexcept {
  std::lock_guard lock(impl_->mu);
  return impl_->entries.size();
}

}  // namespace bulkhead
