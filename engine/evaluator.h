// Evaluates a compiled condition for one event of a batch.
//
// Short-circuit: `and` stops at the first false child, `or` at the first
// true one, so later checks do not even read their values. The values
// themselves were extracted for the whole batch up front (one extract() per
// plugin and batch, see RequestPlan). The trade-off: a field that only a
// short-circuited branch needs is still extracted for every event of the
// batch; in exchange an isolated plugin costs one round trip per batch
// instead of one per field and event, which is what dominates (tens of
// microseconds per wake-up against nanoseconds per extra value).
//
// A check on a field with no value is false (including `!=`), as in Falco;
// so is one whose transformers leave the field without one (b64() of text
// that is not base64).
// A single-valued field for which a plugin returns several values is
// compared through its first value.
#pragma once

#include "engine/compiler.h"
#include "engine/field_values.h"

namespace bulkhead {

bool evaluate(const CompiledFilter& filter, const FieldValueSource& values, size_t event);

// Exposed for tests: glob matching as fnmatch(3) without flags does it
// ('*' and '?' also match '/'; [...] sets with ranges and '!' or '^').
bool globMatch(std::string_view pattern, std::string_view text, bool ignoreCase);
// pmatch: `path` equals `prefix` or lies under it.
bool pathPrefixMatch(std::string_view prefix, std::string_view path);

}  // namespace bulkhead
