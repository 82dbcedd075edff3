// SourcePipeline (engine/event_loop.h) over real test plugins in process
// (counter, jsonx, stateful) and, where a test needs a plugin to misbehave
// or to be watched, a PluginHost of the test's own. Nothing here waits on a
// clock: every event a pipeline sees is in a batch or an async queue before
// step() runs.
#include "engine/event_loop.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "engine/rules_loader.h"
#include "plugin_api/event.h"
#include "plugin_api/inprocess_host.h"

namespace bulkhead {
namespace {

std::unique_ptr<PluginHost> loadTestPlugin(const std::string& name,
                                           const std::string& initConfig = "") {
  return std::make_unique<InProcessHost>(PluginSpec{
      name, std::string(BULKHEAD_TEST_PLUGIN_DIR) + "/lib" + name + ".so", initConfig});
}

// An Alert as one line, for comparing whole streams. The time is left out
// (the counter plugin stamps its events with the time it was opened).
std::string show(const Alert& a) {
  std::string line =
      a.rule + "|" + std::string(priorityName(a.priority)) + "|" + a.source + "|" + a.output + "|";
  for (const Alert::Field& f : a.fields) {
    line += f.name + "=" + (f.present ? f.value : "<NA>") + ";";
  }
  for (const std::string& t : a.tags) line += t + ",";
  return line;
}

class CollectingSink : public AlertSink {
 public:
  void emit(const Alert& a) override { alerts.push_back(a); }
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (const Alert& a : alerts) out.push_back(show(a));
    return out;
  }
  std::vector<Alert> alerts;
};

// A PluginHost that logs every call into a log shared by all hosts of a
// test, so that tests see which plugin was called, with how many events, in
// which order. With an inner host it forwards to it; without one it is a
// plugin of its own: batches from `script`, async events from
// `pushAsync`, extraction answering "no value".
class TestHost final : public PluginHost {
 public:
  TestHost(std::string name, std::vector<std::string>& log, PluginHost* inner)
      : name_(std::move(name)), log_(log), inner_(inner) {}
  TestHost(PluginInfo info, std::vector<std::string>& log)
      : name_(info.name), log_(log), info_(std::move(info)) {}

  // Extraction fails (whole calls, as a crashed runner's would).
  bool failExtract = false;
  // How many extractions submitExtract() queues at a time; 0: none (the
  // pipeline then calls extract(), as it does for an in-process host).
  size_t queueLimit = 0;

  struct ScriptedBatch {
    ss_plugin_rc rc = SS_PLUGIN_SUCCESS;
    std::vector<std::vector<uint8_t>> events;
  };
  std::deque<ScriptedBatch> script;

  void pushAsync(std::vector<uint8_t> event) { asyncPending_.push_back(std::move(event)); }

  const PluginInfo& info() const override { return inner_ ? inner_->info() : info_; }
  void open(std::string_view params) override {
    if (inner_) inner_->open(params);
  }
  void close() override {
    if (inner_) inner_->close();
  }
  BatchResult nextBatch() override {
    if (inner_) return inner_->nextBatch();
    BatchResult b;
    b.rc = SS_PLUGIN_EOF;
    if (script.empty()) return b;
    batch_ = std::move(script.front().events);
    b.rc = script.front().rc;
    script.pop_front();
    batchRefs_.clear();
    for (auto& e : batch_) {
      batchRefs_.push_back({reinterpret_cast<const ss_plugin_event*>(e.data()), nextNum_++});
    }
    b.events = batchRefs_;
    return b;
  }
  Progress progress() override { return inner_ ? inner_->progress() : Progress{}; }
  std::string eventToString(const EventRef& e, std::string_view source) override {
    return inner_ ? inner_->eventToString(e, source) : "";
  }

  ss_plugin_rc extract(std::span<const EventRef> events, std::string_view source,
                       std::span<const FieldRequest> requests, ExtractResults& out) override {
    // The PluginHost contract: no extract() while a request is queued.
    EXPECT_TRUE(queued_.empty()) << name_ << ": extract() with requests still queued";
    log_.push_back("extract " + name_ + " " + std::to_string(events.size()));
    return answer(events, source, requests, out);
  }
  bool submitExtract(std::span<const EventRef> events, std::string_view source,
                     std::span<const FieldRequest> requests) override {
    if (queued_.size() >= queueLimit) return false;
    log_.push_back("submit " + name_ + " " + std::to_string(events.size()));
    queued_.push_back({events, std::string(source), requests});
    return true;
  }
  ss_plugin_rc collectExtract(ExtractResults& out) override {
    if (queued_.empty()) {
      ADD_FAILURE() << name_ << ": collectExtract() with nothing queued";
      out.reset(0, 0);
      return SS_PLUGIN_FAILURE;
    }
    Queued q = queued_.front();
    queued_.pop_front();
    log_.push_back("collect " + name_ + " " + std::to_string(q.events.size()));
    return answer(q.events, q.source, q.requests, out);
  }

