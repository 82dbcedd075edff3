// Reads the isolation settings of the `bulkhead:` section.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string_view>

#include "config/isolation_config.h"
#include "config/yaml_node_reader.h"

namespace bulkhead {

// Reads one isolation map (bulkhead.defaults or bulkhead.plugins.<name>)
// at `path` on top of `base`: a key given here replaces the base value;
// sub-maps (limits, deadlines_ms, restart, env, ring_mb, allow_paths) merge
// key by key, and an env key set to null removes that variable. Unknown
// keys are warned about; wrong types and out-of-range values fail.
IsolationConfig readIsolation(YamlNodeReader& reader, const YAML::Node& node, std::string_view path,
                              const IsolationConfig& base);

}  // namespace bulkhead
