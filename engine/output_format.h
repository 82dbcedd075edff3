// Rule output strings: "%field", "%field[arg]", "%(field)" and transformed
// fields, "%tolower(field)", inside literal text, rendered as Falco renders
// them: "<NA>" for a field with no value, list fields as "(a,b)", bools as
// true/false, addresses in their usual text form.
//
// A field name after '%' ends at the longest name the source's catalog
// knows, so "%ka.target.name/%ka.target.resource" and "%ct.user," resolve as
// written. An unknown field is a compile error, as in Falco.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/compiler.h"
#include "engine/field_values.h"

namespace bulkhead {

struct OutputPart {
  std::string literal;  // when !isField
  bool isField = false;
  FieldRef field;  // with its transformers: field.text() is "tolower(ka.verb)"
  uint32_t slot = 0;
  ValueType type = ValueType::kString;  // after the transformers
  bool isList = false;                  // after the transformers
  // The field has transformers. libsinsp leaves such a field out of the
  // JSON output_fields and puts the plain field it wraps there instead
  // (`%tolower(ka.verb)` gives "ka.verb"); untransformed() is that field.
  bool transformed = false;
  TransformChain chain;

  // The same field without its transformers.
  OutputPart untransformed() const;
};

class OutputFormat {
 public:
  OutputFormat() = default;
  // Throws CompileError (position inside `text`).
  static OutputFormat compile(std::string_view text, const FieldCatalog& catalog,
                              RequestPlan& plan);

  std::string render(const FieldValueSource& values, size_t event) const;
  const std::vector<OutputPart>& parts() const { return parts_; }

 private:
  std::vector<OutputPart> parts_;
};

// One field of an output format as text, transformers applied: "<NA>" when
// absent, a list as "(a,b)".
std::string renderField(const OutputPart& part, const FieldValueSource& values, size_t event);

// One value as output text.
std::string formatValue(ValueType type, const Value& v);

}  // namespace bulkhead
