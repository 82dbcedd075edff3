#include "sandbox_runner/seccomp_phases.h"

namespace bulkhead {

PhasedSeccomp::PhasedSeccomp(const Policy& policy, const SeccompCompileOptions& options)
    : loading_(SeccompFilter::compile(policy, Phase::kLoading, options)),
      serving_(SeccompFilter::compile(policy, Phase::kServing, options)) {}

}  // namespace bulkhead
