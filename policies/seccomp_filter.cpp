#include "policies/seccomp_filter.h"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string>

#include "shm_ring/unique_fd.h"

namespace bulkhead {
namespace {

struct CtxDeleter {
  void operator()(void* ctx) const noexcept { seccomp_release(ctx); }
};
using ScmpCtx = std::unique_ptr<void, CtxDeleter>;

[[noreturn]] void failRule(const SyscallRule& rule, const std::string& what, int err) {
  throw PolicyError(rule.origin + ": " + what + " for syscall '" + rule.syscall +
                    "': " + std::strerror(err));
}

scmp_compare toScmp(ArgCondition::Op op) {
  switch (op) {
    case ArgCondition::Op::kEq:
      return SCMP_CMP_EQ;
    case ArgCondition::Op::kNe:
      return SCMP_CMP_NE;
    case ArgCondition::Op::kLt:
      return SCMP_CMP_LT;
    case ArgCondition::Op::kLe:
      return SCMP_CMP_LE;
    case ArgCondition::Op::kGt:
      return SCMP_CMP_GT;
    case ArgCondition::Op::kGe:
      return SCMP_CMP_GE;
    case ArgCondition::Op::kMaskedEq:
      return SCMP_CMP_MASKED_EQ;
  }
  return SCMP_CMP_EQ;
}

// Runs before libseccomp's program. libseccomp also checks the architecture,
// but the x32 rejection is written out here so that it does not depend on
// which architectures a libseccomp version adds to a context by default:
// x32 numbers reuse x86_64 numbers with bit 30 set and the AUDIT_ARCH is the
// same, so an allow-list keyed only on numbers would let them through.
std::vector<sock_filter> prologue(uint32_t arch) {
  std::vector<sock_filter> p = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
  };
  if (arch == SCMP_ARCH_X86_64) {
    p.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)));
    p.push_back(BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x40000000u, 0, 1));
    p.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
  }
  return p;
}

// libseccomp quietly lets one action win when a syscall gets an
// unconditional rule and another rule with a different action; a profile
// that says both is ambiguous, so it is rejected instead.
void rejectAmbiguousRules(const std::vector<const SyscallRule*>& rules, const char* phaseName) {
  for (size_t i = 0; i < rules.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      const SyscallRule& a = *rules[j];
      const SyscallRule& b = *rules[i];
      if (a.number != b.number || a.errnoValue == b.errnoValue) continue;
      if (a.conditions.empty() || b.conditions.empty()) {
        throw PolicyError(b.origin + ": syscall '" + b.syscall + "' has a different action at " +
                          a.origin + " and one of them is unconditional (" + phaseName +
                          " phase); add conditions that tell them apart");
      }
    }
  }
}

}  // namespace

