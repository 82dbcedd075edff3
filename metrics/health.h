// What /healthz and /versions answer.
//
// Healthy while every source runs and no plugin serving one is disabled:
// {"status": "ok"}, 200. Otherwise 503 with {"status": "unhealthy",
// "reasons": [...]}, one reason per source that ended (EOF: its capture is
// over and it watches nothing more; failure) and per plugin the circuit
// breaker disabled (a disabled extractor leaves its source running with
// absent values, which is not healthy either). A restarting runner is not
// a reason: it is what isolation is for, and the breaker decides when it
// is too much.
#pragma once

#include <string>
#include <vector>

#include "metrics/snapshot.h"

namespace bulkhead {

struct Health {
  bool ok = true;
  std::vector<std::string> reasons;  // texts from plugins made visible
};

Health healthOf(const Snapshot& s);
std::string healthJson(const Health& h);

// Falco's /versions keys. falco_version is bulkhead's version; engine_version
// (the minor) and engine_version_semver are its rules engine version;
// plugin_api_version is the API it hosts; libs_version, driver_api_version,
// driver_schema_version and default_driver_version are empty: there is no
// libs and no kernel driver. plugin_versions maps each loaded plugin to its
// version, as Falco's does.
std::string versionsJson(const MetricsInputs& in);

}  // namespace bulkhead
