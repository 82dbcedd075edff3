// What a plugin's get_metrics answer becomes: hostile names made safe for
// Prometheus, JSON and logs, unknown types and null names left out, and
// never more than kMaxPluginMetrics.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "plugin_api/plugin_metric.h"

namespace bulkhead {
namespace {

ss_plugin_metric metric(const char* name, uint32_t valueType, uint64_t bits) {
  ss_plugin_metric m{};
  m.name = name;
  m.type = SS_PLUGIN_METRIC_TYPE_MONOTONIC;
  std::memcpy(&m.value_type, &valueType, sizeof valueType);
  std::memcpy(&m.value, &bits, sizeof bits);
  return m;
}

TEST(PluginMetric, HostileNamesBecomeNameCharacters) {
  const std::string longName(10'000, 'a');
  std::vector<ss_plugin_metric> in = {
      metric("a\nb\"c{d}\x1b", SS_PLUGIN_METRIC_VALUE_TYPE_U64, 1),
      metric(longName.c_str(), SS_PLUGIN_METRIC_VALUE_TYPE_U64, 2),
  };
  const auto out = copyPluginMetrics(in.data(), static_cast<uint32_t>(in.size()), "p l\xff");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].name, "p_l_.a_b_c_d__");
  EXPECT_EQ(out[1].name.size(), kMaxPluginMetricName);
  for (const PluginMetric& m : out) EXPECT_TRUE(validPluginMetric(m)) << m.name;
}

TEST(PluginMetric, NullNamesAndUnknownTypesAreLeftOut) {
  std::vector<ss_plugin_metric> in = {
      metric(nullptr, SS_PLUGIN_METRIC_VALUE_TYPE_U64, 1),
      metric("bad_type", 7, 1),
      metric("huge_type", 0x80000000u, 1),
      metric("ok", SS_PLUGIN_METRIC_VALUE_TYPE_U32, 0xffffffff00000009ull),
  };
  const auto out = copyPluginMetrics(in.data(), static_cast<uint32_t>(in.size()), "p");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].name, "p.ok");
  EXPECT_EQ(out[0].asUint(), 9u);  // a u32 is the union's first four bytes
  EXPECT_EQ(copyPluginMetrics(nullptr, 5, "p").size(), 0u);
}

TEST(PluginMetric, AtMostTheBound) {
  std::vector<ss_plugin_metric> in(kMaxPluginMetrics + 50,
                                   metric("m", SS_PLUGIN_METRIC_VALUE_TYPE_U64, 1));
  EXPECT_EQ(copyPluginMetrics(in.data(), static_cast<uint32_t>(in.size()), "p").size(),
            kMaxPluginMetrics);
}

TEST(PluginMetric, ValidRefusesWhatCopyCannotMake) {
  PluginMetric m;
  m.name = "p.ok";
  EXPECT_TRUE(validPluginMetric(m));
  m.name = "p.o k";
  EXPECT_FALSE(validPluginMetric(m));
  m.name = "";
  EXPECT_FALSE(validPluginMetric(m));
  m.name = std::string(kMaxPluginMetricName + 1, 'x');
  EXPECT_FALSE(validPluginMetric(m));
}

}  // namespace
}  // namespace bulkhead
