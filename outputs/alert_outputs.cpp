#include "outputs/alert_outputs.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <exception>
#include <utility>

#include "plugin_api/visible_text.h"

namespace bulkhead {

namespace {

using Clock = std::chrono::steady_clock;

// An alert as every channel's queue holds it: formatted once, shared.
struct QueuedAlert {
  std::string line;
  Alert alert;
};

struct Item {
  std::shared_ptr<const QueuedAlert> alert;  // null: a reopen request
};

// A reason may quote a remote peer (an HTTP error text) or a program.
std::string shownReason(const std::string& reason) {
  return visibleText(reason, {.keepTab = false, .maxBytes = kShownTextBytes});
}

OutputQueueSettings withCapacity(OutputQueueSettings s) {
  if (s.capacity == 0) s.capacity = OutputQueueSettings{}.capacity;
  return s;
}

}  // namespace

struct AlertOutputs::Worker {
  std::unique_ptr<AlertChannel> channel;

  mutable std::mutex mu;
  std::condition_variable wake;             // the worker: an item or the stop
  mutable std::condition_variable settled;  // waiters: idle or finished
  std::deque<Item> queue;
  bool stopping = false;
  bool finished = false;  // the thread has left its loop
  bool inFlight = false;  // a write is in progress
  Clock::time_point writeStart;
  bool timeoutReported = false;  // for the write in progress

  uint64_t written = 0;
  uint64_t failed = 0;
  uint64_t dropped = 0;
  uint64_t abandoned = 0;
  uint64_t timeouts = 0;
  bool failing = false;            // the last write failed (logged once per streak)
  uint64_t droppedInStreak = 0;    // drops since the queue was last accepting

  std::thread thread;
  bool detached = false;  // still blocked after cancel(): left to the process's exit

