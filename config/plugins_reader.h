// Reads `plugins`, `load_plugins` and the per-plugin part of `bulkhead:`.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "config/config.h"
#include "config/yaml_node_reader.h"

namespace bulkhead {

// Every `plugins` entry, validated, in file order. Relative library paths
// are resolved under `pluginsDir`; duplicate names fail.
std::vector<PluginConfig> readPluginEntries(YamlNodeReader& reader, const YAML::Node& root,
                                            const std::string& pluginsDir);

// Applies load_plugins (Falco's semantics, see config.h) to `entries`.
std::vector<PluginConfig> selectLoadedPlugins(YamlNodeReader& reader, const YAML::Node& root,
                                              std::vector<PluginConfig> entries);

// Fills each plugin's isolation from bulkhead.defaults and
// bulkhead.plugins.<name>; warns about names that match no loaded plugin.
void applyIsolation(YamlNodeReader& reader, const YAML::Node& bulkhead,
                    std::vector<PluginConfig>& plugins);

}  // namespace bulkhead
