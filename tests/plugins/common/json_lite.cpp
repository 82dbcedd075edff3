#include "tests/plugins/common/json_lite.h"

#include <charconv>
#include <utility>

namespace bulkhead::test_plugins {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  bool parseDocument(JsonValue* out) {
    skipSpace();
    if (!parseValue(out, 0)) return false;
    skipSpace();
    if (pos_ != text_.size()) return fail("trailing characters after the JSON value");
    return true;
  }

  const std::string& error() const { return error_; }

 private:
  bool fail(const char* what) {
    if (error_.empty()) error_ = std::string(what) + " at offset " + std::to_string(pos_);
    return false;
  }

  bool atEnd() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }

  void skipSpace() {
    while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) {
      ++pos_;
    }
  }

  bool consumeLiteral(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return fail("invalid literal");
    pos_ += word.size();
    return true;
  }

  bool parseValue(JsonValue* out, int depth) {
    if (depth > JsonDocument::kMaxDepth) return fail("nesting too deep");
    if (atEnd()) return fail("unexpected end of input");
    out->begin = pos_;
    bool ok = false;
    switch (peek()) {
      case '{':
        out->kind = JsonValue::Kind::kObject;
        ok = parseObject(out, depth);
        break;
      case '[':
        out->kind = JsonValue::Kind::kArray;
        ok = parseArray(out, depth);
        break;
      case '"':
        out->kind = JsonValue::Kind::kString;
        ok = parseString(&out->string);
        break;
      case 't':
        out->kind = JsonValue::Kind::kBool;
        out->boolean = true;
        ok = consumeLiteral("true");
        break;
      case 'f':
        out->kind = JsonValue::Kind::kBool;
        ok = consumeLiteral("false");
        break;
      case 'n':
        out->kind = JsonValue::Kind::kNull;
        ok = consumeLiteral("null");
        break;
      default:
        out->kind = JsonValue::Kind::kNumber;
        ok = parseNumber();
        break;
    }
    out->end = pos_;
    return ok;
  }

  bool parseObject(JsonValue* out, int depth) {
    ++pos_;  // '{'
    skipSpace();
    if (!atEnd() && peek() == '}') {
      ++pos_;
      return true;
    }
    while (true) {
      skipSpace();
      if (atEnd() || peek() != '"') return fail("expected a member name");
      std::string key;
      if (!parseString(&key)) return false;
      skipSpace();
      if (atEnd() || peek() != ':') return fail("expected ':'");
      ++pos_;
      skipSpace();
      JsonValue value;
      if (!parseValue(&value, depth + 1)) return false;
      out->members.push_back(JsonMember{std::move(key), std::move(value)});
      skipSpace();
      if (atEnd()) return fail("unterminated object");
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == '}') {
        ++pos_;
        return true;
      }
      return fail("expected ',' or '}'");
    }
  }

  bool parseArray(JsonValue* out, int depth) {
    ++pos_;  // '['
    skipSpace();
    if (!atEnd() && peek() == ']') {
      ++pos_;
      return true;
    }
    while (true) {
      skipSpace();
      JsonValue value;
      if (!parseValue(&value, depth + 1)) return false;
      out->items.push_back(std::move(value));
      skipSpace();
      if (atEnd()) return fail("unterminated array");
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == ']') {
        ++pos_;
        return true;
      }
      return fail("expected ',' or ']'");
    }
  }

  static bool isDigit(char c) { return c >= '0' && c <= '9'; }

  bool parseNumber() {
    if (!atEnd() && peek() == '-') ++pos_;
    if (atEnd() || !isDigit(peek())) return fail("invalid value");
    if (peek() == '0') {
      ++pos_;
    } else {
      while (!atEnd() && isDigit(peek())) ++pos_;
    }
    if (!atEnd() && peek() == '.') {
      ++pos_;
      if (atEnd() || !isDigit(peek())) return fail("digit expected after '.'");
      while (!atEnd() && isDigit(peek())) ++pos_;
    }
    if (!atEnd() && (peek() == 'e' || peek() == 'E')) {
      ++pos_;
      if (!atEnd() && (peek() == '+' || peek() == '-')) ++pos_;
      if (atEnd() || !isDigit(peek())) return fail("digit expected in exponent");
      while (!atEnd() && isDigit(peek())) ++pos_;
    }
    return true;
  }

  bool parseHex4(uint32_t* out) {
    if (text_.size() - pos_ < 4) return fail("truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_ + i];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return fail("invalid hex digit in \\u escape");
      }
    }
    pos_ += 4;
    *out = v;
    return true;
  }

  static void appendUtf8(std::string* out, uint32_t cp) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool parseEscape(std::string* out) {
    if (atEnd()) return fail("unterminated escape");
    const char c = text_[pos_++];
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out->push_back(c);
        return true;
      case 'b':
        out->push_back('\b');
        return true;
      case 'f':
        out->push_back('\f');
        return true;
      case 'n':
        out->push_back('\n');
        return true;
      case 'r':
        out->push_back('\r');
        return true;
      case 't':
        out->push_back('\t');
        return true;
      case 'u':
        break;
      default:
        return fail("invalid escape");
    }
    uint32_t cp = 0;
    if (!parseHex4(&cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return fail("unpaired low surrogate");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (text_.substr(pos_, 2) != "\\u") return fail("unpaired high surrogate");
      pos_ += 2;
      uint32_t low = 0;
      if (!parseHex4(&low)) return false;
      if (low < 0xDC00 || low > 0xDFFF) return fail("invalid low surrogate");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    appendUtf8(out, cp);
    return true;
  }

  bool parseString(std::string* out) {
    ++pos_;  // opening quote
    while (true) {
      if (atEnd()) return fail("unterminated string");
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return fail("control character in string");
      ++pos_;
      if (c == '\\') {
        if (!parseEscape(out)) return false;
      } else {
        out->push_back(c);
      }
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

const JsonValue* JsonValue::member(std::string_view key) const {
  if (kind != Kind::kObject) return nullptr;
  // Duplicate names: the last one wins, as in most JSON readers (Go's
  // encoding/json, JavaScript, Python, Boost.JSON), so rules see the same value.
  for (auto it = members.rbegin(); it != members.rend(); ++it) {
    if (it->name == key) return &it->value;
  }
  return nullptr;
}

std::optional<JsonDocument> JsonDocument::parse(std::string_view text, std::string* error) {
  JsonDocument doc;
  doc.text_.assign(text.data(), text.size());
  Parser parser(doc.text_);
  if (!parser.parseDocument(&doc.root_)) {
    if (error != nullptr) *error = parser.error();
    return std::nullopt;
  }
  return doc;
}

std::string JsonDocument::toText(const JsonValue& v) const {
  if (v.kind == JsonValue::Kind::kString) return v.string;
  return std::string(raw(v));
}

std::optional<uint64_t> parseDecimalU64(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

const JsonValue* resolvePointer(const JsonValue& root, std::string_view pointer) {
  const JsonValue* current = &root;
  if (pointer.empty()) return current;
  if (pointer.front() != '/') return nullptr;
  size_t pos = 1;
  while (true) {
    const size_t slash = pointer.find('/', pos);
    const std::string_view raw =
        pointer.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    std::string token;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '~') {
        token.push_back(raw[i]);
        continue;
      }
      if (i + 1 >= raw.size()) return nullptr;
      const char next = raw[++i];
      if (next == '0') {
        token.push_back('~');
      } else if (next == '1') {
        token.push_back('/');
      } else {
        return nullptr;
      }
    }
    if (current->kind == JsonValue::Kind::kObject) {
      current = current->member(token);
      if (current == nullptr) return nullptr;
    } else if (current->kind == JsonValue::Kind::kArray) {
      // RFC 6901: array indices are "0" or digits without a leading zero.
      if (token.empty() || (token.size() > 1 && token[0] == '0')) return nullptr;
      for (char c : token) {
        if (c < '0' || c > '9') return nullptr;
      }
      const auto index = parseDecimalU64(token);
      if (!index || *index >= current->items.size()) return nullptr;
      current = &current->items[*index];
    } else {
      return nullptr;
    }
    if (slash == std::string_view::npos) return current;
    pos = slash + 1;
  }
}

std::string jsonQuote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      out += "\\u00";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace bulkhead::test_plugins
