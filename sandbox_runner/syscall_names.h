// Naming syscalls for crash reports: a runner killed by seccomp is logged
// with the syscall by name, not only by number.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bulkhead {

// The name of syscall `nr` on `arch` (an AUDIT_ARCH_* value; 0 means the
// native one), e.g. "openat". Unknown numbers give "syscall 1234"; x32
// numbers on x86_64 are named with an "x32:" prefix.
std::string syscallName(int nr, uint32_t arch = 0);

// For a SIGSYS delivered by seccomp (si_code SYS_SECCOMP): "socket (41,
// x86_64)". Other siginfo gives a description of what it is instead.
std::string describeSeccompSignal(const siginfo_t& info);

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

// Reads the kernel log (/dev/kmsg; needs root or CAP_SYSLOG) for the kill
// record of `pid`, waiting up to `waitMs` for it: kauditd prints records
// asynchronously, so the record can trail the child's death. nullopt when
// the log is unreadable or holds none in time (auditd running takes the
// records; the kernel rate-limits them).
std::optional<SeccompKillRecord> findSeccompKillInKernelLog(pid_t pid, int waitMs = 500);

}  // namespace bulkhead
