// Plugins crashing behind the proxy, in each call: the host that loaded
// the proxy lives on and is answered as proxy_instance.h says.
#include <chrono>

#include <gtest/gtest.h>
#include "plugin_api/inprocess_host.h"
#include "tests/proxy/proxy_fixture.h"

namespace bulkhead {
namespace {

std::unique_ptr<PluginHost> faultProxy(const std::string& config) {
  PluginSpec p{"fault", std::string(BULKHEAD_TEST_PLUGIN_DIR) + "/libfault.so", config};
  p.libraryPath = testing::wrappedPlugin(p.libraryPath);
  return std::make_unique<InProcessHost>(p);
}

FieldRequest field(const PluginInfo& info, const std::string& name) {
  FieldRequest q;
  for (uint32_t i = 0; i < info.fields.size(); ++i) {
    if (info.fields[i].name == name) q.fieldId = i;
  }
  return q;
}

// --- crashes behind the proxy -------------------------------------------------


TEST(ProxyFaults, ACrashInNextBatchIsATimeoutThenTheSourceEndsWhenDisabled) {
  testing::LogCapture log;
  auto host = faultProxy(R"({"fault": "segv", "in": "next_batch", "after": 2})");
  host->open("");
  size_t events = 0, timeouts = 0;
  ss_plugin_rc rc = SS_PLUGIN_SUCCESS;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < until) {
    BatchResult b = host->nextBatch();
    events += b.events.size();
    rc = b.rc;
    if (rc == SS_PLUGIN_TIMEOUT) ++timeouts;
    if (rc == SS_PLUGIN_EOF || rc == SS_PLUGIN_FAILURE) break;
  }
  EXPECT_EQ(rc, SS_PLUGIN_EOF);  // ended cleanly, not failed
  EXPECT_GE(timeouts, 5u);
  EXPECT_GT(events, 0u);
  const std::string text = log.text();
  EXPECT_NE(text.find("SIGSEGV"), std::string::npos) << text;
  EXPECT_NE(text.find("its event source ends here"), std::string::npos) << text;
}

// The fault plugin crashes on the call after `after` good ones, in every
// runner: the answers go value, value, value, none (the crash), then the
// restarted runner's values.
TEST(ProxyFaults, ACrashInExtractIsNoValueAndTheNextEventIsServed) {
  auto host = faultProxy(R"({"fault": "segv", "in": "extract", "after": 3})");
  host->open("");
  const FieldRequest seq = field(host->info(), "fault.seq");
  std::string seen;
  while (seen.size() < 9) {
    BatchResult r = host->nextBatch();
    for (const EventRef& e : r.events) {
      ExtractResults out;
      ASSERT_EQ(host->extract({&e, 1}, "fault", {&seq, 1}, out), SS_PLUGIN_SUCCESS);
      seen += out.values(0, 0).empty() ? '-' : 'v';
    }
    ASSERT_NE(r.rc, SS_PLUGIN_EOF);
  }
  EXPECT_EQ(seen.substr(0, 9), "vvv-vvv-v");
  EXPECT_EQ(host->counters().events, seen.size());
}

TEST(ProxyFaults, ACrashInParseFailsThatEventOnly) {
  auto host = faultProxy(R"({"fault": "abort", "in": "parse", "after": 2})");
  host->open("");
  std::string seen;
  while (seen.size() < 7) {
    BatchResult r = host->nextBatch();
    for (const EventRef& e : r.events) {
      seen += host->parse({&e, 1}, "fault") == SS_PLUGIN_SUCCESS ? 'v' : '-';
    }
    ASSERT_NE(r.rc, SS_PLUGIN_EOF);
  }
  EXPECT_EQ(seen.substr(0, 7), "vv-vv-v");
}

TEST(ProxyFaults, ACrashInInitIsALoadErrorAndTheHostLivesOn) {
  try {
    faultProxy(R"({"fault": "segv", "in": "init"})");
    FAIL() << "a crashing init loaded";
  } catch (const PluginError& e) {
    EXPECT_NE(std::string(e.what()).find("fault"), std::string::npos) << e.what();
  }
  // The same library still serves a healthy state afterwards.
  auto host = faultProxy("");
  host->open("");
  size_t events = 0;
  for (int b = 0; b < 5; ++b) events += host->nextBatch().events.size();
  EXPECT_GT(events, 0u);
}

}  // namespace
}  // namespace bulkhead
