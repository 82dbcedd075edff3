// The fields a condition or output may use for one event source.
//
// Built from the PluginInfos alone, so the engine does not depend on how a
// plugin is hosted. For source S the catalog holds the engine's own fields
// plus the fields of every plugin that extracts from S. As libsinsp decides
// it: a plugin's extraction set is its extractEventSources plus, for a
// sourcing plugin, its own eventSource; an empty set means every source.
// So json (no source, no list) serves all sources and k8saudit (source
// k8s_audit, empty list) serves only k8s_audit.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "engine/value_type.h"
#include "plugin_api/plugin_info.h"

namespace bulkhead {

// Fields the engine computes from the event header and the source itself.
enum class EngineField : uint32_t {
  kNum,          // evt.num: the framework event number
  kTime,         // evt.time: "HH:MM:SS.nnnnnnnnn" (local time)
  kDateTime,     // evt.datetime: "YYYY-MM-DD HH:MM:SS.nnnnnnnnn" (local time)
  kRawTime,      // evt.rawtime: nanoseconds since the epoch
  kSource,       // evt.source
  kPluginName,   // evt.pluginname: the plugin whose id the event carries
  kPluginInfo,   // evt.plugininfo: the plugin's text for the event, if the caller gives it
  kIsAsync,      // evt.is_async
  kAsyncType,    // evt.asynctype: the async event's name
  kTimeS,        // evt.time.s: "HH:MM:SS" (local time)
  kTimeIso8601,  // evt.time.iso8601: "YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000"
  kDateTimeS,    // evt.datetime.s: "YYYY-MM-DD HH:MM:SS" (local time)
  kRawTimeS,     // evt.rawtime.s: whole seconds since the epoch
  kRawTimeNs,    // evt.rawtime.ns: the nanoseconds within the second
  kRelTime,      // evt.reltime: nanoseconds since the source's first event
  kRelTimeS,     // evt.reltime.s: whole seconds of evt.reltime
  kRelTimeNs,    // evt.reltime.ns: the nanoseconds within that second
  kHostname,     // evt.hostname: FALCO_HOSTNAME, else the host's name
};

constexpr int32_t kEnginePlugin = -1;

struct FieldInfo {
  std::string name;
  ValueType type = ValueType::kString;
  bool isList = false;
  FieldArg arg;
  int32_t plugin = kEnginePlugin;  // index into the plugin list, or kEnginePlugin
  uint32_t id = 0;                 // the plugin's field id, or an EngineField
};

class CatalogError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class FieldCatalog {
 public:
  // Throws CatalogError when two plugins export the same field for `source`
  // (Falco refuses such a set of plugins too) or a plugin declares a type
  // the ABI does not define.
  FieldCatalog(std::string_view source, std::span<const PluginInfo> plugins);

  const std::string& source() const { return source_; }
  const FieldInfo* find(std::string_view name) const;
  // The longest field name that `text` starts with, for output strings where
  // a field is followed by text without a separator.
  const FieldInfo* longestPrefix(std::string_view text) const;
  size_t size() const { return fields_.size(); }

 private:
  std::string source_;
  std::map<std::string, FieldInfo, std::less<>> fields_;
};

// True when `plugin` can extract from events of `source`.
bool extractsFrom(const PluginInfo& plugin, std::string_view source);

// The sources that loaded plugins produce events for.
std::vector<std::string> providedSources(std::span<const PluginInfo> plugins);

}  // namespace bulkhead
