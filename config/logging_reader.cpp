#include "config/logging_reader.h"

#include <array>
#include <string>

namespace bulkhead {

namespace {

constexpr std::array<const char*, 8> kLevelNames = {"emergency", "alert",  "critical", "error",
                                                    "warning",   "notice", "info",     "debug"};

}  // namespace

const char* logLevelName(LogLevel level) { return kLevelNames.at(static_cast<size_t>(level)); }

LoggingConfig readLogging(YamlNodeReader& reader, const YAML::Node& root) {
  LoggingConfig out;
  if (auto e = reader.find(root, "", "log_level")) {
    const std::string text = reader.string(e->value, "log_level");
    size_t i = 0;
    while (i < kLevelNames.size() && text != kLevelNames.at(i)) ++i;
    if (i == kLevelNames.size()) {
      reader.fail(e->value, "log_level",
                  "'" + text +
                      "' is not a log level; use one of emergency, alert, critical, error, "
                      "warning, notice, info, debug");
    }
    out.level = static_cast<LogLevel>(i);
  }
  if (auto e = reader.find(root, "", "log_stderr")) {
    out.toStderr = reader.boolean(e->value, "log_stderr");
  }
  if (auto e = reader.find(root, "", "log_syslog")) {
    out.toSyslog = reader.boolean(e->value, "log_syslog");
  }
  return out;
}

}  // namespace bulkhead
