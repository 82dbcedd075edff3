// Namespaces and the privilege drop, in the one order that works both when
// the runner starts as root and when it does not:
//
//   as root:      mount, ipc, net namespaces (root may create them directly)
//                 -> setresuid/gid to the unprivileged identity
//                 -> user namespace whose uid 0 maps to that identity
//   not as root:  user namespace mapping uid 0 to the runner's own uid
//                 -> mount, ipc, net namespaces (owned by it)
//   then:         every capability dropped, in whichever namespace holds them.
//
// Every namespace is best effort and reported. The privilege drop is not:
// failure to leave root throws.
//
// PID namespace: unshare(CLONE_NEWPID) would only place future children in
// it, and the kernel then refuses CLONE_THREAD for this process (its
// pid_ns_for_children differs from its own), which would break every plugin
// runtime that starts threads. The runner is in its own PID namespace only
// when the supervisor spawns it with CLONE_NEWPID; the report says which.
#pragma once

#include <optional>
#include <string>

#include "sandbox_runner/privileges.h"
#include "sandbox_runner/sandbox_report.h"

namespace bulkhead {

struct NamespaceConfig {
  bool userNamespace = true;
  bool mountNamespace = true;
  bool ipcNamespace = true;
  bool netNamespace = true;  // false when the policy allows network
  // Identity to run as when started as root: a user name or "uid:gid".
  std::string unprivilegedUser = "nobody";
  // The runner is the only process of its own pid namespace beside the
  // init that waits for it (runner_main.cpp); it mounts that namespace's
  // /proc over the host's.
  bool inPidNamespace = false;
};

// Must run while the process is single-threaded (user namespaces require
// it). Throws std::system_error or std::runtime_error only when the runner
// could not stop being root or could not drop its capabilities.
SandboxReport isolate(const NamespaceConfig& config);

}  // namespace bulkhead
