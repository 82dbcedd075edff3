#include "supervisor/host_factory.h"

#include <filesystem>
#include <thread>
#include <vector>

#include "plugin_api/inprocess_host.h"
#include "supervisor/isolated_host.h"

namespace bulkhead {

std::string executableDir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

std::unique_ptr<PluginHost> makeHost(const PluginConfig& plugin, const RunnerServices& services) {
  PluginSpec spec{plugin.name, plugin.libraryPath, plugin.initConfig, plugin.openParams};
  if (plugin.isolation.mode == IsolationMode::kInProcess) {
    return std::make_unique<InProcessHost>(spec);
  }
  return std::make_unique<IsolatedHost>(spec, plugin.isolation, services);
}

void shutdownHosts(std::span<PluginHost* const> hosts) {
  std::vector<std::jthread> stops;
  stops.reserve(hosts.size());
  for (PluginHost* h : hosts) stops.emplace_back([h] { h->shutdown(); });
}  // the jthreads join here

}  // namespace bulkhead
