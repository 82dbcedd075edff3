// /healthz over a real isolated host: healthy while the source runs, 503
// naming the plugin once the circuit breaker disabled it.
#include <httplib.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "metrics/health.h"
#include "metrics/metrics_service.h"
#include "supervisor/isolated_host.h"
#include "test_services.h"

namespace bulkhead {
namespace {

using ::testing::HasSubstr;
using std::chrono::milliseconds;

class NullSink : public AlertSink {
 public:
  void emit(const Alert&) override {}
};

std::string pluginPath(const std::string& name) {
  return std::string(BULKHEAD_TEST_PLUGIN_DIR) + "/lib" + name + ".so";
}

TEST(HealthBreaker, DisabledSourcePluginMakesHealthz503) {
  IsolationConfig o = testIsolation();
  o.restart.maxRestarts = 2;
  o.restart.window = std::chrono::seconds(60);
  o.restart.backoffInitial = milliseconds(2);
  o.restart.backoffMax = milliseconds(20);
  o.deadlines.nextBatch = milliseconds(2000);
  // Every runner crashes in its first next_batch.
  IsolatedHost host(PluginSpec{"fault", pluginPath("fault"),
                               R"({"fault":"segv","in":"next_batch","after":0})"},
                    o, testServices());
  std::vector<PluginInfo> infos = {host.info()};
  NullSink sink;
  SourcePipeline pipeline(infos[0].eventSource, infos, {&host}, 0, nullptr, sink);

  WebserverConfig w;
  w.enabled = true;
  w.listenAddress = "127.0.0.1";
  w.listenPort = 0;
  std::vector<std::unique_ptr<SourcePipeline>> none;
  MetricsInputs in;
  in.pipelines = {&pipeline};
  in.hosts = {{"fault@" + infos[0].eventSource, &host}};
  MetricsService service(w, MetricsConfig{}, in, sink);
  httplib::Client client("127.0.0.1", service.webPort());

  auto before = client.Get("/healthz");
  ASSERT_TRUE(before);
  EXPECT_EQ(before->status, 200);

  host.open("count=0,batch=16");
  const auto bound = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < bound && !host.state().disabled &&
         pipeline.end() == SS_PLUGIN_SUCCESS) {
    (void)pipeline.step();
  }
  ASSERT_TRUE(host.state().disabled) << "the breaker never tripped";
  auto after = client.Get("/healthz");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 503);
  EXPECT_THAT(after->body, HasSubstr(R"("status":"unhealthy")"));
  EXPECT_THAT(after->body, HasSubstr("plugin 'fault@" + infos[0].eventSource + "' is disabled"));
  const HostCounters c = host.counters();
  EXPECT_EQ(c.runnerEnds[1].load(), 3u);  // three SIGSEGVs: the start and two restarts
  EXPECT_EQ(host.state().workerPid, -1);
  service.stop();
  host.shutdown();
}

}  // namespace
}  // namespace bulkhead
