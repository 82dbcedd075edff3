#include "supervisor/runner_end.h"

#include <signal.h>

namespace bulkhead {

std::string RunnerEnd::describe() const {
  ChildStatus st;
  st.signalled = kind != Kind::kExited;
  st.code = code;
  switch (kind) {
    case Kind::kExited:
    case Kind::kSignalled:
      return st.describe();
    case Kind::kSeccompKill:
      return st.describe() + " (seccomp violation: syscall " + detail + ")";
    case Kind::kResourceLimit:
      return st.describe() + " (resource limit: " + detail + ")";
    case Kind::kDeadlineMissed:
      return "missed its deadline (" + detail + ") and was killed";
    case Kind::kMalformed:
      return "sent a malformed record (" + detail + ") and was killed";
    case Kind::kHandshakeFailed:
      return "failed its start-up handshake (" + detail + ")";
  }
  return detail;
}

RunnerEnd classifyExit(const ChildStatus& status, KernelLogCursor& log, pid_t pid, int waitMs) {
  RunnerEnd end;
  end.code = status.code;
  if (!status.signalled) {
    end.kind = RunnerEnd::Kind::kExited;
  } else if (status.code == SIGSYS) {
    end.kind = RunnerEnd::Kind::kSeccompKill;
    // The syscall number reaches only the kernel log (an audit record); it
    // may trail the death by a moment, or be rate-limited away.
    auto rec = log.findSeccompKill(pid, waitMs);
    end.detail = rec ? syscallName(rec->syscall, rec->arch)
                     : std::string("unknown: no audit record in the kernel log");
  } else if (status.code == SIGXCPU || status.code == SIGXFSZ) {
    end.kind = RunnerEnd::Kind::kResourceLimit;
    end.detail = status.code == SIGXCPU ? "CPU time" : "file size";
  } else {
    end.kind = RunnerEnd::Kind::kSignalled;
  }
  return end;
}

void countRunnerEnd(const RunnerEnd& end, HostCounters& counters) {
  counters.runnerEnds[static_cast<size_t>(end.kind)]++;
  switch (end.kind) {
    case RunnerEnd::Kind::kSeccompKill:
      counters.seccompKills++;
      [[fallthrough]];
    case RunnerEnd::Kind::kExited:
    case RunnerEnd::Kind::kSignalled:
    case RunnerEnd::Kind::kResourceLimit:
    case RunnerEnd::Kind::kHandshakeFailed:
      counters.crashes++;
      break;
    case RunnerEnd::Kind::kDeadlineMissed:
      counters.deadlineKills++;
      break;
    case RunnerEnd::Kind::kMalformed:
      counters.malformed++;
      break;
  }
}

std::string seccompAdvice(const RunnerEnd& end, const std::string& policy,
                          const std::string& plugin) {
  if (end.kind != RunnerEnd::Kind::kSeccompKill) return "";
  return "; the '" + policy + "' profile does not allow that call: choose one that does with " +
         "bulkhead.plugins." + plugin + ".policy (policies/README.md lists the profile each " +
         "known plugin needs)";
}

}  // namespace bulkhead
