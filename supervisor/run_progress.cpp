#include "supervisor/run_progress.h"

#include <cinttypes>

#include "plugin_api/visible_text.h"

namespace bulkhead {

ProgressBoard::ProgressBoard(std::vector<std::string> sources)
    : sources_(std::move(sources)), slots_(std::make_unique<Slot[]>(sources_.size())) {}

// Relaxed: each slot is a counter read on its own for display; nothing
// else is published through it.
void ProgressBoard::publish(size_t i, const Snapshot& s) {
  slots_[i].events.store(s.events, std::memory_order_relaxed);
  slots_[i].restarts.store(s.restarts, std::memory_order_relaxed);
}

ProgressBoard::Snapshot ProgressBoard::read(size_t i) const {
  return {slots_[i].events.load(std::memory_order_relaxed),
          slots_[i].restarts.load(std::memory_order_relaxed)};
}

std::string progressLine(const ProgressBoard& board,
                         const std::vector<ProgressBoard::Snapshot>& before, double seconds,
                         uint64_t alerts) {
  std::string line = "bulkhead:";
  uint64_t restarts = 0;
  for (size_t i = 0; i < board.sources().size(); ++i) {
    const ProgressBoard::Snapshot now = board.read(i);
    const uint64_t then = i < before.size() ? before[i].events : 0;
    const double rate =
        seconds > 0 && now.events >= then ? static_cast<double>(now.events - then) / seconds : 0;
    char buf[64];
    std::snprintf(buf, sizeof buf, " %.0f ev/s", rate);
    line += (i == 0 ? " " : ", ") + visibleText(board.sources()[i], kShownNameBytes) + buf;
    restarts += now.restarts;
  }
  return line + "; alerts " + std::to_string(alerts) + "; restarts " + std::to_string(restarts);
}

StopAfter::StopAfter(std::chrono::seconds after, std::atomic<bool>& stop) {
  if (after.count() == 0) return;
  thread_ = std::thread([this, after, &stop] {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, after, [this] { return done_; })) stop.store(true);
  });
}

StopAfter::~StopAfter() {
  {
    const std::lock_guard lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

ProgressReporter::ProgressReporter(const ProgressBoard& board, std::function<uint64_t()> alerts,
                                   std::chrono::milliseconds interval, std::FILE* out, bool enabled)
    : board_(board), alerts_(std::move(alerts)), interval_(interval), out_(out) {
  if (enabled && interval.count() > 0) thread_ = std::thread([this] { loop(); });
}

ProgressReporter::~ProgressReporter() {
  {
    const std::lock_guard lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ProgressReporter::loop() {
  std::vector<ProgressBoard::Snapshot> before(board_.sources().size());
  for (size_t i = 0; i < before.size(); ++i) before[i] = board_.read(i);
  auto last = std::chrono::steady_clock::now();
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, interval_, [this] { return done_; })) {
    const auto now = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(now - last).count();
    const std::string line = progressLine(board_, before, seconds, alerts_());
    std::fprintf(out_, "%s\n", line.c_str());
    std::fflush(out_);
    for (size_t i = 0; i < before.size(); ++i) before[i] = board_.read(i);
    last = now;
  }
}

}  // namespace bulkhead
