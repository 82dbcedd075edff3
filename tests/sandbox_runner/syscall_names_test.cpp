#include "sandbox_runner/syscall_names.h"

#include <signal.h>
#include <sys/syscall.h>

#include <cstring>

#include <gtest/gtest.h>
#include <seccomp.h>

namespace bulkhead {
namespace {

TEST(SyscallNames, NativeNumbers) {
  EXPECT_EQ(syscallName(SYS_openat), "openat");
  EXPECT_EQ(syscallName(SYS_socket), "socket");
  EXPECT_EQ(syscallName(SYS_clone3), "clone3");
  EXPECT_EQ(syscallName(99999), "syscall 99999");
  EXPECT_EQ(syscallName(-5), "syscall -5");
}

#if defined(__x86_64__)
TEST(SyscallNames, X32AndOtherArchitectures) {
  EXPECT_EQ(syscallName(0x40000000 | SYS_getpid), "x32:getpid");
  EXPECT_EQ(syscallName(SYS_openat, SCMP_ARCH_X86_64), "openat");
  // i386 numbers differ: 11 is execve there, munmap on x86_64.
  EXPECT_EQ(syscallName(11, SCMP_ARCH_X86), "execve");
  EXPECT_EQ(syscallName(11), "munmap");
}

TEST(SyscallNames, SeccompSiginfo) {
  siginfo_t info;
  std::memset(&info, 0, sizeof info);
  info.si_signo = SIGSYS;
  info.si_code = 1;  // SYS_SECCOMP
  info.si_syscall = SYS_socket;
  info.si_arch = SCMP_ARCH_X86_64;
  EXPECT_EQ(describeSeccompSignal(info), "socket (41, x86_64)");
  info.si_code = 0;
  EXPECT_EQ(describeSeccompSignal(info), "SIGSYS not raised by seccomp");
  info.si_signo = SIGSEGV;
  EXPECT_EQ(describeSeccompSignal(info), "signal 11, not SIGSYS");
}
#endif

}  // namespace
}  // namespace bulkhead
