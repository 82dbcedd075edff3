// How a runner's sandbox is logged when its first runner starts: one short
// line at info (the plugin, isolation mode, policy, how many layers are on
// and which are off), every layer with its detail at debug. Later runners
// (restarts, standbys) set up the same sandbox and are not logged again.
#pragma once

#include <string>
#include <vector>

#include "config/isolation_config.h"

namespace bulkhead {

// `layers`: the runner's hello, "name: state[: detail]" each, state one of
// applied, partial, unavailable, failed, not requested (the runner's own
// text, checked by the hello reader). Applied and partial count as on.
void logSandbox(const std::string& who, int pid, const IsolationConfig& config,
                const std::vector<std::string>& layers);

// The info line's text, without the "who".
std::string sandboxSummary(int pid, const IsolationConfig& config,
                           const std::vector<std::string>& layers);

}  // namespace bulkhead
