#include "outputs/alert_format.h"

#include <boost/json.hpp>
#include <cstdio>
#include <ctime>

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

std::string formatAlertJson(const Alert& a, const AlertFormat& f) {
  boost::json::object j;
  j["hostname"] = f.hostname;
  if (f.includeOutput) j["output"] = a.output;
  boost::json::object fields;
  for (const Alert::Field& field : a.fields) {
    if (field.present) {
      fields[field.name] = field.value;
    } else {
      fields[field.name] = nullptr;
    }
  }
  j["output_fields"] = std::move(fields);
  j["priority"] = std::string(priorityName(a.priority));
  j["rule"] = a.rule;
  j["source"] = a.source;
  if (f.includeTags) {
    boost::json::array tags;
    for (const std::string& t : a.tags) tags.emplace_back(t);
    j["tags"] = std::move(tags);
  }
  j["time"] = isoTime(a.timeNs);
  return boost::json::serialize(j);
}

std::string formatAlert(const Alert& a, const AlertFormat& f) {
  return f.json ? formatAlertJson(a, f) : formatAlertText(a);
}

}  // namespace bulkhead
