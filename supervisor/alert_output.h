// Where alerts go: stdout and/or a file, as Falco's text line or as its
// JSON alert object. Thread-safe: source threads emit concurrently.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "engine/event_loop.h"

namespace bulkhead {

struct AlertOutputOptions {
  bool json = false;
  bool includeOutput = true;  // json_include_output_property
  bool includeTags = true;    // json_include_tags_property
  bool toStdout = true;
  std::string file;           // empty: no file output
  bool keepAlive = false;     // keep the file open between alerts
  std::string hostname;
};

// Falco's text line: "<time>: <Priority> <output>".
std::string formatAlertText(const Alert& a);
// Falco's JSON alert: time, rule, priority, source, output, output_fields,
// tags, hostname (one line, no trailing newline).
std::string formatAlertJson(const Alert& a, const AlertOutputOptions& o);

class AlertOutput final : public AlertSink {
 public:
  // Throws std::system_error when the file cannot be opened.
  explicit AlertOutput(AlertOutputOptions options);
  ~AlertOutput() override;
  void emit(const Alert& alert) override;
  uint64_t emitted() const;
  // Alerts that could not be written to the file (open, write or flush
  // failed): each failure streak is logged, and the total is reported.
  uint64_t notWritten() const;

 private:
  bool writeFile(const std::string& line);

  AlertOutputOptions options_;
  mutable std::mutex mu_;
  std::FILE* file_ = nullptr;  // open while keepAlive
  uint64_t emitted_ = 0;
  uint64_t notWritten_ = 0;
  bool failing_ = false;  // the last file write failed (logged once per streak)
};

}  // namespace bulkhead
