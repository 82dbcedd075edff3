// What main() owns and hands to every host, for the supervisor tests: one
// spawner and one death watch for the whole test process, and the runner
// and profiles of this build.
#pragma once

#include "config/isolation_config.h"
#include "supervisor/runner_services.h"

namespace bulkhead {

RunnerServices& testServices();

// The built-in isolation defaults.
inline IsolationConfig testIsolation() { return IsolationConfig{}; }

}  // namespace bulkhead
