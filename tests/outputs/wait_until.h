// Deadline waits for the outputs tests: a condition polled until it holds
// or a generous bound passes (the machine may be loaded; nothing here
// measures time).
#pragma once

#include <chrono>
#include <thread>

namespace bulkhead {

inline constexpr std::chrono::seconds kTestWait(30);

template <typename Condition>
bool waitUntil(Condition&& condition, std::chrono::milliseconds limit = kTestWait) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace bulkhead
