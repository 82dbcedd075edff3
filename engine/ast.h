// The syntax tree of a filter condition (see parser.h for the grammar).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/lexer.h"

namespace bulkhead {

enum class CmpOp : uint8_t {
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kContains,
  kIContains,
  kBContains,
  kStartsWith,
  kBStartsWith,
  kEndsWith,
  kGlob,
  kIGlob,
  kIn,
  kIntersects,
  kPMatch,
  kRegex,
  kExists,  // stays last: ast.cpp checks that each operator up to it is spelled
};

// The one table of operator spellings, shared by the condition parser, the
// rules file reader and the rule exceptions' `comps`. Every operator has at
// least one spelling; "=" and "==" both spell kEq.
struct CmpOpSpelling {
  std::string_view text;
  CmpOp op;
};
// The first spelling of each operator is its name (opName).
std::span<const CmpOpSpelling> cmpOpSpellings();
// The operator spelled exactly `text`; nullopt when none is.
std::optional<CmpOp> parseCmpOp(std::string_view text);
std::string_view opName(CmpOp op);
// in, intersects and pmatch compare against a list of values.
bool opTakesList(CmpOp op);

// Falco's field transformers, `tolower(f)` and so on (see transformers.h
// for what each does and which types it takes).
enum class Transformer : uint8_t { kToLower, kToUpper, kB64, kBasename, kLen };

// The transformer spelled `name`; nullopt when none is.
std::optional<Transformer> parseTransformer(std::string_view name);
std::string_view transformerName(Transformer t);
// Every transformer's name, in Falco's order.
std::span<const std::string_view> transformerNames();

struct TransformerUse {
  Transformer kind = Transformer::kToLower;
  SourcePos pos;  // of its name
};

struct FieldRef {
  std::string name;
  std::string arg;  // raw text between the brackets
  bool hasArg = false;
  SourcePos pos;
  // The transformers applied to the field, innermost first:
  // `tolower(basename(f))` holds basename, then tolower.
  std::vector<TransformerUse> transformers;

  // The field as written, without its transformers: "f", "f[arg]".
  std::string plainText() const { return hasArg ? name + "[" + arg + "]" : name; }
  // As written, transformers included: "tolower(basename(f[arg]))".
  std::string text() const;
};

struct ValueText {
  std::string text;
  bool quoted = false;
  SourcePos pos;
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  enum class Kind : uint8_t { kAnd, kOr, kNot, kCheck, kMacro };

  Kind kind = Kind::kCheck;
  SourcePos pos;
  std::vector<ExprPtr> children;  // and, or: two or more; not: one

  // kCheck. For list operators `values` holds the items written between the
  // parentheses; a bare item may name a list and is expanded at compile time.
  FieldRef field;
  CmpOp op = CmpOp::kExists;
  std::vector<ValueText> values;
  std::optional<FieldRef> rhsField;  // `f1 = val(f2)`
  std::string listName;              // `f in list_name` (no parentheses)

  // kMacro
  std::string name;

  ExprPtr clone() const;
};

ExprPtr makeNode(Expr::Kind kind, SourcePos pos, std::vector<ExprPtr> children);

}  // namespace bulkhead
