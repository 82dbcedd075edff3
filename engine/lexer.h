// Scanning primitives for the filter language.
//
// The language is context sensitive: a bare value may hold '.', ':', '/' or
// '<' (`ka.uri startswith /healthz?`), a field name may not, and a word such
// as `in` is an operator only after a field. So the parser asks the cursor for
// the kind of token it expects at each point instead of reading a token stream
// produced ahead of time (libsinsp's parser works the same way).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace bulkhead {

// A position inside a condition or output text; line and column start at 1.
struct SourcePos {
  uint32_t offset = 0;
  uint32_t line = 1;
  uint32_t column = 1;
};

// A syntax error at a position of the text being parsed.
class ParseError : public std::runtime_error {
 public:
  ParseError(const std::string& message, SourcePos pos);
  const std::string& detail() const { return detail_; }
  SourcePos pos() const { return pos_; }

 private:
  std::string detail_;
  SourcePos pos_;
};

class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  void skipSpace();
  bool atEnd() const { return pos_.offset >= text_.size(); }
  SourcePos pos() const { return pos_; }
  char peek(size_t ahead = 0) const;
  std::string_view rest() const { return text_.substr(pos_.offset); }

  // Consumes `c` if it is next.
  bool tryChar(char c);
  // Consumes `s` if it is next.
  bool tryLiteral(std::string_view s);
  // Consumes `word` if it is next and not followed by an identifier character.
  bool tryWord(std::string_view word);

  // [A-Za-z_][A-Za-z0-9_]*
  std::optional<std::string> scanIdentifier();
  // Identifier ('.' [A-Za-z0-9_]+)+ : at least one dot, as every field has.
  std::optional<std::string> scanFieldName();
  // A field argument after '[': raw text up to the matching ']', which is
  // consumed. Throws on a missing ']'.
  std::string scanFieldArg();
  // A quoted string ('...' or "...") with backslash escapes; nullopt when the
  // next character is not a quote. Throws on an unterminated string.
  std::optional<std::string> scanQuoted();
  // A bare value: characters other than whitespace, parentheses, ',', '=',
  // and quotes. Empty when none.
  std::string scanBare();

 private:
  void advance(size_t n);

  std::string_view text_;
  SourcePos pos_;
};

bool isIdentChar(char c);

}  // namespace bulkhead
