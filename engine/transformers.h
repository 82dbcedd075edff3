// Falco's field transformers, applied to a field's values before a
// comparison (`tolower(ka.user.name) = admin`) or in an output
// (`%toupper(ka.verb)`). Nested ones apply innermost first.
//
// What each takes and gives, as libsinsp defines them:
//
//   tolower, toupper  string -> string     ASCII letters only (C locale)
//   basename          string -> string     the text after the last '/';
//                                          "" for "/usr/bin/", all of "cat"
//   b64               string, bytebuf      base64 decoding ('=' padding
//                       -> the same type   optional); a value that does not
//                                          decode leaves the field without one
//   len               string -> uint64     its length (up to a NUL byte)
//                     bytebuf -> uint64    its size
//                     list -> uint64       how many values it has
//
// A transformer keeps a list a list (each value is transformed) except
// len(), which counts the values. A field with no value keeps having none:
// len() of a missing or empty list is not 0 but absent, as in Falco, so a
// check on it is false and an output shows <NA>.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/ast.h"
#include "engine/field_values.h"
#include "engine/value_type.h"

namespace bulkhead {

struct FieldShape {
  ValueType type = ValueType::kString;
  bool isList = false;

  bool operator==(const FieldShape&) const = default;
};

// The shape of `t`'s result for a field of shape `in`; nullopt when `t`
// does not apply to it.
std::optional<FieldShape> transformedShape(Transformer t, FieldShape in);

// The transformers of one field reference, checked against the field.
struct TransformChain {
  std::vector<Transformer> steps;  // innermost first
  FieldShape input;                // the field as extracted
  FieldShape output;               // after every step
};

// The values of one field for one event, as a check or an output reads
// them: straight from the source when the chain has no step, else computed
// here once by the chain (the source's values are not touched).
class FieldReader {
 public:
  FieldReader(const FieldValueSource& src, size_t event, uint32_t slot,
              const TransformChain& chain);

  size_t count() const;
  Value at(size_t i) const;

 private:
  void transform(const TransformChain& chain);

  const FieldValueSource& src_;
  size_t event_;
  uint32_t slot_;
  bool direct_;
  std::vector<std::string> text_;  // the computed strings that values_ view
  std::vector<Value> values_;
};

// Exposed for tests. Base64 with the standard alphabet, as libsinsp's b64()
// reads it: up to two trailing '=' are optional, anything else outside the
// alphabet, a length that leaves one character over, or non-zero bits after
// the last full byte make it fail (false; `out` is then unspecified).
bool decodeBase64(std::string_view in, std::string& out);

}  // namespace bulkhead
