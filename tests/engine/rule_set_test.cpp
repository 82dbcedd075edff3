// A batch through a loaded RuleSet the way an event loop drives it:
// condition requests per plugin, evaluation, output requests for the
// matched events only, rendering.
#include "engine/rule_set.h"

#include <gtest/gtest.h>

#include "engine/batch_values.h"
#include "engine/rules_loader.h"
#include "tests/engine/test_support.h"

namespace bulkhead {
namespace {

using test::Row;

const char* kRules = R"(
- macro: big
  condition: t.num > 100
- rule: Big number
  desc: d
  condition: big and any.value[/kind] = metric
  output: big %t.num from %any.value[/host] (%t.str)
  priority: NOTICE
  source: test
  tags: [numbers]
- rule: Named
  desc: d
  condition: t.str startswith adm
  output: named %t.str
  priority: CRITICAL
  source: test
)";

TEST(RuleSet, BatchEvaluationAndOutputs) {
  std::vector<PluginInfo> plugins{test::testPlugin(), test::anySourcePlugin()};
  std::vector<RulesText> files{{"r.yaml", kRules}};
  LoadResult loaded = loadRules(files, plugins);
  ASSERT_TRUE(loaded.ok());
  const RuleSet& set = *loaded.forSource("test");

  // Conditions need t.num, t.str from testplug and any.value[/kind] from anyplug.
  EXPECT_EQ(set.conditionPlan().pluginsWithRequests(), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(set.conditionPlan().requests(0).size(), 2u);
  EXPECT_EQ(set.conditionPlan().requests(1).size(), 1u);

  std::vector<Row> testRows = {
      {{"t.num", {uint64_t{500}}}, {"t.str", {std::string("x")}}},
      {{"t.num", {uint64_t{5}}}, {"t.str", {std::string("admin")}}},
      {{"t.num", {uint64_t{500}}}, {"t.str", {std::string("admin")}}},
      {},
  };
  std::vector<Row> anyRows = {
      {{"any.value[/kind]", {std::string("metric")}}, {"any.value[/host]", {std::string("h1")}}},
      {},
      {{"any.value[/kind]", {std::string("log")}}},
      {{"any.value[/kind]", {std::string("metric")}}},
  };
  std::vector<std::vector<char>> buffers;
  std::vector<EventRef> events;
  for (uint64_t i = 0; i < 4; ++i) buffers.push_back(test::pluginEvent(1000 + i, 999, "e"));
  for (uint64_t i = 0; i < 4; ++i)
    events.push_back({reinterpret_cast<const ss_plugin_event*>(buffers[i].data()), i + 1});

  ExtractResults r0 = test::extractRows(set.conditionPlan(), 0, plugins[0], testRows);
  ExtractResults r1 = test::extractRows(set.conditionPlan(), 1, plugins[1], anyRows);
  std::vector<const ExtractResults*> results{&r0, &r1};
  BatchValues values(set.conditionPlan(), events, "test", plugins, results);
  std::vector<Match> matches;
  set.evaluate(values, events.size(), matches);
  ASSERT_EQ(matches.size(), 3u);
  EXPECT_EQ(matches[0].event, 0u);
  EXPECT_EQ(set.rules()[matches[0].rule].name, "Big number");
  EXPECT_EQ(matches[1].event, 1u);
  EXPECT_EQ(set.rules()[matches[1].rule].name, "Named");
  EXPECT_EQ(matches[2].event, 2u);
  EXPECT_EQ(set.rules()[matches[2].rule].name, "Named");

  // Outputs: extract once more, for the matched events only.
  std::vector<EventRef> matched;
  std::vector<Row> mTest, mAny;
  for (const auto& m : matches) {
    matched.push_back(events[m.event]);
    mTest.push_back(testRows[m.event]);
    mAny.push_back(anyRows[m.event]);
  }
  ExtractResults o0 = test::extractRows(set.outputPlan(), 0, plugins[0], mTest);
  ExtractResults o1 = test::extractRows(set.outputPlan(), 1, plugins[1], mAny);
  std::vector<const ExtractResults*> outResults{&o0, &o1};
  BatchValues outValues(set.outputPlan(), matched, "test", plugins, outResults);
  EXPECT_EQ(set.renderOutput(matches[0].rule, outValues, 0), "big 500 from h1 (x)");
  EXPECT_EQ(set.renderOutput(matches[1].rule, outValues, 1), "named admin");
  const CompiledRule& big = set.rules()[matches[0].rule];
  EXPECT_EQ(priorityName(big.priority), "Notice");
  EXPECT_EQ(big.tags, std::vector<std::string>{"numbers"});
}

TEST(RuleSet, AsyncAndTruncatedEvents) {
  std::vector<PluginInfo> plugins{test::testPlugin()};
  FieldCatalog catalog("test", plugins);
  RequestPlan plan(1);
  auto slotOf = [&](const char* name) { return plan.add(*catalog.find(name), FieldRequest{}); };
  uint32_t isAsync = slotOf("evt.is_async"), asyncType = slotOf("evt.asynctype"),
           pluginName = slotOf("evt.pluginname"), time = slotOf("evt.time");

  // A 402 event: header, three u32 lengths, plugin id, "alert\0", 2 data bytes.
  std::string name("alert", 6);
  std::vector<char> async(42 + name.size() + 2);
  uint64_t ts = 5, tid = UINT64_MAX;
  auto len = static_cast<uint32_t>(async.size());
  uint16_t type = 402;
  uint32_t nparams = 3, l0 = 4, l1 = static_cast<uint32_t>(name.size()), l2 = 2, id = 999;
  std::memcpy(&async[0], &ts, 8);
  std::memcpy(&async[8], &tid, 8);
  std::memcpy(&async[16], &len, 4);
  std::memcpy(&async[20], &type, 2);
  std::memcpy(&async[22], &nparams, 4);
  std::memcpy(&async[26], &l0, 4);
  std::memcpy(&async[30], &l1, 4);
  std::memcpy(&async[34], &l2, 4);
  std::memcpy(&async[38], &id, 4);
  std::memcpy(&async[42], name.data(), name.size());

  // A header that claims fewer bytes than a header: engine fields read nothing from it.
  std::vector<char> truncated = test::pluginEvent(1, 999, "");
  uint32_t shortLen = 10;
  std::memcpy(&truncated[16], &shortLen, 4);

  std::vector<EventRef> events{{reinterpret_cast<const ss_plugin_event*>(async.data()), 1},
                               {reinterpret_cast<const ss_plugin_event*>(truncated.data()), 2}};
  std::vector<const ExtractResults*> none{nullptr};
  BatchValues v(plan, events, "test", plugins, none);
  ASSERT_EQ(v.count(0, isAsync), 1u);
  EXPECT_EQ(v.at(0, isAsync, 0).u64, 1u);
  ASSERT_EQ(v.count(0, asyncType), 1u);
  EXPECT_EQ(v.at(0, asyncType, 0).bytes, "alert");
  ASSERT_EQ(v.count(0, pluginName), 1u);
  EXPECT_EQ(v.at(0, pluginName, 0).bytes, "testplug");
  EXPECT_EQ(v.count(1, isAsync), 0u);
  EXPECT_EQ(v.count(1, asyncType), 0u);
  EXPECT_EQ(v.count(1, pluginName), 0u);
  EXPECT_EQ(v.count(1, time), 0u);
}

TEST(BatchValues, ValueOutsideTheByteStoreReadsEmpty) {
  std::vector<PluginInfo> plugins{test::testPlugin()};
  FieldCatalog catalog("test", plugins);
  RequestPlan plan(1);
  uint32_t slot = plan.add(*catalog.find("t.str"), FieldRequest{});
  ExtractResults res;
  res.reset(1, 1);
  res.byteStore() = "abc";
  res.valueStore().push_back(FieldValue{0, 100, 5});
  res.cell(0, 0) = ExtractResults::Cell{0, 1};
  auto ev = test::pluginEvent(1, 999, "");
  EventRef ref{reinterpret_cast<const ss_plugin_event*>(ev.data()), 1};
  std::vector<const ExtractResults*> ptrs{&res};
  BatchValues v(plan, std::span(&ref, 1), "test", plugins, ptrs);
  ASSERT_EQ(v.count(0, slot), 1u);
  EXPECT_EQ(v.at(0, slot, 0).bytes, "");
}

TEST(Priority, Names) {
  EXPECT_EQ(parsePriority("WARNING"), Priority::kWarning);
  EXPECT_EQ(parsePriority("info"), Priority::kInformational);
  EXPECT_EQ(parsePriority("Informational"), Priority::kInformational);
  EXPECT_EQ(parsePriority("emergency"), Priority::kEmergency);
  EXPECT_FALSE(parsePriority("warn"));
  EXPECT_EQ(priorityName(Priority::kDebug), "Debug");
}

}  // namespace
}  // namespace bulkhead
