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
