// falco.yaml's append_output: text added to the outputs of the rules an
// entry matches, and fields added to their JSON output_fields only.
// config/ reads the entries; the rules loader applies them per rule.
#pragma once

#include <string>
#include <vector>

namespace bulkhead {

struct AppendOutput {
  // match: every given condition must hold (empty: any).
  std::string source;
  std::string rule;
  std::vector<std::string> tags;  // the rule has all of them
  // extra_output: appended to the rule's output after a space.
  std::string extraOutput;
  // extra_fields, in the order written. `raw`: a bare field name, shown
  // typed under its own name; else `format` is rendered as text.
  struct Field {
    std::string key;
    std::string format;
    bool raw = false;
  };
  std::vector<Field> extraFields;
  // suggested_output: append "<name_with_underscores>=%<name>" for every
  // field a plugin marks as suggested (addOutput).
  bool suggestedOutput = false;
};

}  // namespace bulkhead
