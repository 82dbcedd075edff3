#include "outputs/program_channel.h"

#include <fcntl.h>
#include <pthread.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <ctime>
#include <system_error>

extern char** environ;

namespace bulkhead {

namespace {

std::string errnoText(const char* what, int err) { return std::string(what) + ": " + std::strerror(err); }

std::string describeStatus(int status) {
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status) == 0 ? "" : "exit status " + std::to_string(WEXITSTATUS(status));
  }
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "ended";
}

// Blocks SIGPIPE in this thread for one write to the pipe and takes back
// the one a broken pipe raises, so that the write fails with EPIPE even in
// a process that does not ignore SIGPIPE.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    sigset_t pending;
    sigpending(&pending);
    pendingBefore_ = sigismember(&pending, SIGPIPE) == 1;
  }
  ~SigpipeBlock() {
    if (!pendingBefore_) {
      const timespec none{};
      while (sigtimedwait(&pipe_, nullptr, &none) == SIGPIPE) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t pipe_;
  sigset_t old_;
  bool pendingBefore_ = false;
};

}  // namespace

ProgramChannel::ProgramChannel(std::string program, bool keepAlive, std::chrono::milliseconds grace)
    : program_(std::move(program)), keepAlive_(keepAlive), grace_(grace) {
  cancelFd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (cancelFd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

ProgramChannel::~ProgramChannel() {
  if (pid_ > 0) finish(true);
  ::close(cancelFd_);
}

bool ProgramChannel::cancelled() const {
  pollfd p{cancelFd_, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

void ProgramChannel::cancel() {
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(cancelFd_, &one, sizeof one);
}

WriteResult ProgramChannel::start() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {false, errnoText("cannot make a pipe", errno)};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO);
  // Only stdin, stdout and stderr: no descriptor of bulkhead's (a ring, a
  // runner's pipe) that lacks close-on-exec reaches the program.
  posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
  // The program starts with default signal handling and an empty mask,
  // not bulkhead's (SIGPIPE ignored, say).
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGCHLD}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  std::string sh = "/bin/sh";
  std::string dashC = "-c";
  std::string command = program_;
  char* argv[] = {sh.data(), dashC.data(), command.data(), nullptr};
  pid_t pid = -1;
  const int err = ::posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(fds[0]);
  if (err != 0) {
    ::close(fds[1]);
    return {false, errnoText("cannot start /bin/sh", err)};
  }
  ::fcntl(fds[1], F_SETFL, O_NONBLOCK);
  pid_ = pid;
  stdin_ = fds[1];
  pidFd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));  // -1 on old kernels
  return {};
}

WriteResult ProgramChannel::writeAll(std::string_view data) {
  const SigpipeBlock block;
  while (!data.empty()) {
    const ssize_t n = ::write(stdin_, data.data(), data.size());
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) return {false, errnoText("writing to the program", errno)};
    // The program is not reading: wait for room, or for cancel().
    pollfd p[2] = {{stdin_, POLLOUT, 0}, {cancelFd_, POLLIN, 0}};
    if (::poll(p, 2, -1) < 0 && errno != EINTR) return {false, errnoText("poll", errno)};
    if ((p[1].revents & POLLIN) != 0) return {false, "cancelled at exit"};
  }
  return {};
}

std::string ProgramChannel::finish(bool bounded) {
  if (stdin_ >= 0) ::close(stdin_);
  stdin_ = -1;
  const auto deadline = std::chrono::steady_clock::now() + grace_;
  int status = 0;
  bool killed = false;
  for (;;) {
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno != EINTR)) break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if ((bounded && left.count() <= 0) || cancelled()) {
      if (!killed) ::kill(pid_, SIGKILL);
      killed = true;
      // A killed process ends at once; wait for it without a bound.
      ::waitpid(pid_, &status, 0);
      break;
    }
    // Wait for the end (pidfd readable), for cancel(), or poll every 10 ms
    // where there is no pidfd.
    pollfd p[2] = {{pidFd_, POLLIN, 0}, {cancelFd_, POLLIN, 0}};
    int wait = pidFd_ >= 0 ? -1 : 10;
    if (bounded) wait = wait < 0 ? static_cast<int>(left.count()) : std::min<int>(wait, static_cast<int>(left.count()));
    ::poll(pidFd_ >= 0 ? p : p + 1, pidFd_ >= 0 ? 2 : 1, wait);
  }
  if (pidFd_ >= 0) ::close(pidFd_);
  pidFd_ = -1;
  pid_ = -1;
  return killed ? "did not end, killed" : describeStatus(status);
}

WriteResult ProgramChannel::write(const std::string& line, const Alert& /*alert*/) {
  if (cancelled()) return {false, "cancelled at exit"};
  if (pid_ < 0) {
    if (WriteResult r = start(); !r.written) return r;
  }
  std::string data = line;
  data += '\n';
  WriteResult r = writeAll(data);
  if (!r.written) {
    // Broken pipe: the program is gone or closed its stdin. It is reaped
    // here and started again for the next alert.
    const std::string how = finish(true);
    r.reason += how.empty() ? "; the program ended" : "; the program ended (" + how + ")";
    return r;
  }
  if (keepAlive_) return r;
  const std::string how = finish(false);
  if (!how.empty()) return {false, "the program ended with " + how};
  return r;
}

WriteResult ProgramChannel::reopen() {
  if (pid_ > 0) finish(true);
  return {};
}

}  // namespace bulkhead
