// The alert stream is the same whether the plugins run in-process or
// isolated: same rules, same plugins, same events.
#include <mutex>

#include <gtest/gtest.h>

#include "tests/plugin_api/host_suite.h"
#include "plugin_api/inprocess_host.h"
#include "supervisor/isolated_host.h"
#include "tests/supervisor/counter_alerts.h"
#include "tests/supervisor/test_services.h"

namespace bulkhead {


namespace {

class CollectingSink : public AlertSink {
 public:
  void emit(const Alert& a) override {
    std::lock_guard lock(mu_);
    // Event time comes from the wall clock at production: left out.
    std::string line = a.rule + "|" + std::string(priorityName(a.priority)) + "|" + a.source +
                        "|" + a.output + "|";
    for (const auto& f : a.fields) line += f.name + "=" + (f.present ? f.value : "<NA>") + ";";
    for (const auto& t : a.tags) line += t + ",";
    lines.push_back(line);
  }
  std::vector<std::string> lines;

 private:
  std::mutex mu_;
};


std::vector<std::string> alertsWith(bool isolated) {
  std::vector<std::unique_ptr<PluginHost>> hosts;
  for (const char* name : {"counter", "jsonx"}) {
    PluginSpec spec{name, testPluginPath(name), ""};
    if (isolated) {
      hosts.push_back(std::make_unique<IsolatedHost>(spec, testIsolation(), testServices()));
    } else {
      hosts.push_back(std::make_unique<InProcessHost>(spec));
    }
  }
  CollectingSink sink;
  testing::runCounterRules(*hosts[0], *hosts[1], testing::kCounterRules, sink);
  return sink.lines;
}

TEST(Golden, IsolatedAlertsEqualInProcessAlerts) {
  std::vector<std::string> inprocess = alertsWith(false);
  std::vector<std::string> isolated = alertsWith(true);
  ASSERT_GT(inprocess.size(), 100u);
  EXPECT_EQ(inprocess, isolated);
}

}  // namespace
}  // namespace bulkhead
