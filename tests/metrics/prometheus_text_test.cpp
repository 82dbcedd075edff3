// The exposition text: escaping of untrusted label values, family layout,
// and Prometheus' own checker (promtool) on a snapshot with hostile names.
#include "metrics/prometheus_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_snapshot.h"

namespace bulkhead {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(PrometheusText, EscapesBackslashQuoteAndNewlineOnly) {
  EXPECT_EQ(escapeLabelValue(R"(a\b)"), R"(a\\b)");
  EXPECT_EQ(escapeLabelValue(R"(say "x")"), R"(say \"x\")");
  EXPECT_EQ(escapeLabelValue("one\ntwo"), R"(one\ntwo)");
  EXPECT_EQ(escapeLabelValue("tab\tand {}=,"), "tab\tand {}=,");
  EXPECT_EQ(escapeLabelValue("caf\xc3\xa9"), "caf\xc3\xa9");
}

TEST(PrometheusText, ReplacesInvalidUtf8) {
  EXPECT_EQ(escapeLabelValue("a\xff" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(escapeLabelValue("\xc3"), "\xEF\xBF\xBD");          // truncated
  EXPECT_EQ(escapeLabelValue("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
}

TEST(PrometheusText, SanitizesLabelNames) {
  EXPECT_EQ(sanitizeLabelName("mitre-credential access"), "mitre_credential_access");
  EXPECT_EQ(sanitizeLabelName("1abc"), "_1abc");
  EXPECT_EQ(sanitizeLabelName(""), "_");
}

TEST(PrometheusText, OneHelpAndTypePerFamily) {
  PrometheusWriter w;
  w.family("x_total", "counter", "line one\nline \\ two");
  w.sample({{"a", "1"}}, uint64_t{3});
  w.sample({{"a", "2"}}, 0.5);
  EXPECT_EQ(w.text(),
            "# HELP x_total line one\\nline \\\\ two\n# TYPE x_total counter\n"
            "x_total{a=\"1\"} 3\nx_total{a=\"2\"} 0.5\n");
}

TEST(PrometheusText, RendersHostileNamesEscaped) {
  const std::string text = prometheusText(testing::hostileSnapshot(), MetricsConfig{});
  EXPECT_THAT(text, HasSubstr(R"(rule_name="say \"hi\" \\ then\nbreak")"));
  EXPECT_THAT(text, HasSubstr(R"(source="src\"x")"));
  EXPECT_THAT(text, HasSubstr("plugin=\"evil\\\\\xEF\xBF\xBD@src\""));
  EXPECT_THAT(text, HasSubstr(R"(tag_mitre_x="true")"));
  EXPECT_THAT(text, HasSubstr(R"(tag_a_b="true")"));
  EXPECT_THAT(text, HasSubstr(R"(priority="4")"));
  // As Falco: a rule that never matched has no sample.
  EXPECT_THAT(text, Not(HasSubstr(R"(rule_name="quiet")")));
  EXPECT_THAT(text, HasSubstr("bulkhead_plugin_restarts_total{plugin=\"json@src\"} 0\n"));
  EXPECT_THAT(text,
              HasSubstr("bulkhead_plugin_crashes_total{plugin=\"json@src\",cause=\"signalled\"} 0"));
  EXPECT_THAT(text, HasSubstr("falcosecurity_falco_duration_seconds_total 90\n"));
  const std::string h = "bulkhead_plugin_extract_latency_seconds";
  EXPECT_THAT(text, HasSubstr("# TYPE " + h + " histogram\n"));
  EXPECT_THAT(text, HasSubstr(h + "_bucket{plugin=\"evil\\\\\xEF\xBF\xBD@src\",le=\"1e-05\"} 0\n"));
  EXPECT_THAT(text, HasSubstr(",le=\"5e-05\"} 1\n"));
  EXPECT_THAT(text, HasSubstr(",le=\"0.005\"} 2\n"));
  EXPECT_THAT(text, HasSubstr(",le=\"1\"} 2\n"));
  EXPECT_THAT(text, HasSubstr(",le=\"+Inf\"} 3\n"));
  EXPECT_THAT(text, HasSubstr(h + "_count{plugin=\"evil\\\\\xEF\xBF\xBD@src\"} 3\n"));
  EXPECT_THAT(text, Not(HasSubstr(h + "_count{plugin=\"json@src\"}")));
  EXPECT_THAT(text, HasSubstr("falcosecurity_falco_cpu_usage_ratio 0.5\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE falcosecurity_plugins_evil__events_total counter\n"
                              "falcosecurity_plugins_evil__events_total{plugin=\"evil\\\\\xEF\xBF\xBD@src\"} 42\n"));
  // Rings exist for the isolated plugin only.
  EXPECT_THAT(text, HasSubstr("bulkhead_plugin_ring_fill_ratio{plugin=\"evil\\\\\xEF\xBF\xBD@src\","
                              "ring=\"source\"} 0.25\n"));
  EXPECT_THAT(text, HasSubstr("bulkhead_plugin_ring_fill_peak_ratio{plugin=\"evil\\\\\xEF\xBF\xBD@src\","
                              "ring=\"source\"} 0.75\n"));
  EXPECT_THAT(text, HasSubstr(",ring=\"async\"} 0\n"));
  EXPECT_THAT(text, Not(HasSubstr("ring_fill_ratio{plugin=\"json@src\"")));
  // Only the runner has a pid: the in-process plugin reports no RSS.
  EXPECT_THAT(text, Not(HasSubstr("bulkhead_plugin_runner_rss_bytes{plugin=\"json@src\"}")));
  // No raw newline inside any sample line: every line is a comment or a sample.
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_TRUE(line.rfind("# ", 0) == 0 || line.rfind("falcosecurity_", 0) == 0 ||
                line.rfind("bulkhead_", 0) == 0)
        << line;
  }
}

TEST(PrometheusText, SwitchesLeaveFamiliesOut) {
  MetricsConfig c;
  c.rulesCountersEnabled = false;
  c.resourceUtilizationEnabled = false;
  c.stateCountersEnabled = false;
  c.pluginsMetricsEnabled = false;
  const std::string text = prometheusText(testing::hostileSnapshot(), c);
  EXPECT_THAT(text, Not(HasSubstr("falcosecurity_plugins_")));
  EXPECT_THAT(text, Not(HasSubstr("rules_matches_total")));
  EXPECT_THAT(text, Not(HasSubstr("memory_rss_bytes")));
  EXPECT_THAT(text, Not(HasSubstr("bulkhead_plugin_")));
  EXPECT_THAT(text, HasSubstr("falcosecurity_falco_version_info"));
}

// Prometheus' own parser and linter. Its only findings may be about three
// names that are Falco's (kept so that Falco's dashboards work): a parse
// error or a finding on any other name fails.
TEST(PrometheusText, PromtoolAcceptsIt) {
  if (std::system("command -v promtool > /dev/null 2>&1") != 0) {
    GTEST_SKIP() << "promtool not installed (Debian package prometheus)";
  }
  const auto path = std::filesystem::temp_directory_path() /
                    ("bulkhead-metrics-" + std::to_string(::getpid()) + ".prom");
  {
    std::ofstream out(path);
    out << prometheusText(testing::hostileSnapshot(), MetricsConfig{});
  }
  const std::string cmd = "promtool check metrics < " + path.string() + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string output;
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) output.append(buf, n);
  const int status = ::pclose(p);
  std::filesystem::remove(path);
  const std::string kFalcosNames[] = {
      "falcosecurity_falco_host_boot_timestamp_nanoseconds use base unit",
      "falcosecurity_falco_start_timestamp_nanoseconds use base unit",
      "falcosecurity_falco_host_num_cpus_total non-counter metrics should not have",
  };
  std::istringstream lines(output);
  int findings = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    ++findings;
    bool falcos = false;
    for (const std::string& known : kFalcosNames) falcos = falcos || line.rfind(known, 0) == 0;
    EXPECT_TRUE(falcos) << line;
  }
  if (findings == 0) {
    EXPECT_EQ(status, 0) << output;
  }
}

}  // namespace
}  // namespace bulkhead
