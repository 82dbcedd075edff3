#include "engine/ast.h"

namespace bulkhead {

std::string_view opName(CmpOp op) {
  switch (op) {
    case CmpOp::kEq:
      return "=";
    case CmpOp::kNe:
      return "!=";
    case CmpOp::kLt:
      return "<";
    case CmpOp::kLe:
      return "<=";
    case CmpOp::kGt:
      return ">";
    case CmpOp::kGe:
      return ">=";
    case CmpOp::kContains:
      return "contains";
    case CmpOp::kIContains:
      return "icontains";
    case CmpOp::kBContains:
      return "bcontains";
    case CmpOp::kStartsWith:
      return "startswith";
    case CmpOp::kBStartsWith:
      return "bstartswith";
    case CmpOp::kEndsWith:
      return "endswith";
    case CmpOp::kGlob:
      return "glob";
    case CmpOp::kIGlob:
      return "iglob";
    case CmpOp::kIn:
      return "in";
    case CmpOp::kIntersects:
      return "intersects";
    case CmpOp::kPMatch:
      return "pmatch";
    case CmpOp::kExists:
      return "exists";
  }
  return "?";
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
