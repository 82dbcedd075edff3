#include "sandbox_runner/syscall_names.h"

#include <cstdio>
#include <cstdlib>
#include <memory>

#include <seccomp.h>

namespace bulkhead {
namespace {

constexpr int kX32Bit = 0x40000000;
// si_code of a seccomp SIGSYS (asm-generic/siginfo.h); glibc exposes it
// only under some feature macros.
constexpr int kSysSeccomp = 1;

std::string archName(uint32_t arch) {
  switch (arch) {
    case SCMP_ARCH_X86_64: return "x86_64";
    case SCMP_ARCH_X86: return "x86";
    case SCMP_ARCH_AARCH64: return "aarch64";
    case SCMP_ARCH_ARM: return "arm";
    case SCMP_ARCH_RISCV64: return "riscv64";
    default: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "arch 0x%x", arch);
      return buf;
    }
  }
}

}  // namespace

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

std::string describeSeccompSignal(const siginfo_t& info) {
  if (info.si_signo != SIGSYS) return "signal " + std::to_string(info.si_signo) + ", not SIGSYS";
  if (info.si_code != kSysSeccomp) return "SIGSYS not raised by seccomp";
  return syscallName(info.si_syscall, info.si_arch) + " (" + std::to_string(info.si_syscall) +
         ", " + archName(info.si_arch) + ")";
}

}  // namespace bulkhead
