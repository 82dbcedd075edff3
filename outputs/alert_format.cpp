#include "outputs/alert_format.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <map>

#include "engine/batch_values.h"
#include "outputs/json_text.h"
#include "plugin_api/visible_text.h"

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

// One value as Falco's output_fields hold it: numbers (without the zero
// padding some evt.* texts have) and booleans bare, everything else a string.
void appendTyped(std::string& out, ValueType type, const std::string& text) {
  uint64_t u = 0;
  int64_t i = 0;
  const char* end = text.data() + text.size();
  if (type == ValueType::kBool && (text == "true" || text == "false")) {
    out += text;
  } else if (isNumber(type) && type != ValueType::kInt64 &&
             std::from_chars(text.data(), end, u).ptr == end && !text.empty()) {
    out += std::to_string(u);
  } else if (type == ValueType::kInt64 && std::from_chars(text.data(), end, i).ptr == end &&
             !text.empty()) {
    out += std::to_string(i);
  } else {
    appendJsonText(out, text);
  }
}

// The engine's time texts that Falco's JSON gives as the raw timestamp.
bool isTimestampText(const std::string& name) {
  return name == "evt.time" || name == "evt.time.s" || name == "evt.time.iso8601" ||
         name == "evt.datetime" || name == "evt.datetime.s";
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
      const bool rawTime = isTimestampText(field.name) && field.present;
      fields[field.name] = rawTime ? std::to_string(a.timeNs) : fieldJson(field);
    }
    fields[f.timeIso8601 ? "evt.time.iso8601" : "evt.time"] = std::to_string(a.timeNs);
    for (const Alert::Field& field : a.extraFields) fields[field.name] = fieldJson(field);
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
  if (f.json) return formatAlertJson(a, f);
  std::string line = formatAlertText(a, f);
  if (isVisibleAlready(line, /*keepTab=*/true)) return line;
  VisibleOptions o;
  o.keepTab = true;
  return visibleText(line, o);
}

}  // namespace bulkhead