  void setPreExtract(std::string_view source, std::span<const FieldRequest> requests) override {
    log_.push_back("preextract " + name_ + " " + std::string(source) + " " +
                   std::to_string(requests.size()));
    if (inner_) inner_->setPreExtract(source, requests);
  }

  ss_plugin_rc parse(std::span<const EventRef> events, std::string_view source) override {
    log_.push_back("parse " + name_ + " " + std::string(source) + " " +
                   std::to_string(events.size()));
    return inner_ ? inner_->parse(events, source) : SS_PLUGIN_SUCCESS;
  }

  void startAsync() override {
    if (inner_) inner_->startAsync();
  }
  std::span<const EventRef> drainAsync() override {
    if (inner_) return inner_->drainAsync();
    asyncDrained_ = std::move(asyncPending_);
    asyncPending_.clear();
    asyncRefs_.clear();
    for (auto& e : asyncDrained_) {
      asyncRefs_.push_back({reinterpret_cast<const ss_plugin_event*>(e.data()), nextNum_++});
    }
    return asyncRefs_;
  }
  void stopAsync() override {
    if (inner_) inner_->stopAsync();
  }
  std::string lastError() override { return inner_ ? inner_->lastError() : ""; }
  void shutdown() override {
    if (inner_) inner_->shutdown();
  }
  HostCounters counters() const override { return inner_ ? inner_->counters() : HostCounters{}; }

 private:
  struct Queued {
    std::span<const EventRef> events;  // valid until collected (PluginHost contract)
    std::string source;
    std::span<const FieldRequest> requests;
  };

  ss_plugin_rc answer(std::span<const EventRef> events, std::string_view source,
                      std::span<const FieldRequest> requests, ExtractResults& out) {
    if (failExtract) {
      out.reset(0, 0);
      return SS_PLUGIN_FAILURE;
    }
    if (inner_) return inner_->extract(events, source, requests, out);
    out.reset(events.size(), requests.size());
    return SS_PLUGIN_SUCCESS;
  }

  std::string name_;
  std::vector<std::string>& log_;
  PluginHost* inner_ = nullptr;
  PluginInfo info_;
  uint64_t nextNum_ = 1;
  std::vector<std::vector<uint8_t>> batch_;
  std::vector<EventRef> batchRefs_;
  std::vector<std::vector<uint8_t>> asyncPending_;
  std::vector<std::vector<uint8_t>> asyncDrained_;
  std::vector<EventRef> asyncRefs_;
  std::deque<Queued> queued_;
};

// An async event (type 402) named `name` with `data`, in libscap layout:
// header, three u32 lengths, plugin id, the NUL-terminated name, the data.
std::vector<uint8_t> asyncEvent(uint64_t ts, std::string_view name, std::string_view data) {
  const std::string nameZ = std::string(name) + '\0';
  std::vector<uint8_t> e(kAsyncNameOffset + nameZ.size() + data.size());
  storeAt<uint64_t>(e.data(), 0, ts);
  storeAt<uint64_t>(e.data(), 8, UINT64_MAX);
  storeAt<uint32_t>(e.data(), 16, static_cast<uint32_t>(e.size()));
  storeAt<uint16_t>(e.data(), 20, PPME_ASYNCEVENT_E);
  storeAt<uint32_t>(e.data(), 22, 3);
  storeAt<uint32_t>(e.data(), 26, 4);
  storeAt<uint32_t>(e.data(), 30, static_cast<uint32_t>(nameZ.size()));
  storeAt<uint32_t>(e.data(), 34, static_cast<uint32_t>(data.size()));
  storeAt<uint32_t>(e.data(), 38, 0);
  std::memcpy(e.data() + kAsyncNameOffset, nameZ.data(), nameZ.size());
  std::memcpy(e.data() + kAsyncNameOffset + nameZ.size(), data.data(), data.size());
  return e;
}

// Runs until EOF or FAILURE; returns each step's rc.
std::vector<ss_plugin_rc> runToEnd(SourcePipeline& pipeline) {
  std::vector<ss_plugin_rc> rcs;
  for (int i = 0; i < 100000; ++i) {
    rcs.push_back(pipeline.step());
    if (rcs.back() == SS_PLUGIN_EOF || rcs.back() == SS_PLUGIN_FAILURE) break;
  }
  return rcs;
}

LoadResult load(const char* rules, std::span<const PluginInfo> infos) {
  std::vector<RulesText> files = {{"test_rules.yaml", rules}};
  LoadResult loaded = loadRules(files, infos);
  EXPECT_TRUE(loaded.ok());
  for (const Diagnostic& d : loaded.diagnostics) ADD_FAILURE() << d.toString();
  return loaded;
}

// counter (the source) and jsonx (extracts from every source), in process.
struct CounterAndJsonx {
  std::unique_ptr<PluginHost> counter = loadTestPlugin("counter");
  std::unique_ptr<PluginHost> jsonx = loadTestPlugin("jsonx");
  std::vector<PluginInfo> infos = {counter->info(), jsonx->info()};
};

constexpr const char* kFieldRules = R"yaml(
- rule: Tenth
  desc: every tenth event
  condition: counter.msg endswith "0" and jsonx.value[/even] = true
  output: "seq=%counter.seq ip=%counter.ip tag=%counter.tag[2] v=%jsonx.value[/seq] (%jsonx.value[/none])"
  priority: WARNING
  source: counter
  tags: [tenth, test]
)yaml";

