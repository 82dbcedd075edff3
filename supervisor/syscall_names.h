// Naming syscalls for crash reports: a runner killed by seccomp is logged
// with the syscall by name, not only by number.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shm_ring/unique_fd.h"

namespace bulkhead {

// The name of syscall `nr` on `arch` (an AUDIT_ARCH_* value; 0 means the
// native one), e.g. "openat". Unknown numbers give "syscall 1234"; x32
// numbers on x86_64 are named with an "x32:" prefix.
std::string syscallName(int nr, uint32_t arch = 0);

// A process killed by seccomp (SECCOMP_RET_KILL_PROCESS) shows only SIGSYS
// to waitid; the syscall number reaches nobody but the kernel log, which
// records each kill as an audit record (type=1326) when kill_process is in
// /proc/sys/kernel/seccomp/actions_logged, the default:
//   audit: type=1326 ...: ... pid=21522 comm="x" exe="/p" sig=31
//          arch=c000003e syscall=41 compat=0 ip=0x... code=0x80000000
// comm and exe come from the plugin, but the kernel hex-encodes them when
// they hold spaces or quotes, so a record cannot smuggle in a second pid=.
struct SeccompKillRecord {
  pid_t pid = 0;
  uint32_t arch = 0;
  int syscall = -1;
  int signal = 0;
};

// Parses one kernel log line; nullopt unless it is a complete type=1326
// record.
std::optional<SeccompKillRecord> parseSeccompAuditRecord(std::string_view line);

// A place in the kernel log (/dev/kmsg; reading needs root or CAP_SYSLOG):
// it reads only records logged after it was taken. Taken when a process is
// started, it finds that process's kill record, never an older one of
// another process that had the same pid (pids are reused).
class KernelLogCursor {
 public:
  // At the end of the log now. An unreadable log gives a cursor that finds
  // nothing.
  static KernelLogCursor atEnd();

  // The kill record of `pid` logged after the cursor, waiting up to
  // `waitMs` for it: kauditd prints records asynchronously, so the record
  // can trail the process's death. nullopt when the log is unreadable or
  // holds none in time (auditd running takes the records; the kernel
  // rate-limits them). Moves the cursor past the records it read.
  std::optional<SeccompKillRecord> findSeccompKill(pid_t pid, int waitMs = 500);

 private:
  UniqueFd fd_;
};

}  // namespace bulkhead
