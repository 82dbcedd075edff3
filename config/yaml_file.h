// Reading one YAML file into a yaml-cpp tree, with loading-layer errors.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>

namespace bulkhead {

// A falco.yaml is a few kilobytes; refusing large files keeps a stray
// multi-gigabyte file from being read into memory.
inline constexpr std::size_t kMaxConfigFileBytes = 16u << 20;

// Parses `path` (absolute). Throws ConfigError naming the file when it is
// missing, unreadable, a directory, too large, or not valid YAML (then with
// line:column). An empty file (or one with only comments) gives a null node.
// Scalar values have `${NAME}` replaced by the environment variable, as
// Falco does (`$${` is a literal `${`).
YAML::Node parseYamlFile(const std::string& path);

}  // namespace bulkhead
