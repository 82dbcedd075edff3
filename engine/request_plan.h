// Which fields to extract for a batch, deduplicated, per plugin.
//
// Compiled conditions and outputs refer to a field value through a slot.
// A slot names the plugin (or the engine) and the index of a request in that
// plugin's request list, so that one PluginHost::extract() per plugin and
// batch fetches every value the compiled rules of a source need.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/field_catalog.h"
#include "plugin_api/plugin_host.h"

namespace bulkhead {

struct Slot {
  int32_t plugin = kEnginePlugin;  // or an index into the plugin list
  uint32_t index = 0;              // request index, or an EngineField
  ValueType type = ValueType::kString;
  bool isList = false;
};

class RequestPlan {
 public:
  explicit RequestPlan(size_t pluginCount = 0) : requests_(pluginCount) {}

  // Returns the slot of (field, request), adding it once.
  uint32_t add(const FieldInfo& field, const FieldRequest& request);

  const std::vector<Slot>& slots() const { return slots_; }
  size_t pluginCount() const { return requests_.size(); }
  std::span<const FieldRequest> requests(size_t plugin) const { return requests_[plugin]; }
  // Plugins with at least one request: the extract() calls a batch costs.
  std::vector<size_t> pluginsWithRequests() const;

 private:
  std::vector<Slot> slots_;
  std::vector<std::vector<FieldRequest>> requests_;
};

}  // namespace bulkhead
