// How a runner ended: the closed set of outcomes the supervisor tells
// apart, each reported in the crash-report line and counted.
//
//   kExited          it exited by itself with `code` (a plugin calling
//                    exit(), the runner's own error exits: 123-127 before
//                    exec, 1 after a failed set-up)
//   kSignalled       a signal `code` ended it (SIGSEGV, SIGABRT, SIGBUS, a
//                    SIGKILL from outside, the kernel's OOM killer)
//   kSeccompKill     SIGSYS from its seccomp filter; `detail` names the
//                    syscall when the kernel log recorded it
//   kResourceLimit   an rlimit signal: SIGXCPU (limits.cpu_seconds) or
//                    SIGXFSZ
//   kDeadlineMissed  the supervisor killed it: a call outlived its deadline
//   kMalformed       the supervisor killed it: a ring record or a control
//                    message failed its checks
//   kHandshakeFailed it never answered its set-up with a hello (start-up)
//
// The first four are the runner's own doing and are seen through waitid;
// the other three are the supervisor's verdict, whatever the kernel says.
#pragma once

#include <sys/types.h>

#include <string>

#include "plugin_api/plugin_host.h"
#include "supervisor/child_process.h"
#include "supervisor/syscall_names.h"

namespace bulkhead {

struct RunnerEnd {
  enum class Kind {
    kExited,
    kSignalled,
    kSeccompKill,
    kResourceLimit,
    kDeadlineMissed,
    kMalformed,
    kHandshakeFailed,
  };
  static_assert(static_cast<size_t>(Kind::kHandshakeFailed) + 1 == kRunnerEndCauses.size(),
                "kRunnerEndCauses names every Kind, in order");
  Kind kind = Kind::kExited;
  int code = 0;        // exit code or signal number, when the kernel said
  std::string detail;  // what was late or malformed; the seccomp syscall

  // "killed by signal 11 (SIGSEGV)", "missed its deadline (next_batch,
  // 1000 ms) and was killed", ...
  std::string describe() const;
};

// A runner that ended by itself, as waitid reported it. A seccomp kill is
// named from the kernel log through `log` (taken before its fork), waiting
// up to `waitMs` for the record.
RunnerEnd classifyExit(const ChildStatus& status, KernelLogCursor& log, pid_t pid,
                       int waitMs = 200);

// Adds the end to the counters it belongs to.
void countRunnerEnd(const RunnerEnd& end, HostCounters& counters);

// What to change after a seccomp kill: "; the '<policy>' profile does not
// allow that call: ...". Empty for any other end.
std::string seccompAdvice(const RunnerEnd& end, const std::string& policy,
                          const std::string& plugin);

}  // namespace bulkhead
