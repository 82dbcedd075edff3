// The alert stream of one fixed run, for tests that compare hosts: the
// counter plugin's 3,000 events (batches of 64, a timeout every third
// call) with jsonx extracting beside it, through the engine's pipeline.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/event_loop.h"
#include "engine/rules_loader.h"
#include "plugin_api/plugin_host.h"

namespace bulkhead::testing {

// Rules over both plugins' fields: lists, macros, indexes, keys, a field
// with no value in the output.
inline constexpr const char* kCounterRules = R"yaml(
- list: interesting_tags
  items: [even, mod3-0]
- macro: multiple_of_ten
  condition: counter.msg endswith "0"
- rule: Tens
  desc: every tenth event whose tags intersect the list
  condition: multiple_of_ten and counter.tags intersects (interesting_tags)
  output: "seq=%counter.seq msg=%counter.msg ip=%counter.ip tag0=%counter.tag[0] v=%jsonx.value[/seq]"
  priority: NOTICE
  source: counter
  tags: [golden]
- rule: Small odd
  desc: odd and small
  condition: counter.seq < 50 and counter.even = false and jsonx.value[/msg] startswith "counter"
  output: "odd %counter.seq (%jsonx.value[/nothing])"
  priority: ERROR
  source: counter
)yaml";

inline void runCounterRules(PluginHost& counter, PluginHost& jsonx, const std::string& rulesText,
                            AlertSink& sink) {
  std::vector<PluginInfo> infos = {counter.info(), jsonx.info()};
  std::vector<RulesText> files = {{"counter_rules.yaml", rulesText}};
  LoadResult rules = loadRules(files, infos);
  EXPECT_TRUE(rules.ok());
  for (const auto& d : rules.diagnostics) ADD_FAILURE() << d.toString();
  SourcePipeline pipeline("counter", infos, {&counter, &jsonx}, 0, rules.forSource("counter"),
                          sink);
  counter.open("count=3000,batch=64,timeout_every=3");
  for (int i = 0; i < 100000; ++i) {
    ss_plugin_rc rc = pipeline.step();
    if (rc == SS_PLUGIN_EOF || rc == SS_PLUGIN_FAILURE) break;
  }
  EXPECT_EQ(pipeline.counters().events, 3000u);
}

}  // namespace bulkhead::testing
