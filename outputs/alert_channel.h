// One destination for alerts, like each of Falco's *_output sections
// (stdout_output, file_output, http_output, program_output,
// syslog_output). A channel only writes: the queueing, the formatting, the
// counting and the logging of failures are AlertOutputs'
// (alert_outputs.h), the same for every channel.
#pragma once

#include <string>
#include <string_view>

#include "engine/event_loop.h"

namespace bulkhead {

// What became of one alert on one channel.
struct WriteResult {
  bool written = true;
  std::string reason;  // when not written: why, for the log ("No space left on device")
};

class AlertChannel {
 public:
  virtual ~AlertChannel() = default;

  // Writes one alert. `line` is the formatted alert (alert_format.h), with
  // no trailing newline; `alert` is there for channels that need more than
  // the line (a syslog level from the priority, say). Called from the
  // channel's own worker thread (AlertOutputs), one alert at a time, so a
  // channel needs no lock of its own for its writes. A failed write is
  // reported here, not thrown: it is counted and the other channels still
  // get the alert. A write may block (a slow receiver); it must end soon
  // after cancel().
  [[nodiscard]] virtual WriteResult write(const std::string& line, const Alert& alert) = 0;

  // Called by the worker when its queue has run empty: write out anything
  // buffered (buffered_outputs).
  virtual void idle() {}

  // Closes and opens again what the channel holds open (the file after
  // logrotate renamed it), between two writes, on the worker thread.
  virtual WriteResult reopen() { return {}; }

  // From another thread: make a write in progress, and every later one,
  // give up soon. Used when the queue is abandoned at exit.
  virtual void cancel() {}

  // For the log: the kind of channel ("alert file") and where it writes
  // ("/var/log/falco.txt"); the summary at exit names the target alone.
  virtual std::string_view kind() const = 0;
  virtual const std::string& target() const = 0;
};

}  // namespace bulkhead
