#include "isolated_host.h"

#include <string>

#include "event.h"
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

std::string counterPath() { return std::string(BULKHEAD_TEST_PLUGIN_DIR) + "/libcounter.so"; }

IsolationOptions smallRings() {
  IsolationOptions o = testIsolation();
  o.ringBytes = {64u << 10, 64u << 10, 64u << 10, 64u << 10};
  return o;
}

// A batch eight times the source ring travels as many records, some of them
// staged while the ring is full; it arrives whole and in order.
TEST(IsolatedSource, BatchLargerThanTheRingArrivesWholeAndInOrder) {
  IsolatedHost host(PluginSpec{"counter", counterPath(), ""}, smallRings());
  host.open("count=192,size=8000,batch=64");
  uint64_t next = 0;
  for (int batch = 0; batch < 3; ++batch) {
    BatchResult b = host.nextBatch();
    ASSERT_EQ(b.rc, SS_PLUGIN_SUCCESS) << host.lastError();
    ASSERT_EQ(b.events.size(), 64u);
    for (const EventRef& e : b.events) {
      ASSERT_GE(eventLen(e.evt), 8000u);
      const std::string_view payload = pluginEventPayload(e.evt);
      ASSERT_EQ(payload.substr(0, 8 + std::to_string(next).size()),
                "{\"seq\":" + std::to_string(next) + ",")
          << payload.substr(0, 40);
      ++next;
    }
  }
  EXPECT_EQ(host.nextBatch().rc, SS_PLUGIN_EOF);
  EXPECT_EQ(host.counters().crashes + host.counters().malformed, 0u);
}

// An event no ring record can hold ends the capture with an error that says
// so; the runner does not die and nothing is cut.
TEST(IsolatedSource, EventLargerThanTheRingFailsTheBatchByName) {
  IsolatedHost host(PluginSpec{"counter", counterPath(), ""}, smallRings());
  host.open("count=0,size=100000,batch=1");
  BatchResult b = host.nextBatch();
  EXPECT_EQ(b.rc, SS_PLUGIN_FAILURE);
  EXPECT_TRUE(b.events.empty());
  EXPECT_NE(host.lastError().find("more than the source ring carries"), std::string::npos)
      << host.lastError();
  EXPECT_EQ(host.counters().crashes + host.counters().malformed, 0u);
}

}  // namespace
}  // namespace bulkhead
