#include "alert_output.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <system_error>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

namespace bulkhead {

namespace {

std::string isoTime(uint64_t ns) {
  std::time_t secs = static_cast<std::time_t>(ns / 1000000000ull);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lluZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<unsigned long long>(ns % 1000000000ull));
  return buf;
}

}  // namespace

std::string formatAlertText(const Alert& a) {
  return isoTime(a.timeNs) + ": " + std::string(priorityName(a.priority)) + " " + a.output;
}

std::string formatAlertJson(const Alert& a, const AlertOutputOptions& o) {
  boost::json::object j;
  j["hostname"] = o.hostname;
  if (o.includeOutput) j["output"] = a.output;
  boost::json::object fields;
  for (const Alert::Field& f : a.fields) {
    if (f.present) {
      fields[f.name] = f.value;
    } else {
      fields[f.name] = nullptr;
    }
  }
  j["output_fields"] = std::move(fields);
  j["priority"] = std::string(priorityName(a.priority));
  j["rule"] = a.rule;
  j["source"] = a.source;
  if (o.includeTags) {
    boost::json::array tags;
    for (const std::string& t : a.tags) tags.emplace_back(t);
    j["tags"] = std::move(tags);
  }
  j["time"] = isoTime(a.timeNs);
  return boost::json::serialize(j);
}

AlertOutput::AlertOutput(AlertOutputOptions options) : options_(std::move(options)) {
  if (!options_.file.empty()) {
    // Opened once up front even without keep_alive, so a bad path fails at
    // start-up instead of at the first alert.
    file_ = std::fopen(options_.file.c_str(), "a");
    if (file_ == nullptr) {
      throw std::system_error(errno, std::generic_category(),
                              "cannot open alert file " + options_.file);
    }
    if (!options_.keepAlive) {
      std::fclose(file_);
      file_ = nullptr;
    }
  }
}

AlertOutput::~AlertOutput() {
  if (file_ != nullptr) std::fclose(file_);
}

bool AlertOutput::writeFile(const std::string& line) {
  std::FILE* f = file_ != nullptr ? file_ : std::fopen(options_.file.c_str(), "a");
  if (f == nullptr) return false;
  bool ok = std::fwrite(line.data(), 1, line.size(), f) == line.size() &&
            std::fputc('\n', f) != EOF;
  if (f != file_) {
    ok = std::fclose(f) == 0 && ok;
  } else {
    ok = std::fflush(f) == 0 && ok;
    // A failed stream stays failed; clear it so a later write may succeed
    // (a full disk that frees up).
    std::clearerr(f);
  }
  return ok;
}

void AlertOutput::emit(const Alert& alert) {
  std::string line = options_.json ? formatAlertJson(alert, options_) : formatAlertText(alert);
  std::lock_guard lock(mu_);
  ++emitted_;
  if (options_.toStdout) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
  }
  if (options_.file.empty()) return;
  const int savedErrno = errno;
  errno = 0;
  if (writeFile(line)) {
    if (failing_) spdlog::info("alert file {} is writable again", options_.file);
    failing_ = false;
    errno = savedErrno;
    return;
  }
  ++notWritten_;
  if (!failing_) {
    spdlog::error("cannot write alert file {}: {}; rule '{}' alert not written (counted)",
                  options_.file, errno != 0 ? std::strerror(errno) : "write failed", alert.rule);
  }
  failing_ = true;
  errno = savedErrno;
}

uint64_t AlertOutput::emitted() const {
  std::lock_guard lock(mu_);
  return emitted_;
}

uint64_t AlertOutput::notWritten() const {
  std::lock_guard lock(mu_);
  return notWritten_;
}

}  // namespace bulkhead