SeccompFilter SeccompFilter::compile(const Policy& policy, Phase phase,
                                     const SeccompCompileOptions& options) {
  const char* phaseName = phase == Phase::kLoading ? "loading" : "serving";
  ScmpCtx ctx(seccomp_init(SCMP_ACT_KILL_PROCESS));
  if (!ctx) throw PolicyError(policy.name + ": seccomp_init failed");
  if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
      rc < 0) {
    throw PolicyError(policy.name + ": cannot set bad-arch action: " + std::strerror(-rc));
  }
  const uint64_t pid = options.selfPid != 0 ? static_cast<uint64_t>(options.selfPid)
                                            : static_cast<uint64_t>(::getpid());
  const std::vector<const SyscallRule*> rules = policy.rulesFor(phase);
  rejectAmbiguousRules(rules, phaseName);
  for (const SyscallRule* rule : rules) {
    scmp_arg_cmp cmps[6] = {};
    unsigned n = 0;
    for (const auto& c : rule->conditions) {
      scmp_arg_cmp& cmp = cmps[n++];
      cmp.arg = c.arg;
      cmp.op = toScmp(c.op);
      if (c.op == ArgCondition::Op::kMaskedEq) {
        cmp.datum_a = c.mask;
        cmp.datum_b = c.value;
      } else {
        cmp.datum_a = c.valueIsSelfPid ? pid : c.value;
      }
    }
    const uint32_t action = rule->errnoValue
                                ? SCMP_ACT_ERRNO(static_cast<uint32_t>(*rule->errnoValue))
                                : SCMP_ACT_ALLOW;
    if (int rc = seccomp_rule_add_array(ctx.get(), action, rule->number, n, cmps); rc < 0) {
      failRule(*rule, std::string("cannot add ") + phaseName + " rule", -rc);
    }
  }

  UniqueFd mem(static_cast<int>(::memfd_create("bulkhead-seccomp", MFD_CLOEXEC)));
  if (!mem) throw PolicyError(policy.name + ": memfd_create: " + std::strerror(errno));
  if (int rc = seccomp_export_bpf(ctx.get(), mem.get()); rc < 0) {
    throw PolicyError(policy.name + ": cannot export " + phaseName +
                      " filter: " + std::strerror(-rc));
  }
  struct stat st {};
  if (::fstat(mem.get(), &st) != 0) {
    throw PolicyError(policy.name + ": fstat: " + std::strerror(errno));
  }
  const size_t bytes = static_cast<size_t>(st.st_size);
  if (bytes == 0 || bytes % sizeof(sock_filter) != 0) {
    throw PolicyError(policy.name + ": libseccomp exported a malformed program");
  }
  std::vector<sock_filter> program = prologue(seccomp_arch_native());
  const size_t head = program.size();
  program.resize(head + bytes / sizeof(sock_filter));
  size_t done = 0;
  while (done < bytes) {
    ssize_t r = ::pread(mem.get(), reinterpret_cast<char*>(program.data() + head) + done,
                        bytes - done, static_cast<off_t>(done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) throw PolicyError(policy.name + ": cannot read back the exported filter");
    done += static_cast<size_t>(r);
  }
  if (program.size() > BPF_MAXINSNS) {
    throw PolicyError(policy.name + ": " + phaseName + " filter has " +
                      std::to_string(program.size()) + " instructions, more than the kernel's " +
                      std::to_string(BPF_MAXINSNS));
  }
  return SeccompFilter(std::move(program), phase, policy.specAllow);
}

SeccompFilter SeccompFilter::fromProgram(std::vector<sock_filter> program, Phase phase,
                                         bool specAllow) {
  if (program.empty() || program.size() > BPF_MAXINSNS) {
    throw PolicyError("seccomp program of " + std::to_string(program.size()) +
                      " instructions (1.." + std::to_string(BPF_MAXINSNS) + " allowed)");
  }
  if (BPF_CLASS(program.back().code) != BPF_RET) {
    throw PolicyError("seccomp program does not end in a return");
  }
  return SeccompFilter(std::move(program), phase, specAllow);
}

size_t SeccompFilter::bindSelfPid(pid_t pid) noexcept {
  size_t changed = 0;
  for (auto& insn : program_) {
    if (BPF_CLASS(insn.code) == BPF_JMP && BPF_SRC(insn.code) == BPF_K &&
        insn.k == static_cast<uint32_t>(kSelfPidPlaceholder)) {
      insn.k = static_cast<uint32_t>(pid);
      ++changed;
    }
  }
  return changed;
}

int SeccompFilter::install() const noexcept {
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(program_.size());
  prog.filter = const_cast<sock_filter*>(program_.data());
  unsigned long flags = SECCOMP_FILTER_FLAG_TSYNC;
  if (specAllow_) flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
  long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
  if (rc == 0) return 0;
  // With TSYNC a positive result is the id of a thread that could not adopt
  // the filter; the calling thread did not install it either.
  if (rc > 0) return ESRCH;
  return errno;
}

}  // namespace bulkhead
