// What runs beside the sources while they run: -M's deadline
// (StopAfter) and the one-line progress on a terminal (ProgressReporter).
//
// The source threads own their pipelines and hosts, whose counters are
// plain integers; they publish copies into a ProgressBoard (relaxed
// atomics, one slot per source) after every step, and the reporter thread
// reads only the board. So no counter is read while its thread writes it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace bulkhead {

class ProgressBoard {
 public:
  struct Snapshot {
    uint64_t events = 0;
    uint64_t restarts = 0;
  };
  explicit ProgressBoard(std::vector<std::string> sources);

  const std::vector<std::string>& sources() const { return sources_; }
  // From source `i`'s own thread.
  void publish(size_t i, const Snapshot& s);
  Snapshot read(size_t i) const;

 private:
  struct Slot {
    std::atomic<uint64_t> events{0};
    std::atomic<uint64_t> restarts{0};
  };
  std::vector<std::string> sources_;
  std::unique_ptr<Slot[]> slots_;
};

// "bulkhead: counter 1200 ev/s, fault 0 ev/s; alerts 96; restarts 2": the
// rates since `before`, over `seconds`; alerts and restarts in total.
// Source names are made visible.
std::string progressLine(const ProgressBoard& board,
                         const std::vector<ProgressBoard::Snapshot>& before, double seconds,
                         uint64_t alerts);

// Sets `stop` once `after` has passed, unless destroyed first (then its
// thread ends at once). A zero duration does nothing.
class StopAfter {
 public:
  StopAfter(std::chrono::seconds after, std::atomic<bool>& stop);
  ~StopAfter();
  StopAfter(const StopAfter&) = delete;
  StopAfter& operator=(const StopAfter&) = delete;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

// Writes progressLine() to `out` every `interval` while it lives, when
// `enabled` (main passes isatty(2)). `alerts` is called on the reporter's
// thread and must be safe there.
class ProgressReporter {
 public:
  ProgressReporter(const ProgressBoard& board, std::function<uint64_t()> alerts,
                   std::chrono::milliseconds interval, std::FILE* out, bool enabled);
  ~ProgressReporter();
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

 private:
  void loop();

  const ProgressBoard& board_;
  std::function<uint64_t()> alerts_;
  std::chrono::milliseconds interval_;
  std::FILE* out_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace bulkhead
