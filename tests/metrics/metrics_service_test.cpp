// The metrics interval: the snapshot event through the alert sink and the
// JSON lines of metrics.output_file; /healthz and /versions through the
// service; Falco's keys in the output fields.
#include "metrics/metrics_service.h"

#include <httplib.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "metrics/health.h"
#include "metrics/snapshot_fields.h"
#include "test_snapshot.h"

namespace bulkhead {
namespace {

using ::testing::HasSubstr;
using std::chrono::milliseconds;

class RecordingSink : public AlertSink {
 public:
  void emit(const Alert& alert) override {
    std::lock_guard<std::mutex> lock(mu_);
    alerts_.push_back(alert);
    cv_.notify_all();
  }
  // Waits (bounded) until `n` alerts came.
  std::vector<Alert> waitFor(size_t n, milliseconds bound) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, bound, [&] { return alerts_.size() >= n; });
    return alerts_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Alert> alerts_;
};

std::vector<std::string> readLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

TEST(SnapshotFields, FalcoKeysAndEmptyValues) {
  Snapshot s = testing::hostileSnapshot();
  MetricsConfig c;
  boost::json::object f = snapshotFields(s, nullptr, c);
  EXPECT_EQ(f.at("falco.duration_sec").as_uint64(), 90u);
  EXPECT_EQ(f.at("falco.num_evts").as_uint64(), 100u);
  EXPECT_EQ(f.at("falco.outputs_queue_num_drops").as_uint64(), 1u);
  EXPECT_EQ(f.at("falco.rules.say__hi____then_break").as_uint64(), 5u);
  EXPECT_EQ(f.at("falco.rules.matches_total").as_uint64(), 5u);
  EXPECT_DOUBLE_EQ(f.at("falco.memory_rss_mb").as_double(), 4.0);
  EXPECT_DOUBLE_EQ(f.at("falco.cpu_usage_perc").as_double(), 50.0);
  EXPECT_FALSE(f.contains("falco.rules.quiet"));  // zero: left out by default
  c.includeEmptyValues = true;
  c.convertMemoryToMb = false;
  f = snapshotFields(s, nullptr, c);
  EXPECT_EQ(f.at("falco.rules.quiet").as_uint64(), 0u);
  EXPECT_DOUBLE_EQ(f.at("falco.memory_rss_kb").as_double(), 4096.0);

  Snapshot later = s;
  later.timeNs += 2'000'000'000ULL;
  later.sources[0].counters.events = 300;
  f = snapshotFields(later, &s, MetricsConfig{});
  EXPECT_EQ(f.at("falco.num_evts_prev").as_uint64(), 100u);
  EXPECT_DOUBLE_EQ(f.at("falco.evts_rate_sec").as_double(), 100.0);
}

TEST(SnapshotFields, AlertIsFalcosInternalRule) {
  Snapshot s = testing::hostileSnapshot();
  Alert a = snapshotAlert(s, snapshotFields(s, nullptr, MetricsConfig{}));
  EXPECT_EQ(a.rule, "Falco internal: metrics snapshot");
  EXPECT_EQ(a.source, "internal");
  EXPECT_EQ(a.priority, Priority::kInformational);
  EXPECT_EQ(a.output, "Falco metrics snapshot");
  bool sawVersion = false;
  for (const Alert::Field& f : a.fields) {
    if (f.name == "falco.num_evts") {
      EXPECT_EQ(f.type, ValueType::kUint64);
      EXPECT_EQ(f.value, "100");
    }
    sawVersion = sawVersion || f.name == "falco.version";
  }
  EXPECT_TRUE(sawVersion);
}

TEST(MetricsService, IntervalEmitsTheRuleAndAppendsJsonLines) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("bulkhead-metrics-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "stats.jsonl").string();
  MetricsConfig c;
  c.enabled = true;
  c.intervalMs = 100;
  c.outputFile = file;
  RecordingSink sink;
  {
    MetricsService service(WebserverConfig{}, c, MetricsInputs{}, sink);
    EXPECT_EQ(service.webPort(), -1);
    std::vector<Alert> alerts = sink.waitFor(2, milliseconds(20000));
    ASSERT_GE(alerts.size(), 2u);
    EXPECT_EQ(alerts[0].rule, kMetricsRuleName);
    service.stop();
  }
  std::vector<std::string> lines = readLines(file);
  ASSERT_GE(lines.size(), 2u);
  for (size_t i = 0; i < lines.size(); ++i) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(lines[i], ec);
    ASSERT_FALSE(ec) << lines[i];
    EXPECT_EQ(v.at("sample").to_number<uint64_t>(), i + 1);
    EXPECT_TRUE(v.at("output_fields").as_object().contains("falco.version")) << lines[i];
  }
  std::filesystem::remove_all(dir);
}