TEST(SourcePipeline, MatchingRuleEmitsAlertWithItsFields) {
  CounterAndJsonx p;
  LoadResult rules = load(kFieldRules, p.infos);
  CollectingSink sink;
  SourcePipeline pipeline("counter", p.infos, {p.counter.get(), p.jsonx.get()}, 0,
                          rules.forSource("counter"), sink);
  p.counter->open("count=25,batch=8");
  runToEnd(pipeline);

  ASSERT_EQ(sink.alerts.size(), 3u);  // seq 0, 10, 20
  const Alert& a = sink.alerts[1];
  EXPECT_EQ(a.rule, "Tenth");
  EXPECT_EQ(a.priority, Priority::kWarning);
  EXPECT_EQ(a.source, "counter");
  EXPECT_EQ(a.tags, (std::vector<std::string>{"tenth", "test"}));
  EXPECT_EQ(a.output, "seq=10 ip=10.0.0.10 tag=mod3-1 v=10 (<NA>)");
  ASSERT_EQ(a.fields.size(), 5u);
  EXPECT_EQ(show(a),
            "Tenth|Warning|counter|seq=10 ip=10.0.0.10 tag=mod3-1 v=10 (<NA>)|counter.seq=10;"
            "counter.ip=10.0.0.10;counter.tag[2]=mod3-1;jsonx.value[/seq]=10;"
            "jsonx.value[/none]=<NA>;tenth,test,");
  // The event's own time: counter stamps event `seq` with open time + seq.
  EXPECT_EQ(sink.alerts[2].timeNs - sink.alerts[1].timeNs, 10u);
  EXPECT_EQ(sink.alerts[1].timeNs - sink.alerts[0].timeNs, 10u);
  EXPECT_EQ(pipeline.counters().matches, 3u);
  EXPECT_EQ(pipeline.counters().extractFailures, 0u);
}

// evt.plugininfo in an output is the source plugin's text for the event
// (plugin_event_to_string), as Falco shows it; typed fields keep their type.
TEST(SourcePipeline, PluginInfoInAnOutputIsTheSourcePluginsText) {
  CounterAndJsonx p;
  LoadResult rules = load(R"yaml(
- rule: Third
  desc: d
  condition: counter.seq = 3
  output: "info=%evt.plugininfo seq=%counter.seq"
  priority: NOTICE
  source: counter
)yaml",
                          p.infos);
  CollectingSink sink;
  SourcePipeline pipeline("counter", p.infos, {p.counter.get(), p.jsonx.get()}, 0,
                          rules.forSource("counter"), sink);
  p.counter->open("count=5,batch=2");
  runToEnd(pipeline);
  ASSERT_EQ(sink.alerts.size(), 1u);
  const Alert& a = sink.alerts[0];
  ASSERT_EQ(a.fields.size(), 2u);
  ASSERT_TRUE(a.fields[0].present) << a.output;
  // counter's text for an event is its JSON payload.
  EXPECT_EQ(a.fields[0].value.rfind("{", 0), 0u) << a.output;
  EXPECT_NE(a.fields[0].value.find("\"seq\":3"), std::string::npos) << a.output;
  EXPECT_EQ(a.output, "info=" + a.fields[0].value + " seq=3");
  EXPECT_EQ(a.fields[1].type, ValueType::kUint64);
  EXPECT_FALSE(a.fields[1].isList);
}

