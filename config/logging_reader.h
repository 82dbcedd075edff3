// Reads falco.yaml's logging keys: log_level (Falco's eight levels,
// emergency .. debug; messages less severe are not logged), log_stderr and
// log_syslog (where log messages go). Alerts are not log messages: they go
// to the outputs whatever these say.
//
// Defaults are those of Falco's shipped falco.yaml (info, stderr and
// syslog on) except log_syslog, off unless set: bulkhead is mostly run by
// hand and from tests, where a system log filling up is a surprise. (Falco
// compiled without the keys uses stderr off, syslog on.)
#pragma once

#include <yaml-cpp/yaml.h>

#include "config/yaml_node_reader.h"

namespace bulkhead {

// In Falco's order, most severe first (the syslog(3) priorities).
enum class LogLevel { kEmergency, kAlert, kCritical, kError, kWarning, kNotice, kInfo, kDebug };

struct LoggingConfig {
  LogLevel level = LogLevel::kInfo;
  bool toStderr = true;
  bool toSyslog = false;
};

const char* logLevelName(LogLevel level);

// Throws ConfigError naming file:line:column for a level Falco does not
// know or a value that is not a bool.
LoggingConfig readLogging(YamlNodeReader& reader, const YAML::Node& root);

}  // namespace bulkhead
