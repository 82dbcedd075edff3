#include "host_factory.h"

#include <unistd.h>

#include <bit>
#include <filesystem>

#include "plugin_api/inprocess_host.h"

namespace bulkhead {

namespace {

std::chrono::milliseconds deadline(uint64_t ms) {
  // 0 disables a deadline: a year stands in for "never".
  return std::chrono::milliseconds(ms == 0 ? 365ull * 24 * 3600 * 1000 : ms);
}

// Rings must be powers of two; a size in MiB that is not one is rounded up.
uint64_t ringBytes(uint64_t mb) { return std::bit_ceil(mb << 20); }

}  // namespace

std::string executableDir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

IsolationOptions isolationOptions(const IsolationConfig& iso, const HostContext& ctx) {
  IsolationOptions o;
  o.runnerPath = ctx.runnerPath;
  o.policyDir = ctx.policyDir;
  o.policyName = iso.policy;
  o.user = iso.user;
  o.addressSpaceMb = iso.limits.addressSpaceMb;
  o.cpuSeconds = iso.limits.cpuSeconds;
  o.openFiles = iso.limits.openFiles;
  o.allowRead = iso.allowPaths.read;
  o.allowWrite = iso.allowPaths.write;
  o.env.clear();
  for (const auto& [k, v] : iso.env) o.env.push_back(k + "=" + v);
  o.ringBytes = {ringBytes(iso.ringMb.sourceMb), ringBytes(iso.ringMb.requestMb),
                 ringBytes(iso.ringMb.responseMb), ringBytes(iso.ringMb.asyncMb)};
  o.initDeadline = deadline(iso.deadlines.initMs);
  o.openDeadline = deadline(iso.deadlines.openMs);
  o.nextBatchDeadline = deadline(iso.deadlines.nextBatchMs);
  o.extractDeadline = deadline(iso.deadlines.extractMs);
  o.parseDeadline = deadline(iso.deadlines.parseMs);
  o.controlDeadline = deadline(iso.deadlines.closeMs);
  o.maxRestarts = static_cast<uint32_t>(iso.restart.maxRestarts);
  o.restartWindow = std::chrono::seconds(iso.restart.windowS);
  o.standbyRunner = iso.restart.standby;
  o.backoffInitial = std::chrono::milliseconds(iso.restart.backoffInitialMs);
  o.backoffMax = std::chrono::milliseconds(iso.restart.backoffMaxMs);
  return o;
}

std::unique_ptr<PluginHost> makeHost(const PluginConfig& plugin, const HostContext& ctx) {
  PluginSpec spec{plugin.name, plugin.libraryPath, plugin.initConfig, plugin.openParams};
  if (plugin.isolation.mode == IsolationMode::kInProcess) {
    return std::make_unique<InProcessHost>(spec);
  }
  return std::make_unique<IsolatedHost>(spec, isolationOptions(plugin.isolation, ctx));
}

}  // namespace bulkhead
