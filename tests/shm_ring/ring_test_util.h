// Helpers shared by the ring tests: a forked child with a pidfd, and
// self-checking record payloads.
#pragma once

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <span>
#include <stdexcept>

#include "shm_ring/unique_fd.h"

namespace bulkhead::testing {

// A forked child running `body`; its return value is the exit code. The
// child never returns into the test framework.
class Child {
 public:
  explicit Child(const std::function<int()>& body) {
    pid_ = sysCall("fork", [] { return ::fork(); });
    if (pid_ == 0) {
      int code = 99;
      try {
        code = body();
      } catch (...) {
        code = 98;
      }
      ::_exit(code);
    }
    pidfd_ = UniqueFd(static_cast<int>(
        sysCall("pidfd_open", [&] { return ::syscall(SYS_pidfd_open, pid_, 0); })));
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      wait();
    }
  }

  int pidfd() const noexcept { return pidfd_.get(); }
  pid_t pid() const noexcept { return pid_; }
  void kill() const noexcept { ::kill(pid_, SIGKILL); }
  // Raw wait status, -1 if already reaped.
  int wait() {
    if (pid_ <= 0) return -1;
    int status = 0;
    sysCall("waitpid", [&] { return ::waitpid(pid_, &status, 0); });
    pid_ = -1;
    return status;
  }
  // Exit code, or 128 + signal.
  int exitCode() {
    const int status = wait();
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
  }

 private:
  pid_t pid_ = -1;
  UniqueFd pidfd_;
};

inline std::uint64_t splitmix(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Record `seq` of a stress stream: its size (mostly small, sometimes large,
// sometimes empty) and its tag follow from seq alone.
inline std::uint32_t stressSize(std::uint64_t seq, std::uint32_t maxLarge) noexcept {
  std::uint64_t s = seq * 7919 + 1;
  const std::uint64_t r = splitmix(s);
  if ((r & 63) == 0) return static_cast<std::uint32_t>((r >> 8) % (maxLarge + 1));
  return static_cast<std::uint32_t>((r >> 8) % 257);
}
inline std::uint32_t stressTag(std::uint64_t seq) noexcept {
  return static_cast<std::uint32_t>(seq % 5);
}
inline constexpr std::uint64_t kStressTags = 0x1F;

// Payload: [seq][random bytes][checksum of seq+random], or, when shorter than
// 16 bytes, bytes derived from seq alone.
inline void fillStress(std::uint64_t seq, std::span<std::byte> out) noexcept {
  std::uint64_t state = seq;
  if (out.size() < 16) {
    for (auto& b : out) b = static_cast<std::byte>(splitmix(state));
    return;
  }
  std::memcpy(out.data(), &seq, 8);
  std::uint64_t sum = seq;
  const std::size_t body = out.size() - 16;
  std::size_t i = 0;
  for (; i + 8 <= body; i += 8) {
    const std::uint64_t v = splitmix(state);
    std::memcpy(out.data() + 8 + i, &v, 8);
    sum = (sum ^ v) * 0x100000001B3ull;
  }
  for (; i < body; ++i) {
    const auto v = static_cast<std::uint8_t>(splitmix(state));
    out[8 + i] = static_cast<std::byte>(v);
    sum = (sum ^ v) * 0x100000001B3ull;
  }
  std::memcpy(out.data() + out.size() - 8, &sum, 8);
}

// Checks a payload against what fillStress(seq) wrote, reading it as data
// only (the checksum is recomputed from the received bytes).
inline bool checkStress(std::uint64_t seq, std::span<const std::byte> in) noexcept {
  if (in.size() < 16) {
    std::uint64_t state = seq;
    for (auto b : in) {
      if (b != static_cast<std::byte>(splitmix(state))) return false;
    }
    return true;
  }
  std::uint64_t got = 0;
  std::memcpy(&got, in.data(), 8);
  if (got != seq) return false;
  std::uint64_t sum = seq;
  const std::size_t body = in.size() - 16;
  std::size_t i = 0;
  for (; i + 8 <= body; i += 8) {
    std::uint64_t v;
    std::memcpy(&v, in.data() + 8 + i, 8);
    sum = (sum ^ v) * 0x100000001B3ull;
  }
  for (; i < body; ++i) sum = (sum ^ static_cast<std::uint8_t>(in[8 + i])) * 0x100000001B3ull;
  std::uint64_t expected;
  std::memcpy(&expected, in.data() + in.size() - 8, 8);
  return sum == expected;
}

}  // namespace bulkhead::testing
