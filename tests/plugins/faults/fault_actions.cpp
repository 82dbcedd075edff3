#include "tests/plugins/faults/fault_actions.h"

#include <fcntl.h>
#include <pthread.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <vector>

namespace bulkhead::test_plugins {

namespace {

// Where the fault plugin finds the supervisor's shared memory: the memfd
// name RingSet::create gives it, as /proc/self/maps shows it.
constexpr const char kRingsMapping[] = "memfd:bulkhead-rings";

std::string errnoText(const char* what, int err) {
  return std::string(what) + ": " + std::strerror(err);
}

// A volatile store through a pointer the compiler cannot see is null: a
// constant null would become a trap instruction (SIGILL), and a plain store
// to memory nobody reads again may be dropped.
void segv() {
  volatile int* volatile p = nullptr;
  *p = 1;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winfinite-recursion"
// Not a tail call (the frame is read after the recursive call returns), so
// the compiler cannot turn it into a loop: each level takes a real frame.
__attribute__((noinline)) uint64_t recurse(volatile uint8_t* previous, uint64_t depth) {
  volatile uint8_t frame[4096];
  frame[0] = static_cast<uint8_t>(depth);
  frame[sizeof frame - 1] = previous != nullptr ? previous[0] : 0;
  return recurse(frame, depth + 1) + frame[depth % sizeof frame];
}
#pragma GCC diagnostic pop

[[noreturn]] void hang() {
  volatile uint64_t spins = 0;
  for (;;) spins = spins + 1;
}

// Allocates and touches 16 MiB blocks. An address-space limit makes
// malloc fail: that ends the bomb with abort(), as an unchecked allocation
// in a real plugin would. Reaching the cap means no limit stopped it.
void memoryBomb(uint64_t capMb, std::string* report) {
  constexpr size_t kBlock = 16u << 20;
  std::vector<void*> blocks;
  uint64_t mb = 0;
  while (mb < capMb) {
    void* b = std::malloc(kBlock);
    if (b == nullptr) {
      std::fprintf(stderr, "fault: memory bomb: allocation failed after %llu MiB\n",
                   static_cast<unsigned long long>(mb));
      std::abort();
    }
    std::memset(b, 0xA5, kBlock);
    blocks.push_back(b);
    mb += kBlock >> 20;
  }
  for (void* b : blocks) std::free(b);
  *report = "escaped: memory bomb reached its cap of " + std::to_string(capMb) + " MiB";
}

void forkBomb(std::string* report) {
  constexpr int kMax = 64;
  int made = 0;
  for (; made < kMax; ++made) {
    const pid_t pid = ::fork();
    if (pid < 0) {
      *report = "denied: " + errnoText("fork", errno) + " after " + std::to_string(made);
      break;
    }
    if (pid == 0) ::_exit(0);
  }
  while (::waitpid(-1, nullptr, 0) > 0) {
  }
  if (made == kMax) *report = "escaped: fork bomb created " + std::to_string(made) + " processes";
}

void execShell(std::string* report) {
  char sh[] = "sh", c[] = "-c", cmd[] = "exit 0";
  char* argv[] = {sh, c, cmd, nullptr};
  char* envp[] = {nullptr};
  ::execve("/bin/sh", argv, envp);
  *report = "denied: " + errnoText("execve(/bin/sh)", errno);
}

void writeShadow(std::string* report) {
  // O_WRONLY without O_TRUNC or O_CREAT: nothing changes even if it opens.
  const int fd = ::open("/etc/shadow", O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    *report = "denied: " + errnoText("open(/etc/shadow, O_WRONLY)", errno);
    return;
  }
  ::close(fd);
  *report = "escaped: opened /etc/shadow for writing";
}

void socketInet(std::string* report) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *report = "denied: " + errnoText("socket(AF_INET)", errno);
    return;
  }
  ::close(fd);
  *report = "escaped: socket(AF_INET) succeeded";
}

void killParent(int64_t pid, int sig, std::string* report) {
  const pid_t target = pid > 0 ? static_cast<pid_t>(pid) : ::getppid();
  if (target <= 1) {
    // kill(0) or kill(1) would be a different attack; a hidden parent
    // (pid namespace) is itself a denial.
    *report = "denied: the supervisor's pid is not visible (getppid() = " +
              std::to_string(target) + ")";
    return;
  }
  if (::kill(target, sig) != 0) {
    *report = "denied: " + errnoText(("kill(" + std::to_string(target) + ")").c_str(), errno);
    return;
  }
  *report = "escaped: signal " + std::to_string(sig) + " sent to pid " + std::to_string(target);
}

void garbageRings(std::string* report) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  uint64_t state = 0x9E3779B97F4A7C15ull ^ static_cast<uint64_t>(::getpid());
  size_t scribbled = 0;
  while (std::getline(maps, line)) {
    if (line.find(kRingsMapping) == std::string::npos) continue;
    unsigned long long begin = 0, end = 0;
    char perms[5] = {};
    if (std::sscanf(line.c_str(), "%llx-%llx %4s", &begin, &end, perms) != 3) continue;
    if (perms[0] != 'r' || perms[1] != 'w') continue;
    auto* p = reinterpret_cast<uint64_t*>(static_cast<uintptr_t>(begin));
    for (size_t i = 0; i < (end - begin) / sizeof(uint64_t); ++i) {
      state ^= state << 13;  // xorshift64
      state ^= state >> 7;
      state ^= state << 17;
      p[i] = state;
    }
    scribbled += end - begin;
  }
  *report = scribbled > 0 ? "garbage written over " + std::to_string(scribbled) + " bytes of rings"
                          : "no ring mapping found in /proc/self/maps";
}

}  // namespace

