// Shared set-up for the sandbox fault tests.
#pragma once

#include <sys/prctl.h>

#include <filesystem>
#include <string>

#include "tests/sandbox_runner/child_process.h"
#include "policies/policy.h"
#include "sandbox_runner/seccomp_phases.h"

namespace bulkhead::testing {

inline Policy shippedPolicy(const std::string& name) {
  return loadPolicyFile(std::filesystem::path(BULKHEAD_SOURCE_DIR) / "policies" / (name + ".yaml"));
}

// In a child: loads `profile`, installs its loading filter and, when
// `serving`, the serving filter on top. Exits the child on failure.
inline void enterSeccomp(const std::string& profile, bool serving = true) {
  PhasedSeccomp phases(shippedPolicy(profile));
  CHILD_CHECK(::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, 90);
  int rc = phases.enterLoading();
  errno = rc;
  CHILD_CHECK(rc == 0, 91);
  if (serving) {
    rc = phases.enterServing();
    errno = rc;
    CHILD_CHECK(rc == 0, 92);
  }
}

}  // namespace bulkhead::testing
