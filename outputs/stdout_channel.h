// Falco's stdout_output: one alert per line on standard output.
#pragma once

#include <string>
#include <string_view>

#include "outputs/alert_channel.h"

namespace bulkhead {

class StdoutChannel final : public AlertChannel {
 public:
  // Writes are not checked, so never counted as not written: stdout is a
  // console or a pipe (whose reader may go away; main() ignores SIGPIPE),
  // not where alerts are kept. file_output is.
  // buffered (buffered_outputs): flushed when the queue runs empty rather
  // than after every alert.
  explicit StdoutChannel(bool buffered = false) : buffered_(buffered) {}
  WriteResult write(const std::string& line, const Alert& alert) override;
  void idle() override;
  std::string_view kind() const override { return "stdout"; }
  const std::string& target() const override { return target_; }

 private:
  const std::string target_ = "stdout";
  bool buffered_;
};

}  // namespace bulkhead