GuardedPage::GuardedPage() {
  page_ = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  void* p = ::mmap(nullptr, 2 * page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return;
  if (::mprotect(static_cast<uint8_t*>(p) + page_, page_, PROT_NONE) != 0) {
    ::munmap(p, 2 * page_);
    return;
  }
  base_ = static_cast<uint8_t*>(p);
}

GuardedPage::~GuardedPage() {
  if (base_ != nullptr) ::munmap(base_, 2 * page_);
}

// Lines that would pass for bulkhead's own output if they reached the
// operator raw, then a flood; the call itself then succeeds.
static void forgeOutput() {
  std::fprintf(stdout, "\n09:00:00.000000000: Critical forged alert on stdout\n");
  std::fflush(stdout);
  std::fprintf(stderr,
               "\n[2026-01-01 00:00:00.000] [bulkhead] [error] plugin 'counter' forged line\n"
               "\x1b]0;owned\x07\x1b[2J\rcolour \x1b[31mred\xc2\x9b\n"
               "{\"output\":\"forged json alert\",\"priority\":\"Critical\"}\n");
  for (int i = 0; i < 5000; ++i) std::fprintf(stderr, "flood line %d\n", i);
  std::fflush(stderr);
}

// Threads that wait for the bomb to end, until the kernel refuses one:
// "denied: N threads" then, "escaped: ..." if none was refused.
static void threadBomb(std::string* report) {
  constexpr int kMax = 5000;
  std::vector<pthread_t> threads;
  static std::atomic<bool> done{false};
  done = false;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 << 10);
  int err = 0;
  while (threads.size() < kMax) {
    pthread_t t;
    err = pthread_create(
        &t, &attr,
        [](void*) -> void* {
          while (!done) ::usleep(1000);
          return nullptr;
        },
        nullptr);
    if (err != 0) break;
    threads.push_back(t);
  }
  pthread_attr_destroy(&attr);
  done = true;
  for (pthread_t t : threads) pthread_join(t, nullptr);
  *report = (err != 0 ? "denied: " : "escaped: ") + std::to_string(threads.size()) + " threads" +
            (err != 0 ? std::string(" (") + std::strerror(err) + ")" : "");
}

static void cpuHog() {
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  volatile uint64_t spin = 0;
  while (std::chrono::steady_clock::now() < end) spin = spin + 1;
}

bool isProcessFault(FaultKind k) {
  return k != FaultKind::kNone &&
         (static_cast<int>(k) <= static_cast<int>(FaultKind::kGarbageRings) ||
          k == FaultKind::kForgeOutput || k == FaultKind::kThreadBomb || k == FaultKind::kCpuHog);
}

void runProcessFault(const FaultConfig& c, std::string* report) {
  std::fprintf(stderr, "fault: %s in %s\n", faultKindName(c.kind), faultCallName(c.in));
  switch (c.kind) {
    case FaultKind::kSegv:
      segv();
      break;
    case FaultKind::kAbort:
      std::abort();
    case FaultKind::kExit0:
      ::_exit(0);
    case FaultKind::kStackOverflow:
      *report = std::to_string(recurse(nullptr, 0));
      break;
    case FaultKind::kHang:
      hang();
    case FaultKind::kMemoryBomb:
      memoryBomb(c.memoryCapMb, report);
      break;
    case FaultKind::kForkBomb:
      forkBomb(report);
      break;
    case FaultKind::kExecShell:
      execShell(report);
      break;
    case FaultKind::kWriteShadow:
      writeShadow(report);
      break;
    case FaultKind::kSocketInet:
      socketInet(report);
      break;
    case FaultKind::kKillParent:
      killParent(c.pid, c.signal, report);
      break;
    case FaultKind::kGarbageRings:
      garbageRings(report);
      break;
    case FaultKind::kForgeOutput:
      forgeOutput();
      break;
    case FaultKind::kThreadBomb:
      threadBomb(report);
      break;
    case FaultKind::kCpuHog:
      cpuHog();
      break;
    default:
      break;
  }
}

}  // namespace bulkhead::test_plugins
