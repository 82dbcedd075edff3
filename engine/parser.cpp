#include "engine/parser.h"

#include <array>
#include <utility>

namespace bulkhead {

namespace {

constexpr std::array<std::string_view, 5> kTransformers = {"tolower", "toupper", "b64", "basename",
                                                           "len"};

class Parser {
 public:
  explicit Parser(std::string_view text) : cur_(text) {}

  ExprPtr parseAll() {
    cur_.skipSpace();
    if (cur_.atEnd()) throw ParseError("empty condition", cur_.pos());
    ExprPtr e = parseOr();
    cur_.skipSpace();
    if (!cur_.atEnd()) {
      if (cur_.peek() == ')') throw ParseError("unbalanced ')'", cur_.pos());
      throw ParseError("expected 'and', 'or' or the end of the condition, found '" +
                           std::string(cur_.rest().substr(0, 20)) + "'",
                       cur_.pos());
    }
    return e;
  }

 private:
  ExprPtr parseOr() {
    SourcePos pos = cur_.pos();
    std::vector<ExprPtr> terms;
    terms.push_back(parseAnd());
    while (true) {
      cur_.skipSpace();
      if (!cur_.tryWord("or")) break;
      terms.push_back(parseAnd());
    }
    if (terms.size() == 1) return std::move(terms[0]);
    return makeNode(Expr::Kind::kOr, pos, std::move(terms));
  }

  ExprPtr parseAnd() {
    cur_.skipSpace();
    SourcePos pos = cur_.pos();
    std::vector<ExprPtr> terms;
    terms.push_back(parseNot());
    while (true) {
      cur_.skipSpace();
      if (!cur_.tryWord("and")) break;
      terms.push_back(parseNot());
    }
    if (terms.size() == 1) return std::move(terms[0]);
    return makeNode(Expr::Kind::kAnd, pos, std::move(terms));
  }

  ExprPtr parseNot() {
    cur_.skipSpace();
    SourcePos pos = cur_.pos();
    if (cur_.tryWord("not")) {
      std::vector<ExprPtr> one;
      one.push_back(parseNot());
      return makeNode(Expr::Kind::kNot, pos, std::move(one));
    }
    return parsePrimary();
  }

  ExprPtr parsePrimary() {
    cur_.skipSpace();
    SourcePos pos = cur_.pos();
    if (cur_.atEnd())
      throw ParseError("unexpected end of condition: expected a field, a macro or '('", pos);
    if (cur_.tryChar('(')) {
      ExprPtr inner = parseOr();
      cur_.skipSpace();
      if (!cur_.tryChar(')'))
        throw ParseError("expected ')' to close the '(' at column " + std::to_string(pos.column),
                         cur_.pos());
      return inner;
    }
    if (auto name = cur_.scanFieldName()) return parseCheck(std::move(*name), pos);
    if (auto ident = cur_.scanIdentifier()) {
      cur_.skipSpace();
      if (cur_.peek() == '(') {
        for (auto t : kTransformers) {
          if (*ident == t)
            throw ParseError("field transformer '" + *ident + "()' is not supported", pos);
        }
        throw ParseError("unexpected '(' after '" + *ident + "'", cur_.pos());
      }
      if (*ident == "and" || *ident == "or")
        throw ParseError("expected a field, a macro or '(' before '" + *ident + "'", pos);
      auto node = makeNode(Expr::Kind::kMacro, pos, {});
      node->name = std::move(*ident);
      return node;
    }
    if (cur_.peek() == ')')
      throw ParseError("unexpected ')': expected a field, a macro or '('", pos);
    throw ParseError(
        "expected a field, a macro or '(', found '" + std::string(cur_.rest().substr(0, 20)) + "'",
        pos);
  }

  FieldRef finishField(std::string name, SourcePos pos) {
    FieldRef f;
    f.name = std::move(name);
    f.pos = pos;
    if (cur_.tryChar('[')) {
      f.arg = cur_.scanFieldArg();
      f.hasArg = true;
    }
    return f;
  }

  std::optional<CmpOp> scanOperator() {
    // A symbol needs no space after it (`fd.num>=3`), so the longest one
    // that is next wins: "<=" is not "<" followed by a value "=". A word
    // must not run on into an identifier (`in` is not the start of
    // `intersects`), so at most one word is ever next, and never together
    // with a symbol.
    const CmpOpSpelling* symbol = nullptr;
    for (const CmpOpSpelling& s : cmpOpSpellings()) {
      if (isIdentChar(s.text[0])) {
        if (cur_.tryWord(s.text)) return s.op;
      } else if (cur_.rest().starts_with(s.text) &&
                 (symbol == nullptr || s.text.size() > symbol->text.size())) {
        symbol = &s;
      }
    }
    if (symbol == nullptr) return std::nullopt;
    cur_.tryLiteral(symbol->text);
    return symbol->op;
  }

