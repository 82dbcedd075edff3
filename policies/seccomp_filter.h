// SeccompFilter: one phase of a profile compiled to a classic BPF program
// that the runner installs on itself. Compiling (libseccomp, allocations,
// a memfd) happens up front; install() is a single seccomp(2) call on the
// finished program, so nothing allocates between building and installing.
//
// Parsing a profile costs milliseconds (yaml-cpp), too much for every
// runner restart. The supervisor can therefore compile once with
// kSelfPidPlaceholder standing for `$pid`, hand the instructions to each
// runner, and the runner rebuilds the filter with fromProgram() and fills in
// its own pid with bindSelfPid().
#pragma once

#include <linux/filter.h>
#include <sys/types.h>

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "policies/policy.h"

namespace bulkhead {

// Above PID_MAX_LIMIT (4 Mi) so it never equals a real pid; no constant in
// the shipped profiles has this value (a unit test checks).
inline constexpr pid_t kSelfPidPlaceholder = 0x3ffffff5;

struct SeccompCompileOptions {
  pid_t selfPid = 0;  // value of `$pid` in conditions; 0 means getpid()
};

class SeccompFilter {
 public:
  // Compiles the rules of `phase`. Default action: kill the whole process
  // (a thread-only kill would leave a half-working plugin behind). The
  // program starts with a hand-written prologue that kills on a foreign
  // architecture and, on x86_64, on any x32 syscall number (bit 0x40000000),
  // before libseccomp's own checks. Throws PolicyError naming the rule.
  static SeccompFilter compile(const Policy& policy, Phase phase,
                               const SeccompCompileOptions& options = {});

  // Rebuilds a filter from instructions compiled elsewhere (by the
  // supervisor). Checks only the shape: non-empty, at most BPF_MAXINSNS,
  // last instruction a return. Throws PolicyError.
  static SeccompFilter fromProgram(std::vector<sock_filter> program, Phase phase, bool specAllow);

  // Replaces kSelfPidPlaceholder in every comparison with `pid`. Returns the
  // number of instructions changed. Call before install().
  size_t bindSelfPid(pid_t pid) noexcept;

  SeccompFilter(SeccompFilter&&) noexcept = default;
  SeccompFilter& operator=(SeccompFilter&&) noexcept = default;

  // Installs the filter on every thread of the process (TSYNC), with
  // SPEC_ALLOW when the profile asks for it. Requires no_new_privs (or
  // CAP_SYS_ADMIN). Returns 0 or an errno; ESRCH when some thread could not
  // be synchronised. Async-signal-safe: no allocation, no locks.
  [[nodiscard]] int install() const noexcept;

  std::span<const sock_filter> instructions() const noexcept { return program_; }
  Phase phase() const noexcept { return phase_; }
  bool specAllow() const noexcept { return specAllow_; }

 private:
  SeccompFilter(std::vector<sock_filter> program, Phase phase, bool specAllow)
      : program_(std::move(program)), phase_(phase), specAllow_(specAllow) {}

  std::vector<sock_filter> program_;
  Phase phase_;
  bool specAllow_;
};

}  // namespace bulkhead
