// Compiles a parsed condition against the fields of one source.
//
// Macros are expanded in place, list names in list values are replaced by
// their items, every field is resolved in the FieldCatalog and every literal
// converted to the field's type. What comes out refers to field values only
// through slots of a RequestPlan, so the evaluator never looks up a name.
//
// Operator rules (what Falco's libsinsp accepts, checked here at compile time
// rather than at evaluation):
// - strings: = != contains icontains bcontains startswith bstartswith
//   endswith glob iglob regex in intersects pmatch exists;
// - numbers and times: = != < <= > >= in intersects exists;
// - bool, ipaddr, ipnet: = != in intersects exists;
// - byte buffers: = != bcontains bstartswith exists;
// - list fields (isList): only exists, in (every value is in the set) and
//   intersects (at least one value is); a list field keeps these rules
//   when given an index argument (`f[0]`), as libsinsp keeps the schema's
//   list flag whatever the argument;
// - on a single-valued field `in` and `intersects` both mean "the value is in
//   the set"; pmatch means "the path is, or is under, one of the prefixes";
// - regex: strings only, one pattern, compiled here with RE2's POSIX
//   options (an invalid one is an error); it must match the whole value;
// - transformers (transformers.h) change the type the rules above see:
//   `len(f) > 3` compares a uint64; one that does not apply to the field's
//   type is an error, as in Falco;
// - field-to-field (`f1 op val(f2)`, or `f1 op tolower(f2)`): both
//   single-valued, same type (not ipnet) once transformed, operators
//   = != < <= > >= contains icontains startswith endswith glob iglob as the
//   type allows.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/ast.h"
#include "engine/field_catalog.h"
#include "engine/request_plan.h"
#include "engine/transformers.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace bulkhead {

// A compile error at a position of a condition. `context` names the macro
// the position belongs to ("" when it is the rule's own condition).
class CompileError : public std::runtime_error {
 public:
  CompileError(const std::string& detail, SourcePos pos, std::string context,
               bool unknownField = false);
  const std::string& detail() const { return detail_; }
  SourcePos pos() const { return pos_; }
  const std::string& context() const { return context_; }
  bool unknownField() const { return unknownField_; }

 private:
  std::string detail_;
  SourcePos pos_;
  std::string context_;
  bool unknownField_;
};

struct CompiledCheck {
  uint32_t slot = 0;
  ValueType type = ValueType::kString;  // after the transformers
  bool isList = false;                  // after the transformers
  CmpOp op = CmpOp::kExists;
  std::vector<Literal> values;  // sorted by bytes for string sets
  std::optional<uint32_t> rhsSlot;
  TransformChain lhs;  // the left field's transformers (often none)
  TransformChain rhs;  // the right field's, with rhsSlot
  // `regex`: the pattern, compiled once here. Shared so that compiled rules
  // stay copyable; RE2 matching is safe from several threads.
  std::shared_ptr<const re2::RE2> regex;
};

struct CompiledNode {
  enum class Kind : uint8_t { kAnd, kOr, kNot, kCheck };
  Kind kind = Kind::kCheck;
  std::vector<CompiledNode> children;
  uint32_t check = 0;  // index into CompiledFilter::checks
};

struct CompiledFilter {
  CompiledNode root;
  std::vector<CompiledCheck> checks;
};

// Named conditions and lists visible to a condition.
struct Definitions {
  std::map<std::string, const Expr*, std::less<>> macros;
  std::map<std::string, std::vector<std::string>, std::less<>> lists;
};

// Expands a list's items, replacing items that name other lists.
// Throws std::runtime_error on a cycle.
std::vector<std::string> expandList(const Definitions& defs, const std::string& name);

// Builds the FieldRequest for a field reference; throws CompileError when the
// argument does not fit the field's declaration.
FieldRequest makeRequest(const FieldInfo& field, const FieldRef& ref, const std::string& context);

// The transformers of a field reference checked against the field's type;
// throws CompileError when one does not apply.
TransformChain makeChain(const FieldInfo& field, const FieldRef& ref, const std::string& context);

CompiledFilter compileCondition(const Expr& expr, const Definitions& defs,
                                const FieldCatalog& catalog, RequestPlan& plan);

}  // namespace bulkhead
