// Each test installs a shipped profile in a forked child and declares how
// the child must end: SIGSYS for a forbidden call, a clean exit when the
// calls it makes are allowed or fail with the profile's errno.
#include <dlfcn.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/io_uring.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "supervisor/syscall_names.h"
#include "tests/sandbox_runner/sandbox_test_util.h"

namespace bulkhead {
namespace {

using testing::ChildResult;
using testing::enterSeccomp;
using testing::runInChild;

// The child runs once; its result is bound before it is checked.
#define EXPECT_SIGSYS(child)                          \
  do {                                                \
    const ChildResult result_ = (child);              \
    EXPECT_TRUE(result_.killedBy(SIGSYS)) << result_; \
  } while (0)
#define EXPECT_CLEAN_EXIT(child)                 \
  do {                                           \
    const ChildResult result_ = (child);         \
    EXPECT_TRUE(result_.succeeded()) << result_; \
  } while (0)

TEST(SeccompDeath, AllowedCallsSucceedUnderDefault) {
  ChildResult r = runInChild([] {
    enterSeccomp("default");
    CHILD_CHECK(::getpid() > 0, 1);
    CHILD_CHECK(::syscall(SYS_gettid) > 0, 2);
    timespec ts{};
    CHILD_CHECK(::syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) == 0, 3);
    int fd = ::open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    CHILD_CHECK(fd >= 0, 4);
    char buf[64];
    CHILD_CHECK(::read(fd, buf, sizeof buf) > 0, 5);
    ::close(fd);
    void* p = ::mmap(nullptr, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHILD_CHECK(p != MAP_FAILED, 6);
    CHILD_CHECK(::madvise(p, 1 << 20, MADV_DONTNEED) == 0, 7);
    CHILD_CHECK(::munmap(p, 1 << 20) == 0, 8);
    CHILD_CHECK(::kill(::getpid(), 0) == 0, 9);
    CHILD_CHECK(::syscall(SYS_tgkill, ::getpid(), ::syscall(SYS_gettid), 0) == 0, 10);
    cpu_set_t set;
    CHILD_CHECK(::sched_getaffinity(0, sizeof set, &set) == 0, 11);
    rlimit lim{};
    CHILD_CHECK(::prlimit(0, RLIMIT_NOFILE, nullptr, &lim) == 0, 12);
    // glibc tries clone3 first, gets ENOSYS and falls back to clone.
    std::atomic<int> ran{0};
    std::thread t([&] { ran = 1; });
    t.join();
    CHILD_CHECK(ran == 1, 13);
    struct stat st {};
    CHILD_CHECK(::stat("/proc/self/exe", &st) == 0, 14);
    CHILD_CHECK(::access("/proc/self/exe", R_OK) == 0 || errno == EACCES, 15);
    return 0;
  });
  EXPECT_CLEAN_EXIT(r);
}

// The supervisor compiles once with the pid placeholder; each runner binds
// its own pid. Signals to itself must pass, to its parent must kill.
PhasedSeccomp precompiledForChild(const Policy& policy) {
  auto copy = [&](Phase phase) {
    SeccompFilter f = SeccompFilter::compile(policy, phase, {.selfPid = kSelfPidPlaceholder});
    return SeccompFilter::fromProgram({f.instructions().begin(), f.instructions().end()}, phase,
                                      f.specAllow());
  };
  return PhasedSeccomp(copy(Phase::kLoading), copy(Phase::kServing));
}

TEST(SeccompDeath, PrecompiledFilterBindsTheRunnersPid) {
  const Policy policy = testing::shippedPolicy("default");
  EXPECT_CLEAN_EXIT(runInChild([&] {
    PhasedSeccomp phases = precompiledForChild(policy);
    CHILD_CHECK(::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, 1);
    CHILD_CHECK(phases.enterLoading() == 0 && phases.enterServing() == 0, 2);
    CHILD_CHECK(::kill(::getpid(), 0) == 0, 3);
    CHILD_CHECK(::syscall(SYS_tgkill, ::getpid(), ::syscall(SYS_gettid), 0) == 0, 4);
    return 0;
  }));
  EXPECT_SIGSYS(runInChild([&] {
    PhasedSeccomp phases = precompiledForChild(policy);
    CHILD_CHECK(::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, 1);
    CHILD_CHECK(phases.enterLoading() == 0 && phases.enterServing() == 0, 2);
    ::kill(::getppid(), 0);
    return 0;
  }));
}

TEST(SeccompDeath, PtraceKills) {
  EXPECT_SIGSYS(runInChild([] {
    enterSeccomp("default");
    ::syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
    return 0;
  }));
}

TEST(SeccompDeath, ProcessVmReadvKills) {
  EXPECT_SIGSYS(runInChild([] {
    enterSeccomp("default");
    char local[8], remote[8] = {};
    iovec l{local, sizeof local}, rv{remote, sizeof remote};
    ::syscall(SYS_process_vm_readv, ::getppid(), &l, 1, &rv, 1, 0);
    return 0;
  }));
}

TEST(SeccompDeath, InetSocketKillsUnderDefault) {
  EXPECT_SIGSYS(runInChild([] {
    enterSeccomp("default");
    ::socket(AF_INET, SOCK_STREAM, 0);
    return 0;
  }));
}

TEST(SeccompDeath, KillIsNamedFromTheKernelLog) {
  KernelLogCursor log = KernelLogCursor::atEnd();
  ChildResult r = runInChild([] {
    enterSeccomp("default");
    ::socket(AF_INET6, SOCK_DGRAM, 0);
    return 0;
  });
  ASSERT_TRUE(r.killedBy(SIGSYS)) << r;
  auto rec = log.findSeccompKill(r.pid);
  if (!rec) {
    GTEST_SKIP() << "no type=1326 record for pid " << r.pid
                 << " in /dev/kmsg (auditd running, log unreadable or rate-limited)";
  }
  EXPECT_EQ(syscallName(rec->syscall, rec->arch), "socket");
  EXPECT_EQ(rec->signal, SIGSYS);
}

TEST(SeccompDeath, UnixSocketKillsUnderDefault) {
  EXPECT_SIGSYS(runInChild([] {
    enterSeccomp("default");
    ::socket(AF_UNIX, SOCK_STREAM, 0);
    return 0;
  }));
}

TEST(SeccompDeath, InetSocketAllowedUnderNetwork) {
  EXPECT_CLEAN_EXIT(runInChild([] {
    enterSeccomp("network");
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CHILD_CHECK(fd >= 0, 1);
    int one = 1;
    CHILD_CHECK(::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0, 2);
    int fd6 = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    CHILD_CHECK(fd6 >= 0 || errno == EAFNOSUPPORT, 3);
    return 0;
  }));
}

TEST(SeccompDeath, PacketSocketKillsUnderNetwork) {
  EXPECT_SIGSYS(runInChild([] {
    enterSeccomp("network");
    ::socket(AF_PACKET, SOCK_RAW, 0);
    return 0;
  }));
}

TEST(SeccompDeath, ExecveKills) {
  EXPECT_SIGSYS(runInChild([] {
    enterSeccomp("default");
    char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
    ::execve("/bin/true", argv, nullptr);
    return 0;
  }));
}

TEST(SeccompDeath, ForkKills) {
  EXPECT_SIGSYS(runInChild([] {
    enterSeccomp("default");
    pid_t p = ::fork();
    if (p == 0) ::_exit(0);
    return 0;
  }));
}

TEST(SeccompDeath, SignalToAnotherProcessKills) {
  EXPECT_SIGSYS(runInChild([] {
    enterSeccomp("default");
    ::kill(::getppid(), 0);
    return 0;
  }));
}

TEST(SeccompDeath, Clone3ReturnsEnosys) {
  EXPECT_CLEAN_EXIT(runInChild([] {
    enterSeccomp("default");
    clone_args args{};
    args.flags = CLONE_VM | CLONE_THREAD | CLONE_SIGHAND;
    errno = 0;
    CHILD_CHECK(::syscall(SYS_clone3, &args, sizeof args) == -1, 1);
    CHILD_CHECK(errno == ENOSYS, 2);
    return 0;
  }));
}

TEST(SeccompDeath, IoUringSetupReturnsErrno) {
  EXPECT_CLEAN_EXIT(runInChild([] {
    enterSeccomp("default");
    io_uring_params params{};
    errno = 0;
    CHILD_CHECK(::syscall(SYS_io_uring_setup, 4, &params) == -1, 1);
    CHILD_CHECK(errno == ENOSYS, 2);
    return 0;
  }));
}

TEST(SeccompDeath, CreatingFilesFailsWithEacces) {
  EXPECT_CLEAN_EXIT(runInChild([] {
    enterSeccomp("default");
    errno = 0;
    CHILD_CHECK(::open("/tmp/bulkhead-should-not-exist", O_CREAT | O_WRONLY, 0600) == -1, 1);
    CHILD_CHECK(errno == EACCES, 2);
    errno = 0;
    CHILD_CHECK(::open("/tmp", O_TMPFILE | O_WRONLY, 0600) == -1, 3);
    CHILD_CHECK(errno == EACCES, 4);
    // Opening a directory is not mistaken for O_TMPFILE.
    int dir = ::open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    CHILD_CHECK(dir >= 0, 5);
    return 0;
  }));
}

#if defined(__x86_64__)
TEST(SeccompDeath, X32SyscallKills) {
  // Without a filter the x32 number is just an unsupported (or working)
  // call; the kill below comes from the filter's prologue.
  EXPECT_CLEAN_EXIT(runInChild([] {
    ::syscall(0x40000000 | SYS_getpid);
    return 0;
  }));
  EXPECT_SIGSYS(runInChild([] {
    enterSeccomp("default");
    ::syscall(0x40000000 | SYS_getpid);
    return 0;
  }));
}
#endif

TEST(SeccompDeath, FilterCoversThreadsStartedBeforeInstall) {
  // The thread exists before the filter goes on; TSYNC must cover it, and
  // its violation must end the whole process, not just the thread (the main
  // thread would otherwise wait forever in join and die by SIGALRM).
  EXPECT_SIGSYS(runInChild([] {
    int go[2];
    CHILD_CHECK(::pipe(go) == 0, 1);
    std::thread t([&] {
      char c;
      while (::read(go[0], &c, 1) < 0 && errno == EINTR) {
      }
      ::socket(AF_INET, SOCK_STREAM, 0);
      for (;;) ::pause();
    });
    enterSeccomp("default");
    CHILD_CHECK(::write(go[1], "x", 1) == 1, 2);
    t.join();
    return 0;
  }));
}

TEST(SeccompDeath, ExecutableMappingsOnlyWhileLoading) {
  EXPECT_CLEAN_EXIT(runInChild([] {
    enterSeccomp("default", /*serving=*/false);
    void* p = ::mmap(nullptr, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHILD_CHECK(p != MAP_FAILED, 1);
    return 0;
  }));
  EXPECT_SIGSYS(runInChild([] {
    enterSeccomp("default");
    ::mmap(nullptr, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return 0;
  }));
  EXPECT_SIGSYS(runInChild([] {
    void* p = ::mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHILD_CHECK(p != MAP_FAILED, 1);
    enterSeccomp("default");
    ::mprotect(p, 4096, PROT_READ | PROT_EXEC);
    return 0;
  }));
}

TEST(SeccompDeath, NoFurtherFiltersOnceServing) {
  // The serving filter is final: a plugin cannot stack its own (which could
  // e.g. turn kills into errors for its own calls).
  EXPECT_SIGSYS(runInChild([] {
    PhasedSeccomp again(testing::shippedPolicy("default"));
    enterSeccomp("default");
    (void)again.enterServing();
    return 0;
  }));
}

#if defined(BULKHEAD_SANITIZER_BUILD) && defined(__SANITIZE_ADDRESS__)
// A plugin bug in a sanitizer build must end in the sanitizer's report,
// not in a seccomp kill while the runtime writes it.
TEST(SeccompDeath, SanitizerReportsUnderServingFilter) {
  ChildResult r = runInChild([] {
    enterSeccomp("default");
    volatile char* p = new char[8];
    volatile size_t i = 8;
    p[i] = 1;  // heap-buffer-overflow
    return 0;
  });
  EXPECT_FALSE(r.killedBy(SIGSYS)) << r;
  EXPECT_NE(r.output.find("heap-buffer-overflow"), std::string::npos) << r;
}
#endif

const char* kTinyPlugin = BULKHEAD_TINY_PLUGIN_PATH;

TEST(SeccompDeath, DlopenUnderLoadingThenServingWithThreads) {
  ChildResult r = runInChild([] {
    PhasedSeccomp phases(testing::shippedPolicy("default"));
    CHILD_CHECK(::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, 1);
    CHILD_CHECK(phases.enterLoading() == 0, 2);
    void* lib = ::dlopen(kTinyPlugin, RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) testing::childLog("dlopen: %s\n", ::dlerror());
    CHILD_CHECK(lib != nullptr, 3);
    auto work = reinterpret_cast<long (*)(int)>(::dlsym(lib, "tiny_work"));
    auto ticks = reinterpret_cast<long (*)()>(::dlsym(lib, "tiny_background_ticks"));
    CHILD_CHECK(work != nullptr && ticks != nullptr, 4);
    CHILD_CHECK(work(4) == 1 + 4 + 9 + 16, 5);
    CHILD_CHECK(phases.enterServing() == 0, 6);
    CHILD_CHECK(work(8) == 204, 7);
    // The thread started at load keeps running under the serving filter.
    long before = ticks();
    for (int i = 0; i < 200 && ticks() == before; ++i) ::usleep(1000);
    CHILD_CHECK(ticks() > before, 8);
    return 0;
  });
  EXPECT_CLEAN_EXIT(r);
}

TEST(SeccompDeath, DlopenAfterServingKills) {
  EXPECT_SIGSYS(runInChild([] {
    enterSeccomp("default");
    ::dlopen(kTinyPlugin, RTLD_NOW | RTLD_LOCAL);
    return 0;
  }));
}

TEST(SeccompDeath, StrictLoadsLibraryThenServesWithoutNewThreads) {
  EXPECT_CLEAN_EXIT(runInChild([] {
    PhasedSeccomp phases(testing::shippedPolicy("strict"));
    CHILD_CHECK(::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, 1);
    CHILD_CHECK(phases.enterLoading() == 0, 2);
    void* lib = ::dlopen(kTinyPlugin, RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) testing::childLog("dlopen: %s\n", ::dlerror());
    CHILD_CHECK(lib != nullptr, 3);
    auto work = reinterpret_cast<long (*)(int)>(::dlsym(lib, "tiny_work"));
    CHILD_CHECK(work != nullptr && work(2) == 5, 4);  // threads while loading
    CHILD_CHECK(phases.enterServing() == 0, 5);
    CHILD_CHECK(work(0) == 0, 6);  // serving without new threads
    return 0;
  }));
}

TEST(SeccompDeath, StrictForbidsOpensAndThreadsWhenServing) {
  EXPECT_CLEAN_EXIT(runInChild([] {
    enterSeccomp("strict", /*serving=*/false);
    int fd = ::open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    CHILD_CHECK(fd >= 0, 1);
    return 0;
  }));
  EXPECT_SIGSYS(runInChild([] {
    enterSeccomp("strict");
    ::open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    return 0;
  }));
  EXPECT_SIGSYS(runInChild([] {
    enterSeccomp("strict");
    std::thread t([] {});
    t.join();
    return 0;
  }));
}

}  // namespace
}  // namespace bulkhead
