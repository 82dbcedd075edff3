#include "supervisor/logging_setup.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <syslog.h>

#include <atomic>
#include <memory>
#include <vector>

namespace bulkhead {

namespace {

std::atomic<bool> gToStderr{true};

spdlog::level::level_enum spdlogLevel(LogLevel level) {
  switch (level) {
    case LogLevel::kEmergency:
    case LogLevel::kAlert:
    case LogLevel::kCritical:
      return spdlog::level::critical;
    case LogLevel::kError:
      return spdlog::level::err;
    case LogLevel::kWarning:
    case LogLevel::kNotice:
      return spdlog::level::warn;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kDebug:
      return spdlog::level::debug;
  }
  return spdlog::level::info;
}

}  // namespace

void configureLogging(const LoggingConfig& logging) {
  std::vector<spdlog::sink_ptr> sinks;
  if (logging.toStderr) sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  if (logging.toSyslog) {
    sinks.push_back(
        std::make_shared<spdlog::sinks::syslog_sink_mt>("bulkhead", 0, LOG_USER, false));
  }
  auto logger = std::make_shared<spdlog::logger>("bulkhead", sinks.begin(), sinks.end());
  logger->set_level(spdlogLevel(logging.level));
  spdlog::set_default_logger(logger);
  gToStderr.store(logging.toStderr);
}

bool logsToStderr() { return gToStderr.load(); }

}  // namespace bulkhead
