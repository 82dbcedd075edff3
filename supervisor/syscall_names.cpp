#include "supervisor/syscall_names.h"

#include <fcntl.h>
#include <poll.h>
#include <seccomp.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <memory>

#include "shm_ring/unique_fd.h"

namespace bulkhead {
namespace {

constexpr int kX32Bit = 0x40000000;
template <typename T>
bool parseNumber(std::string_view text, T& out, int base = 10) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::optional<SeccompKillRecord> parseSeccompAuditRecord(std::string_view line) {
  SeccompKillRecord rec;
  bool isSeccomp = false, havePid = false, haveArch = false, haveSyscall = false;
  size_t i = 0;
  while (i < line.size()) {
    size_t start = line.find_first_not_of(' ', i);
    if (start == std::string_view::npos) break;
    size_t end = line.find(' ', start);
    if (end == std::string_view::npos) end = line.size();
    std::string_view tok = line.substr(start, end - start);
    i = end;
    auto value = [&](std::string_view key) -> std::optional<std::string_view> {
      if (tok.size() > key.size() && tok.substr(0, key.size()) == key) {
        return tok.substr(key.size());
      }
      return std::nullopt;
    };
    if (auto v = value("type=")) {
      isSeccomp = *v == "1326";
    } else if (auto v = value("pid=")) {
      havePid = parseNumber(*v, rec.pid);
    } else if (auto v = value("arch=")) {
      haveArch = parseNumber(*v, rec.arch, 16);
    } else if (auto v = value("syscall=")) {
      haveSyscall = parseNumber(*v, rec.syscall);
    } else if (auto v = value("sig=")) {
      parseNumber(*v, rec.signal);
    }
  }
  if (!isSeccomp || !havePid || !haveArch || !haveSyscall) return std::nullopt;
  return rec;
}

KernelLogCursor KernelLogCursor::atEnd() {
  KernelLogCursor c;
  c.fd_.reset(::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  // SEEK_END on /dev/kmsg: the next read returns the next record logged.
  if (c.fd_ && ::lseek(c.fd_.get(), 0, SEEK_END) < 0) c.fd_.reset();
  return c;
}

std::optional<SeccompKillRecord> KernelLogCursor::findSeccompKill(pid_t pid, int waitMs) {
  if (!fd_) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(waitMs);
  // Each read returns one record; EPIPE means records were overwritten
  // while reading, and reading simply goes on with the next one.
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n < 0 && (errno == EPIPE || errno == EINTR)) continue;
    if (n < 0 && errno == EAGAIN) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd pfd{fd_.get(), POLLIN, 0};
      ::poll(&pfd, 1, static_cast<int>(left.count()));
      continue;
    }
    if (n <= 0) return std::nullopt;
    std::string_view rec(buf, static_cast<size_t>(n));
    // "prefix;message\n": the message follows the first ';'.
    size_t semi = rec.find(';');
    if (semi == std::string_view::npos) continue;
    rec.remove_prefix(semi + 1);
    rec = rec.substr(0, rec.find('\n'));
    auto parsed = parseSeccompAuditRecord(rec);
    if (parsed && parsed->pid == pid) return parsed;
  }
}

std::string syscallName(int nr, uint32_t arch) {
  if (arch == 0) arch = seccomp_arch_native();
  if (arch == SCMP_ARCH_X86_64 && nr >= 0 && (nr & kX32Bit) != 0) {
    // The x32 ABI shares AUDIT_ARCH_X86_64; its numbers carry bit 30.
    return "x32:" + syscallName(nr & ~kX32Bit, SCMP_ARCH_X86_64);
  }
  // libseccomp returns a malloc'd string that the caller frees.
  std::unique_ptr<char, decltype(&std::free)> name(seccomp_syscall_resolve_num_arch(arch, nr),
                                                   &std::free);
  if (name) return name.get();
  return "syscall " + std::to_string(nr);
}

}  // namespace bulkhead
