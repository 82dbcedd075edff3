// Falco's `config_files`: more YAML files merged into the main one, in
// order. Each entry is a path, or {path, strategy} with strategy
//   append   (default) a top-level sequence in both files is appended to,
//            any other top-level value is replaced;
//   override every top-level key in the included file replaces the main one;
//   add-only only top-level keys the main file lacks are added.
// A directory stands for its regular files in name order. Relative paths are
// resolved against the main file's directory. A missing path is skipped with
// a warning (Falco's packaged config_files point at optional directories).
// An included file's own config_files key is ignored with a warning: like
// Falco, inclusion is one level deep.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "config/yaml_node_reader.h"

namespace bulkhead {

// Merges into `root` (a map) and records in `reader` which file each merged
// value came from, so later errors name the right file and line. Returns
// every path config_files names (files and directories, absolute, missing
// ones included), for watch_config_files.
std::vector<std::string> mergeConfigFiles(YamlNodeReader& reader, YAML::Node& root,
                                          const std::string& baseDir);

}  // namespace bulkhead
