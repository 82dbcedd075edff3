// Load-time checks across every loaded plugin, as Falco makes them: one
// sourcing plugin per event source, unique plugin names and ids, field
// names unique within each source, no reserved source names.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "plugin_info.h"

namespace bulkhead {

struct LoadedPlugin {
  std::string configName;  // the `name` of its falco.yaml entry
  const PluginInfo* info = nullptr;
};

// Throws PluginError naming the plugins (and source, field or id) at fault.
// Returns warnings: plugins that no loaded source can use.
std::vector<std::string> checkPluginSet(std::span<const LoadedPlugin> plugins);

// True when a plugin whose source list is `sources` serves `source`.
bool servesSource(const std::vector<std::string>& sources, const std::string& source);

}  // namespace bulkhead
