#include "policies/arg_condition.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <termios.h>

#include <array>
#include <cctype>
#include <charconv>
#include <utility>

namespace bulkhead {
namespace {

// The kernel's bare O_TMPFILE bit (asm-generic/fcntl.h). O_TMPFILE, and
// glibc's own __O_TMPFILE, include O_DIRECTORY, so a mask on them would also
// catch plain directory opens.
constexpr uint64_t kTmpfileBit = 020000000;
#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#endif

struct NamedConstant {
  std::string_view name;
  uint64_t value;
};

#define BULKHEAD_CONSTANT(c) \
  NamedConstant { #c, static_cast < uint64_t>(c) }

constexpr auto kConstants = std::to_array<NamedConstant>({
    BULKHEAD_CONSTANT(AF_UNIX),
    BULKHEAD_CONSTANT(AF_INET),
    BULKHEAD_CONSTANT(AF_INET6),
    BULKHEAD_CONSTANT(AF_NETLINK),
    BULKHEAD_CONSTANT(SOCK_STREAM),
    BULKHEAD_CONSTANT(SOCK_DGRAM),
    BULKHEAD_CONSTANT(SOCK_NONBLOCK),
    BULKHEAD_CONSTANT(SOCK_CLOEXEC),
    BULKHEAD_CONSTANT(CLONE_VM),
    BULKHEAD_CONSTANT(CLONE_FS),
    BULKHEAD_CONSTANT(CLONE_FILES),
    BULKHEAD_CONSTANT(CLONE_SIGHAND),
    BULKHEAD_CONSTANT(CLONE_THREAD),
    BULKHEAD_CONSTANT(CLONE_SYSVSEM),
    BULKHEAD_CONSTANT(CLONE_SETTLS),
    BULKHEAD_CONSTANT(CLONE_PARENT_SETTID),
    BULKHEAD_CONSTANT(CLONE_CHILD_CLEARTID),
    BULKHEAD_CONSTANT(CLONE_CHILD_SETTID),
    BULKHEAD_CONSTANT(CLONE_VFORK),
    BULKHEAD_CONSTANT(CLONE_PARENT),
    BULKHEAD_CONSTANT(CLONE_PTRACE),
    BULKHEAD_CONSTANT(CLONE_UNTRACED),
    BULKHEAD_CONSTANT(CLONE_NEWNS),
    BULKHEAD_CONSTANT(CLONE_NEWUSER),
    BULKHEAD_CONSTANT(CLONE_NEWPID),
    BULKHEAD_CONSTANT(CLONE_NEWNET),
    BULKHEAD_CONSTANT(CLONE_NEWIPC),
    BULKHEAD_CONSTANT(CLONE_NEWUTS),
    BULKHEAD_CONSTANT(CLONE_NEWCGROUP),
    BULKHEAD_CONSTANT(CLONE_IO),
    BULKHEAD_CONSTANT(CLONE_PIDFD),
    BULKHEAD_CONSTANT(PROT_READ),
    BULKHEAD_CONSTANT(PROT_WRITE),
    BULKHEAD_CONSTANT(PROT_EXEC),
    BULKHEAD_CONSTANT(PROT_NONE),
    BULKHEAD_CONSTANT(MAP_SHARED),
    BULKHEAD_CONSTANT(MAP_PRIVATE),
    BULKHEAD_CONSTANT(MAP_ANONYMOUS),
    BULKHEAD_CONSTANT(MAP_FIXED),
    BULKHEAD_CONSTANT(O_RDONLY),
    BULKHEAD_CONSTANT(O_WRONLY),
    BULKHEAD_CONSTANT(O_RDWR),
    BULKHEAD_CONSTANT(O_ACCMODE),
    BULKHEAD_CONSTANT(O_CREAT),
    BULKHEAD_CONSTANT(O_EXCL),
    BULKHEAD_CONSTANT(O_TRUNC),
    BULKHEAD_CONSTANT(O_APPEND),
    BULKHEAD_CONSTANT(O_CLOEXEC),
    BULKHEAD_CONSTANT(O_DIRECTORY),
    BULKHEAD_CONSTANT(O_NONBLOCK),
    BULKHEAD_CONSTANT(O_PATH),
    NamedConstant{"__O_TMPFILE", kTmpfileBit},
    BULKHEAD_CONSTANT(O_TMPFILE),
    BULKHEAD_CONSTANT(F_DUPFD),
    BULKHEAD_CONSTANT(F_DUPFD_CLOEXEC),
    BULKHEAD_CONSTANT(F_GETFD),
    BULKHEAD_CONSTANT(F_SETFD),
    BULKHEAD_CONSTANT(F_GETFL),
    BULKHEAD_CONSTANT(F_SETFL),
    BULKHEAD_CONSTANT(F_GETLK),
    BULKHEAD_CONSTANT(F_SETLK),
    BULKHEAD_CONSTANT(F_SETLKW),
    BULKHEAD_CONSTANT(F_ADD_SEALS),
    BULKHEAD_CONSTANT(F_GET_SEALS),
    BULKHEAD_CONSTANT(TCGETS),
    BULKHEAD_CONSTANT(TIOCGWINSZ),
    BULKHEAD_CONSTANT(FIONREAD),
    BULKHEAD_CONSTANT(FIONBIO),
    BULKHEAD_CONSTANT(FIOCLEX),
    BULKHEAD_CONSTANT(FIONCLEX),
    BULKHEAD_CONSTANT(PR_SET_NAME),
    BULKHEAD_CONSTANT(PR_GET_NAME),
    BULKHEAD_CONSTANT(PR_GET_DUMPABLE),
    BULKHEAD_CONSTANT(PR_SET_VMA),
    BULKHEAD_CONSTANT(PR_GET_NO_NEW_PRIVS),
    BULKHEAD_CONSTANT(PR_CAPBSET_READ),
    BULKHEAD_CONSTANT(PR_GET_TIMERSLACK),
    BULKHEAD_CONSTANT(PR_GET_SECCOMP),
    BULKHEAD_CONSTANT(SECCOMP_SET_MODE_FILTER),
    BULKHEAD_CONSTANT(SECCOMP_GET_ACTION_AVAIL),
    BULKHEAD_CONSTANT(FUTEX_WAIT),
    BULKHEAD_CONSTANT(FUTEX_WAKE),
});

#undef BULKHEAD_CONSTANT

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Parses one `value` (terms joined by '|'). Sets `isPid` for `$pid`, which
// cannot be or-ed with anything.
bool parseValue(std::string_view text, uint64_t& out, bool& isPid, std::string& error) {
  out = 0;
  isPid = false;
  text = trim(text);
  if (text.empty()) {
    error = "missing value";
    return false;
  }
  size_t terms = 0;
  while (true) {
    size_t bar = text.find('|');
    std::string_view term = trim(text.substr(0, bar));
    ++terms;
    if (term.empty()) {
      error = "empty term in value";
      return false;
    }
    if (term == "$pid") {
      isPid = true;
    } else if (std::isdigit(static_cast<unsigned char>(term.front()))) {
      int base = 10;
      std::string_view digits = term;
      if (term.size() > 2 && term[0] == '0' && (term[1] == 'x' || term[1] == 'X')) {
        base = 16;
        digits.remove_prefix(2);
      }
      uint64_t v = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
      if (ec != std::errc() || end != digits.data() + digits.size()) {
        error = "bad number '" + std::string(term) + "'";
        return false;
      }
      out |= v;
    } else if (auto c = lookupConstant(term)) {
      out |= *c;
    } else {
      error = "unknown constant '" + std::string(term) + "'";
      return false;
    }
    if (bar == std::string_view::npos) break;
    text.remove_prefix(bar + 1);
  }
  if (isPid && terms > 1) {
    error = "$pid cannot be combined with other terms";
    return false;
  }
  return true;
}

}  // namespace

std::optional<uint64_t> lookupConstant(std::string_view name) {
  for (const auto& c : kConstants) {
    if (c.name == name) return c.value;
  }
  return std::nullopt;
}

std::optional<ArgCondition> parseArgCondition(std::string_view text, std::string& error) {
  std::string_view s = trim(text);
  if (s.size() < 4 || s.substr(0, 3) != "arg" || s[3] < '0' || s[3] > '5') {
    error = "condition must start with arg0..arg5: '" + std::string(text) + "'";
    return std::nullopt;
  }
  ArgCondition cond;
  cond.arg = static_cast<unsigned>(s[3] - '0');
  s = trim(s.substr(4));
  if (s.empty()) {
    error = "missing operator in '" + std::string(text) + "'";
    return std::nullopt;
  }
  if (s.front() == '&') {
    size_t eq = s.find("==");
    if (eq == std::string_view::npos) {
      error = "masked condition needs '== value': '" + std::string(text) + "'";
      return std::nullopt;
    }
    bool isPid = false;
    if (!parseValue(s.substr(1, eq - 1), cond.mask, isPid, error)) return std::nullopt;
    if (isPid) {
      error = "$pid cannot be a mask";
      return std::nullopt;
    }
    if (!parseValue(s.substr(eq + 2), cond.value, isPid, error)) return std::nullopt;
    if (isPid) {
      error = "$pid cannot be compared under a mask";
      return std::nullopt;
    }
    if ((cond.value & ~cond.mask) != 0) {
      error = "masked value has bits outside the mask, so it can never match: '" +
              std::string(text) + "'";
      return std::nullopt;
    }
    cond.op = ArgCondition::Op::kMaskedEq;
    return cond;
  }
  // Longest operators first so "<=" is not read as "<".
  static constexpr std::pair<std::string_view, ArgCondition::Op> kOps[] = {
      {"==", ArgCondition::Op::kEq}, {"!=", ArgCondition::Op::kNe}, {"<=", ArgCondition::Op::kLe},
      {">=", ArgCondition::Op::kGe}, {"<", ArgCondition::Op::kLt},  {">", ArgCondition::Op::kGt},
  };
  for (const auto& [token, op] : kOps) {
    if (s.substr(0, token.size()) == token) {
      cond.op = op;
      if (!parseValue(s.substr(token.size()), cond.value, cond.valueIsSelfPid, error)) {
        return std::nullopt;
      }
      return cond;
    }
  }
  error = "unknown operator in '" + std::string(text) + "'";
  return std::nullopt;
}

}  // namespace bulkhead
