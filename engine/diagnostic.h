// Errors and warnings from loading rules: where (file:line:column), which
// item (rule, macro, list) and what to change.
#pragma once

#include <cstdint>
#include <string>

namespace bulkhead {

struct Diagnostic {
  enum class Severity : uint8_t { kError, kWarning };

  Severity severity = Severity::kError;
  std::string file;
  uint32_t line = 0;  // 1-based; 0 when unknown
  uint32_t column = 0;
  std::string item;  // e.g. "rule 'Create Privileged Pod'"; empty for the file
  std::string message;

  // "file:line:column: error: rule 'X': message"
  std::string toString() const {
    std::string out = file;
    if (line) out += ":" + std::to_string(line) + ":" + std::to_string(column);
    out += severity == Severity::kError ? ": error: " : ": warning: ";
    if (!item.empty()) out += item + ": ";
    return out + message;
  }
};

}  // namespace bulkhead