// regex and transformers through the whole pipeline. An output's
// transformed field comes with the plain field it wraps, as libsinsp's
// formatter lists them (the JSON output_fields then skip the transformed).
constexpr const char* kTransformerRules = R"yaml(
- rule: Fives
  desc: d
  condition: toupper(counter.msg) regex 'COUNTER [0-9]*5' and len(counter.tags) = 3
  output: "%toupper(counter.msg) n=%len(counter.tags) tags=%toupper(counter.tags) seq=%counter.seq"
  priority: INFO
  source: counter
)yaml";

TEST(SourcePipeline, RegexAndTransformersInConditionsAndOutputs) {
  CounterAndJsonx p;
  LoadResult rules = load(kTransformerRules, p.infos);
  CollectingSink sink;
  SourcePipeline pipeline("counter", p.infos, {p.counter.get(), p.jsonx.get()}, 0,
                          rules.forSource("counter"), sink);
  p.counter->open("count=30,batch=8");
  runToEnd(pipeline);

  ASSERT_EQ(sink.alerts.size(), 3u);  // seq 5, 15, 25
  const Alert& a = sink.alerts[1];
  EXPECT_EQ(a.output, "COUNTER 15 n=3 tags=(COUNTER,ODD,MOD3-0) seq=15");
  EXPECT_EQ(show(a),
            "Fives|Informational|counter|COUNTER 15 n=3 tags=(COUNTER,ODD,MOD3-0) seq=15|"
            "counter.msg=counter 15;toupper(counter.msg)=COUNTER 15;"
            "counter.tags=(counter,odd,mod3-0);len(counter.tags)=3;"
            "counter.tags=(counter,odd,mod3-0);toupper(counter.tags)=(COUNTER,ODD,MOD3-0);"
            "counter.seq=15;");
  std::vector<bool> transformed;
  for (const Alert::Field& f : a.fields) transformed.push_back(f.transformed);
  EXPECT_EQ(transformed, (std::vector<bool>{false, true, false, true, false, true, false}));
  const Alert::Field& len = a.fields[3];
  EXPECT_EQ(len.type, ValueType::kUint64);
  EXPECT_FALSE(len.isList);
  const Alert::Field& upper = a.fields[5];
  EXPECT_TRUE(upper.isList);
  EXPECT_EQ(upper.items, (std::vector<std::string>{"COUNTER", "ODD", "MOD3-0"}));
  EXPECT_EQ(a.fields[4].items, (std::vector<std::string>{"counter", "odd", "mod3-0"}));
}

// Two arguments of one field are two fields: the condition and the output
// each use several JSON pointers of jsonx.value, and every one must keep
// its own value (the argument is part of the field's identity).
constexpr const char* kTwoArgumentRules = R"yaml(
- rule: Seq and parity
  desc: d
  condition: jsonx.value[/seq] = 4 and jsonx.value[/even] = true and jsonx.value[/tags/2] = mod3-1
  output: "seq=%jsonx.value[/seq] even=%jsonx.value[/even] ip=%jsonx.value[/ip] tag=%jsonx.value[/tags/1] msg=%jsonx.value[/msg]"
  priority: WARNING
  source: counter
- rule: Odd one
  desc: d
  condition: jsonx.value[/even] = false and jsonx.value[/tags/2] = mod3-2 and jsonx.value[/seq] in (1, 3, 5)
  output: "tag=%jsonx.value[/tags/1] seq=%jsonx.value[/seq]"
  priority: NOTICE
  source: counter
)yaml";

TEST(SourcePipeline, TwoArgumentsOfOneFieldKeepTheirOwnValues) {
  // jsonx keeps one result buffer per field id, as plugin-sdk-go plugins do.
  std::unique_ptr<PluginHost> counter = loadTestPlugin("counter");
  std::unique_ptr<PluginHost> jsonx = loadTestPlugin("jsonx", "one_buffer_per_field_id");
  std::vector<PluginInfo> infos = {counter->info(), jsonx->info()};
  LoadResult rules = load(kTwoArgumentRules, infos);
  CollectingSink sink;
  SourcePipeline pipeline("counter", infos, {counter.get(), jsonx.get()}, 0,
                          rules.forSource("counter"), sink);
  counter->open("count=10,batch=4");
  runToEnd(pipeline);

  // seq 4: even, 4 % 3 = 1; seq 5: odd, 5 % 3 = 2.
  ASSERT_EQ(sink.alerts.size(), 2u);
  EXPECT_EQ(sink.alerts[0].rule, "Seq and parity");
  EXPECT_EQ(sink.alerts[0].output.substr(0, 38), "seq=4 even=true ip=10.0.0.4 tag=even m");
  EXPECT_EQ(sink.alerts[1].output, "tag=odd seq=5");
  ASSERT_EQ(sink.alerts[0].fields.size(), 5u);
  EXPECT_EQ(sink.alerts[0].fields[0].name, "jsonx.value[/seq]");
  EXPECT_EQ(sink.alerts[0].fields[0].value, "4");
  EXPECT_EQ(sink.alerts[0].fields[2].name, "jsonx.value[/ip]");
  EXPECT_EQ(sink.alerts[0].fields[2].value, "10.0.0.4");
}

