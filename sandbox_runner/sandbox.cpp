#include "sandbox_runner/sandbox.h"

#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "sandbox_runner/fd_closer.h"
#include "sandbox_runner/input_paths.h"
#include "shm_ring/unique_fd.h"

namespace bulkhead {

SandboxReport applySandboxLayers(const SandboxConfig& config) {
  SandboxReport report;
  const pid_t parent = config.expectedParent != 0 ? config.expectedParent : ::getppid();
  if (!setParentDeathSignal(config.parentDeathSignal, parent)) {
    throw std::system_error(ESRCH, std::generic_category(), "supervisor exited before start-up");
  }
  report.add("parent-death-signal", LayerState::kApplied,
             "signal " + std::to_string(config.parentDeathSignal));
  closeAllFdsExcept(config.keepFds);
  report.add("fds", LayerState::kApplied,
             "kept " + std::to_string(config.keepFds.size()) + " handed-over fds");
  report.add(applyResourceLimits(config.limits));
  report.append(isolate(config.isolation));
  sysCall("prctl(PR_SET_NO_NEW_PRIVS)", [] { return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); });
  report.add("no-new-privs", LayerState::kApplied);
  report.add(applyLandlock(config.landlock));
  return report;
}

LandlockRules landlockRulesFor(const Policy& policy, const std::string& libraryPath,
                               const std::vector<std::string_view>& userTexts) {
  LandlockRules rules;
  rules.allowNetwork = policy.allowNetwork;
  rules.readPaths = policy.readPaths;
  rules.writePaths = policy.writePaths;
  auto addRead = [&](std::string p) {
    if (p.empty() || p == "/") return;
    if (std::find(rules.readPaths.begin(), rules.readPaths.end(), p) == rules.readPaths.end()) {
      rules.readPaths.push_back(std::move(p));
    }
  };
  if (!libraryPath.empty()) {
    std::filesystem::path lib = std::filesystem::absolute(libraryPath).lexically_normal();
    addRead(lib.string());
    // Plugins may dlopen libraries or read data that ship beside them.
    addRead(lib.parent_path().string());
  }
  for (auto& p : extractInputPathsFrom(userTexts)) addRead(std::move(p));
  return rules;
}

NamespaceConfig isolationFor(const Policy& policy, std::string unprivilegedUser) {
  NamespaceConfig c;
  c.netNamespace = !policy.allowNetwork;
  c.unprivilegedUser = std::move(unprivilegedUser);
  return c;
}

}  // namespace bulkhead
