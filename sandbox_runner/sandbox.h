// The runner's sandbox layers before seccomp, in design.md's order:
//   1. parent death signal; close every fd but the handed-over ones
//   2. rlimits
//   3. namespaces and the drop from root (namespaces.h explains the order)
//   4. no_new_privs; Landlock
// Seccomp (seccomp_phases.h) comes last, right before plugin code runs.
// Call while single-threaded, before dlopen.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "policies/policy.h"
#include "sandbox_runner/landlock.h"
#include "sandbox_runner/namespaces.h"
#include "sandbox_runner/rlimits.h"
#include "sandbox_runner/sandbox_report.h"

namespace bulkhead {

struct SandboxConfig {
  std::vector<int> keepFds;  // the memfd, the control socket (and stderr if wanted)
  int parentDeathSignal = SIGKILL;
  pid_t expectedParent = 0;  // the supervisor's pid; 0 takes getppid() at entry
  RunnerLimits limits;
  NamespaceConfig isolation;
  LandlockRules landlock;
};

// Applies layers 1-4 and reports each. Throws std::system_error or
// std::runtime_error when a layer that must not fail does (closing fds,
// rlimits, leaving root, no_new_privs) or when the parent is already gone.
SandboxReport applySandboxLayers(const SandboxConfig& config);

}  // namespace bulkhead
