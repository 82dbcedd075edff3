// Resource limits of a runner. Soft and hard limits are set to the same
// value so the plugin cannot raise them again; a requested value above the
// current hard limit is clamped to it (raising needs CAP_SYS_RESOURCE).
#pragma once

#include <sys/resource.h>

#include <optional>

#include "sandbox_runner/sandbox_report.h"

namespace bulkhead {

struct RunnerLimits {
  // RLIMIT_AS. Go reserves address space generously and sanitizer runtimes
  // reserve terabytes of shadow, so this is a ceiling against runaway
  // plugins rather than a tight budget.
  std::optional<rlim_t> addressSpaceBytes = rlim_t{4} << 30;
  std::optional<rlim_t> cpuSeconds;       // RLIMIT_CPU; unset by default (long-lived runners)
  std::optional<rlim_t> openFiles = 256;  // RLIMIT_NOFILE
  // RLIMIT_NPROC counts threads too, per real uid (per user namespace when
  // the runner has its own). New processes are stopped by seccomp (clone
  // must carry CLONE_THREAD); this only bounds the number of threads. Left
  // unset by default because runners sharing one uid without user
  // namespaces would share the budget.
  std::optional<rlim_t> threads;
  // RLIMIT_CORE is always 0: a core file would write plugin memory (and
  // whatever input it held) to disk.
};

// Applies the limits; throws std::system_error naming the limit on failure.
// Returns a report entry listing what was set and any clamping.
LayerStatus applyResourceLimits(const RunnerLimits& limits);

}  // namespace bulkhead