  void run();
  void record(const WriteResult& result, const Item& item);
  ChannelCounters counters() const;
};

void AlertOutputs::Worker::run() {
  for (;;) {
    Item item;
    {
      std::unique_lock lock(mu);
      wake.wait(lock, [&] { return !queue.empty() || stopping; });
      if (queue.empty()) break;
      item = std::move(queue.front());
      queue.pop_front();
      inFlight = true;
      writeStart = Clock::now();
      timeoutReported = false;
    }
    WriteResult result;
    try {
      result = item.alert ? channel->write(item.alert->line, item.alert->alert) : channel->reopen();
    } catch (const std::exception& e) {
      result = {false, e.what()};
    }
    // Counted, and flushed when nothing follows, before the worker counts
    // as idle: waitIdle() then sees the counts and the written-out lines.
    record(result, item);
    bool empty = false;
    {
      std::lock_guard lock(mu);
      empty = queue.empty();
    }
    if (empty) channel->idle();
    std::lock_guard lock(mu);
    inFlight = false;
    settled.notify_all();
  }
  channel->idle();
  std::lock_guard lock(mu);
  finished = true;
  settled.notify_all();
}

void AlertOutputs::Worker::record(const WriteResult& result, const Item& item) {
  const AlertChannel& c = *channel;
  if (!item.alert) {
    if (!result.written) {
      spdlog::error("cannot reopen {} {}: {}", c.kind(), c.target(), shownReason(result.reason));
    }
    return;
  }
  bool logFailure = false;
  bool logRecovery = false;
  {
    std::lock_guard lock(mu);
    if (result.written) {
      ++written;
      logRecovery = failing;
      failing = false;
    } else {
      ++failed;
      logFailure = !failing;
      failing = true;
    }
  }
  if (logRecovery) spdlog::info("{} {} is writable again", c.kind(), c.target());
  if (logFailure) {
    spdlog::error("cannot write {} {}: {}; rule '{}' alert not written (counted)", c.kind(),
                  c.target(), shownReason(result.reason), item.alert->alert.rule);
  }
}

ChannelCounters AlertOutputs::Worker::counters() const {
  std::lock_guard lock(mu);
  ChannelCounters c;
  c.kind = std::string(channel->kind());
  c.target = channel->target();
  c.queued = queue.size();
  c.written = written;
  c.failed = failed;
  c.dropped = dropped;
  c.abandoned = abandoned;
  c.timeouts = timeouts;
  return c;
}

AlertOutputs::AlertOutputs(AlertFormat format, std::vector<std::unique_ptr<AlertChannel>> channels,
                           OutputQueueSettings settings)
    : format_(std::move(format)), settings_(withCapacity(settings)) {
  for (auto& c : channels) {
    auto w = std::make_unique<Worker>();
    w->channel = std::move(c);
    workers_.push_back(std::move(w));
  }
  for (auto& w : workers_) w->thread = std::thread([p = w.get()] { p->run(); });
  watchdog_ = std::thread([this] { watch(); });
}

AlertOutputs::~AlertOutputs() {
  drain();
  // A detached thread still uses its worker and channel: they are leaked.
  for (auto& w : workers_) {
    // NOLINTNEXTLINE(bugprone-unused-return-value): deliberately leaked, see above
    if (w->detached) (void)w.release();
  }
}

void AlertOutputs::emit(const Alert& alert) {
  // Formatted once, outside every lock: the JSON object is the costly part.
  auto queued = std::make_shared<const QueuedAlert>(QueuedAlert{formatAlert(alert, format_), alert});
  emitted_.fetch_add(1, std::memory_order_relaxed);
  for (auto& wp : workers_) {
    Worker& w = *wp;
    bool firstDrop = false;
    uint64_t streakEnded = 0;
    {
      std::lock_guard lock(w.mu);
      if (w.stopping) {
        ++w.abandoned;
        continue;
      }
      if (w.queue.size() >= settings_.capacity) {
        ++w.dropped;
        firstDrop = w.droppedInStreak++ == 0;
      } else {
        streakEnded = std::exchange(w.droppedInStreak, 0);
        w.queue.push_back(Item{queued});
        w.wake.notify_one();
      }
    }
    const AlertChannel& c = *w.channel;
    if (firstDrop) {
      spdlog::error(
          "outputs queue of {} {} is full ({} alerts): rule '{}' alert dropped (counted); "
          "further drops are summed up when it has room again",
          c.kind(), c.target(), settings_.capacity, alert.rule);
    }
    if (streakEnded > 0) {
      spdlog::warn("outputs queue of {} {} has room again; {} alerts were dropped while it was full",
                   c.kind(), c.target(), streakEnded);
    }
  }
}

void AlertOutputs::reopen() {
  for (auto& w : workers_) {
    std::lock_guard lock(w->mu);
    if (w->stopping) continue;
    w->queue.push_back(Item{});
    w->wake.notify_one();
  }
}

bool AlertOutputs::waitIdle(std::chrono::milliseconds limit) const {
  const auto deadline = Clock::now() + limit;
  bool idle = true;
  for (const auto& w : workers_) {
    std::unique_lock lock(w->mu);
    idle = w->settled.wait_until(lock, deadline, [&] {
             return w->finished || (w->queue.empty() && !w->inFlight);
           }) && idle;
  }
  return idle;
}

void AlertOutputs::drain() {
  std::lock_guard drainLock(drainMu_);
  if (drained_) return;
  drained_ = true;
  for (auto& w : workers_) {
    std::lock_guard lock(w->mu);
    w->stopping = true;
    w->wake.notify_one();
  }
  // Every channel drains at the same time, each within output_timeout.
  const auto deadline = Clock::now() + settings_.timeout;
  for (auto& w : workers_) {
    uint64_t left = 0;
    {
      std::unique_lock lock(w->mu);
      if (w->settled.wait_until(lock, deadline, [&] { return w->finished; })) continue;
      left = w->queue.size();
      w->abandoned += left;
      w->queue.clear();
    }
    spdlog::error("{} {} did not write its queue within output_timeout ({} ms): {} alerts "
                  "abandoned (counted); cancelling its write",
                  w->channel->kind(), w->channel->target(), settings_.timeout.count(), left);
    w->channel->cancel();
  }
  for (auto& w : workers_) {
    bool finished = false;
    {
      std::unique_lock lock(w->mu);
      finished = w->settled.wait_for(lock, settings_.timeout + std::chrono::seconds(1),
                                     [&] { return w->finished; });
    }
    if (finished) {
      w->thread.join();
      continue;
    }
    // A write that ignores cancel() (stdout into a pipe nobody reads): the
    // thread keeps the channel; both are left to the process's exit.
    spdlog::error("{} {} is still blocked after cancel; leaving it", w->channel->kind(),
                  w->channel->target());
    w->thread.detach();
    w->detached = true;
  }
  {
    std::lock_guard lock(watchMu_);
    watchStop_ = true;
    watchWake_.notify_one();
  }
  watchdog_.join();
}

void AlertOutputs::watch() {
  const auto period =
      std::clamp(settings_.timeout / 4, std::chrono::milliseconds(5), std::chrono::milliseconds(250));
  std::unique_lock watchLock(watchMu_);
  while (!watchWake_.wait_for(watchLock, period, [&] { return watchStop_; })) {
    const auto now = Clock::now();
    for (auto& w : workers_) {
      std::lock_guard lock(w->mu);
      if (!w->inFlight || w->timeoutReported || now - w->writeStart < settings_.timeout) continue;
      w->timeoutReported = true;
      ++w->timeouts;
      spdlog::error("{} {}: output timeout, a write has taken more than output_timeout ({} ms); "
                    "{} alerts wait in its queue, events are still processed",
                    w->channel->kind(), w->channel->target(), settings_.timeout.count(),
                    w->queue.size());
    }
  }
}

uint64_t AlertOutputs::emitted() const { return emitted_.load(std::memory_order_relaxed); }

uint64_t AlertOutputs::notWritten() const {
  uint64_t n = 0;
  for (const auto& w : workers_) n += w->counters().notWritten();
  return n;
}

std::vector<ChannelLoss> AlertOutputs::notWrittenByChannel() const {
  std::vector<ChannelLoss> out;
  for (const auto& w : workers_) {
    const ChannelCounters c = w->counters();
    if (c.notWritten() > 0) {
      out.push_back({c.target, c.notWritten(), c.failed, c.dropped, c.abandoned});
    }
  }
  return out;
}

OutputsSnapshot AlertOutputs::snapshot() const {
  OutputsSnapshot s;
  s.emitted = emitted();
  s.queueCapacity = settings_.capacity;
  for (const auto& w : workers_) s.channels.push_back(w->counters());
  return s;
}

}  // namespace bulkhead
