// A plugin's own metrics (get_metrics, plugin API 3.6): what the plugin
// counts about itself, for /metrics and the metrics snapshot.
//
// Each is named as libsinsp names it, "<plugin name>.<metric name>". The
// plugin's text is untrusted: copyPluginMetrics() keeps at most
// kMaxPluginMetrics of them, cuts a name at kMaxPluginMetricName bytes and
// turns every byte outside [A-Za-z0-9_.] into '_', so a name is safe in a
// Prometheus metric name, a JSON key and a log line alike. A runner's copy
// is checked again with validPluginMetric() where it arrives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "plugin_api/plugin_api.h"

namespace bulkhead {

inline constexpr size_t kMaxPluginMetrics = 256;
inline constexpr size_t kMaxPluginMetricName = 128;

struct PluginMetric {
  std::string name;  // "<plugin>.<metric>", characters [A-Za-z0-9_.]
  bool monotonic = true;
  ss_plugin_metric_value_type type = SS_PLUGIN_METRIC_VALUE_TYPE_U64;
  uint64_t bits = 0;  // the value union's 8 bytes, read as `type` says

  double value() const;
  // The integer types are printed as integers, as Falco does.
  bool integral() const;
  bool isSigned() const;  // S32, S64, I
  int64_t asInt() const;    // a signed type's value, else 0
  uint64_t asUint() const;  // U32's or U64's value, else 0
};

// The plugin's answer made safe, as the header says; `plugin` is the
// plugin's name (already visible text). Null names and unknown value types
// are left out.
std::vector<PluginMetric> copyPluginMetrics(const ss_plugin_metric* metrics, uint32_t count,
                                            std::string_view plugin);

// One of the ABI's ss_plugin_metric_value_type values.
bool knownValueType(uint32_t type);

// What copyPluginMetrics() could have made: the name's length and
// characters and the value type.
bool validPluginMetric(const PluginMetric& m);

}  // namespace bulkhead
