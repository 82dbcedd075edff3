#include "supervisor/syscall_names.h"

#include <gtest/gtest.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/syscall.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <string>

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
#endif

TEST(SyscallNames, ParsesAuditRecord) {
  auto rec = parseSeccompAuditRecord(
      "audit: type=1326 audit(1795487450.989:9): auid=4294967295 uid=0 gid=0 "
      "ses=4294967295 pid=21522 comm=\"runner\" exe=\"/opt/bulkhead-runner\" sig=31 "
      "arch=c000003e syscall=41 compat=0 ip=0x7f6df5d08dc7 code=0x80000000");
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->pid, 21522);
  EXPECT_EQ(rec->arch, 0xc000003eu);
  EXPECT_EQ(rec->syscall, 41);
  EXPECT_EQ(rec->signal, 31);
}

// Writes one record into the kernel log (root only); false if it cannot.
bool logRecord(pid_t pid, int syscall) {
  const int fd = ::open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const std::string line = "bulkhead test record: type=1326 pid=" + std::to_string(pid) +
                           " comm=\"syscall_names_test\" sig=31 arch=c000003e syscall=" +
                           std::to_string(syscall) + "\n";
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  return ok;
}

// A pid is reused: the record of an earlier process with the same pid is
// in the log before the cursor was taken and must not be reported.
TEST(SyscallNames, KernelLogCursorSeesOnlyRecordsAfterIt) {
  // Far above the default pid_max, so no real process has it.
  constexpr pid_t kPid = 4'000'123;
  if (!logRecord(kPid, 59)) GTEST_SKIP() << "cannot write /dev/kmsg (needs root)";
  KernelLogCursor cursor = KernelLogCursor::atEnd();
  EXPECT_FALSE(cursor.findSeccompKill(kPid, 50).has_value()) << "found the older record";
  ASSERT_TRUE(logRecord(kPid, 41));
  auto rec = cursor.findSeccompKill(kPid, 2000);
  if (!rec) GTEST_SKIP() << "/dev/kmsg is not readable here";
  EXPECT_EQ(rec->syscall, 41);
}

TEST(SyscallNames, RejectsOtherOrBrokenRecords) {
  EXPECT_FALSE(parseSeccompAuditRecord("audit: type=1300 pid=1 arch=c000003e syscall=41"));
  EXPECT_FALSE(parseSeccompAuditRecord("audit: type=1326 pid=1 arch=c000003e"));
  EXPECT_FALSE(parseSeccompAuditRecord("audit: type=1326 pid=x arch=c000003e syscall=41"));
  EXPECT_FALSE(parseSeccompAuditRecord("audit: type=1326 pid=1 arch=zz syscall=41"));
  EXPECT_FALSE(parseSeccompAuditRecord(""));
  // A comm of "pid=5" is quoted by the kernel, so it is not a pid token.
  auto rec =
      parseSeccompAuditRecord("type=1326 pid=7 comm=\"pid=5\" arch=c000003e syscall=1 sig=31");
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->pid, 7);
}

}  // namespace
}  // namespace bulkhead
