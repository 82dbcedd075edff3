// A stand-in for a plugin runtime, loaded with dlopen by the sandbox tests:
// it starts a thread while being loaded (as the Go runtime of a c-shared
// plugin does) and starts worker threads per call (as C++ SDK plugins do).
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace {

std::atomic<long> gTicks{0};

// Never joined: a runner leaves with _exit, as does the test child.
__attribute__((constructor)) void startBackgroundThread() {
  std::thread([] {
    for (;;) {
      gTicks.fetch_add(1, std::memory_order_relaxed);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }).detach();
}

}  // namespace

extern "C" __attribute__((visibility("default"))) long tiny_work(int threads) {
  std::atomic<long> sum{0};
  std::vector<std::thread> workers;
  for (int i = 1; i <= threads; ++i) {
    workers.emplace_back([&sum, i] { sum.fetch_add(static_cast<long>(i) * i); });
  }
  for (auto& t : workers) t.join();
  return sum.load();
}

extern "C" __attribute__((visibility("default"))) long tiny_background_ticks() {
  return gTicks.load(std::memory_order_relaxed);
}
