// Builds the PluginHost of one configured plugin: an IsolatedHost (a
// sandboxed runner) or an InProcessHost, as its `bulkhead:` settings say.
#pragma once

#include <memory>
#include <string>

#include "config/config.h"
#include "isolated_host.h"
#include "plugin_api/plugin_host.h"

namespace bulkhead {

struct HostContext {
  std::string runnerPath;  // bulkhead-runner
  std::string policyDir;   // where the seccomp profiles are
};

// The supervisor's options for one plugin's isolation settings.
IsolationOptions isolationOptions(const IsolationConfig& iso, const HostContext& ctx);

// Throws PluginError: "could not load plugin 'x' (path): ...".
std::unique_ptr<PluginHost> makeHost(const PluginConfig& plugin, const HostContext& ctx);

// The folder of the running executable (from /proc/self/exe).
std::string executableDir();

}  // namespace bulkhead
