#include "tests/plugins/common/open_params.h"

#include "tests/plugins/common/json_lite.h"

namespace bulkhead::test_plugins {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::map<std::string, std::string>> parseKeyValues(std::string_view text,
                                                                 std::string* error) {
  std::map<std::string, std::string> out;
  text = trim(text);
  if (text.empty()) return out;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t comma = text.find(',', pos);
    const std::string_view item = trim(
        text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      *error = "parameter '" + std::string(item) + "' is not key=value";
      return std::nullopt;
    }
    const std::string key(trim(item.substr(0, eq)));
    if (key.empty()) {
      *error = "parameter '" + std::string(item) + "' has an empty key";
      return std::nullopt;
    }
    if (!out.emplace(key, std::string(trim(item.substr(eq + 1)))).second) {
      *error = "parameter '" + key + "' given twice";
      return std::nullopt;
    }
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return out;
}

std::optional<uint64_t> getU64(const std::map<std::string, std::string>& kv, const std::string& key,
                               uint64_t fallback, uint64_t min, uint64_t max, std::string* error) {
  const auto it = kv.find(key);
  if (it == kv.end()) return fallback;
  const auto value = parseDecimalU64(it->second);
  if (!value || *value < min || *value > max) {
    *error = "parameter '" + key + "' must be an integer in [" + std::to_string(min) + ", " +
             std::to_string(max) + "], got '" + it->second + "'";
    return std::nullopt;
  }
  return value;
}

}  // namespace bulkhead::test_plugins
