// RunnerOutput: what runners print reaches the operator only through here.
// Each runner's stdout and stderr are one pipe (runner_main.cpp); one thread
// reads every such pipe with epoll and logs each line as
//
//   plugin 'NAME' output: LINE
//
// with LINE made visible (plugin_api/visible_text.h) and cut at a bound, so
// a plugin cannot forge an alert or a log line about another plugin, nor
// drive the terminal. Lines and bytes per second are bounded per plugin
// (across its restarts); what is over is dropped, counted, and summarised
// in one line per interval. The pipes are always drained, so a plugin that
// prints a lot is never blocked by a slow reader.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "shm_ring/unique_fd.h"

namespace bulkhead {

struct OutputLimits {
  size_t maxLineBytes = 2048;       // longer lines are cut, the rest counted
  double linesPerSecond = 50;       // sustained; bursts up to the same count
  double bytesPerSecond = 32 << 10;
  std::chrono::milliseconds summaryInterval{10'000};
};

// Counts for one plugin since the supervisor started.
struct OutputCounts {
  uint64_t lines = 0;         // logged
  uint64_t droppedLines = 0;  // over a rate
  uint64_t droppedBytes = 0;
  uint64_t cutLines = 0;      // longer than maxLineBytes
};

// The per-plugin rule, without threads or fds: lines in, log lines out.
class OutputLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  using Emit = std::function<void(const std::string& logLine)>;

  OutputLimiter(std::string plugin, OutputLimits limits, Emit emit);

  // One line of output, without its newline, read at `now`.
  void line(std::string_view text, Clock::time_point now);
  // Emits the drop summary when one is due (or `force`d, at the end).
  void flushSummary(Clock::time_point now, bool force = false);
  // When flushSummary next has something to say; max() when nothing.
  Clock::time_point summaryDue() const;
  const OutputCounts& counts() const { return counts_; }

 private:
  void refill(Clock::time_point now);
  std::string plugin_;
  OutputLimits limits_;
  Emit emit_;
  double lineTokens_;
  double byteTokens_;
  Clock::time_point last_{};
  bool started_ = false;
  uint64_t unreportedLines_ = 0;
  uint64_t unreportedBytes_ = 0;
  Clock::time_point firstUnreported_{};
  OutputCounts counts_;
};

class RunnerOutput {
 public:
  // Starts the reader thread. `emit` receives each log line (default: the
  // supervisor's log, at info).
  explicit RunnerOutput(OutputLimits limits = {}, OutputLimiter::Emit emit = {});
  ~RunnerOutput();
  RunnerOutput(const RunnerOutput&) = delete;
  RunnerOutput& operator=(const RunnerOutput&) = delete;

  // Reads `readEnd` (one runner's output pipe) until EOF, that is until the
  // runner and everything holding the write end are gone. Never throws: on
  // failure the fd is closed and the runner's writes fail with EPIPE.
  void add(UniqueFd readEnd, const std::string& plugin) noexcept;

  OutputCounts counts(const std::string& plugin) const;

  // Reads and closes, now, every pipe whose runner has gone (the reader
  // thread would, a moment later): for callers that count fds.
  void closeEnded() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bulkhead
