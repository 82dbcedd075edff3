// A small, bounds-checked JSON reader for the test plugins.
//
// Plugins may not depend on anything beyond the C++ standard library (they
// are loaded into sandboxed runners), so this is a strict RFC 8259 parser
// with a nesting limit, plus RFC 6901 JSON pointer lookup. Every input is
// untrusted event payload: no recursion deeper than kMaxDepth, no reads past
// the given text.
#ifndef BULKHEAD_TESTS_PLUGINS_COMMON_JSON_LITE_H_
#define BULKHEAD_TESTS_PLUGINS_COMMON_JSON_LITE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bulkhead::test_plugins {

struct JsonMember;

struct JsonValue {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

  Kind kind = Kind::kNull;
  bool boolean = false;
  std::string string;  // kString: unescaped UTF-8 contents
  std::vector<JsonValue> items;
  std::vector<JsonMember> members;  // in document order
  // The value's source text, as offsets into the owning JsonDocument's text.
  size_t begin = 0;
  size_t end = 0;

  // The last member named `key`, or nullptr (also for non-objects).
  const JsonValue* member(std::string_view key) const;
};

struct JsonMember {
  std::string name;
  JsonValue value;
};

// Owns a copy of the parsed text so that raw spans stay valid.
class JsonDocument {
 public:
  static constexpr int kMaxDepth = 64;

  // Parses `text` as one JSON value with optional surrounding whitespace.
  // On failure returns nullopt and, when `error` is set, a message with the
  // byte offset of the problem.
  static std::optional<JsonDocument> parse(std::string_view text, std::string* error = nullptr);

  const JsonValue& root() const { return root_; }
  std::string_view raw(const JsonValue& v) const {
    return std::string_view(text_).substr(v.begin, v.end - v.begin);
  }

  // Text form of a value: a string's contents, or the source text of any
  // other value (numbers keep their literal spelling, objects their layout).
  std::string toText(const JsonValue& v) const;

 private:
  std::string text_;
  JsonValue root_;
};

// RFC 6901 lookup. nullptr when the pointer is malformed or does not resolve.
const JsonValue* resolvePointer(const JsonValue& root, std::string_view pointer);

// A non-negative integer: a JSON number without sign, fraction or exponent,
// or a string of decimal digits, that fits in 64 bits.
std::optional<uint64_t> parseDecimalU64(std::string_view digits);

// `s` as a quoted JSON string literal.
std::string jsonQuote(std::string_view s);

}  // namespace bulkhead::test_plugins

#endif  // BULKHEAD_TESTS_PLUGINS_COMMON_JSON_LITE_H_
