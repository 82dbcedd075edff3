// What /proc says about a process and the host: CPU time, memory, boot
// time. Read on demand by a metrics snapshot, never on the event path.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace bulkhead {

struct ProcUsage {
  double cpuSeconds = 0;   // user + system, since the process started
  double ageSeconds = 0;   // since the process started
  uint64_t rssBytes = 0;
  uint64_t vszBytes = 0;
};

// /proc/<pid>/stat and statm; nullopt when the process is gone or /proc
// is not readable (a pid that ended between asking and reading).
std::optional<ProcUsage> readProcUsage(pid_t pid);

// The host's boot time (btime of /proc/stat), nanoseconds since the
// epoch; 0 when unknown.
uint64_t hostBootNs();

uint32_t onlineCpus();

}  // namespace bulkhead
