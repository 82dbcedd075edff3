#include "plugin_api/plugin_metric.h"

#include <algorithm>
#include <cstring>

namespace bulkhead {
namespace {

bool nameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.';
}

}  // namespace

bool knownValueType(uint32_t type) { return type <= SS_PLUGIN_METRIC_VALUE_TYPE_I; }

namespace {

template <typename T>
T read(uint64_t bits) {
  T v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

}  // namespace

double PluginMetric::value() const {
  switch (type) {
    case SS_PLUGIN_METRIC_VALUE_TYPE_D:
      return read<double>(bits);
    case SS_PLUGIN_METRIC_VALUE_TYPE_F:
      return read<float>(bits);
    default:
      return isSigned() ? static_cast<double>(asInt()) : static_cast<double>(asUint());
  }
}

bool PluginMetric::integral() const {
  return type != SS_PLUGIN_METRIC_VALUE_TYPE_D && type != SS_PLUGIN_METRIC_VALUE_TYPE_F;
}

bool PluginMetric::isSigned() const {
  return type == SS_PLUGIN_METRIC_VALUE_TYPE_S32 || type == SS_PLUGIN_METRIC_VALUE_TYPE_S64 ||
         type == SS_PLUGIN_METRIC_VALUE_TYPE_I;
}

int64_t PluginMetric::asInt() const {
  switch (type) {
    case SS_PLUGIN_METRIC_VALUE_TYPE_S32:
      return read<int32_t>(bits);
    case SS_PLUGIN_METRIC_VALUE_TYPE_I:
      return read<int>(bits);
    case SS_PLUGIN_METRIC_VALUE_TYPE_S64:
      return read<int64_t>(bits);
    default:
      return 0;
  }
}

uint64_t PluginMetric::asUint() const {
  switch (type) {
    case SS_PLUGIN_METRIC_VALUE_TYPE_U32:
      return read<uint32_t>(bits);
    case SS_PLUGIN_METRIC_VALUE_TYPE_U64:
      return bits;
    default:
      return 0;
  }
}

std::vector<PluginMetric> copyPluginMetrics(const ss_plugin_metric* metrics, uint32_t count,
                                            std::string_view plugin) {
  std::vector<PluginMetric> out;
  if (metrics == nullptr) return out;
  for (uint32_t i = 0; i < count && out.size() < kMaxPluginMetrics; ++i) {
    const ss_plugin_metric& m = metrics[i];
    // The enums as the plugin wrote them: any 32-bit value.
    uint32_t kind = 0;
    uint32_t valueType = 0;
    std::memcpy(&kind, &m.type, sizeof kind);
    std::memcpy(&valueType, &m.value_type, sizeof valueType);
    if (m.name == nullptr || !knownValueType(valueType)) continue;
    PluginMetric p;
    p.name.assign(plugin);
    p.name += '.';
    p.name.append(m.name, strnlen(m.name, kMaxPluginMetricName));
    p.name.resize(std::min(p.name.size(), kMaxPluginMetricName));
    std::replace_if(p.name.begin(), p.name.end(), [](char c) { return !nameChar(c); }, '_');
    p.monotonic = kind != SS_PLUGIN_METRIC_TYPE_NON_MONOTONIC;
    p.type = static_cast<ss_plugin_metric_value_type>(valueType);
    std::memcpy(&p.bits, &m.value, sizeof p.bits);
    out.push_back(std::move(p));
  }
  return out;
}

bool validPluginMetric(const PluginMetric& m) {
  return !m.name.empty() && m.name.size() <= kMaxPluginMetricName &&
         std::all_of(m.name.begin(), m.name.end(), nameChar) &&
         knownValueType(static_cast<uint32_t>(m.type));
}

}  // namespace bulkhead
