// Naming syscalls for crash reports: a runner killed by seccomp is logged
// with the syscall by name, not only by number.
#pragma once

#include <signal.h>

#include <cstdint>
#include <string>

namespace bulkhead {

// The name of syscall `nr` on `arch` (an AUDIT_ARCH_* value; 0 means the
// native one), e.g. "openat". Unknown numbers give "syscall 1234"; x32
// numbers on x86_64 are named with an "x32:" prefix.
std::string syscallName(int nr, uint32_t arch = 0);

// For a SIGSYS delivered by seccomp (si_code SYS_SECCOMP): "socket (41,
// x86_64)". Other siginfo gives a description of what it is instead.
std::string describeSeccompSignal(const siginfo_t& info);

}  // namespace bulkhead
