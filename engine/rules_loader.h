// Loading Falco rules files for a set of plugins.
//
// Files are read in order and merged as Falco merges them: a later
// definition of a rule, macro or list replaces the earlier one; `append:
// true` extends it (conditions and outputs joined with a space, list items
// and exception values added); `override: {key: append|replace}` does the
// same key by key; a rule item with only `enabled` switches an existing rule
// on or off. Then, for each source that a loaded plugin provides, the rules
// of that source compile against that source's fields (FieldCatalog); the
// macros and lists they use compile with them, so a macro is only checked
// against the fields of the sources whose rules use it. A rule whose source
// no loaded plugin provides is skipped with a warning.
//
// Exceptions compile as Falco compiles them: `condition and not (e1) and not
// (e2) ...`, where a tuple exception is the `or` of one `and` per value tuple
// (`f1 c1 v1 and f2 c2 v2`), and a single-field exception (`fields: f`) is
// `f comp (v1, v2, ...)` for in/intersects/pmatch (the default comp `in`) or
// the `or` of `f comp v` otherwise. An exception without values adds nothing.
//
// The engine reads no files: callers hand over each file's name and text.
#pragma once

#include <map>
#include <span>
#include <string>
#include <vector>

#include "engine/diagnostic.h"
#include "engine/rule_set.h"
#include "engine/append_output.h"
#include "engine/rules_file.h"
#include "plugin_api/plugin_info.h"

namespace bulkhead {

struct RulesText {
  std::string name;  // used in messages, usually the path
  std::string text;
};

struct LoadResult {
  std::vector<Diagnostic> diagnostics;  // errors and warnings, in load order
  std::vector<RuleSet> ruleSets;        // one per source the plugins provide

  bool ok() const;
  std::vector<Diagnostic> errors() const;
  std::vector<Diagnostic> warnings() const;
  const RuleSet* forSource(std::string_view source) const;
};

// `appends`: falco.yaml's append_output entries, applied to every rule they
// match, in order.
LoadResult loadRules(std::span<const RulesText> files, std::span<const PluginInfo> plugins,
                     std::span<const AppendOutput> appends = {});

}  // namespace bulkhead
