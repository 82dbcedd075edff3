#include "engine/rule_exceptions.h"

#include <stdexcept>

#include "engine/parser.h"

namespace bulkhead {

std::optional<CmpOp> comparisonOp(std::string_view comp) {
  // Every condition operator but `exists`: an exception compares each field
  // with the values it lists, and `exists` takes no value.
  std::optional<CmpOp> op = parseCmpOp(comp);
  if (op == CmpOp::kExists) return std::nullopt;
  return op;
}

std::optional<FieldRef> parseFieldText(const std::string& text) {
  Cursor c(text);
  c.skipSpace();
  FieldRef f;
  try {
    // As Falco 0.44 takes them: a field in transformers, `tolower(f)`.
    const SourcePos pos = c.pos();
    if (auto t = tryTransformerStart(c)) {
      if (t->kind == ParsedTransformer::kVal) return std::nullopt;
      f = parseTransformerRest(c, t->transformer, pos);
    } else {
      auto name = c.scanFieldName();
      if (!name) return std::nullopt;
      f.name = *name;
      if (c.tryChar('[')) {
        f.arg = c.scanFieldArg();
        f.hasArg = true;
      }
    }
  } catch (const ParseError&) {
    return std::nullopt;
  }
  c.skipSpace();
  if (!c.atEnd()) return std::nullopt;
  return f;
}

ExprPtr exceptionExpr(const ExceptionDef& e) {
  if (e.values.empty()) return nullptr;
  if (e.fields.empty() || e.comps.size() != e.fields.size())
    throw std::runtime_error("has values but no 'fields' to compare them with");
  std::vector<FieldRef> fields;
  std::vector<CmpOp> ops;
  for (size_t i = 0; i < e.fields.size(); ++i) {
    auto f = parseFieldText(e.fields[i]);
    if (!f) throw std::runtime_error("'" + e.fields[i] + "' is not a field");
    fields.push_back(*f);
    auto op = comparisonOp(e.comps[i]);
    if (!op) throw std::runtime_error("unsupported comparison '" + e.comps[i] + "'");
    ops.push_back(*op);
  }
  auto check = [&](size_t i, std::vector<std::string> items) {
    auto n = makeNode(Expr::Kind::kCheck, {}, {});
    n->field = fields[i];
    n->op = ops[i];
    for (auto& v : items) n->values.push_back(ValueText{std::move(v), false, {}});
    return n;
  };
  std::vector<ExprPtr> alternatives;
  if (!e.tupleForm && opTakesList(ops[0])) {
    std::vector<std::string> all;
    for (const auto& tuple : e.values) {
      for (const auto& it : tuple[0].items) all.push_back(it);
    }
    alternatives.push_back(check(0, std::move(all)));
  } else {
    for (const auto& tuple : e.values) {
      std::vector<ExprPtr> terms;
      for (size_t i = 0; i < tuple.size(); ++i) {
        if (tuple.size() != fields.size())
          throw std::runtime_error("a value does not have one item per field");
        if (!opTakesList(ops[i]) && tuple[i].items.size() != 1)
          throw std::runtime_error("comparison '" + e.comps[i] + "' takes one value");
        terms.push_back(check(i, tuple[i].items));
      }
      alternatives.push_back(terms.size() == 1 ? std::move(terms[0])
                                               : makeNode(Expr::Kind::kAnd, {}, std::move(terms)));
    }
  }
  if (alternatives.size() == 1) return std::move(alternatives[0]);
  return makeNode(Expr::Kind::kOr, {}, std::move(alternatives));
}

}  // namespace bulkhead
