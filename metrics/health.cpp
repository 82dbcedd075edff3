#include "metrics/health.h"

#include <boost/json.hpp>

#include "engine/version_check.h"
#include "plugin_api/plugin_api.h"
#include "plugin_api/visible_text.h"

namespace bulkhead {

Health healthOf(const Snapshot& s) {
  Health h;
  for (const SourceSample& src : s.sources) {
    if (src.end == SS_PLUGIN_SUCCESS) continue;
    h.ok = false;
    h.reasons.push_back("source '" + visibleText(src.source, kShownNameBytes) + "' " +
                        (src.end == SS_PLUGIN_EOF ? "reached its end" : "failed"));
  }
  for (const PluginSample& p : s.plugins) {
    if (!p.state.disabled) continue;
    h.ok = false;
    // p.plugin was made visible when the inputs were built.
    h.reasons.push_back("plugin '" + p.plugin + "' is disabled (circuit breaker)");
  }
  return h;
}

std::string healthJson(const Health& h) {
  if (h.ok) return R"({"status": "ok"})";
  boost::json::object o;
  o["status"] = "unhealthy";
  boost::json::array reasons;
  for (const std::string& r : h.reasons) reasons.emplace_back(r);
  o["reasons"] = std::move(reasons);
  return boost::json::serialize(o);
}

std::string versionsJson(const MetricsInputs& in) {
  boost::json::object o;
  o["falco_version"] = BULKHEAD_VERSION;
  o["libs_version"] = "";
  o["plugin_api_version"] = std::to_string(PLUGIN_API_VERSION_MAJOR) + "." +
                            std::to_string(PLUGIN_API_VERSION_MINOR) + "." +
                            std::to_string(PLUGIN_API_VERSION_PATCH);
  o["driver_api_version"] = "";
  o["driver_schema_version"] = "";
  o["default_driver_version"] = "";
  o["engine_version"] = std::to_string(kEngineVersion.minor);
  o["engine_version_semver"] = std::to_string(kEngineVersion.major) + "." +
                               std::to_string(kEngineVersion.minor) + "." +
                               std::to_string(kEngineVersion.patch);
  boost::json::object plugins;
  for (const auto& [name, version] : in.pluginVersions) {
    plugins[visibleText(name, kShownNameBytes)] = visibleText(version, kShownNameBytes);
  }
  o["plugin_versions"] = std::move(plugins);
  return boost::json::serialize(o);
}

}  // namespace bulkhead
