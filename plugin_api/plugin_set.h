// Load-time checks across every loaded plugin, as Falco makes them: one
// sourcing plugin per event source, unique plugin names and ids, field
// names unique within each source, no reserved source names.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "plugin_api/plugin_info.h"

namespace bulkhead {

struct LoadedPlugin {
  std::string configName;  // the `name` of its falco.yaml entry
  const PluginInfo* info = nullptr;
};

// Throws PluginError naming the plugins (and source, field or id) at fault.
// Returns warnings: plugins that no loaded source can use.
std::vector<std::string> checkPluginSet(std::span<const LoadedPlugin> plugins);

// True when a plugin whose source list is `sources` serves `source`: the
// list names it, or is empty (the ABI's "all sources").
bool servesSource(const std::vector<std::string>& sources, const std::string& source);

// True when `info`, a plugin that sources no events itself, works on the
// events of `source`: it extracts fields from them, parses them or sends
// async events into their stream (each capability checked against its own
// source list). Always false for a sourcing plugin: it attaches only to its
// own source, whatever its other capabilities say, since Falco gives it
// its own inspector. The supervisor gives such a plugin a host on every
// source it attaches to; load-time checks warn about plugins that attach
// to no loaded source.
bool attachesToSource(const PluginInfo& info, const std::string& source);

}  // namespace bulkhead
