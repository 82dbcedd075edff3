// Runs a test body in a forked child with a declared expected outcome, in
// the spirit of Chromium's SANDBOX_DEATH_TEST: sandbox layers are
// irreversible, so each one is tried in a process of its own. The body
// returns the child's exit code (0 for success); the child leaves with
// _exit so no atexit handler (gtest, LeakSanitizer) runs under a filter.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ostream>
#include <string>

namespace bulkhead::testing {

struct ChildResult {
  pid_t pid = 0;
  bool exited = false;
  int exitCode = -1;
  int signal = 0;
  std::string output;  // the child's stderr

  bool succeeded() const { return exited && exitCode == 0; }
  bool killedBy(int sig) const { return !exited && signal == sig; }
};

inline std::ostream& operator<<(std::ostream& os, const ChildResult& r) {
  if (r.exited) {
    os << "child exited with " << r.exitCode;
  } else {
    os << "child killed by signal " << r.signal << " (" << strsignal(r.signal) << ")";
  }
  return os << "; its stderr:\n" << r.output;
}

// printf to stderr without stdio buffers (safe after fork and under any
// filter that allows write).
inline void childLog(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
inline void childLog(const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n > 0) {
    ssize_t ignored = ::write(2, buf, std::min<size_t>(static_cast<size_t>(n), sizeof buf - 1));
    (void)ignored;
  }
}

// Writes `text` whole to stderr (childLog truncates at 512 bytes).
inline void childWrite(const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(2, text.data() + done, text.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
}

// In a child: fail with `code` and a message unless `cond` holds.
#define CHILD_CHECK(cond, code)                                                           \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      ::bulkhead::testing::childLog("%s:%d: check failed: %s (errno %d: %s)\n", __FILE__, \
                                    __LINE__, #cond, errno, std::strerror(errno));        \
      ::_exit(code);                                                                      \
    }                                                                                     \
  } while (0)

template <typename F>
ChildResult runInChild(F&& body, int timeoutSeconds = 20) {
  int pipeFds[2];
  if (::pipe2(pipeFds, O_CLOEXEC) != 0) std::abort();
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) std::abort();
  if (pid == 0) {
    ::dup2(pipeFds[1], 2);
    ::close(pipeFds[1]);
    ::close(pipeFds[0]);
    // A hung child dies by SIGALRM, which no test expects.
    ::alarm(static_cast<unsigned>(timeoutSeconds));
    int code = body();
    ::_exit(code);
  }
  ::close(pipeFds[1]);
  ChildResult r;
  r.pid = pid;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(pipeFds[0], buf, sizeof buf);
    if (n > 0) {
      r.output.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  ::close(pipeFds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) {
    r.exited = true;
    r.exitCode = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r.signal = WTERMSIG(status);
  }
  return r;
}

}  // namespace bulkhead::testing
