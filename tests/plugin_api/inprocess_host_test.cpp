#include "plugin_api/inprocess_host.h"

#include "tests/plugin_api/host_suite.h"

namespace bulkhead {
namespace {

INSTANTIATE_TEST_SUITE_P(InProcess, HostSuite,
                         ::testing::Values(HostKind{"inprocess", [](const PluginSpec& s) {
                                                      return std::unique_ptr<PluginHost>(
                                                          std::make_unique<InProcessHost>(s));
                                                    }}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace bulkhead
