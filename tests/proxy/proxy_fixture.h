// Proxy copies for the tests: `bulkhead wrap` run in-process on a test
// plugin, once per plugin for the whole test binary, into a scratch folder
// removed at exit.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

namespace bulkhead::testing {

// The proxy copy bound to `plugin` (a path), wrapped with `settings` (a
// YAML map of isolation keys; "" for the defaults).
std::string wrappedPlugin(const std::string& plugin, const std::string& settings = "");

// A fresh folder under the scratch folder, for a test's own copies.
std::string scratchDir(const std::string& name);

// What the log says while a test runs, whichever logger writes it.
class LogCapture {
 public:
  LogCapture() {
    previous_ = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>("capture", std::make_shared<Sink>(this));
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() {
    const std::lock_guard<std::mutex> lock(mu_);
    return text_;
  }

 private:
  class Sink : public spdlog::sinks::base_sink<std::mutex> {
   public:
    explicit Sink(LogCapture* c) : c_(c) {}

   protected:
    void sink_it_(const spdlog::details::log_msg& m) override {
      const std::lock_guard<std::mutex> lock(c_->mu_);
      c_->text_.append(m.payload.data(), m.payload.size()).push_back('\n');
    }
    void flush_() override {}

   private:
    LogCapture* c_;
  };
  std::shared_ptr<spdlog::logger> previous_;
  std::mutex mu_;
  std::string text_;
};

}  // namespace bulkhead::testing
