#include "engine/field_catalog.h"

#include <algorithm>

namespace bulkhead {

namespace {

struct EngineFieldDef {
  std::string_view name;
  ValueType type;
  EngineField id;
};

constexpr EngineFieldDef kEngineFields[] = {
    {"evt.num", ValueType::kUint64, EngineField::kNum},
    {"evt.time", ValueType::kString, EngineField::kTime},
    {"evt.datetime", ValueType::kString, EngineField::kDateTime},
    {"evt.rawtime", ValueType::kAbsTime, EngineField::kRawTime},
    {"evt.source", ValueType::kString, EngineField::kSource},
    {"evt.pluginname", ValueType::kString, EngineField::kPluginName},
    {"evt.plugininfo", ValueType::kString, EngineField::kPluginInfo},
    {"evt.is_async", ValueType::kBool, EngineField::kIsAsync},
    {"evt.asynctype", ValueType::kString, EngineField::kAsyncType},
    {"evt.time.s", ValueType::kString, EngineField::kTimeS},
    {"evt.time.iso8601", ValueType::kString, EngineField::kTimeIso8601},
    {"evt.datetime.s", ValueType::kString, EngineField::kDateTimeS},
    {"evt.rawtime.s", ValueType::kAbsTime, EngineField::kRawTimeS},
    {"evt.rawtime.ns", ValueType::kAbsTime, EngineField::kRawTimeNs},
    {"evt.reltime", ValueType::kRelTime, EngineField::kRelTime},
    {"evt.reltime.s", ValueType::kRelTime, EngineField::kRelTimeS},
    {"evt.reltime.ns", ValueType::kRelTime, EngineField::kRelTimeNs},
    {"evt.hostname", ValueType::kString, EngineField::kHostname},
};

}  // namespace

bool extractsFrom(const PluginInfo& plugin, std::string_view source) {
  if (plugin.fields.empty()) return false;
  const auto& listed = plugin.extractEventSources;
  bool inList = std::find(listed.begin(), listed.end(), source) != listed.end();
  // libsinsp adds a sourcing plugin's own source to its extraction set
  // before asking whether the set is empty (plugin-abi.md §5): a sourcing
  // plugin that lists nothing extracts from its own source only.
  if (!plugin.eventSource.empty()) return plugin.eventSource == source || inList;
  return listed.empty() || inList;
}

std::vector<std::string> providedSources(std::span<const PluginInfo> plugins) {
  std::vector<std::string> out;
  for (const auto& p : plugins) {
    if (p.eventSource.empty()) continue;
    if (std::find(out.begin(), out.end(), p.eventSource) == out.end()) out.push_back(p.eventSource);
  }
  return out;
}

FieldCatalog::FieldCatalog(std::string_view source, std::span<const PluginInfo> plugins)
    : source_(source) {
  for (const auto& def : kEngineFields) {
    FieldInfo f;
    f.name = std::string(def.name);
    f.type = def.type;
    f.id = static_cast<uint32_t>(def.id);
    fields_.emplace(f.name, f);
  }
  for (size_t p = 0; p < plugins.size(); ++p) {
    const PluginInfo& plugin = plugins[p];
    if (!extractsFrom(plugin, source)) continue;
    for (size_t i = 0; i < plugin.fields.size(); ++i) {
      const FieldDescriptor& d = plugin.fields[i];
      auto type = fromPluginType(d.type);
      if (!type) {
        throw CatalogError("plugin '" + plugin.name + "': field '" + d.name +
                           "' has unknown type code " + std::to_string(d.type));
      }
      auto existing = fields_.find(d.name);
      if (existing != fields_.end()) {
        std::string owner = existing->second.plugin == kEnginePlugin
                                ? std::string("the engine")
                                : "plugin '" + plugins[existing->second.plugin].name + "'";
        throw CatalogError("plugin '" + plugin.name + "': field '" + d.name + "' for source '" +
                           std::string(source) + "' is already defined by " + owner);
      }
      FieldInfo f;
      f.name = d.name;
      f.type = *type;
      f.isList = d.isList;
      f.arg = d.arg;
      f.plugin = static_cast<int32_t>(p);
      f.id = static_cast<uint32_t>(i);
      fields_.emplace(f.name, std::move(f));
    }
  }
}

const FieldInfo* FieldCatalog::find(std::string_view name) const {
  auto it = fields_.find(name);
  return it == fields_.end() ? nullptr : &it->second;
}

const FieldInfo* FieldCatalog::longestPrefix(std::string_view text) const {
  for (size_t n = text.size(); n > 0; --n) {
    if (const FieldInfo* f = find(text.substr(0, n))) return f;
  }
  return nullptr;
}

}  // namespace bulkhead
