// A sandbox profile: the syscalls a plugin runner may make, grouped into named
// sets with a reason each, the paths Landlock lets it read or write, and
// whether it may use the network. Profiles are YAML files in policies/; see
// default.yaml for the format. Loading never half-succeeds: any problem throws
// PolicyError naming file:line:column and the offending key or syscall.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace bulkhead {

class PolicyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The loading phase covers dlopen and plugin_init; the serving phase starts
// once the plugin is initialised. The serving filter is stacked on top of the
// loading one, so it can only narrow what loading allowed.
enum class Phase : uint8_t { kLoading, kServing };

// One comparison on a syscall argument, e.g. `arg2 & PROT_EXEC == 0`.
struct ArgCondition {
  enum class Op : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe, kMaskedEq };
  unsigned arg = 0;  // 0..5
  Op op = Op::kEq;
  uint64_t mask = 0;  // kMaskedEq only
  uint64_t value = 0;
  // `$pid`: the value is the runner's own pid, known only when the filter is
  // compiled inside the runner.
  bool valueIsSelfPid = false;
};

struct SyscallRule {
  std::string syscall;
  int number = -1;                       // native-architecture number
  std::vector<ArgCondition> conditions;  // all must hold (AND)
  std::optional<int> errnoValue;         // nullopt: allow; else fail with this errno
  std::string reason;
  std::string origin;  // file:line of the rule, for error messages
};

struct SyscallSet {
  std::string name;
  std::string reason;
  bool loading = true;
  bool serving = true;
  std::vector<SyscallRule> rules;
  std::string origin;
};

struct Policy {
  std::string name;
  std::vector<std::filesystem::path> files;  // the profile and its ancestors, child first
  bool allowNetwork = false;
  // SECCOMP_FILTER_FLAG_SPEC_ALLOW: keep the speculative store bypass
  // mitigation off. Untrusted code stays mitigated unless a profile opts out.
  bool specAllow = false;
  std::vector<std::string> readPaths;
  std::vector<std::string> writePaths;
  std::vector<SyscallSet> sets;
  // Syscall names known to libseccomp but absent on this architecture (e.g.
  // `open` on aarch64); listed so that nothing is dropped silently.
  std::vector<std::string> skippedSyscalls;

  // Rules that apply in `phase`, in file order; the pointers stay valid while
  // this Policy lives and is not modified.
  std::vector<const SyscallRule*> rulesFor(Phase phase) const;
};

// Parses one profile file and, through `extends:`, its ancestors (looked up
// as <name>.yaml beside it). Throws PolicyError.
Policy loadPolicyFile(const std::filesystem::path& file);

}  // namespace bulkhead
