#include "supervisor/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

namespace bulkhead {

namespace {

// glibc 2.36's <sys/pidfd.h> lacks C linkage for C++; the raw syscalls are
// what those wrappers do anyway.
int pidfdOpen(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }
int pidfdSendSignal(int pidfd, int sig) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

}  // namespace

std::string ChildStatus::describe() const {
  if (!signalled) return "exited with code " + std::to_string(code);
  std::string s = "killed by signal " + std::to_string(code);
  if (const char* name = sigabbrev_np(code)) s += std::string(" (SIG") + name + ")";
  return s;
}

ChildProcess::ChildProcess(ChildProcess&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)), pidfd_(std::move(o.pidfd_)), status_(o.status_) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
  if (this != &o) {
    if (running()) kill();
    pid_ = std::exchange(o.pid_, -1);
    pidfd_ = std::move(o.pidfd_);
    status_ = o.status_;
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (running()) kill();
}

ChildProcess ChildProcess::forkExec(const std::string& path, const std::vector<std::string>& argv,
                                     const std::vector<std::string>& env,
                                     std::span<const int> passFds) {
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
  const pid_t parent = ::getpid();

  pid_t pid = ::fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0) {
    // Its own session: a Ctrl-C meant for the supervisor must not reach
    // the runners (they end with it through the death signal instead).
    ::setsid();
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);  // the parent died before prctl
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
  status_ = st;
  return status_;
}

std::optional<ChildStatus> ChildProcess::poll() { return reap(false); }

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
