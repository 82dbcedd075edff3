#include "isolated_host.h"

#include "host_suite.h"

namespace bulkhead {

IsolationOptions testIsolation() {
  IsolationOptions o;
  o.runnerPath = std::string(BULKHEAD_BINARY_DIR) + "/bulkhead-runner";
  o.policyDir = std::string(BULKHEAD_BINARY_DIR) + "/policies";
  return o;
}

namespace {

INSTANTIATE_TEST_SUITE_P(Isolated, HostSuite,
                         ::testing::Values(HostKind{"isolated", [](const PluginSpec& s) {
                                                      return std::unique_ptr<PluginHost>(
                                                          std::make_unique<IsolatedHost>(
                                                              s, testIsolation()));
                                                    }}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace bulkhead
