#include "sandbox_runner/sandbox.h"

#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "sandbox_runner/fd_closer.h"
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

}  // namespace bulkhead
