#include "outputs/http_channel.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <stdexcept>

#include "plugin_api/visible_text.h"

namespace bulkhead {

namespace {

// Most of an answer echo shows; a receiver could send any amount.
constexpr std::size_t kEchoBytes = std::size_t{64} * 1024;

std::size_t discardAnswer(char* /*data*/, std::size_t size, std::size_t count, void* /*user*/) {
  return size * count;
}

std::size_t keepAnswer(char* data, std::size_t size, std::size_t count, void* user) {
  auto* answer = static_cast<std::string*>(user);
  const std::size_t n = size * count;
  answer->append(data, std::min(n, kEchoBytes - std::min(kEchoBytes, answer->size())));
  return n;
}

int checkCancelled(void* user, curl_off_t /*dltotal*/, curl_off_t /*dlnow*/,
                   curl_off_t /*ultotal*/, curl_off_t /*ulnow*/) {
  return static_cast<std::atomic<bool>*>(user)->load() ? 1 : 0;
}

CURL* handleOf(void* p) { return static_cast<CURL*>(p); }

}  // namespace

std::string urlForLog(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const std::size_t hostStart = scheme + 3;
  const std::size_t hostEnd = url.find_first_of("/?#", hostStart);
  const std::string_view authority = url.substr(hostStart, hostEnd - hostStart);
  const std::size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, hostStart));
  out += authority.substr(at + 1);
  if (hostEnd != std::string_view::npos) out += url.substr(hostEnd);
  return out;
}

HttpChannel::HttpChannel(HttpOutputConfig config, bool jsonOutput,
                         std::chrono::milliseconds timeout)
    : config_(std::move(config)), timeout_(timeout), target_(urlForLog(config_.url)) {
  static std::once_flag global;
  std::call_once(global, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  auto* headers = curl_slist_append(nullptr, jsonOutput ? "Content-Type: application/json"
                                                        : "Content-Type: text/plain");
  // No "Expect: 100-continue" for larger alerts: a receiver that does not
  // answer it would cost each such alert a second of waiting.
  if (headers != nullptr) headers = curl_slist_append(headers, "Expect:");
  headers_ = headers;
  if (headers_ == nullptr) throw std::runtime_error("http_output: cannot set up libcurl headers");
  // Set up once now, so that an option libcurl refuses fails at start-up.
  void* h = newHandle();
  if (config_.keepAlive) {
    held_ = h;
  } else {
    curl_easy_cleanup(handleOf(h));
  }
}

HttpChannel::~HttpChannel() {
  if (held_ != nullptr) curl_easy_cleanup(handleOf(held_));
  curl_slist_free_all(static_cast<curl_slist*>(headers_));
}

void* HttpChannel::newHandle() {
  CURL* h = curl_easy_init();
  if (h == nullptr) throw std::runtime_error("http_output: libcurl cannot make a handle");
  CURLcode res = CURLE_OK;
  auto set = [&](CURLoption option, auto value) {
    if (res == CURLE_OK) res = curl_easy_setopt(h, option, value);
  };
  set(CURLOPT_URL, config_.url.c_str());
  set(CURLOPT_USERAGENT, config_.userAgent.c_str());
  set(CURLOPT_HTTPHEADER, static_cast<curl_slist*>(headers_));
  set(CURLOPT_NOSIGNAL, 1L);  // several threads; timeouts without SIGALRM
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
  set(CURLOPT_NOPROGRESS, 0L);
  set(CURLOPT_XFERINFOFUNCTION, &checkCancelled);
  set(CURLOPT_XFERINFODATA, static_cast<void*>(&cancelled_));
  if (config_.insecure) {
    set(CURLOPT_SSL_VERIFYPEER, 0L);
    set(CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (config_.mtls) {
    set(CURLOPT_SSLCERT, config_.clientCert.c_str());
    set(CURLOPT_SSLKEY, config_.clientKey.c_str());
  }
  if (!config_.caCert.empty()) {
    set(CURLOPT_CAINFO, config_.caCert.c_str());
  } else if (!config_.caBundle.empty()) {
    set(CURLOPT_CAINFO, config_.caBundle.c_str());
  } else if (!config_.caPath.empty()) {
    set(CURLOPT_CAPATH, config_.caPath.c_str());
  }
  // echo: the answer is kept and shown on stdout after the request.
  set(CURLOPT_WRITEFUNCTION, config_.echo ? &keepAnswer : &discardAnswer);
  if (config_.compressUploads) set(CURLOPT_TRANSFER_ENCODING, 1L);
  if (config_.keepAlive) {
    set(CURLOPT_TCP_KEEPALIVE, 1L);
  } else {
    set(CURLOPT_FORBID_REUSE, 1L);
  }
  if (res != CURLE_OK && res != CURLE_NOT_BUILT_IN) {
    curl_easy_cleanup(h);
    throw std::runtime_error("http_output: libcurl refused an option: " +
                             std::string(curl_easy_strerror(res)));
  }
  return h;
}

WriteResult HttpChannel::write(const std::string& line, const Alert& /*alert*/) {
  if (cancelled_.load()) return {false, "cancelled at exit"};
  CURL* h = handleOf(held_ != nullptr ? held_ : newHandle());
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(line.size()));
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, line.c_str());
  std::string answer;
  curl_easy_setopt(h, CURLOPT_WRITEDATA, static_cast<void*>(&answer));
  CURLcode res = CURLE_OK;
  uint32_t attempts = 0;
  do {
    error[0] = '\0';
    res = curl_easy_perform(h);
    ++attempts;
  } while (res == CURLE_OPERATION_TIMEDOUT && attempts <= config_.maxConsecutiveTimeouts &&
           !cancelled_.load());
  long status = 0;
  if (res == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, nullptr);
  if (h != held_) curl_easy_cleanup(h);
  if (config_.echo && !answer.empty()) {
    // The receiver's text, made safe to show.
    const std::string shown = visibleText(answer, {.keepTab = true, .maxBytes = kEchoBytes}) + "\n";
    std::fwrite(shown.data(), 1, shown.size(), stdout);
    std::fflush(stdout);
  }

  if (res != CURLE_OK) {
    std::string reason = curl_easy_strerror(res);
    if (error[0] != '\0') reason += std::string(": ") + error;
    return {false, reason};
  }
  if (status < 200 || status >= 300) return {false, "HTTP status " + std::to_string(status)};
  return {};
}

}  // namespace bulkhead
