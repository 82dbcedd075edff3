// Reads falco.yaml's append_output list (Falco 0.44's shape): entries of
// {match: {source, rule, tags}, extra_output, extra_fields, suggested_output}.
#pragma once

#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/yaml_node_reader.h"
#include "engine/append_output.h"

namespace bulkhead {

// Throws ConfigError naming file:line:column for an entry Falco would
// refuse: not a map, extra_fields not a list, an extra field that is
// neither a name nor a one-key map, a key given twice in one entry.
std::vector<AppendOutput> readAppendOutput(YamlNodeReader& reader, const YAML::Node& root);

}  // namespace bulkhead
