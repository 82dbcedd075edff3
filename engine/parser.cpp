#include "engine/parser.h"

#include <algorithm>
#include <array>
#include <utility>

namespace bulkhead {

namespace {

// Falco 0.44 also takes these (libsinsp 0.25); its documentation does not
// list them, and bulkhead does not implement them.
constexpr std::array<std::string_view, 3> kUnsupportedTransformers = {"join", "concat", "getopt"};

std::string quotedTransformerList() {
  std::string out;
  for (std::string_view name : transformerNames())
    out += (out.empty() ? "'" : ", '") + std::string(name) + "'";
  return out;
}

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
    if (auto name = cur_.scanFieldName())
      return parseCheck(finishField(std::move(*name), pos), pos);
    if (auto t = tryTransformerStart(cur_)) {
      if (t->kind == ParsedTransformer::kVal)
        throw ParseError("'val()' belongs on the right-hand side of a comparison", pos);
      return parseCheck(parseTransformerRest(cur_, t->transformer, pos), pos);
    }
    if (auto ident = cur_.scanIdentifier()) {
      cur_.skipSpace();
      if (cur_.peek() == '(') {
        if (parseTransformer(*ident) || *ident == "val")
          throw ParseError("unexpected '(' after '" + *ident +
                               "': a field transformer takes no space before its '('",
                           cur_.pos());
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

  ExprPtr parseCheck(FieldRef field, SourcePos pos) {
    auto node = makeNode(Expr::Kind::kCheck, pos, {});
    node->field = std::move(field);
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

  // `val(field)`: the field, without transformers.
  FieldRef parseValRest() {
    cur_.skipSpace();
    SourcePos fpos = cur_.pos();
    auto name = cur_.scanFieldName();
    if (!name) throw ParseError("expected a field name inside val()", fpos);
    FieldRef f = finishField(std::move(*name), fpos);
    cur_.skipSpace();
    if (!cur_.tryChar(')')) throw ParseError("expected ')' to close val(", cur_.pos());
    return f;
  }

  // A field on the right-hand side: `val(f)` or a transformer, `tolower(f)`.
  // After a list operator `val` without '(' is a list's name.
  bool tryRhsField(Expr& node, bool listOp) {
    SourcePos pos = cur_.pos();
    Cursor probe = cur_;
    if (probe.tryWord("val")) {
      probe.skipSpace();
      if (listOp && probe.peek() != '(') return false;
      cur_ = probe;
      if (!cur_.tryChar('(')) throw ParseError("expected '(' after 'val'", cur_.pos());
      node.rhsField = parseValRest();
      return true;
    }
    auto t = tryTransformerStart(cur_);
    if (!t) return false;
    node.rhsField = parseTransformerRest(cur_, t->transformer, pos);
    return true;
  }

  void parseValue(Expr& node) {
    SourcePos pos = cur_.pos();
    if (tryRhsField(node, false)) return;
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
    // Falco parses a field here too; the compiler says what it thinks of it.
    if (tryRhsField(node, true)) return;
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

std::optional<ParsedTransformer> tryTransformerStart(Cursor& cur) {
  Cursor probe = cur;
  SourcePos pos = cur.pos();
  auto ident = probe.scanIdentifier();
  if (!ident || !probe.tryChar('(')) return std::nullopt;
  ParsedTransformer out;
  if (*ident == "val") {
    out.kind = ParsedTransformer::kVal;
  } else if (auto t = parseTransformer(*ident)) {
    out.transformer = *t;
  } else if (std::find(kUnsupportedTransformers.begin(), kUnsupportedTransformers.end(), *ident) !=
             kUnsupportedTransformers.end()) {
    throw ParseError("field transformer '" + *ident + "()' is not supported", pos);
  } else {
    throw ParseError(
        "unknown field transformer '" + *ident + "': expected one of " + quotedTransformerList(),
        pos);
  }
  cur = probe;
  return out;
}

FieldRef parseTransformerRest(Cursor& cur, Transformer outer, SourcePos pos, bool textMayFollow) {
  std::vector<TransformerUse> open{{outer, pos}};  // outermost first
  cur.skipSpace();
  SourcePos at = cur.pos();
  while (auto t = tryTransformerStart(cur)) {
    if (t->kind == ParsedTransformer::kVal)
      throw ParseError("'val()' belongs on the right-hand side of a comparison", at);
    open.push_back({t->transformer, at});
    cur.skipSpace();
    at = cur.pos();
  }
  auto name = cur.scanFieldName();
  if (!name)
    throw ParseError("expected a field or a nested valid transformer: " + quotedTransformerList(),
                     at);
  FieldRef f;
  f.name = std::move(*name);
  f.pos = at;
  if (cur.tryChar('[')) {
    f.arg = cur.scanFieldArg();
    f.hasArg = true;
  }
  for (auto t = open.rbegin(); t != open.rend(); ++t) {
    const std::string tname(transformerName(t->kind));
    cur.skipSpace();
    if (!cur.tryChar(')')) {
      if (cur.peek() == ',')
        throw ParseError("field transformer '" + tname + "()' takes one field", cur.pos());
      throw ParseError("expected ')' to close " + tname + "(", cur.pos());
    }
    const bool outermost = t + 1 == open.rend();
    if (cur.peek() == '[' && !(outermost && textMayFollow))
      throw ParseError("transformer '" + tname + "' does not support field arguments", cur.pos());
    f.transformers.push_back(*t);
  }
  return f;
}

ExprPtr parseCondition(std::string_view text) { return Parser(text).parseAll(); }

}  // namespace bulkhead
