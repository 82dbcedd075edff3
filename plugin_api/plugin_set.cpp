#include "plugin_api/plugin_set.h"

#include <algorithm>
#include <map>

#include "plugin_api/visible_text.h"

namespace bulkhead {

namespace {

// Names and sources are the plugin's own text, made visible here, where
// they enter the message.
std::string shown(const std::string& s) { return visibleText(s, kShownNameBytes); }

std::string describe(const LoadedPlugin& p) {
  return "plugin '" + shown(p.info->name) + "' (" + p.info->libraryPath + ")";
}

// Source names the framework keeps for itself.
constexpr const char* kReservedSources[] = {"syscall", "internal", "plugins"};

}  // namespace

bool servesSource(const std::vector<std::string>& sources, const std::string& source) {
  return sources.empty() || std::find(sources.begin(), sources.end(), source) != sources.end();
}

bool attachesToSource(const PluginInfo& info, const std::string& source) {
  if (info.has(CAP_SOURCING)) return false;
  return (info.has(CAP_EXTRACTION) && servesSource(info.extractEventSources, source)) ||
         (info.has(CAP_PARSING) && servesSource(info.parseEventSources, source)) ||
         (info.has(CAP_ASYNC) && servesSource(info.asyncEventSources, source));
}

std::vector<std::string> checkPluginSet(std::span<const LoadedPlugin> plugins) {
  std::map<std::string, const LoadedPlugin*> byName;
  std::map<uint32_t, const LoadedPlugin*> byId;
  std::map<std::string, const LoadedPlugin*> bySource;
  for (const LoadedPlugin& p : plugins) {
    const PluginInfo& info = *p.info;
    if (auto [it, fresh] = byName.emplace(info.name, &p); !fresh) {
      throw PluginError(describe(p) + " has the same name as " + describe(*it->second) +
                        ": plugin names must be unique");
    }
    if (!info.has(CAP_SOURCING) || info.id == 0) continue;
    if (p.configName != info.name) {
      throw PluginError("the falco.yaml entry '" + p.configName + "' loads " + describe(p) +
                        ": a sourcing plugin's entry must be named after the plugin ('" +
                        shown(info.name) + "')");
    }
    for (const char* reserved : kReservedSources) {
      if (info.eventSource == reserved) {
        throw PluginError(describe(p) + " declares the reserved event source '" + reserved + "'");
      }
    }
    if (auto [it, fresh] = byId.emplace(info.id, &p); !fresh) {
      throw PluginError(describe(p) + " has the same plugin id " + std::to_string(info.id) +
                        " as " + describe(*it->second) + ": plugin ids must be unique");
    }
    if (auto [it, fresh] = bySource.emplace(info.eventSource, &p); !fresh) {
      throw PluginError(describe(p) + " and " + describe(*it->second) +
                        " both provide the event source '" + shown(info.eventSource) +
                        "': load only one sourcing plugin per source");
    }
  }

  for (const auto& [source, provider] : bySource) {
    std::map<std::string, const LoadedPlugin*> fields;
    for (const LoadedPlugin& p : plugins) {
      if (!p.info->has(CAP_EXTRACTION) || !servesSource(p.info->extractEventSources, source)) {
        continue;
      }
      for (const FieldDescriptor& f : p.info->fields) {
        auto [it, fresh] = fields.emplace(f.name, &p);
        if (!fresh && it->second != &p) {
          throw PluginError("field '" + shown(f.name) + "' of event source '" + shown(source) +
                            "' is exported by both " + describe(*it->second) + " and " +
                            describe(p) + ": field names must be unique per source");
        }
      }
    }
  }

  std::vector<std::string> warnings;
  for (const LoadedPlugin& p : plugins) {
    const PluginInfo& info = *p.info;
    if (info.has(CAP_SOURCING)) continue;
    bool used = false;
    for (const auto& [source, provider] : bySource) {
      used = used || attachesToSource(info, source);
    }
    if (!used) {
      warnings.push_back(describe(p) + " is loaded but serves none of the loaded event sources");
    }
  }
  return warnings;
}

}  // namespace bulkhead
