// A runner's metrics reply is read as untrusted: what get_metrics could
// not have given (too many, a bad name, an unknown value type) is a
// malformed message, and a good one comes through as it was sent.
#include <gtest/gtest.h>

#include <capnp/message.h>

#include <string>

#include "supervisor/runner_reply.h"

namespace bulkhead {
namespace {

// A METRICS reply of `n` metrics named `name`, read back as the host reads it.
struct MetricsReply {
  MetricsReply(unsigned n, const std::string& name, uint8_t valueType) {
    auto list = builder.initRoot<Reply>().initMetrics(n);
    for (unsigned i = 0; i < n; ++i) {
      list[i].setName(name);
      list[i].setMonotonic(i % 2 == 0);
      list[i].setValueType(valueType);
      list[i].setValue(40 + i);
    }
  }
  Reply::Reader reader() { return builder.getRoot<Reply>().asReader(); }
  capnp::MallocMessageBuilder builder;
};

TEST(MetricsReply, AGoodReplyComesThroughAsSent) {
  MetricsReply r(2, "ticker.ticks", SS_PLUGIN_METRIC_VALUE_TYPE_U64);
  const std::vector<PluginMetric> m = metricsFromReply(r.reader());
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].name, "ticker.ticks");
  EXPECT_TRUE(m[0].monotonic);
  EXPECT_FALSE(m[1].monotonic);
  EXPECT_EQ(m[1].asUint(), 41u);
}

TEST(MetricsReply, WhatGetMetricsCannotGiveIsMalformed) {
  MetricsReply tooMany(kMaxPluginMetrics + 1, "p.m", SS_PLUGIN_METRIC_VALUE_TYPE_U64);
  EXPECT_THROW(metricsFromReply(tooMany.reader()), ControlError);
  MetricsReply badName(1, "p.m\n# TYPE forged counter", SS_PLUGIN_METRIC_VALUE_TYPE_U64);
  EXPECT_THROW(metricsFromReply(badName.reader()), ControlError);
  MetricsReply badType(1, "p.m", 7);
  EXPECT_THROW(metricsFromReply(badType.reader()), ControlError);
  capnp::MallocMessageBuilder text;
  text.initRoot<Reply>().setText("not metrics");
  EXPECT_THROW(metricsFromReply(text.getRoot<Reply>().asReader()), ControlError);
}

}  // namespace
}  // namespace bulkhead
