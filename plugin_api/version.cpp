#include "plugin_api/version.h"

#include <charconv>

#include "plugin_api/plugin_api.h"

namespace bulkhead {

namespace {

// Reads one unsigned decimal number the way %u does after optional spaces;
// returns the rest of the text after it.
std::optional<std::string_view> readNumber(std::string_view text, uint32_t& out) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc()) return std::nullopt;
  return text.substr(static_cast<size_t>(end - text.data()));
}

}  // namespace

std::optional<SemVer> SemVer::parse(std::string_view text) {
  SemVer v;
  auto rest = readNumber(text, v.major);
  if (!rest || rest->empty() || rest->front() != '.') return std::nullopt;
  rest = readNumber(rest->substr(1), v.minor);
  if (!rest || rest->empty() || rest->front() != '.') return std::nullopt;
  rest = readNumber(rest->substr(1), v.patch);
  if (!rest) return std::nullopt;
  return v;
}

std::optional<SemVer> SemVer::parseStrict(std::string_view text) {
  SemVer v;
  uint32_t* parts[] = {&v.major, &v.minor, &v.patch};
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int i = 0; i < 3; ++i) {
    if (p == end || *p < '0' || *p > '9') return std::nullopt;
    auto [next, ec] = std::from_chars(p, end, *parts[i]);
    if (ec != std::errc()) return std::nullopt;
    p = next;
    if (i < 2) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
  }
  if (p != end) return std::nullopt;
  return v;
}

std::string SemVer::str() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

bool isCompatible(const SemVer& provided, const SemVer& required) {
  if (provided.major != required.major) return false;
  if (provided.minor != required.minor) return provided.minor > required.minor;
  return provided.patch >= required.patch;
}

SemVer frameworkApiVersion() {
  return {PLUGIN_API_VERSION_MAJOR, PLUGIN_API_VERSION_MINOR, PLUGIN_API_VERSION_PATCH};
}

}  // namespace bulkhead
