#include "engine/request_plan.h"

namespace bulkhead {

uint32_t RequestPlan::add(const FieldInfo& field, const FieldRequest& request) {
  if (field.plugin == kEnginePlugin) {
    for (uint32_t s = 0; s < slots_.size(); ++s) {
      if (slots_[s].plugin == kEnginePlugin && slots_[s].index == field.id) return s;
    }
    slots_.push_back(Slot{kEnginePlugin, field.id, field.type, field.isList});
    return static_cast<uint32_t>(slots_.size() - 1);
  }
  auto p = static_cast<size_t>(field.plugin);
  if (p >= requests_.size()) requests_.resize(p + 1);
  auto& list = requests_[p];
  uint32_t index = 0;
  for (; index < list.size(); ++index) {
    const FieldRequest& r = list[index];
    if (r.fieldId == request.fieldId && r.argPresent == request.argPresent &&
        r.argKey == request.argKey && r.argIndex == request.argIndex)
      break;
  }
  if (index == list.size()) list.push_back(request);
  for (uint32_t s = 0; s < slots_.size(); ++s) {
    if (slots_[s].plugin == field.plugin && slots_[s].index == index) return s;
  }
  slots_.push_back(Slot{field.plugin, index, field.type, field.isList});
  return static_cast<uint32_t>(slots_.size() - 1);
}

std::vector<size_t> RequestPlan::pluginsWithRequests() const {
  std::vector<size_t> out;
  for (size_t p = 0; p < requests_.size(); ++p) {
    if (!requests_[p].empty()) out.push_back(p);
  }
  return out;
}

}  // namespace bulkhead