// Two rules match seq 3 (and seq 4, "Four" only); "Below" comes first but
// is under the minimum priority, so it takes no event from the others.
constexpr const char* kOverlappingRules = R"yaml(
- rule: Below
  desc: d
  condition: counter.seq = 3
  output: "below %counter.seq"
  priority: DEBUG
  source: counter
- rule: Three
  desc: d
  condition: counter.seq = 3
  output: "three %counter.seq"
  priority: WARNING
  source: counter
- rule: Three or four
  desc: d
  condition: counter.seq in (3, 4)
  output: "three or four %counter.seq"
  priority: ERROR
  source: counter
)yaml";

std::vector<std::string> outputsFor(RuleMatching matching) {
  CounterAndJsonx p;
  LoadResult rules = load(kOverlappingRules, p.infos);
  CollectingSink sink;
  SourcePipeline pipeline("counter", p.infos, {p.counter.get(), p.jsonx.get()}, 0,
                          rules.forSource("counter"), sink, Priority::kInformational, matching);
  p.counter->open("count=6,batch=4");
  runToEnd(pipeline);
  std::vector<std::string> out;
  for (const Alert& a : sink.alerts) out.push_back(a.output);
  return out;
}

TEST(SourcePipeline, RuleMatchingFirstAlertsForTheEarliestMatchingRuleOnly) {
  EXPECT_EQ(outputsFor(RuleMatching::kFirst),
            (std::vector<std::string>{"three 3", "three or four 4"}));
}

TEST(SourcePipeline, RuleMatchingAllAlertsForEveryMatchingRule) {
  EXPECT_EQ(outputsFor(RuleMatching::kAll),
            (std::vector<std::string>{"three 3", "three or four 3", "three or four 4"}));
}

constexpr const char* kPriorityRules = R"yaml(
- rule: Critical five
  desc: d
  condition: counter.seq = 5
  output: "critical %counter.seq"
  priority: CRITICAL
  source: counter
- rule: Error six
  desc: d
  condition: counter.seq = 6
  output: "error %counter.seq"
  priority: ERROR
  source: counter
- rule: Notice seven
  desc: d
  condition: counter.seq = 7
  output: "notice %counter.seq"
  priority: NOTICE
  source: counter
- rule: Debug any
  desc: d
  condition: counter.seq < 3
  output: "debug %counter.seq"
  priority: DEBUG
  source: counter
)yaml";

std::vector<std::string> outputsAtMinimum(Priority minimum) {
  CounterAndJsonx p;
  LoadResult rules = load(kPriorityRules, p.infos);
  CollectingSink sink;
  SourcePipeline pipeline("counter", p.infos, {p.counter.get(), p.jsonx.get()}, 0,
                          rules.forSource("counter"), sink, minimum);
  p.counter->open("count=10,batch=4");
  runToEnd(pipeline);
  // Every match counts, whether or not its alert went out.
  EXPECT_EQ(pipeline.counters().matches, 6u);
  std::vector<std::string> out;
  for (const Alert& a : sink.alerts) out.push_back(a.output);
  return out;
}

TEST(SourcePipeline, DropsAlertsBelowTheMinimumPriority) {
  EXPECT_EQ(outputsAtMinimum(Priority::kDebug),
            (std::vector<std::string>{"debug 0", "debug 1", "debug 2", "critical 5", "error 6",
                                      "notice 7"}));
  // The minimum itself passes.
  EXPECT_EQ(outputsAtMinimum(Priority::kError),
            (std::vector<std::string>{"critical 5", "error 6"}));
  EXPECT_EQ(outputsAtMinimum(Priority::kEmergency), std::vector<std::string>{});
}