TEST(MetricsService, OutputRuleOffEmitsNothing) {
  MetricsConfig c;
  c.enabled = true;
  c.intervalMs = 100;
  c.outputRule = false;
  RecordingSink sink;
  MetricsService service(WebserverConfig{}, c, MetricsInputs{}, sink);
  EXPECT_TRUE(sink.waitFor(1, milliseconds(300)).empty());
}

TEST(MetricsService, ServesHealthVersionsAndMetrics) {
  WebserverConfig w;
  w.enabled = true;
  w.listenAddress = "127.0.0.1";
  w.listenPort = 0;
  w.prometheusMetricsEnabled = true;
  MetricsConfig c;
  c.enabled = true;
  c.outputRule = false;
  MetricsInputs in;
  in.pluginVersions = {{"counter", "0.1.0"}, {"evil\n", "1\x1b"}};
  RecordingSink sink;
  MetricsService service(w, c, in, sink);
  httplib::Client client("127.0.0.1", service.webPort());
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, R"({"status": "ok"})");
  auto versions = client.Get("/versions");
  ASSERT_TRUE(versions);
  boost::json::value v = boost::json::parse(versions->body);
  EXPECT_EQ(v.at("plugin_api_version").as_string(), "3.12.0");
  EXPECT_EQ(v.at("engine_version").as_string(), "50");
  EXPECT_EQ(v.at("plugin_versions").at("counter").as_string(), "0.1.0");
  EXPECT_EQ(v.at("plugin_versions").at("evil\\n").as_string(), "1\\x1b");
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_THAT(metrics->body, HasSubstr("falcosecurity_falco_version_info"));
}

TEST(MetricsService, NoMetricsEndpointWithoutMetricsEnabled) {
  WebserverConfig w;
  w.enabled = true;
  w.listenAddress = "127.0.0.1";
  w.listenPort = 0;
  w.prometheusMetricsEnabled = true;
  RecordingSink sink;
  MetricsService service(w, MetricsConfig{}, MetricsInputs{}, sink);
  httplib::Client client("127.0.0.1", service.webPort());
  EXPECT_EQ(client.Get("/metrics")->status, 404);
  EXPECT_EQ(client.Get("/healthz")->status, 200);
}

}  // namespace
}  // namespace bulkhead

namespace bulkhead {
namespace {

TEST(Health, EndedSourcesAndDisabledPluginsAreReasons) {
  Snapshot s = testing::hostileSnapshot();
  EXPECT_TRUE(healthOf(s).ok);
  EXPECT_EQ(healthJson(healthOf(s)), R"({"status": "ok"})");
  s.sources[0].end = SS_PLUGIN_EOF;
  s.plugins[1].state.disabled = true;
  Health h = healthOf(s);
  EXPECT_FALSE(h.ok);
  ASSERT_EQ(h.reasons.size(), 2u);
  EXPECT_EQ(h.reasons[0], "source 'src\"x' reached its end");
  EXPECT_EQ(h.reasons[1], "plugin 'json@src' is disabled (circuit breaker)");
  boost::json::value v = boost::json::parse(healthJson(h));
  EXPECT_EQ(v.at("status").as_string(), "unhealthy");
  EXPECT_EQ(v.at("reasons").as_array().size(), 2u);
  s.sources[0].end = SS_PLUGIN_FAILURE;
  EXPECT_EQ(healthOf(s).reasons[0], "source 'src\"x' failed");
}

}  // namespace
}  // namespace bulkhead

namespace bulkhead {
namespace {

TEST(MetricsService, SetInputsReplacesWhatIsServed) {
  WebserverConfig w;
  w.enabled = true;
  w.listenAddress = "127.0.0.1";
  w.listenPort = 0;
  MetricsInputs first;
  first.pluginVersions = {{"old", "1.0.0"}};
  RecordingSink sink;
  MetricsService service(w, MetricsConfig{}, first, sink);
  httplib::Client client("127.0.0.1", service.webPort());
  EXPECT_THAT(client.Get("/versions")->body, HasSubstr(R"("old":"1.0.0")"));
  MetricsInputs second;
  second.pluginVersions = {{"new", "2.0.0"}};
  RecordingSink other;
  service.setInputs(second, other);
  const std::string body = client.Get("/versions")->body;
  EXPECT_THAT(body, HasSubstr(R"("new":"2.0.0")"));
  EXPECT_THAT(body, ::testing::Not(HasSubstr("old")));
}

}  // namespace
}  // namespace bulkhead