  ExprPtr parseCheck(std::string name, SourcePos pos) {
    auto node = makeNode(Expr::Kind::kCheck, pos, {});
    node->field = finishField(std::move(name), pos);
    cur_.skipSpace();
    SourcePos opPos = cur_.pos();
    auto op = scanOperator();
    if (!op) {
      if (cur_.atEnd())
        throw ParseError("expected an operator after field '" + node->field.text() + "'", opPos);
      throw ParseError("expected an operator after field '" + node->field.text() + "', found '" +
                           std::string(cur_.rest().substr(0, 20)) + "'",
                       opPos);
    }
    node->op = *op;
    if (*op == CmpOp::kExists) return node;
    cur_.skipSpace();
    if (cur_.tryWord("anyof") || cur_.tryWord("allof"))
      throw ParseError("operator modifiers 'anyof'/'allof' are not supported", opPos);
    if (opTakesList(*op)) {
      parseListValue(*node);
    } else {
      parseValue(*node);
    }
    return node;
  }

  void parseValue(Expr& node) {
    SourcePos pos = cur_.pos();
    if (cur_.tryWord("val")) {
      cur_.skipSpace();
      if (!cur_.tryChar('(')) throw ParseError("expected '(' after 'val'", cur_.pos());
      cur_.skipSpace();
      SourcePos fpos = cur_.pos();
      auto name = cur_.scanFieldName();
      if (!name) throw ParseError("expected a field name inside val()", fpos);
      node.rhsField = finishField(std::move(*name), fpos);
      cur_.skipSpace();
      if (!cur_.tryChar(')')) throw ParseError("expected ')' to close val(", cur_.pos());
      return;
    }
    for (auto t : kTransformers) {
      Cursor probe = cur_;
      if (probe.tryWord(t)) {
        probe.skipSpace();
        if (probe.peek() == '(')
          throw ParseError("field transformer '" + std::string(t) + "()' is not supported", pos);
      }
    }
    ValueText v;
    v.pos = pos;
    if (auto q = cur_.scanQuoted()) {
      v.text = std::move(*q);
      v.quoted = true;
    } else {
      v.text = cur_.scanBare();
      if (v.text.empty()) {
        if (cur_.peek() == '(')
          throw ParseError(
              "operator '" + std::string(opName(node.op)) + "' takes one value, not a list", pos);
        throw ParseError("expected a value after operator '" + std::string(opName(node.op)) + "'",
                         pos);
      }
    }
    node.values.push_back(std::move(v));
  }

  void parseListValue(Expr& node) {
    SourcePos pos = cur_.pos();
    if (!cur_.tryChar('(')) {
      Cursor probe = cur_;
      if (auto ident = probe.scanIdentifier(); ident && probe.peek() != '.') {
        cur_ = probe;
        node.listName = std::move(*ident);
        return;
      }
      throw ParseError(
          "operator '" + std::string(opName(node.op)) + "' expects a list: '(' or a list name",
          pos);
    }
    cur_.skipSpace();
    if (cur_.tryChar(')')) return;
    while (true) {
      cur_.skipSpace();
      ValueText v;
      v.pos = cur_.pos();
      if (auto q = cur_.scanQuoted()) {
        v.text = std::move(*q);
        v.quoted = true;
      } else {
        v.text = cur_.scanBare();
        if (v.text.empty()) {
          if (cur_.atEnd()) throw ParseError("unterminated list: expected ')'", pos);
          throw ParseError("expected a list item, found '" + std::string(1, cur_.peek()) + "'",
                           v.pos);
        }
      }
      node.values.push_back(std::move(v));
      cur_.skipSpace();
      if (cur_.tryChar(')')) return;
      if (cur_.atEnd()) throw ParseError("unterminated list: expected ')'", pos);
      if (!cur_.tryChar(','))
        throw ParseError("expected ',' or ')' in list, found '" + std::string(1, cur_.peek()) + "'",
                         cur_.pos());
    }
  }

  Cursor cur_;
};

}  // namespace

ExprPtr parseCondition(std::string_view text) { return Parser(text).parseAll(); }

}  // namespace bulkhead
