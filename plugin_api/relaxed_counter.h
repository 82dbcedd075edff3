// RelaxedCounter: a counter that one thread writes and any thread may read
// while it is written (metrics, health checks), at the cost of a plain
// increment.
//
// Only the owning thread writes, so an increment is a relaxed load and a
// relaxed store (no locked read-modify-write on the event path); a reader
// on another thread sees some recent value, never a torn one. A value is
// not ordered with any other counter: a snapshot of several is not one
// instant, which a metrics scrape does not need.
#pragma once

#include <atomic>
#include <cstdint>

namespace bulkhead {

class RelaxedCounter {
 public:
  RelaxedCounter() = default;
  RelaxedCounter(uint64_t v) : value_(v) {}  // NOLINT(google-explicit-constructor)
  RelaxedCounter(const RelaxedCounter& other) : value_(other.load()) {}
  RelaxedCounter& operator=(const RelaxedCounter& other) {
    store(other.load());
    return *this;
  }
  RelaxedCounter& operator=(uint64_t v) {
    store(v);
    return *this;
  }

  uint64_t load() const { return value_.load(std::memory_order_relaxed); }
  operator uint64_t() const { return load(); }  // NOLINT(google-explicit-constructor)

  // Writer side: the owning thread only.
  RelaxedCounter& operator+=(uint64_t n) {
    store(load() + n);
    return *this;
  }
  RelaxedCounter& operator-=(uint64_t n) {
    store(load() - n);
    return *this;
  }
  RelaxedCounter& operator++() { return *this += 1; }
  uint64_t operator++(int) {
    const uint64_t old = load();
    store(old + 1);
    return old;
  }

 private:
  void store(uint64_t v) { value_.store(v, std::memory_order_relaxed); }

  std::atomic<uint64_t> value_{0};
};

}  // namespace bulkhead
