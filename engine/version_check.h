// Version requirements of rules files: required_plugin_versions (checked
// against the loaded plugins) and required_engine_version.
//
// Compatibility (plugin-abi.md §7): same major, and the loaded version is at
// least the required one as a (major, minor, patch) tuple. For an entry with
// alternatives, the first listed name (main name first) that a loaded plugin
// has decides: if that plugin is incompatible the entry fails even when a
// later alternative would pass. Entries from several files are all checked,
// so duplicate names across files must all be satisfied.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/diagnostic.h"
#include "plugin_api/plugin_info.h"

#include "plugin_api/version.h"

namespace bulkhead {

// The rules-language version this engine implements; a rules file's
// required_engine_version (an integer N means 0.N.0) must not exceed it.
inline constexpr SemVer kEngineVersion{0, 50, 0};

struct PluginRequirement {
  struct Alternative {
    std::string name;
    std::string version;
  };
  std::vector<Alternative> names;  // main name first, then the alternatives
  std::string file;
  uint32_t line = 0;
  uint32_t column = 0;
};

// One error per failing requirement.
std::vector<Diagnostic> checkPluginRequirements(std::span<const PluginRequirement> reqs,
                                                std::span<const PluginInfo> plugins);

}  // namespace bulkhead
