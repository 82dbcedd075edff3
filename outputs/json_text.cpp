#include "outputs/json_text.h"

#include <cstdint>
#include <cstdio>

namespace bulkhead {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Bytes at the start of `s` that form one UTF-8 sequence (`valid`), or
// the longest prefix of one that the next byte breaks (at least 1): the
// bytes one U+FFFD replaces. Overlong forms, surrogates and code points
// past U+10FFFF are invalid.
size_t scanSequence(std::string_view s, bool& valid) {
  const auto b0 = static_cast<uint8_t>(s[0]);
  valid = true;
  if (b0 < 0x80) return 1;
  size_t n;
  uint8_t lo = 0x80, hi = 0xBF;  // range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    valid = false;
    return 1;
  }
  for (size_t i = 1; i < n; ++i) {
    const bool inRange = i < s.size() && static_cast<uint8_t>(s[i]) >= (i == 1 ? lo : 0x80) &&
                         static_cast<uint8_t>(s[i]) <= (i == 1 ? hi : 0xBF);
    if (!inRange) {
      valid = false;
      return i;
    }
  }
  return n;
}

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
    const size_t n = scanSequence(s.substr(i), valid);
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