TEST(SourcePipeline, EofEndsTheSource) {
  CounterAndJsonx p;
  LoadResult rules = load(kPriorityRules, p.infos);
  CollectingSink sink;
  SourcePipeline pipeline("counter", p.infos, {p.counter.get(), p.jsonx.get()}, 0,
                          rules.forSource("counter"), sink);
  p.counter->open("count=10,batch=4");
  // 4 + 4 + 2 events, then EOF with none.
  EXPECT_EQ(runToEnd(pipeline), (std::vector<ss_plugin_rc>{SS_PLUGIN_SUCCESS, SS_PLUGIN_SUCCESS,
                                                           SS_PLUGIN_SUCCESS, SS_PLUGIN_EOF}));
  EXPECT_EQ(pipeline.counters().events, 10u);
  EXPECT_EQ(pipeline.counters().batches, 4u);
  EXPECT_EQ(pipeline.counters().timeouts, 0u);
}

TEST(SourcePipeline, EventsThatComeWithEofAreStillEvaluated) {
  std::vector<std::string> log;
  PluginInfo info;
  info.name = "fakesource";
  info.id = 4242;
  info.eventSource = "fake";
  info.capabilities = CAP_SOURCING;
  TestHost source(info, log);
  source.script.push_back({SS_PLUGIN_TIMEOUT, {}});
  source.script.push_back(
      {SS_PLUGIN_EOF, {makePluginEvent(4242, "a", 100), makePluginEvent(4242, "b", 200)}});
  std::vector<PluginInfo> infos = {info};
  LoadResult rules = load(R"yaml(
- rule: Any
  desc: d
  condition: evt.num > 0
  output: "num=%evt.num"
  priority: INFO
  source: fake
)yaml",
                          infos);
  CollectingSink sink;
  SourcePipeline pipeline("fake", infos, {&source}, 0, rules.forSource("fake"), sink);
  EXPECT_EQ(runToEnd(pipeline), (std::vector<ss_plugin_rc>{SS_PLUGIN_TIMEOUT, SS_PLUGIN_EOF}));
  ASSERT_EQ(sink.alerts.size(), 2u);
  EXPECT_EQ(sink.alerts[0].output, "num=1");
  EXPECT_EQ(sink.alerts[0].timeNs, 100u);
  EXPECT_EQ(sink.alerts[1].output, "num=2");
  EXPECT_EQ(sink.alerts[1].timeNs, 200u);
  EXPECT_EQ(pipeline.counters().timeouts, 1u);
  EXPECT_EQ(pipeline.counters().batches, 2u);
}

TEST(SourcePipeline, HintsTheSourcesConditionFieldsUnlessItAlsoParses) {
  PluginInfo info;
  info.name = "fakesource";
  info.id = 4242;
  info.eventSource = "fake";
  info.capabilities = CAP_SOURCING | CAP_EXTRACTION;
  FieldDescriptor n;
  n.name = "fake.n";
  n.type = FTYPE_UINT64;
  info.fields = {n};
  const char* kRules = R"yaml(
- rule: N
  desc: d
  condition: fake.n = 1 and evt.num > 0
  output: "n"
  priority: INFO
  source: fake
)yaml";
  CollectingSink sink;
  {
    std::vector<std::string> log;
    TestHost source(info, log);
    std::vector<PluginInfo> infos = {info};
    LoadResult rules = load(kRules, infos);
    SourcePipeline pipeline("fake", infos, {&source}, 0, rules.forSource("fake"), sink);
    EXPECT_EQ(log, std::vector<std::string>{"preextract fakesource fake 1"});
  }
  {
    // Its parse must see each event before its extraction does.
    info.capabilities |= CAP_PARSING;
    std::vector<std::string> log;
    TestHost source(info, log);
    std::vector<PluginInfo> infos = {info};
    LoadResult rules = load(kRules, infos);
    SourcePipeline pipeline("fake", infos, {&source}, 0, rules.forSource("fake"), sink);
    EXPECT_EQ(log, std::vector<std::string>{});
  }
}

TEST(SourcePipeline, FailedExtractionIsCountedAndItsValuesAreAbsent) {
  CounterAndJsonx p;
  std::vector<std::string> log;
  TestHost jsonx("jsonx", log, p.jsonx.get());
  jsonx.failExtract = true;
  LoadResult rules = load(R"yaml(
- rule: By counter
  desc: d
  condition: counter.seq in (1, 2)
  output: "seq=%counter.seq v=%jsonx.value[/seq]"
  priority: INFO
  source: counter
- rule: By jsonx
  desc: d
  condition: jsonx.value[/seq] = 1
  output: "never"
  priority: INFO
  source: counter
)yaml",
                          p.infos);
  CollectingSink sink;
  SourcePipeline pipeline("counter", p.infos, {p.counter.get(), &jsonx}, 0,
                          rules.forSource("counter"), sink);
  p.counter->open("count=8,batch=4");
  runToEnd(pipeline);
  EXPECT_EQ(sink.lines(),
            (std::vector<std::string>{"By counter|Informational|counter|seq=1 v=<NA>|counter.seq=1;"
                                      "jsonx.value[/seq]=<NA>;",
                                      "By counter|Informational|counter|seq=2 v=<NA>|counter.seq=2;"
                                      "jsonx.value[/seq]=<NA>;"}));
  // Conditions: one failed call per batch (2); outputs: one for the batch
  // that matched (1).
  EXPECT_EQ(pipeline.counters().extractFailures, 3u);
  EXPECT_EQ(log,
            (std::vector<std::string>{"extract jsonx 4", "extract jsonx 2", "extract jsonx 4"}));
}

