// The two seccomp phases of a runner. Both filters are compiled before the
// first is installed, so the serving switch is one seccomp(2) call that
// allocates nothing (the loading filter allows exactly that call and the
// serving one does not).
//
// Order in the runner: every other layer first; then enterLoading() just
// before dlopen (seccomp goes on last, right before plugin code runs); then
// dlopen + plugin_init; then enterServing() before the first request.
#pragma once

#include "policies/seccomp_filter.h"

namespace bulkhead {

class PhasedSeccomp {
 public:
  // Compiles both phases of `policy` for this process. Throws PolicyError.
  explicit PhasedSeccomp(const Policy& policy, const SeccompCompileOptions& options = {});
  // Filters compiled by the supervisor (with kSelfPidPlaceholder); binds
  // them to this process's pid. Throws PolicyError when the phases are
  // swapped.
  PhasedSeccomp(SeccompFilter loading, SeccompFilter serving);

  // Return 0 or an errno (see SeccompFilter::install). On failure the
  // runner must exit: running the plugin without the filter is not an option.
  [[nodiscard]] int enterLoading() const noexcept { return loading_.install(); }
  [[nodiscard]] int enterServing() const noexcept { return serving_.install(); }

  const SeccompFilter& loading() const noexcept { return loading_; }
  const SeccompFilter& serving() const noexcept { return serving_; }

 private:
  SeccompFilter loading_;
  SeccompFilter serving_;
};

}  // namespace bulkhead
