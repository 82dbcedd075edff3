// Where alerts go: every configured channel (alert_channel.h), in order,
// each alert formatted once (alert_format.h). Thread-safe: source threads
// emit concurrently, and one lock keeps each alert's line whole and the
// channels single-threaded.
//
// Failures are counted per channel, never dropped silently: the first
// failure of a streak is logged with its reason, the recovery is logged,
// and the totals are read at exit (notWrittenByChannel()).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/event_loop.h"
#include "outputs/alert_channel.h"
#include "outputs/alert_format.h"

namespace bulkhead {

struct ChannelLoss {
  std::string target;  // AlertChannel::target()
  uint64_t notWritten = 0;
};

class AlertOutputs final : public AlertSink {
 public:
  AlertOutputs(AlertFormat format, std::vector<std::unique_ptr<AlertChannel>> channels);

  void emit(const Alert& alert) override;

  // Alerts emitted, whether or not any channel wrote them.
  uint64_t emitted() const;
  // Alerts a channel could not write, summed over the channels.
  uint64_t notWritten() const;
  // The channels that could not write some alerts, in channel order.
  std::vector<ChannelLoss> notWrittenByChannel() const;

 private:
  struct Slot {
    std::unique_ptr<AlertChannel> channel;
    uint64_t notWritten = 0;
    bool failing = false;  // the last write failed (logged once per streak)
  };
  void record(Slot& slot, const WriteResult& result, const Alert& alert);

  const AlertFormat format_;
  mutable std::mutex mu_;
  std::vector<Slot> slots_;
  uint64_t emitted_ = 0;
};

}  // namespace bulkhead
