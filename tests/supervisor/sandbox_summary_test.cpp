// The start-up line a runner's sandbox gets at info.
#include "supervisor/sandbox_summary.h"

#include <gtest/gtest.h>

namespace bulkhead {
namespace {

TEST(SandboxSummary, CountsLayersOnAndNamesThoseOff) {
  IsolationConfig c;
  c.policy = "strict";
  const std::vector<std::string> layers = {
      "pid namespace: applied",        "cgroups: partial: memory only",
      "landlock: unavailable: ABI 0",  "seccomp: applied: policy strict",
      "user namespace: failed: EPERM", "network namespace: not requested"};
  EXPECT_EQ(sandboxSummary(42, c, layers),
            "runner pid 42, isolation process, policy strict, sandbox 3/6 layers on (off: "
            "landlock, user namespace, network namespace)");
}

TEST(SandboxSummary, AllOn) {
  const std::vector<std::string> layers = {"rlimits: applied", "seccomp: applied: x"};
  EXPECT_EQ(sandboxSummary(7, IsolationConfig{}, layers),
            "runner pid 7, isolation process, policy default, sandbox 2/2 layers on");
}

TEST(SandboxSummary, AMalformedLayerCountsAsOff) {
  EXPECT_EQ(sandboxSummary(1, IsolationConfig{}, {"odd"}),
            "runner pid 1, isolation process, policy default, sandbox 0/1 layers on (off: odd)");
}

}  // namespace
}  // namespace bulkhead