PluginInfo parser(std::string name, std::vector<std::string> sources) {
  PluginInfo info;
  info.name = std::move(name);
  info.capabilities = CAP_PARSING;
  info.parseEventSources = std::move(sources);
  return info;
}

TEST(SourcePipeline, ParsersRunInLoadOrderForTheirSourcesBeforeExtraction) {
  std::vector<std::string> log;
  std::unique_ptr<PluginHost> counterHost = loadTestPlugin("counter");
  std::unique_ptr<PluginHost> statefulHost = loadTestPlugin("stateful");
  TestHost counter("counter", log, counterHost.get());
  TestHost stateful("stateful", log, statefulHost.get());
  TestHost other(parser("other", {"elsewhere"}), log);
  TestHost any(parser("any", {}), log);
  TestHost named(parser("named", {"elsewhere", "counter"}), log);
  std::vector<PluginInfo> infos = {counter.info(), other.info(), stateful.info(), any.info(),
                                   named.info()};
  LoadResult rules = load(R"yaml(
- rule: Every event
  desc: d
  condition: counter.seq >= 0
  output: "%counter.seq parsed=%stateful.count"
  priority: INFO
  source: counter
)yaml",
                          infos);
  CollectingSink sink;
  SourcePipeline pipeline("counter", infos, {&counter, &other, &stateful, &any, &named}, 0,
                          rules.forSource("counter"), sink);
  counter.open("count=6,batch=3");
  runToEnd(pipeline);

  // stateful counts the events it parsed: each batch is parsed whole before
  // any of it is extracted.
  std::vector<std::string> outputs;
  for (const Alert& a : sink.alerts) outputs.push_back(a.output);
  EXPECT_EQ(outputs, (std::vector<std::string>{"0 parsed=3", "1 parsed=3", "2 parsed=3",
                                               "3 parsed=6", "4 parsed=6", "5 parsed=6"}));
  std::vector<std::string> expected = {"preextract counter counter 1"};
  const std::vector<std::string> batch = {
      "parse stateful counter 3", "parse any counter 3", "parse named counter 3",
      "extract counter 3",                               // conditions
      "extract counter 3",        "extract stateful 3",  // outputs
  };
  expected.insert(expected.end(), batch.begin(), batch.end());
  expected.insert(expected.end(), batch.begin(), batch.end());
  EXPECT_EQ(log, expected);
}

TEST(SourcePipeline, AsyncEventsAreParsedAndEvaluated) {
  CounterAndJsonx p;
  std::vector<std::string> log;
  PluginInfo tickerInfo;
  tickerInfo.name = "faketicker";
  tickerInfo.capabilities = CAP_ASYNC | CAP_PARSING;
  tickerInfo.asyncEvents = {"tick"};
  tickerInfo.asyncEventSources = {"counter"};
  tickerInfo.parseEventSources = {"counter"};
  TestHost ticker(tickerInfo, log);
  std::vector<PluginInfo> infos = {p.counter->info(), p.jsonx->info(), tickerInfo};
  LoadResult rules = load(R"yaml(
- rule: Tick
  desc: d
  condition: evt.is_async = true and evt.asynctype = tick and jsonx.value[/n] != 1
  output: "tick %jsonx.value[/n] at %evt.rawtime"
  priority: INFO
  source: counter
- rule: Counter
  desc: d
  condition: counter.seq = 1
  output: "seq %counter.seq"
  priority: INFO
  source: counter
)yaml",
                          infos);
  CollectingSink sink;
  SourcePipeline pipeline("counter", infos, {p.counter.get(), p.jsonx.get(), &ticker}, 0,
                          rules.forSource("counter"), sink);
  p.counter->open("count=4,batch=2");
  ticker.pushAsync(asyncEvent(1000, "tick", R"({"n":1})"));
  ticker.pushAsync(asyncEvent(2000, "tick", R"({"n":2})"));
  ASSERT_EQ(pipeline.step(), SS_PLUGIN_SUCCESS);
  ticker.pushAsync(asyncEvent(3000, "tick", R"({"n":3})"));
  runToEnd(pipeline);

  std::vector<std::string> outputs;
  for (const Alert& a : sink.alerts) outputs.push_back(a.output);
  // Async events follow the batch of the step that drained them.
  EXPECT_EQ(outputs, (std::vector<std::string>{"seq 1", "tick 2 at 2000", "tick 3 at 3000"}));
  EXPECT_EQ(sink.alerts[1].timeNs, 2000u);
  EXPECT_EQ(pipeline.counters().asyncEvents, 3u);
  EXPECT_EQ(pipeline.counters().events, 4u);
  // The async plugin parses its events too, each with the source's events.
  EXPECT_EQ(log,
            (std::vector<std::string>{"parse faketicker counter 2", "parse faketicker counter 2",
                                      "parse faketicker counter 2", "parse faketicker counter 1"}));
}

