// The non-seccomp layers, each in a forked child: fd closing, the parent
// death signal, rlimits, the drop from root, and the whole stack in order
// with a dlopen-ed library under the loading then serving filters.
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "sandbox_runner/fd_closer.h"
#include "sandbox_runner/namespaces.h"
#include "sandbox_runner/privileges.h"
#include "sandbox_runner/rlimits.h"
#include "sandbox_runner/sandbox.h"
#include "tests/sandbox_runner/sandbox_test_util.h"

namespace bulkhead {
namespace {

namespace fs = std::filesystem;
using testing::ChildResult;
using testing::runInChild;

std::set<int> parseFdList(const std::string& text) {
  std::set<int> out;
  std::istringstream in(text);
  int fd;
  while (in >> fd) out.insert(fd);
  return out;
}

// Writes the open fds (without the listing's own) to `out`, as text.
void reportOpenFds(int out) {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) ::_exit(70);
  std::string text;
  while (dirent* e = ::readdir(dir)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    int fd = std::atoi(e->d_name);
    if (fd != ::dirfd(dir)) text += std::to_string(fd) + " ";
  }
  ::closedir(dir);
  if (::write(out, text.data(), text.size()) != static_cast<ssize_t>(text.size())) ::_exit(71);
}

// Both ways of closing (close_range, and the /proc/self/fd listing used on
// older kernels) must leave exactly the kept fds.
class CloseFds : public ::testing::TestWithParam<bool> {};

TEST_P(CloseFds, KeepsOnlyListed) {
  const bool byListing = GetParam();
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  int kept1 = -1, kept2 = -1;
  ChildResult r = runInChild([&] {
    ::close(p[0]);
    int fds[6];
    for (int& fd : fds) fd = ::open("/dev/null", O_RDONLY);
    // A high, sparse fd, so the gaps between kept fds are exercised.
    CHILD_CHECK(::dup2(fds[0], 200) == 200, 1);
    kept1 = fds[2];
    kept2 = 200;
    const int keep[] = {kept2, p[1], kept1, kept1, -1};
    if (byListing) {
      closeAllFdsExceptByListing(keep);
    } else {
      closeAllFdsExcept(keep);
    }
    reportOpenFds(p[1]);
    char expect[64];
    int n = std::snprintf(expect, sizeof expect, "|%d %d", kept1, kept2);
    CHILD_CHECK(::write(p[1], expect, static_cast<size_t>(n)) == n, 2);
    return 0;
  });
  ::close(p[1]);
  std::string text;
  char buf[256];
  ssize_t n;
  while ((n = ::read(p[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  ::close(p[0]);
  ASSERT_TRUE(r.succeeded()) << r;
  const size_t bar = text.find('|');
  ASSERT_NE(bar, std::string::npos) << text;
  std::set<int> open = parseFdList(text.substr(0, bar));
  std::set<int> kept = parseFdList(text.substr(bar + 1));
  kept.insert(p[1]);
  EXPECT_EQ(open, kept) << "open fds: " << text;
  EXPECT_EQ(open.count(0), 0u);  // stdin/out/err closed too
  EXPECT_EQ(open.count(2), 0u);
}

INSTANTIATE_TEST_SUITE_P(Layers, CloseFds, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? std::string("ByListing") : std::string("CloseRange");
                         });

TEST(Layers, ParentDeathSignalKillsOrphan) {
  // child -> grandchild; the grandchild arms SIGKILL for its parent's death
  // and holds a pipe; the child exits; the pipe must reach EOF because the
  // grandchild was killed.
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  ChildResult r = runInChild([&] {
    int ready[2];
    CHILD_CHECK(::pipe(ready) == 0, 1);
    const pid_t me = ::getpid();
    pid_t g = ::fork();
    if (g == 0) {
      ::close(2);  // do not hold the test's stderr pipe open
      ::close(ready[0]);
      if (!setParentDeathSignal(SIGKILL, me)) ::_exit(3);
      (void)!::write(ready[1], "r", 1);
      for (;;) ::pause();
    }
    ::close(ready[1]);
    char c;
    CHILD_CHECK(::read(ready[0], &c, 1) == 1, 2);
    return 0;
  });
  ::close(p[1]);
  ASSERT_TRUE(r.succeeded()) << r;
  pollfd pfd{p[0], POLLIN, 0};
  ASSERT_EQ(::poll(&pfd, 1, 10000), 1) << "grandchild still alive after its parent died";
  char c;
  EXPECT_EQ(::read(p[0], &c, 1), 0);
  ::close(p[0]);
}

TEST(Layers, ParentDeathSignalDetectsEarlyOrphan) {
  EXPECT_TRUE(runInChild([] {
                CHILD_CHECK(!setParentDeathSignal(SIGKILL, ::getppid() + 100000), 1);
                int sig = 0;
                CHILD_CHECK(::prctl(PR_GET_PDEATHSIG, &sig) == 0 && sig == SIGKILL, 2);
                return 0;
              }).succeeded());
}

TEST(Layers, RlimitsApplied) {
  ChildResult r = runInChild([] {
    RunnerLimits limits;
#ifdef BULKHEAD_SANITIZER_BUILD
    limits.addressSpaceBytes.reset();  // sanitizer shadow memory needs terabytes
#else
    limits.addressSpaceBytes = rlim_t{2} << 30;
#endif
    limits.cpuSeconds = 60;
    limits.openFiles = 16;
    limits.threads = 4096;
    LayerStatus s = applyResourceLimits(limits);
    testing::childLog("%s\n", s.detail.c_str());
    auto check = [](int resource, rlim_t want) {
      rlimit l{};
      return ::getrlimit(resource, &l) == 0 && l.rlim_cur == want && l.rlim_max == want;
    };
    CHILD_CHECK(check(RLIMIT_CORE, 0), 1);
    CHILD_CHECK(check(RLIMIT_CPU, 60), 2);
    CHILD_CHECK(check(RLIMIT_NOFILE, 16), 3);
    CHILD_CHECK(check(RLIMIT_NPROC, 4096), 4);
#ifndef BULKHEAD_SANITIZER_BUILD
    CHILD_CHECK(check(RLIMIT_AS, rlim_t{2} << 30), 5);
    CHILD_CHECK(::malloc(size_t{3} << 30) == nullptr, 6);
#endif
    // The hard limit came down too: raising it again fails.
    rlimit up{32, 32};
    CHILD_CHECK(::setrlimit(RLIMIT_NOFILE, &up) == -1 && errno == EPERM, 7);
    int opened = 0;
    while (::open("/dev/null", O_RDONLY) >= 0) ++opened;
    CHILD_CHECK(errno == EMFILE, 8);
    CHILD_CHECK(opened < 16, 9);
    return 0;
  });
  EXPECT_TRUE(r.succeeded()) << r;
}

TEST(Layers, RootDropsToNobodyWithNoCapabilities) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to test leaving root";
  const Identity nobody = resolveIdentity("nobody");
  // A root-owned file other users may not write.
  std::string tmpl = (fs::temp_directory_path() / "bulkhead-root-XXXXXX").string();
  int tfd = ::mkstemp(tmpl.data());
  ASSERT_GE(tfd, 0);
  ::fchmod(tfd, 0644);
  ::close(tfd);
  ChildResult r = runInChild([&] {
    CHILD_CHECK(setParentDeathSignal(SIGKILL, ::getppid()), 1);
    SandboxReport report = isolate(NamespaceConfig{});
    testing::childWrite(report.summary());
    CHILD_CHECK(report.applied("unprivileged-uid"), 2);
    CHILD_CHECK(report.applied("capabilities"), 3);
    CHILD_CHECK(!holdsAnyCapability(), 4);
    if (report.applied("user-namespace")) {
      // Root inside a namespace whose uid 0 is nobody outside.
      CHILD_CHECK(::getuid() == 0, 5);
      std::ifstream map("/proc/self/uid_map");
      unsigned inside = 1, outside = 0, count = 0;
      map >> inside >> outside >> count;
      CHILD_CHECK(inside == 0 && outside == nobody.uid && count == 1, 6);
    } else {
      CHILD_CHECK(::getuid() == nobody.uid && ::geteuid() == nobody.uid, 7);
    }
    errno = 0;
    CHILD_CHECK(::open(tmpl.c_str(), O_WRONLY) == -1 && errno == EACCES, 8);
    CHILD_CHECK(::setresuid(0, 0, 0) == -1 || ::geteuid() != 0 || report.applied("user-namespace"),
                9);
    // The death signal survived the credential change.
    int sig = 0;
    CHILD_CHECK(::prctl(PR_GET_PDEATHSIG, &sig) == 0 && sig == SIGKILL, 10);
    CHILD_CHECK(::prctl(PR_GET_DUMPABLE) == 0, 11);
    return 0;
  });
  ::unlink(tmpl.c_str());
  EXPECT_TRUE(r.succeeded()) << r;
  std::cout << r.output;
}

TEST(Layers, UnprivilegedStartUsesOwnUserNamespace) {
  // The path a runner takes when not started as root: user namespace first,
  // then the others, owned by it. As root, the test first becomes nobody.
  ChildResult r = runInChild([] {
    if (::geteuid() == 0) dropPrivileges(resolveIdentity("nobody"));
    const uid_t outside = ::geteuid();
    SandboxReport report = isolate(NamespaceConfig{});
    testing::childWrite(report.summary());
    CHILD_CHECK(!holdsAnyCapability(), 1);
    if (!report.applied("user-namespace")) {
      // Without a user namespace an unprivileged process gets no others.
      CHILD_CHECK(!report.applied("mount-namespace"), 2);
      return 0;
    }
    std::ifstream map("/proc/self/uid_map");
    unsigned inside = 1, mapped = 0, count = 0;
    map >> inside >> mapped >> count;
    CHILD_CHECK(inside == 0 && mapped == outside && count == 1, 3);
    CHILD_CHECK(report.applied("mount-namespace") && report.applied("ipc-namespace") &&
                    report.applied("net-namespace"),
                4);
    return 0;
  });
  EXPECT_TRUE(r.succeeded()) << r;
  std::cout << r.output;
}

TEST(Layers, DropPrivilegesKeepsDeathSignal) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  ChildResult r = runInChild([] {
    CHILD_CHECK(::prctl(PR_SET_PDEATHSIG, SIGTERM) == 0, 1);
    dropPrivileges(resolveIdentity("nobody"));
    int sig = 0;
    CHILD_CHECK(::prctl(PR_GET_PDEATHSIG, &sig) == 0 && sig == SIGTERM, 2);
    CHILD_CHECK(::setuid(0) == -1, 3);
    return 0;
  });
  EXPECT_TRUE(r.succeeded()) << r;
}

TEST(Layers, FullStackLoadsLibraryUnderDefault) {
  // Every layer in the runner's order, then dlopen of a library that starts
  // threads, under the loading filter and then the serving one. The child
  // prints which layers it obtained.
  const char* lib = BULKHEAD_TINY_PLUGIN_PATH;
  ChildResult r = runInChild([&] {
    Policy policy = testing::shippedPolicy("default");
    PhasedSeccomp phases(policy);
    // As the runner does: the library arrives as a memfd copy made before
    // the uid drop (nobody may not even reach the file: a checkout in a
    // mode-700 home) and is loaded through it.
    const int file = ::open(lib, O_RDONLY | O_CLOEXEC);
    const int libFd = ::memfd_create("tiny-plugin", MFD_CLOEXEC);
    struct stat st{};
    CHILD_CHECK(file >= 0 && libFd >= 0 && ::fstat(file, &st) == 0, 12);
    CHILD_CHECK(::sendfile(libFd, file, nullptr, static_cast<size_t>(st.st_size)) == st.st_size, 12);
    ::close(file);
    const std::string libByFd = "/proc/self/fd/" + std::to_string(libFd);
    SandboxConfig config;
    config.keepFds = {2, libFd};
    config.isolation.netNamespace = !policy.allowNetwork;
#ifdef BULKHEAD_SANITIZER_BUILD
    config.limits.addressSpaceBytes.reset();
#endif
    config.landlock = landlockRulesFor(policy, lib, {"file:///proc/self/status"});
    SandboxReport report = applySandboxLayers(config);
    CHILD_CHECK(phases.enterLoading() == 0, 1);
    report.add("seccomp-loading", LayerState::kApplied, "profile default");
    void* h = ::dlopen(libByFd.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) testing::childLog("dlopen: %s\n", ::dlerror());
    CHILD_CHECK(h != nullptr, 2);
    auto work = reinterpret_cast<long (*)(int)>(::dlsym(h, "tiny_work"));
    CHILD_CHECK(work != nullptr && work(3) == 14, 3);
    CHILD_CHECK(phases.enterServing() == 0, 4);
    report.add("seccomp-serving", LayerState::kApplied, "profile default");
    CHILD_CHECK(work(5) == 55, 5);
    // Layers hold: nothing outside the policy is readable.
    errno = 0;
    CHILD_CHECK(::open("/etc/hostname", O_RDONLY | O_CLOEXEC) == -1, 6);
    // What runtimes read at start stays readable: Go's checkfds opens
    // /dev/null read-write when stdio is closed, glibc counts CPUs.
    // (/proc/self/auxv is 0400 and, the runner being non-dumpable so that
    // other processes of its uid cannot ptrace it, owned by root: the Go
    // runtime takes auxv from the loader and falls back to mincore.)
    CHILD_CHECK(::open("/dev/null", O_RDWR | O_CLOEXEC) >= 0, 7);
    CHILD_CHECK(::open("/proc/self/maps", O_RDONLY | O_CLOEXEC) >= 0, 8);
    CHILD_CHECK(::open("/proc/self/status", O_RDONLY | O_CLOEXEC) >= 0, 9);
    CHILD_CHECK(::open("/sys/devices/system/cpu/online", O_RDONLY | O_CLOEXEC) >= 0, 10);
    CHILD_CHECK(::sysconf(_SC_NPROCESSORS_ONLN) >= 1, 11);
    testing::childWrite(report.summary());
    return 0;
  });
  EXPECT_TRUE(r.succeeded()) << r;
  std::cout << "Sandbox layers obtained on this kernel:\n" << r.output;
}

}  // namespace
}  // namespace bulkhead
