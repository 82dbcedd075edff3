// Falco's http_output: one POST per alert, the alert line as the body, with
// libcurl. The body is what the other channels write: the JSON alert with
// json_output (what falcosidekick reads), sent as application/json; the
// text line otherwise, sent as text/plain, as Falco does.
//
// Keys (HttpOutputConfig): url, user_agent, insecure (no peer or host
// check), ca_cert, else ca_bundle (a CA file), else ca_path (a CA folder),
// mtls with client_cert and client_key, echo (the server's answers on
// stdout, made visible as plugin text is: visible_text.h),
// compress_uploads (as in Falco, asks libcurl for a compressed transfer
// encoding; the body goes as is), keep_alive (one connection held
// and reused, with TCP keep-alive; without it each alert opens its own),
// max_consecutive_timeouts (a request that timed out is sent again up to
// this many times).
//
// Unlike Falco, a request also times out after output_timeout, and an
// answer other than 2xx counts as not written: the count at exit is what
// the receiver did not accept.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>

#include "config/config.h"
#include "outputs/alert_channel.h"

namespace bulkhead {

class HttpChannel final : public AlertChannel {
 public:
  // Throws std::runtime_error when libcurl cannot be set up.
  HttpChannel(HttpOutputConfig config, bool jsonOutput, std::chrono::milliseconds timeout);
  ~HttpChannel() override;
  HttpChannel(const HttpChannel&) = delete;
  HttpChannel& operator=(const HttpChannel&) = delete;

  WriteResult write(const std::string& line, const Alert& alert) override;
  void cancel() override { cancelled_.store(true); }
  std::string_view kind() const override { return "http_output"; }
  // The URL without any user:password.
  const std::string& target() const override { return target_; }

 private:
  void* newHandle();  // CURL*, set up for every request

  const HttpOutputConfig config_;
  const std::chrono::milliseconds timeout_;
  std::string target_;
  void* headers_ = nullptr;  // curl_slist*
  void* held_ = nullptr;     // CURL*, kept with keep_alive
  std::atomic<bool> cancelled_{false};
};

// `url` with any "user:password@" removed, for logs.
std::string urlForLog(std::string_view url);

}  // namespace bulkhead
