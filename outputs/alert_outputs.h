// Where alerts go: every configured channel (alert_channel.h), each alert
// formatted once (alert_format.h) and handed to each channel through its
// own bounded queue and worker thread, as Falco hands alerts to its output
// worker (outputs_queue). emit() never waits for a channel: a slow or dead
// receiver fills its own queue, and then its alerts are dropped and
// counted while event processing and the other channels go on.
//
// Differences from Falco, for safety: one queue and worker per channel
// instead of one for all, so a stuck http_output does not stall the alert
// file; and the queue is always bounded (outputs_queue.capacity 0, Falco's
// "unbounded", means kDefaultOutputsQueueCapacity alerts per channel).
//
// Nothing is lost silently. Per channel it counts alerts written, not
// written by the channel (the first failure of a streak is logged with its
// reason, and the recovery), dropped because the queue was full (the first
// drop of a streak is logged, and a summary when the queue has room again)
// and abandoned in the queue at exit. A write that takes longer than
// output_timeout is logged as an output timeout (Falco's watchdog) and
// counted; it is not interrupted. At exit drain() gives each channel
// output_timeout to write what is queued, then cancels it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/event_loop.h"
#include "outputs/alert_channel.h"
#include "outputs/alert_format.h"

namespace bulkhead {

struct OutputQueueSettings {
  uint64_t capacity = 10000;               // outputs_queue.capacity, alerts per channel (>= 1)
  std::chrono::milliseconds timeout{2000};  // output_timeout
};

struct ChannelLoss {
  std::string target;  // AlertChannel::target()
  uint64_t notWritten = 0;  // failed + dropped + abandoned
  uint64_t failed = 0;
  uint64_t dropped = 0;
  uint64_t abandoned = 0;
};

// One channel's counters, as a metrics endpoint reads them.
struct ChannelCounters {
  std::string kind;    // AlertChannel::kind()
  std::string target;  // AlertChannel::target()
  uint64_t queued = 0;     // waiting in the queue now
  uint64_t written = 0;    // written by the channel
  uint64_t failed = 0;     // the channel could not write them
  uint64_t dropped = 0;    // the queue was full
  uint64_t abandoned = 0;  // still queued when drain() gave up, or emitted after it
  uint64_t timeouts = 0;   // writes that took longer than output_timeout
  uint64_t notWritten() const { return failed + dropped + abandoned; }
};

struct OutputsSnapshot {
  uint64_t emitted = 0;
  uint64_t queueCapacity = 0;
  std::vector<ChannelCounters> channels;  // in channel order
};

class AlertOutputs final : public AlertSink {
 public:
  AlertOutputs(AlertFormat format, std::vector<std::unique_ptr<AlertChannel>> channels,
               OutputQueueSettings settings = {});
  ~AlertOutputs() override;  // drain()
  AlertOutputs(const AlertOutputs&) = delete;
  AlertOutputs& operator=(const AlertOutputs&) = delete;

  // Formats the alert and queues it for every channel; never blocks on a
  // channel. Thread-safe.
  void emit(const Alert& alert) override;

  // Every channel reopens what it holds open (reopen()) after the alerts
  // already queued and before the later ones: for SIGUSR1 after logrotate.
  // Never dropped for a full queue.
  void reopen();

  // Waits until every queue is empty and no write is in progress, or
  // `limit` has passed; true when it is idle.
  bool waitIdle(std::chrono::milliseconds limit) const;

  // Stops: each channel gets output_timeout to write what is queued; what
  // remains is abandoned (counted) and the channel cancelled. Idempotent;
  // alerts emitted after it are counted as abandoned.
  void drain();

  // Alerts emitted, whether or not any channel wrote them.
  uint64_t emitted() const;
  // Alerts not written, summed over the channels (ChannelCounters::notWritten).
  uint64_t notWritten() const;
  // The channels that could not write some alerts, in channel order.
  std::vector<ChannelLoss> notWrittenByChannel() const;
  OutputsSnapshot snapshot() const;

 private:
  struct Worker;
  void watch();

  const AlertFormat format_;
  const OutputQueueSettings settings_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<uint64_t> emitted_{0};
  std::mutex drainMu_;
  bool drained_ = false;
  // The watchdog: reports writes that outlast output_timeout.
  std::mutex watchMu_;
  std::condition_variable watchWake_;
  bool watchStop_ = false;
  std::thread watchdog_;
};

}  // namespace bulkhead
