#include "outputs/json_text.h"

#include <cstdint>
#include <cstdio>

#include "plugin_api/visible_text.h"

namespace bulkhead {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

void appendJsonText(std::string& out, std::string_view s) {
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    switch (c) {
      case '"': out += "\\\""; ++i; continue;
      case '\\': out += "\\\\"; ++i; continue;
      case '\b': out += "\\b"; ++i; continue;
      case '\f': out += "\\f"; ++i; continue;
      case '\n': out += "\\n"; ++i; continue;
      case '\r': out += "\\r"; ++i; continue;
      case '\t': out += "\\t"; ++i; continue;
      default: break;
    }
    if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      ++i;
      continue;
    }
    bool valid = false;
    char32_t codePoint = 0;
    const size_t n = scanUtf8(s.substr(i), valid, codePoint);
    if (valid) {
      out.append(s.substr(i, n));
    } else {
      out += kReplacement;
    }
    i += n;
  }
  out.push_back('"');
}

}  // namespace bulkhead
