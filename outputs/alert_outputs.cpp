#include "outputs/alert_outputs.h"

#include <spdlog/spdlog.h>

namespace bulkhead {

AlertOutputs::AlertOutputs(AlertFormat format, std::vector<std::unique_ptr<AlertChannel>> channels)
    : format_(std::move(format)) {
  for (auto& c : channels) slots_.push_back({std::move(c)});
}

void AlertOutputs::emit(const Alert& alert) {
  // Formatted before the lock: the JSON object is the costly part, and it
  // needs nothing shared.
  const std::string line = formatAlert(alert, format_);
  std::lock_guard lock(mu_);
  ++emitted_;
  for (Slot& s : slots_) record(s, s.channel->write(line, alert), alert);
}

void AlertOutputs::record(Slot& slot, const WriteResult& result, const Alert& alert) {
  const AlertChannel& c = *slot.channel;
  if (result.written) {
    if (slot.failing) spdlog::info("{} {} is writable again", c.kind(), c.target());
    slot.failing = false;
    return;
  }
  ++slot.notWritten;
  if (!slot.failing) {
    spdlog::error("cannot write {} {}: {}; rule '{}' alert not written (counted)", c.kind(),
                  c.target(), result.reason, alert.rule);
  }
  slot.failing = true;
}

uint64_t AlertOutputs::emitted() const {
  std::lock_guard lock(mu_);
  return emitted_;
}

uint64_t AlertOutputs::notWritten() const {
  std::lock_guard lock(mu_);
  uint64_t n = 0;
  for (const Slot& s : slots_) n += s.notWritten;
  return n;
}

std::vector<ChannelLoss> AlertOutputs::notWrittenByChannel() const {
  std::lock_guard lock(mu_);
  std::vector<ChannelLoss> out;
  for (const Slot& s : slots_) {
    if (s.notWritten > 0) out.push_back({s.channel->target(), s.notWritten});
  }
  return out;
}

}  // namespace bulkhead
