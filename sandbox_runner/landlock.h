// Landlock (raw syscalls, <linux/landlock.h>): the runner may read only the
// listed paths and write only the listed ones; exec is denied everywhere.
// Rights the running kernel does not know (by ABI version) are left out, and
// the report says so. Works unprivileged; sets no_new_privs itself.
#pragma once

#include <string>
#include <vector>

#include "policies/landlock_rules.h"
#include "sandbox_runner/sandbox_report.h"

namespace bulkhead {

// 0 when the kernel lacks Landlock or has it disabled.
int landlockAbiVersion() noexcept;

// Restricts the calling thread and its future threads (call it before any
// thread exists). Paths that do not exist are skipped and listed in the
// detail. Never throws for kernel refusals; they are reported.
LayerStatus applyLandlock(const LandlockRules& rules);

}  // namespace bulkhead
