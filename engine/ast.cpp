#include "engine/ast.h"

#include <iterator>

namespace bulkhead {

namespace {

constexpr CmpOpSpelling kSpellings[] = {
    {"=", CmpOp::kEq},
    {"==", CmpOp::kEq},
    {"!=", CmpOp::kNe},
    {"<", CmpOp::kLt},
    {"<=", CmpOp::kLe},
    {">", CmpOp::kGt},
    {">=", CmpOp::kGe},
    {"contains", CmpOp::kContains},
    {"icontains", CmpOp::kIContains},
    {"bcontains", CmpOp::kBContains},
    {"startswith", CmpOp::kStartsWith},
    {"bstartswith", CmpOp::kBStartsWith},
    {"endswith", CmpOp::kEndsWith},
    {"glob", CmpOp::kGlob},
    {"iglob", CmpOp::kIGlob},
    {"in", CmpOp::kIn},
    {"intersects", CmpOp::kIntersects},
    {"pmatch", CmpOp::kPMatch},
    {"regex", CmpOp::kRegex},
    {"exists", CmpOp::kExists},
};

// In Falco's order; the index is the Transformer's value.
constexpr std::string_view kTransformerNames[] = {"tolower", "toupper", "b64", "basename", "len"};
static_assert(std::size(kTransformerNames) == static_cast<size_t>(Transformer::kLen) + 1,
              "every Transformer needs a name in kTransformerNames");

// A table lookup loses the switch's -Wswitch check that every operator has
// a name; this puts it back at compile time. kExists is the last operator.
constexpr bool everyOpSpelled() {
  for (int op = 0; op <= static_cast<int>(CmpOp::kExists); ++op) {
    bool found = false;
    for (const CmpOpSpelling& s : kSpellings) found = found || static_cast<int>(s.op) == op;
    if (!found) return false;
  }
  return true;
}
static_assert(everyOpSpelled(), "every CmpOp needs a spelling in kSpellings");

}  // namespace

std::span<const CmpOpSpelling> cmpOpSpellings() { return kSpellings; }

std::optional<CmpOp> parseCmpOp(std::string_view text) {
  for (const CmpOpSpelling& s : kSpellings) {
    if (s.text == text) return s.op;
  }
  return std::nullopt;
}

std::string_view opName(CmpOp op) {
  for (const CmpOpSpelling& s : kSpellings) {
    if (s.op == op) return s.text;
  }
  return "?";
}

std::optional<Transformer> parseTransformer(std::string_view name) {
  for (size_t i = 0; i < std::size(kTransformerNames); ++i) {
    if (kTransformerNames[i] == name) return static_cast<Transformer>(i);
  }
  return std::nullopt;
}

std::string_view transformerName(Transformer t) {
  return kTransformerNames[static_cast<size_t>(t)];
}

std::span<const std::string_view> transformerNames() { return kTransformerNames; }

std::string FieldRef::text() const {
  std::string out = plainText();
  for (const TransformerUse& t : transformers)
    out = std::string(transformerName(t.kind)) + "(" + out + ")";
  return out;
}

bool opTakesList(CmpOp op) {
  return op == CmpOp::kIn || op == CmpOp::kIntersects || op == CmpOp::kPMatch;
}

ExprPtr Expr::clone() const {
  auto out = std::make_unique<Expr>();
  out->kind = kind;
  out->pos = pos;
  for (const auto& c : children) out->children.push_back(c->clone());
  out->field = field;
  out->op = op;
  out->values = values;
  out->rhsField = rhsField;
  out->listName = listName;
  out->name = name;
  return out;
}

ExprPtr makeNode(Expr::Kind kind, SourcePos pos, std::vector<ExprPtr> children) {
  auto out = std::make_unique<Expr>();
  out->kind = kind;
  out->pos = pos;
  out->children = std::move(children);
  return out;
}

}  // namespace bulkhead
