// Falco rule exceptions (a rule's `exceptions:` entries, not C++ exceptions)
// as conditions: the expression each adds as `and not (...)` (see
// rules_loader.h for the forms).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/ast.h"
#include "engine/rules_file.h"

namespace bulkhead {

// The comparison named in an exception's `comps`; nullopt when it is not
// one an exception accepts. The rules file reader checks `comps` with it.
std::optional<CmpOp> comparisonOp(std::string_view comp);

// "name", "name[arg]" or a transformed field, "tolower(name)", as a field
// reference; nullopt when it is not one.
std::optional<FieldRef> parseFieldText(const std::string& text);

// The `or` of the exception's value tuples; nullptr when it has no values.
// Throws std::runtime_error with a message about the exception's shape.
ExprPtr exceptionExpr(const ExceptionDef& e);

}  // namespace bulkhead
