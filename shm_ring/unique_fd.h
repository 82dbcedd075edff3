// UniqueFd owns one file descriptor; sysCall retries EINTR and reports the
// failing call with errno. Shared by every folder that deals in fds.
#pragma once

#include <cerrno>
#include <string>
#include <system_error>
#include <utility>

#include <unistd.h>

namespace bulkhead {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) reset(std::exchange(o.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  int release() noexcept { return std::exchange(fd_, -1); }
  // close(2) is not retried on EINTR: on Linux the fd is gone either way.
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// Calls f() until it does not fail with EINTR. Throws std::system_error
// naming `what` when the result is -1.
template <typename F>
auto sysCall(const char* what, F&& f) {
  for (;;) {
    auto r = f();
    if (r != -1) return r;
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), what);
  }
}

// Same retry, but returns -1 with errno set instead of throwing (hot paths).
template <typename F>
auto sysCallNoThrow(F&& f) noexcept {
  for (;;) {
    auto r = f();
    if (r != -1 || errno != EINTR) return r;
  }
}

}  // namespace bulkhead
