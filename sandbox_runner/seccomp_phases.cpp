#include "sandbox_runner/seccomp_phases.h"

#include <unistd.h>

#include <utility>

namespace bulkhead {

PhasedSeccomp::PhasedSeccomp(const Policy& policy, const SeccompCompileOptions& options)
    : loading_(SeccompFilter::compile(policy, Phase::kLoading, options)),
      serving_(SeccompFilter::compile(policy, Phase::kServing, options)) {}

PhasedSeccomp::PhasedSeccomp(SeccompFilter loading, SeccompFilter serving)
    : loading_(std::move(loading)), serving_(std::move(serving)) {
  if (loading_.phase() != Phase::kLoading || serving_.phase() != Phase::kServing) {
    throw PolicyError("seccomp phases handed over in the wrong order");
  }
  const pid_t self = ::getpid();
  loading_.bindSelfPid(self);
  serving_.bindSelfPid(self);
}

}  // namespace bulkhead
