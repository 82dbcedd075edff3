#include "sandbox_runner/namespaces.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "shm_ring/unique_fd.h"

namespace bulkhead {
namespace {

std::string errnoText(const char* call, int err) {
  return std::string(call) + ": " + std::strerror(err);
}

bool writeProcFile(const char* path, const std::string& text, std::string& error) {
  UniqueFd fd(::open(path, O_WRONLY | O_CLOEXEC));
  if (!fd) {
    error = errnoText(path, errno);
    return false;
  }
  ssize_t n = sysCallNoThrow([&] { return ::write(fd.get(), text.data(), text.size()); });
  if (n != static_cast<ssize_t>(text.size())) {
    error = errnoText(path, n < 0 ? errno : EIO);
    return false;
  }
  return true;
}

void enterUserNamespace(const Identity& outside, SandboxReport& report) {
  if (::unshare(CLONE_NEWUSER) != 0) {
    report.add("user-namespace", errno == EINVAL ? LayerState::kFailed : LayerState::kUnavailable,
               errnoText("unshare(CLONE_NEWUSER)", errno));
    return;
  }
  // A credential change made the process non-dumpable, which hands its
  // /proc/self files to root; the maps could not be written. Dumpable is
  // off again afterwards so other processes of this uid cannot ptrace it.
  const int dumpable = ::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
  ::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
  std::string error;
  const bool mapped =
      writeProcFile("/proc/self/setgroups", "deny", error) &&
      writeProcFile("/proc/self/uid_map", "0 " + std::to_string(outside.uid) + " 1", error) &&
      writeProcFile("/proc/self/gid_map", "0 " + std::to_string(outside.gid) + " 1", error);
  if (dumpable == 0) ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (!mapped) {
    // Unmapped, the process is the overflow uid inside the namespace and
    // still holds no power outside it; report and go on.
    report.add("user-namespace", LayerState::kPartial, "created but not mapped: " + error);
    return;
  }
  report.add("user-namespace", LayerState::kApplied,
             "uid 0 inside maps to uid " + std::to_string(outside.uid) + " outside");
}

void unshareOne(int flag, const char* layer, const char* call, bool wanted, const char* why,
                SandboxReport& report) {
  if (!wanted) {
    report.add(layer, LayerState::kNotRequested, why);
    return;
  }
  if (::unshare(flag) != 0) {
    report.add(layer, LayerState::kUnavailable, errnoText(call, errno));
    return;
  }
  if (flag == CLONE_NEWNS) {
    // Without this, mounts made by the host would still propagate in and
    // any made here (none are allowed later) would propagate out.
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      report.add(layer, LayerState::kPartial, errnoText("mount(/, MS_REC|MS_PRIVATE)", errno));
      return;
    }
  }
  report.add(layer, LayerState::kApplied);
}

void unshareOthers(const NamespaceConfig& c, SandboxReport& report) {
  unshareOne(CLONE_NEWNS, "mount-namespace", "unshare(CLONE_NEWNS)", c.mountNamespace,
             "disabled in the configuration", report);
  unshareOne(CLONE_NEWIPC, "ipc-namespace", "unshare(CLONE_NEWIPC)", c.ipcNamespace,
             "disabled in the configuration", report);
  unshareOne(CLONE_NEWNET, "net-namespace", "unshare(CLONE_NEWNET)", c.netNamespace,
             "the policy allows network", report);
}

// In its own pid namespace the runner still sees the host's /proc until a
// procfs of the new namespace is mounted over it (in the private mount
// namespace, while still root). Returns what failed, or "".
std::string mountOwnProc(bool inPidNamespace, bool mountNamespaceApplied) {
  if (!inPidNamespace) return "";
  if (!mountNamespaceApplied) return "no mount namespace to mount its own /proc in";
  if (::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
    return errnoText("mount(/proc)", errno);
  }
  return "";
}

void reportPidNamespace(bool inPidNamespace, SandboxReport& report,
                        const std::string& procError) {
  if (inPidNamespace && procError.empty()) {
    report.add("pid-namespace", LayerState::kApplied,
               "own namespace, /proc shows only the runner and its init");
  } else if (inPidNamespace) {
    report.add("pid-namespace", LayerState::kPartial,
               "own namespace, but /proc is the host's: " + procError);
  } else {
    report.add("pid-namespace", LayerState::kUnavailable,
               "the supervisor could not spawn the runner with CLONE_NEWPID (it needs root)");
  }
}

}  // namespace

SandboxReport isolate(const NamespaceConfig& config) {
  SandboxReport report;
  std::string procError;
  if (::geteuid() == 0) {
    const Identity id = resolveIdentity(config.unprivilegedUser);
    unshareOthers(config, report);
    procError = mountOwnProc(config.inPidNamespace, report.applied("mount-namespace"));
    dropPrivileges(id);
    report.add("unprivileged-uid", LayerState::kApplied,
               "uid " + std::to_string(id.uid) + " gid " + std::to_string(id.gid));
    if (config.userNamespace) {
      enterUserNamespace(id, report);
    } else {
      report.add("user-namespace", LayerState::kNotRequested, "disabled in the configuration");
    }
  } else {
    procError = "started unprivileged";
    const Identity self{::geteuid(), ::getegid()};
    if (config.userNamespace) {
      enterUserNamespace(self, report);
    } else {
      report.add("user-namespace", LayerState::kNotRequested, "disabled in the configuration");
    }
    unshareOthers(config, report);
    report.add("unprivileged-uid", LayerState::kApplied,
               "started unprivileged as uid " + std::to_string(self.uid));
  }
  reportPidNamespace(config.inPidNamespace, report, procError);
  dropAllCapabilities();
  report.add("capabilities", LayerState::kApplied, "none left");
  return report;
}

}  // namespace bulkhead
