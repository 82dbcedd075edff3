// Reading one Falco rules file: YAML text to a list of items, each with
// its position. No merging and no compilation here (see rules_loader.h).
//
// Supported top-level items: rule, macro, list, required_engine_version,
// required_plugin_versions. Anything else, and any property these items do
// not support, is an error that names it: a rules file is never half read.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/diagnostic.h"
#include "engine/lexer.h"
#include "engine/version_check.h"

namespace bulkhead {

struct FilePos {
  uint32_t line = 0;  // 1-based
  uint32_t column = 0;
  size_t offset = 0;  // byte offset of the YAML node in the file
};

// One value of an exception tuple: a scalar, or an inline list `[a, b]`.
struct ExceptionValue {
  std::vector<std::string> items;
  bool inlineList = false;
  FilePos pos;
};

struct ExceptionDef {
  std::string name;
  std::vector<std::string> fields;
  bool tupleForm = true;                            // fields: [a, b] (false for fields: a)
  std::vector<std::string> comps;                   // one per field; defaults filled in
  std::vector<std::vector<ExceptionValue>> values;  // one tuple per entry
  FilePos pos;
};

// A problem in a rules file at a position (the YAML node at fault).
struct RulesFileError {
  FilePos pos;
  std::string message;
};

// Checks that each value tuple has one item per field and that inline
// lists only meet in/intersects/pmatch; throws RulesFileError.
void checkExceptionValues(const ExceptionDef& e);

enum class ItemKind : uint8_t { kRule, kMacro, kList, kEngineVersion, kPluginVersions };

// A text taken from a YAML scalar, with where it came from so that an
// offset inside it can be turned into a file line and column.
struct ScalarText {
  std::string text;
  std::string file;
  FilePos pos;
};

struct RulesItem {
  ItemKind kind = ItemKind::kRule;
  std::string name;
  std::string file;
  FilePos pos;

  std::optional<std::string> desc;
  std::optional<ScalarText> condition;
  std::optional<ScalarText> output;
  std::optional<std::string> priority;
  std::optional<std::string> source;
  std::optional<bool> enabled;
  std::optional<bool> skipIfUnknownFilter;
  std::optional<std::vector<std::string>> tags;
  std::optional<std::vector<std::string>> items;  // list
  std::optional<std::vector<ExceptionDef>> exceptions;
  bool append = false;
  std::map<std::string, std::string> overrides;  // key -> "append" | "replace"
  std::vector<std::string> keys;                 // properties present, in order

  std::string engineVersion;                    // kEngineVersion
  std::vector<PluginRequirement> requirements;  // kPluginVersions
};

// Parses `text` (named `file` in messages). Errors and warnings go to
// `diags`; on a YAML syntax error the file yields no items.
std::vector<RulesItem> readRulesFile(const std::string& file, std::string_view text,
                                     std::vector<Diagnostic>& diags);

// Maps `offset` inside `scalar.text` back to a line and column of the file
// text, following how YAML folds and quotes scalars. Falls back to the
// scalar's own position when the text cannot be followed (escapes).
FilePos locateInScalar(std::string_view fileText, const ScalarText& scalar, size_t offset);

}  // namespace bulkhead