constexpr const char* kSliceRules = R"yaml(
- rule: Tens
  desc: d
  condition: counter.msg endswith "0" and jsonx.value[/even] = true
  output: "ten %counter.seq %jsonx.value[/msg]"
  priority: NOTICE
  source: counter
- rule: Mod three
  desc: d
  condition: counter.tags intersects (mod3-0) and counter.seq > 100 and jsonx.value[/even] = false
  output: "three %counter.seq %counter.tag[1]"
  priority: ERROR
  source: counter
)yaml";

struct SliceRun {
  std::vector<std::string> alerts;
  std::vector<std::string> log;
};

// 192 events in batches of `batch`; `queueLimit` as TestHost's.
SliceRun runSliced(int batch, size_t queueLimit) {
  CounterAndJsonx p;
  SliceRun run;
  TestHost counter("counter", run.log, p.counter.get());
  TestHost jsonx("jsonx", run.log, p.jsonx.get());
  counter.queueLimit = jsonx.queueLimit = queueLimit;
  LoadResult rules = load(kSliceRules, p.infos);
  CollectingSink sink;
  SourcePipeline pipeline("counter", p.infos, {&counter, &jsonx}, 0, rules.forSource("counter"),
                          sink);
  counter.open("count=192,batch=" + std::to_string(batch));
  runToEnd(pipeline);
  EXPECT_EQ(pipeline.counters().events, 192u);
  run.alerts = sink.lines();
  return run;
}

TEST(SourcePipeline, SlicedExtractionGivesTheAlertsOfUnslicedExtraction) {
  // Batches of 8 are evaluated whole; batches of 64 in four slices of 16.
  const SliceRun whole = runSliced(8, 0);
  ASSERT_EQ(whole.alerts.size(), 20u + 15u);  // seq 0, 10, ..., 190; 105, 111, ..., 189
  EXPECT_EQ(whole.alerts.front(),
            "Tens|Notice|counter|ten 0 counter 0|counter.seq=0;"
            "jsonx.value[/msg]=counter 0;");
  EXPECT_EQ(std::count(whole.log.begin(), whole.log.end(), "extract counter 8"), 24);

  const SliceRun sliced = runSliced(64, 0);
  EXPECT_EQ(sliced.alerts, whole.alerts);
  // 3 batches x 4 condition slices, per plugin.
  EXPECT_EQ(std::count(sliced.log.begin(), sliced.log.end(), "extract counter 16"), 12);
  EXPECT_EQ(std::count(sliced.log.begin(), sliced.log.end(), "extract jsonx 16"), 12);

  // Every slice queued up front, as an isolated host takes them.
  const SliceRun queued = runSliced(64, 4);
  EXPECT_EQ(queued.alerts, whole.alerts);
  EXPECT_EQ(std::count(queued.log.begin(), queued.log.end(), "submit jsonx 16"), 12);
  EXPECT_EQ(std::count(queued.log.begin(), queued.log.end(), "collect jsonx 16"), 12);
  EXPECT_EQ(std::count(queued.log.begin(), queued.log.end(), "extract jsonx 16"), 0);

  // A host that takes only two: the other slices are extracted directly.
  const SliceRun partly = runSliced(64, 2);
  EXPECT_EQ(partly.alerts, whole.alerts);
  EXPECT_EQ(std::count(partly.log.begin(), partly.log.end(), "collect jsonx 16"), 6);
  EXPECT_EQ(std::count(partly.log.begin(), partly.log.end(), "extract jsonx 16"), 6);
}

}  // namespace
}  // namespace bulkhead
