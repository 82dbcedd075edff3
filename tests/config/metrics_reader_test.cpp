// webserver: and metrics: as Falco 0.44 reads them: keys, defaults, the
// duration syntax, and errors that name file:line.
#include "config/metrics_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "tests/config/temp_config.h"

namespace bulkhead {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using testing::TempConfigDir;

TEST(MetricsReader, DefaultsAreFalcos) {
  TempConfigDir dir;
  Config c = dir.load("rules_files: []\n");
  EXPECT_FALSE(c.webserver.enabled);
  EXPECT_EQ(c.webserver.listenPort, 8765);
  EXPECT_EQ(c.webserver.listenAddress, "0.0.0.0");
  EXPECT_EQ(c.webserver.healthzEndpoint, "/healthz");
  EXPECT_EQ(c.webserver.threadiness, 0u);
  EXPECT_FALSE(c.webserver.prometheusMetricsEnabled);
  EXPECT_FALSE(c.webserver.sslEnabled);
  EXPECT_EQ(c.webserver.sslCertificate, "/etc/falco/falco.pem");
  EXPECT_FALSE(c.metrics.enabled);
  EXPECT_EQ(c.metrics.intervalMs, 3600u * 1000);
  EXPECT_TRUE(c.metrics.outputRule);
  EXPECT_EQ(c.metrics.outputFile, "");
  EXPECT_TRUE(c.metrics.rulesCountersEnabled);
  EXPECT_TRUE(c.metrics.convertMemoryToMb);
  EXPECT_FALSE(c.metrics.includeEmptyValues);
}

TEST(MetricsReader, ReadsEveryKeyWithoutTheIgnoredWarning) {
  TempConfigDir dir;
  Config c = dir.load(R"(webserver:
  enabled: true
  threadiness: 2
  listen_port: 9000
  listen_address: 127.0.0.1
  k8s_healthz_endpoint: /live
  prometheus_metrics_enabled: true
  ssl_enabled: true
  ssl_certificate: certs/falco.pem
metrics:
  enabled: true
  interval: 15s
  output_rule: false
  output_file: stats.jsonl
  rules_counters_enabled: false
  resource_utilization_enabled: false
  state_counters_enabled: false
  kernel_event_counters_enabled: true
  kernel_event_counters_per_cpu_enabled: false
  libbpf_stats_enabled: true
  plugins_metrics_enabled: false
  jemalloc_stats_enabled: false
  convert_memory_to_mb: false
  include_empty_values: true
)");
  EXPECT_TRUE(c.webserver.enabled);
  EXPECT_EQ(c.webserver.threadiness, 2u);
  EXPECT_EQ(c.webserver.listenPort, 9000);
  EXPECT_EQ(c.webserver.listenAddress, "127.0.0.1");
  EXPECT_EQ(c.webserver.healthzEndpoint, "/live");
  EXPECT_TRUE(c.webserver.prometheusMetricsEnabled);
  EXPECT_TRUE(c.webserver.sslEnabled);
  EXPECT_EQ(c.webserver.sslCertificate, dir.dir() + "/certs/falco.pem");
  EXPECT_TRUE(c.metrics.enabled);
  EXPECT_EQ(c.metrics.intervalMs, 15000u);
  EXPECT_FALSE(c.metrics.outputRule);
  EXPECT_EQ(c.metrics.outputFile, dir.dir() + "/stats.jsonl");
  EXPECT_FALSE(c.metrics.rulesCountersEnabled);
  EXPECT_FALSE(c.metrics.resourceUtilizationEnabled);
  EXPECT_FALSE(c.metrics.stateCountersEnabled);
  EXPECT_FALSE(c.metrics.pluginsMetricsEnabled);
  EXPECT_FALSE(c.metrics.convertMemoryToMb);
  EXPECT_TRUE(c.metrics.includeEmptyValues);
  EXPECT_THAT(c.warnings, IsEmpty());
}

TEST(MetricsReader, Durations) {
  EXPECT_EQ(parseDurationMs("500ms"), 500u);
  EXPECT_EQ(parseDurationMs("15s"), 15000u);
  EXPECT_EQ(parseDurationMs("1m"), 60000u);
  EXPECT_EQ(parseDurationMs("1h30m"), 5400000u);
  EXPECT_EQ(parseDurationMs("2d"), 2u * 24 * 3600 * 1000);
  EXPECT_EQ(parseDurationMs("1w"), 7u * 24 * 3600 * 1000);
  EXPECT_EQ(parseDurationMs("1y"), 365ULL * 24 * 3600 * 1000);
  EXPECT_EQ(parseDurationMs("1m1s1ms"), 61001u);
  EXPECT_EQ(parseDurationMs(""), std::nullopt);
  EXPECT_EQ(parseDurationMs("15"), std::nullopt);
  EXPECT_EQ(parseDurationMs("s"), std::nullopt);
  EXPECT_EQ(parseDurationMs("1x"), std::nullopt);
  EXPECT_EQ(parseDurationMs("1s1m"), std::nullopt);  // largest first
  EXPECT_EQ(parseDurationMs("1m1m"), std::nullopt);
  EXPECT_EQ(parseDurationMs("-1s"), std::nullopt);
  EXPECT_EQ(parseDurationMs("1.5s"), std::nullopt);
  EXPECT_EQ(parseDurationMs("99999999999999999999y"), std::nullopt);
}

TEST(MetricsReader, BadIntervalNamesFileAndLine) {
  TempConfigDir dir;
  const std::string e = dir.loadError("rules_files: []\nmetrics:\n  enabled: true\n  interval: 15 minutes\n");
  EXPECT_THAT(e, HasSubstr(dir.path() + ":4:"));
  EXPECT_THAT(e, HasSubstr("metrics.interval"));
  EXPECT_THAT(e, HasSubstr("'15 minutes' is not a duration"));
  EXPECT_THAT(dir.loadError("metrics:\n  interval: 50ms\n"), HasSubstr("minimum, 100ms"));
}

TEST(MetricsReader, BadWebserverValuesNameTheKey) {
  TempConfigDir dir;
  EXPECT_THAT(dir.loadError("webserver:\n  listen_port: 70000\n"),
              HasSubstr("webserver.listen_port"));
  EXPECT_THAT(dir.loadError("webserver:\n  enabled: maybe\n"), HasSubstr("webserver.enabled"));
  const std::string e = dir.loadError("webserver:\n  k8s_healthz_endpoint: healthz\n");
  EXPECT_THAT(e, HasSubstr(dir.path() + ":2:"));
  EXPECT_THAT(e, HasSubstr("not a path"));
  EXPECT_THAT(dir.loadError("webserver:\n  k8s_healthz_endpoint: /metrics\n"),
              HasSubstr("taken by another endpoint"));
  EXPECT_THAT(dir.loadError("metrics:\n  libbpf_stats_enabled: 3\n"),
              HasSubstr("metrics.libbpf_stats_enabled"));
}

TEST(MetricsReader, UnknownKeysWarn) {
  TempConfigDir dir;
  Config c = dir.load("webserver:\n  listen_prot: 1\nmetrics:\n  intreval: 1s\n");
  ASSERT_EQ(c.warnings.size(), 2u);
  EXPECT_THAT(c.warnings[0], HasSubstr("webserver.listen_prot"));
  EXPECT_THAT(c.warnings[1], HasSubstr("metrics.intreval"));
  for (const std::string& w : c.warnings) EXPECT_THAT(w, Not(HasSubstr("does not implement")));
}

}  // namespace
}  // namespace bulkhead
