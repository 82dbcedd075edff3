// Reads falco.yaml's `webserver:` and `metrics:` sections (Falco 0.44's
// keys and defaults, config.h). Errors name file:line:column and the key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "config/config.h"
#include "config/yaml_node_reader.h"

namespace bulkhead {

WebserverConfig readWebserver(YamlNodeReader& reader, const YAML::Node& root,
                              const std::string& baseDir);
MetricsConfig readMetrics(YamlNodeReader& reader, const YAML::Node& root,
                          const std::string& baseDir);

// Falco's (Prometheus') duration syntax: one or more <number><unit> with
// units ms, s, m, h, d, w, y, largest first ("1h30m", "15s", "500ms").
// Milliseconds, or nullopt when `text` is not one.
std::optional<uint64_t> parseDurationMs(std::string_view text);

}  // namespace bulkhead
