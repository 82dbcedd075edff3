#include "proxy/falco_log.h"

#include <atomic>
#include <string>

#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>

namespace bulkhead {

namespace {

ss_plugin_log_severity severityOf(spdlog::level::level_enum l) {
  switch (l) {
    case spdlog::level::trace:
      return SS_PLUGIN_LOG_SEV_TRACE;
    case spdlog::level::debug:
      return SS_PLUGIN_LOG_SEV_DEBUG;
    case spdlog::level::info:
      return SS_PLUGIN_LOG_SEV_INFO;
    case spdlog::level::warn:
      return SS_PLUGIN_LOG_SEV_WARNING;
    case spdlog::level::err:
      return SS_PLUGIN_LOG_SEV_ERROR;
    default:
      return SS_PLUGIN_LOG_SEV_CRITICAL;
  }
}

thread_local bool tInHostLog = false;

}  // namespace

// A sink of its own rather than spdlog's base_sink, which holds its lock
// while writing: the host's log_fn may log through spdlog, and so come
// back here, on the same thread.
class FalcoLogSink final : public spdlog::sinks::sink {
 public:
  FalcoLogSink(ss_plugin_owner_t* owner, ss_plugin_log_fn_t fn,
               std::shared_ptr<spdlog::logger> previous)
      : owner_(owner), fn_(fn), previous_(std::move(previous)) {}

  // After the instance ends, lines go to the logger it replaced.
  void detach() { fn_.store(nullptr); }

  void log(const spdlog::details::log_msg& msg) override {
    const std::string text(msg.payload.data(), msg.payload.size());
    ss_plugin_log_fn_t fn = fn_.load();
    if (fn == nullptr || tInHostLog) {
      if (previous_) previous_->log(msg.level, "{}", text);
      return;
    }
    tInHostLog = true;
    fn(owner_, "bulkhead", text.c_str(), severityOf(msg.level));
    tInHostLog = false;
  }
  void flush() override {}
  // The host formats its own lines.
  void set_pattern(const std::string&) override {}
  void set_formatter(std::unique_ptr<spdlog::formatter>) override {}

 private:
  ss_plugin_owner_t* owner_;
  std::atomic<ss_plugin_log_fn_t> fn_;
  std::shared_ptr<spdlog::logger> previous_;
};

FalcoLog::FalcoLog(ss_plugin_owner_t* owner, ss_plugin_log_fn_t logFn) {
  if (logFn == nullptr) return;
  previous_ = spdlog::default_logger();
  sink_ = std::make_shared<FalcoLogSink>(owner, logFn, previous_);
  logger_ = std::make_shared<spdlog::logger>("bulkhead-proxy", sink_);
  // The host's logger filters further by its own level.
  logger_->set_level(spdlog::level::info);
  spdlog::set_default_logger(logger_);
}

FalcoLog::~FalcoLog() {
  if (!sink_) return;
  sink_->detach();
  if (spdlog::default_logger() == logger_) spdlog::set_default_logger(previous_);
}

}  // namespace bulkhead
