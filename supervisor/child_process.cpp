#include "supervisor/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <system_error>

namespace bulkhead {

namespace {

// glibc 2.36's <sys/pidfd.h> lacks C linkage for C++; the raw syscalls are
// what those wrappers do anyway.
int pidfdOpen(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }
int pidfdSendSignal(int pidfd, int sig) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

// fork(), or with `pidNamespace` a fork into a new pid namespace. The raw
// clone skips glibc's fork handlers, which is right here: the child only
// makes async-signal-safe calls before exec. Falls back to a plain fork
// where the kernel refuses the namespace (no CAP_SYS_ADMIN, or the
// namespace limit reached).
pid_t forkMaybeNewPid(bool& pidNamespace) {
  if (pidNamespace) {
    const long pid = ::syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, nullptr, nullptr, nullptr, 0);
    if (pid >= 0) return static_cast<pid_t>(pid);
    if (errno != EPERM && errno != EINVAL && errno != ENOSPC && errno != EUSERS) return -1;
  }
  pidNamespace = false;
  return ::fork();
}

// The first child /proc lists for `pid`'s main thread, or -1.
pid_t firstChildOf(pid_t pid) {
  const std::string path =
      "/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children";
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return -1;
  char buf[32] = {};
  const ssize_t n = sysCallNoThrow([&] { return ::read(fd.get(), buf, sizeof buf - 1); });
  if (n <= 0) return -1;
  const long child = std::strtol(buf, nullptr, 10);
  return child > 0 ? static_cast<pid_t>(child) : -1;
}

}  // namespace

std::string ChildStatus::describe() const {
  if (!signalled) return "exited with code " + std::to_string(code);
  std::string s = "killed by signal " + std::to_string(code);
  if (const char* name = sigabbrev_np(code)) s += std::string(" (SIG") + name + ")";
  return s;
}

namespace {

// The wait status an init relayed, when it wrote a whole one before it
// ended (the read end sees EOF once it has).
std::optional<ChildStatus> relayedStatus(int fd) {
  int raw = 0;
  const ssize_t n = sysCallNoThrow([&] { return ::read(fd, &raw, sizeof raw); });
  if (n != static_cast<ssize_t>(sizeof raw)) return std::nullopt;
  ChildStatus st;
  if (WIFSIGNALED(raw)) {
    st.signalled = true;
    st.code = WTERMSIG(raw);
  } else if (WIFEXITED(raw)) {
    st.code = WEXITSTATUS(raw);
  } else {
    return std::nullopt;
  }
  return st;
}

}  // namespace

ChildProcess::ChildProcess(ChildProcess&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)),
      pidfd_(std::move(o.pidfd_)),
      relay_(std::move(o.relay_)),
      pidNamespace_(o.pidNamespace_),
      worker_(o.worker_),
      status_(o.status_) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
  if (this != &o) {
    if (running()) kill();
    pid_ = std::exchange(o.pid_, -1);
    pidfd_ = std::move(o.pidfd_);
    relay_ = std::move(o.relay_);
    pidNamespace_ = o.pidNamespace_;
    worker_ = o.worker_;
    status_ = o.status_;
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (running()) kill();
}

