#include "engine/lexer.h"

namespace bulkhead {

namespace {

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool isIdentChar(char c) { return isAlpha(c) || isDigit(c) || c == '_'; }

ParseError::ParseError(const std::string& message, SourcePos pos)
    : std::runtime_error(std::to_string(pos.line) + ":" + std::to_string(pos.column) + ": " +
                         message),
      detail_(message),
      pos_(pos) {}

char Cursor::peek(size_t ahead) const {
  size_t at = pos_.offset + ahead;
  return at < text_.size() ? text_[at] : '\0';
}

void Cursor::advance(size_t n) {
  for (size_t i = 0; i < n && pos_.offset < text_.size(); ++i) {
    if (text_[pos_.offset] == '\n') {
      ++pos_.line;
      pos_.column = 1;
    } else {
      ++pos_.column;
    }
    ++pos_.offset;
  }
}

void Cursor::skipSpace() {
  while (!atEnd() && isSpace(peek())) advance(1);
}

bool Cursor::tryChar(char c) {
  if (atEnd() || peek() != c) return false;
  advance(1);
  return true;
}

bool Cursor::tryLiteral(std::string_view s) {
  if (rest().substr(0, s.size()) != s) return false;
  advance(s.size());
  return true;
}

bool Cursor::tryWord(std::string_view word) {
  if (rest().substr(0, word.size()) != word || isIdentChar(peek(word.size()))) return false;
  advance(word.size());
  return true;
}

std::optional<std::string> Cursor::scanIdentifier() {
  if (!(isAlpha(peek()) || peek() == '_')) return std::nullopt;
  size_t n = 0;
  while (isIdentChar(peek(n))) ++n;
  std::string out(rest().substr(0, n));
  advance(n);
  return out;
}

std::optional<std::string> Cursor::scanFieldName() {
  if (!isAlpha(peek())) return std::nullopt;
  size_t n = 0;
  while (isIdentChar(peek(n))) ++n;
  bool dotted = false;
  while (peek(n) == '.' && isIdentChar(peek(n + 1))) {
    dotted = true;
    ++n;
    while (isIdentChar(peek(n))) ++n;
  }
  if (!dotted) return std::nullopt;
  std::string out(rest().substr(0, n));
  advance(n);
  return out;
}

std::string Cursor::scanFieldArg() {
  SourcePos start = pos_;
  if (auto quoted = scanQuoted()) {
    if (!tryChar(']')) throw ParseError("expected ']' after the field argument", pos_);
    return *quoted;
  }
  size_t n = 0;
  while (n < rest().size() && peek(n) != ']' && peek(n) != '[' && !isSpace(peek(n))) ++n;
  if (peek(n) != ']') throw ParseError("unterminated field argument: expected ']'", start);
  std::string out(rest().substr(0, n));
  advance(n + 1);
  return out;
}

std::optional<std::string> Cursor::scanQuoted() {
  char quote = peek();
  if (quote != '"' && quote != '\'') return std::nullopt;
  SourcePos start = pos_;
  advance(1);
  std::string out;
  while (true) {
    if (atEnd()) throw ParseError("unterminated quoted string", start);
    char c = peek();
    advance(1);
    if (c == quote) return out;
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (atEnd()) throw ParseError("unterminated quoted string", start);
    char e = peek();
    advance(1);
    switch (e) {
      case 'n':
        out.push_back('\n');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case '\\':
      case '"':
      case '\'':
        out.push_back(e);
        break;
      default:
        // Unknown escapes stay as written, so that glob and path patterns
        // with a literal backslash keep it.
        out.push_back('\\');
        out.push_back(e);
    }
  }
}

std::string Cursor::scanBare() {
  size_t n = 0;
  while (n < rest().size()) {
    char c = peek(n);
    if (isSpace(c) || c == '(' || c == ')' || c == ',' || c == '=' || c == '"' || c == '\'') break;
    ++n;
  }
  std::string out(rest().substr(0, n));
  advance(n);
  return out;
}

}  // namespace bulkhead
