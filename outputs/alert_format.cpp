#include "outputs/alert_format.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>

#include "engine/batch_values.h"
#include "outputs/json_text.h"

namespace bulkhead {

namespace {

// The alert's "time": UTC with a 'Z', unlike evt.time.iso8601's "+0000".
std::string alertTime(uint64_t ns) {
  std::string t = formatTimestamp(ns, TimeFormat::kIso8601);
  return t.substr(0, t.size() - 5) + "Z";
}

bool isNumber(ValueType t) {
  return t == ValueType::kInt64 || t == ValueType::kUint64 || t == ValueType::kRelTime ||
         t == ValueType::kAbsTime;
}

// One value as Falco's output_fields hold it: numbers and booleans bare,
// everything else a string.
void appendTyped(std::string& out, ValueType type, const std::string& text) {
  if (isNumber(type) || type == ValueType::kBool) {
    out += text;
  } else {
    appendJsonText(out, text);
  }
}

std::string fieldJson(const Alert::Field& field) {
  std::string out;
  if (!field.present) return "null";
  if (!field.isList) {
    appendTyped(out, field.type, field.value);
    return out;
  }
  out += '[';
  for (size_t i = 0; i < field.items.size(); ++i) {
    if (i) out += ',';
    appendTyped(out, field.type, field.items[i]);
  }
  out += ']';
  return out;
}

void appendKey(std::string& out, std::string_view key) {
  if (out.size() > 1) out += ',';
  appendJsonText(out, key);
  out += ':';
}

}  // namespace

std::string formatAlertPrefix(const Alert& a, const AlertFormat& f) {
  const TimeFormat tf = f.timeIso8601 ? TimeFormat::kIso8601 : TimeFormat::kTime;
  return formatTimestamp(a.timeNs, tf) + ": " + std::string(priorityName(a.priority));
}

std::string formatAlertText(const Alert& a, const AlertFormat& f) {
  return formatAlertPrefix(a, f) + " " + a.output;
}

std::string formatAlertJson(const Alert& a, const AlertFormat& f) {
  std::string out = "{";
  appendKey(out, "hostname");
  appendJsonText(out, f.hostname);
  if (f.includeMessage) {
    appendKey(out, "message");
    appendJsonText(out, a.output);
  }
  if (f.includeOutput) {
    appendKey(out, "output");
    appendJsonText(out, formatAlertText(a, f));
  }
  if (f.includeOutputFields) {
    // Sorted and unique by name, as Falco's JSON objects are; the prefix's
    // time field is added last and wins over the output's own.
    std::map<std::string, std::string> fields;
    for (const Alert::Field& field : a.fields) {
      // libsinsp leaves transformed fields out (the plain field they wrap
      // is there).
      if (field.transformed) continue;
      // evt.time is the one field Falco writes as the raw timestamp.
      const bool rawTime = field.name == "evt.time" && field.present;
      fields[field.name] = rawTime ? std::to_string(a.timeNs) : fieldJson(field);
    }
    if (f.timeIso8601) {
      std::string iso;
      appendJsonText(iso, formatTimestamp(a.timeNs, TimeFormat::kIso8601));
      fields["evt.time.iso8601"] = iso;
    } else {
      fields["evt.time"] = std::to_string(a.timeNs);
    }
    appendKey(out, "output_fields");
    std::string obj = "{";
    for (const auto& [name, value] : fields) {
      appendKey(obj, name);
      obj += value;
    }
    out += obj + '}';
  }
  appendKey(out, "priority");
  appendJsonText(out, priorityName(a.priority));
  appendKey(out, "rule");
  appendJsonText(out, a.rule);
  appendKey(out, "source");
  appendJsonText(out, a.source);
  if (f.includeTags) {
    std::vector<std::string> tags = a.tags;
    std::sort(tags.begin(), tags.end());
    tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
    appendKey(out, "tags");
    std::string arr = "[";
    for (const std::string& t : tags) {
      if (arr.size() > 1) arr += ',';
      appendJsonText(arr, t);
    }
    out += arr + ']';
  }
  appendKey(out, "time");
  appendJsonText(out, alertTime(a.timeNs));
  return out + '}';
}

std::string formatAlert(const Alert& a, const AlertFormat& f) {
  return f.json ? formatAlertJson(a, f) : formatAlertText(a, f);
}

}  // namespace bulkhead
