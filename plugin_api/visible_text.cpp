#include "plugin_api/visible_text.h"

#include <cstdint>
#include <cstdio>

namespace bulkhead {

size_t scanUtf8(std::string_view s, bool& valid, char32_t& codePoint) {
  const auto b0 = static_cast<uint8_t>(s[0]);
  valid = true;
  codePoint = b0;
  if (b0 < 0x80) return 1;
  size_t n;
  uint8_t lo = 0x80, hi = 0xBF;  // range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
    codePoint = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    codePoint = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    codePoint = b0 & 0x07;
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
    codePoint = (codePoint << 6) | (static_cast<uint8_t>(s[i]) & 0x3F);
  }
  return n;
}

namespace {

// Code points past ASCII that change how text is shown rather than what it
// says: C1 controls, bidi embeddings/overrides/isolates and marks, line and
// paragraph separators, and the BOM / zero-width no-break space.
bool invisibleCodePoint(char32_t c) {
  return (c >= 0x80 && c <= 0x9F) || c == 0x061C || c == 0x200E || c == 0x200F ||
         (c >= 0x2028 && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF;
}

void appendHexByte(std::string& out, uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02x", b);
  out += buf;
}

}  // namespace

void appendVisible(std::string& out, std::string_view s, const VisibleOptions& o) {
  size_t omitted = 0;
  if (o.maxBytes != 0 && s.size() > o.maxBytes) {
    omitted = s.size() - o.maxBytes;
    s = s.substr(0, o.maxBytes);
  }
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    if (c < 0x80) {
      switch (c) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t':
          if (o.keepTab) {
            out.push_back('\t');
          } else {
            out += "\\t";
          }
          break;
        default: appendHexByte(out, c); break;
      }
      ++i;
      continue;
    }
    bool valid = false;
    char32_t cp = 0;
    const size_t n = scanUtf8(s.substr(i), valid, cp);
    if (!valid) {
      for (size_t k = 0; k < n; ++k) appendHexByte(out, static_cast<uint8_t>(s[i + k]));
    } else if (invisibleCodePoint(cp)) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\u{%04x}", static_cast<unsigned>(cp));
      out += buf;
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  if (omitted != 0) out += "...(" + std::to_string(omitted) + " more bytes)";
}

std::string visibleText(std::string_view s, const VisibleOptions& o) {
  std::string out;
  out.reserve(s.size());
  appendVisible(out, s, o);
  return out;
}

std::string visibleText(std::string_view s, size_t maxBytes) {
  VisibleOptions o;
  o.maxBytes = maxBytes;
  return visibleText(s, o);
}

bool isVisibleAlready(std::string_view s, bool keepTab) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      ++i;
      continue;
    }
    if (c < 0x80) {
      if (c == '\t' && keepTab) {
        ++i;
        continue;
      }
      return false;
    }
    bool valid = false;
    char32_t cp = 0;
    const size_t n = scanUtf8(s.substr(i), valid, cp);
    if (!valid || invisibleCodePoint(cp)) return false;
    i += n;
  }
  return true;
}

}  // namespace bulkhead