ChildProcess ChildProcess::forkExec(const std::string& path, const std::vector<std::string>& argv,
                                     const std::vector<std::string>& env,
                                     std::span<const int> passFds,
                                     const SpawnOptions& options) {
  // Everything the child needs is built before fork: between fork and exec
  // only async-signal-safe calls are allowed (other threads may hold locks).
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  // Move the passed fds above the target range first, so dup2 onto 3..N
  // cannot clobber one that is still to be moved.
  std::vector<UniqueFd> high;
  for (int fd : passFds) {
    high.emplace_back(
        sysCall("fcntl(F_DUPFD_CLOEXEC)", [&] { return ::fcntl(fd, F_DUPFD_CLOEXEC, 100); }));
  }
  std::vector<int> highFds;
  for (const UniqueFd& h : high) highFds.push_back(h.get());
  // Inside a new pid namespace getppid() is 0, so the child learns whether
  // the parent died before prctl from a pidfd of it instead.
  UniqueFd parent(pidfdOpen(::getpid()));
  if (!parent) throw std::system_error(errno, std::generic_category(), "pidfd_open(self)");
  const int parentFd = parent.get();

  bool newPidNamespace = options.pidNamespace;
  const std::vector<int>& join = options.joinCgroups;
  pid_t pid = forkMaybeNewPid(newPidNamespace);
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0) {
    // Its own session: a Ctrl-C meant for the supervisor must not reach
    // the runners (they end with it through the death signal instead).
    ::setsid();
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    pollfd died{parentFd, POLLIN, 0};
    if (::poll(&died, 1, 0) != 0) ::_exit(126);  // the parent died before prctl
    // Into the runner's cgroups before exec: nothing of it runs outside.
    for (int fd : join) {
      if (::write(fd, "0", 1) != 1) ::_exit(123);
    }
    // No stdin; stdout is where alerts go, so a plugin's prints go to
    // stderr instead.
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull < 0 || ::dup2(devnull, 0) < 0 || ::dup2(2, 1) < 0) ::_exit(124);
    for (size_t i = 0; i < highFds.size(); ++i) {
      if (::dup2(highFds[i], static_cast<int>(3 + i)) < 0) ::_exit(125);
    }
    ::execve(path.c_str(), args.data(), envp.data());
    ::_exit(127);
  }
  ChildProcess child;
  child.pid_ = pid;
  child.pidNamespace_ = newPidNamespace;
  // The child cannot be reaped by anyone else yet, so this pidfd is its.
  int pfd = pidfdOpen(pid);
  if (pfd < 0) {
    int err = errno;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    child.pid_ = -1;
    throw std::system_error(err, std::generic_category(), "pidfd_open");
  }
  child.pidfd_.reset(pfd);
  return child;
}

std::optional<ChildStatus> ChildProcess::reap(bool block) {
  if (status_) return status_;
  if (pid_ <= 0) return std::nullopt;
  siginfo_t si{};
  int flags = WEXITED | (block ? 0 : WNOHANG);
  if (sysCallNoThrow([&] { return ::waitid(P_PIDFD, pidfd_.get(), &si, flags); }) < 0) {
    return std::nullopt;
  }
  if (si.si_pid == 0) return std::nullopt;  // still running
  ChildStatus st;
  st.signalled = si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED;
  st.code = si.si_status;
  if (relay_) {
    if (std::optional<ChildStatus> relayed = relayedStatus(relay_.get())) st = *relayed;
    relay_.reset();
  }
  status_ = st;
  return status_;
}

std::optional<ChildStatus> ChildProcess::poll() { return reap(false); }

pid_t ChildProcess::workerPid() {
  if (!pidNamespace_) return pid_;
  if (worker_ > 0) return worker_;
  // The init forks first thing after exec; a millisecond or two.
  for (int i = 0; i < 1000 && running(); ++i) {
    if (pid_t w = firstChildOf(pid_); w > 0) return worker_ = w;
    if (waitFor(1)) break;
  }
  return pid_;
}

ChildStatus ChildProcess::kill() {
  if (!status_ && pid_ > 0) {
    pidfdSendSignal(pidfd_.get(), SIGKILL);
    reap(true);
  }
  return status_.value_or(ChildStatus{});
}

std::optional<ChildStatus> ChildProcess::waitFor(int timeoutMs) {
  if (status_) return status_;
  pollfd p{pidfd_.get(), POLLIN, 0};
  if (sysCallNoThrow([&] { return ::poll(&p, 1, timeoutMs); }) > 0) return reap(true);
  return std::nullopt;
}

}  // namespace bulkhead
