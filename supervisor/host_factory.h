// Builds the PluginHost of one configured plugin: an IsolatedHost (a
// sandboxed runner) or an InProcessHost, as its `bulkhead:` settings say.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "config/config.h"
#include "plugin_api/plugin_host.h"
#include "supervisor/runner_services.h"

namespace bulkhead {

// Throws PluginError: "could not load plugin 'x' (path): ...".
std::unique_ptr<PluginHost> makeHost(const PluginConfig& plugin, const RunnerServices& services);

// Shuts every host down (PluginHost::shutdown) at once, each on a thread
// of its own: the whole stop takes as long as the slowest host, at most
// one close deadline for isolated hosts, however many of them hang.
void shutdownHosts(std::span<PluginHost* const> hosts);

// The folder of the running executable (from /proc/self/exe).
std::string executableDir();

}  // namespace bulkhead
