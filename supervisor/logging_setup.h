// The supervisor's log, as falco.yaml's log_level, log_stderr and
// log_syslog set it (config/logging_reader.h).
//
// Falco's eight levels map onto spdlog's six: emergency, alert and
// critical are spdlog's critical; error, warning, info and debug their
// namesakes; notice is warn, since bulkhead logs nothing at notice and a
// notice threshold must hide info. Syslog gets the messages through
// spdlog's syslog sink (ident "bulkhead", facility user), with spdlog's
// level-to-priority mapping.
#pragma once

#include "config/logging_reader.h"

namespace bulkhead {

// Replaces the default logger's sinks and level. Before it runs (while the
// command line and falco.yaml are read) the log goes to stderr at info.
void configureLogging(const LoggingConfig& logging);

// Whether log messages reach stderr: when they do not, a fatal error is
// also written there, as Falco does, so that a failed start is never
// silent.
bool logsToStderr();

}  // namespace bulkhead
