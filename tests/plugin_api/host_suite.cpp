#include "tests/plugin_api/host_suite.h"

#include <arpa/inet.h>

#include <chrono>
#include <thread>

#include "plugin_api/event.h"
#include "plugin_api/plugin_info.h"

namespace bulkhead {

std::string testPluginPath(const std::string& name) {
  return std::string(BULKHEAD_TEST_PLUGIN_DIR) + "/lib" + name + ".so";
}

std::unique_ptr<PluginHost> HostSuite::load(const std::string& plugin,
                                            const std::string& initConfig) {
  return GetParam().make(PluginSpec{plugin, testPluginPath(plugin), initConfig});
}

std::vector<std::string> drainPayloads(PluginHost& host, int maxBatches) {
  std::vector<std::string> out;
  for (int i = 0; i < maxBatches; ++i) {
    BatchResult b = host.nextBatch();
    for (const EventRef& e : b.events) out.emplace_back(pluginEventPayload(e.evt));
    if (b.rc == SS_PLUGIN_EOF || b.rc == SS_PLUGIN_FAILURE) break;
  }
  return out;
}

namespace {

FieldRequest field(const PluginInfo& info, const std::string& name, std::string arg = "",
                   bool present = false) {
  for (uint32_t i = 0; i < info.fields.size(); ++i) {
    if (info.fields[i].name == name) {
      FieldRequest r;
      r.fieldId = i;
      r.argPresent = present;
      r.argKey = arg;
      r.argIndex = present && !arg.empty() && std::isdigit(static_cast<unsigned char>(arg[0]))
                       ? std::stoull(arg)
                       : 0;
      return r;
    }
  }
  ADD_FAILURE() << "no field " << name;
  return {};
}

TEST_P(HostSuite, ReportsPluginInfo) {
  auto host = load("counter");
  const PluginInfo& info = host->info();
  EXPECT_EQ(info.name, "counter");
  EXPECT_EQ(info.id, 999u);
  EXPECT_EQ(info.eventSource, "counter");
  EXPECT_TRUE(info.has(CAP_SOURCING));
  EXPECT_TRUE(info.has(CAP_EXTRACTION));
  ASSERT_GE(info.fields.size(), 7u);
  EXPECT_EQ(info.fields[0].name, "counter.seq");
  EXPECT_EQ(info.fields[0].type, FTYPE_UINT64);
  EXPECT_FALSE(info.initSchema.empty());
  ASSERT_EQ(info.extractEventSources.size(), 1u);
  EXPECT_EQ(info.extractEventSources[0], "counter");
}

TEST_P(HostSuite, DeliversEveryEventInOrderThenEof) {
  auto host = load("counter");
  host->open("count=1000,size=64,batch=128");
  const FieldRequest seq = field(host->info(), "counter.seq");
  ExtractResults res;
  uint64_t expected = 0, lastNum = 0;
  ss_plugin_rc rc = SS_PLUGIN_SUCCESS;
  while (rc != SS_PLUGIN_EOF) {
    BatchResult b = host->nextBatch();
    ASSERT_NE(b.rc, SS_PLUGIN_FAILURE) << host->lastError();
    rc = b.rc;
    for (const EventRef& e : b.events) {
      EXPECT_GT(e.num, lastNum);
      lastNum = e.num;
      EXPECT_EQ(eventType(e.evt), PPME_PLUGINEVENT_E);
      EXPECT_EQ(pluginEventId(e.evt), 999u);
      EXPECT_GE(pluginEventPayload(e.evt).size(), 64u);
    }
    ASSERT_EQ(host->extract(b.events, "counter", {&seq, 1}, res), SS_PLUGIN_SUCCESS);
    for (size_t i = 0; i < b.events.size(); ++i) {
      auto v = res.values(i, 0);
      ASSERT_EQ(v.size(), 1u);
      EXPECT_EQ(v[0].u64, expected++);
    }
  }
  EXPECT_EQ(expected, 1000u);
  EXPECT_EQ(host->nextBatch().rc, SS_PLUGIN_EOF);
  EXPECT_EQ(host->counters().events, 1000u);
}

TEST_P(HostSuite, ExtractsEveryValueType) {
  auto host = load("counter", R"({"prefix": "hello"})");
  host->open("count=8,batch=8");
  BatchResult b = host->nextBatch();
  ASSERT_EQ(b.events.size(), 8u);
  const PluginInfo& info = host->info();
  std::vector<FieldRequest> reqs = {
      field(info, "counter.msg"),  field(info, "counter.tags"),    field(info, "counter.even"),
      field(info, "counter.ip"),   field(info, "counter.tag", "1", true),
      field(info, "counter.tag", "9", true)};
  ExtractResults res;
  ASSERT_EQ(host->extract(b.events, "counter", reqs, res), SS_PLUGIN_SUCCESS);
  for (size_t e = 0; e < 8; ++e) {
    auto msg = res.values(e, 0);
    ASSERT_EQ(msg.size(), 1u);
    EXPECT_EQ(res.bytesOf(msg[0]), "hello " + std::to_string(e));
    auto tags = res.values(e, 1);
    ASSERT_EQ(tags.size(), 3u);
    EXPECT_EQ(res.bytesOf(tags[0]), "counter");
    EXPECT_EQ(res.bytesOf(tags[1]), e % 2 == 0 ? "even" : "odd");
    auto even = res.values(e, 2);
    ASSERT_EQ(even.size(), 1u);
    EXPECT_EQ(even[0].u64, e % 2 == 0 ? 1u : 0u);
    auto ip = res.values(e, 3);
    ASSERT_EQ(ip.size(), 1u);
    EXPECT_EQ(res.bytesOf(ip[0]).size(), 4u);
    EXPECT_EQ(static_cast<uint8_t>(res.bytesOf(ip[0])[0]), 10);
    auto tag1 = res.values(e, 4);
    ASSERT_EQ(tag1.size(), 1u);
    EXPECT_EQ(res.bytesOf(tag1[0]), e % 2 == 0 ? "even" : "odd");
    EXPECT_TRUE(res.values(e, 5).empty()) << "index out of range has no value";
  }
}

TEST_P(HostSuite, ExtractOnlyPluginReadsAnotherPluginsEvents) {
  auto source = load("counter");
  auto jsonx = load("jsonx");
  EXPECT_FALSE(jsonx->info().has(CAP_SOURCING));
  source->open("count=5,batch=5");
  BatchResult b = source->nextBatch();
  ASSERT_EQ(b.events.size(), 5u);
  std::vector<FieldRequest> reqs = {field(jsonx->info(), "jsonx.value", "/seq", true),
                                    field(jsonx->info(), "jsonx.value", "/msg", true),
                                    field(jsonx->info(), "jsonx.value", "/missing", true)};
  ExtractResults res;
  ASSERT_EQ(jsonx->extract(b.events, "counter", reqs, res), SS_PLUGIN_SUCCESS);
  for (size_t e = 0; e < 5; ++e) {
    ASSERT_EQ(res.values(e, 0).size(), 1u);
    EXPECT_EQ(res.bytesOf(res.values(e, 0)[0]), std::to_string(e));
    ASSERT_EQ(res.values(e, 1).size(), 1u);
    EXPECT_EQ(res.bytesOf(res.values(e, 1)[0]), "counter " + std::to_string(e));
    EXPECT_TRUE(res.values(e, 2).empty());
  }
}

TEST_P(HostSuite, TimeoutsInterleaveWithEvents) {
  auto host = load("counter");
  host->open("count=100,batch=10,timeout_every=2");
  int timeouts = 0;
  size_t events = 0;
  for (int i = 0; i < 1000; ++i) {
    BatchResult b = host->nextBatch();
    events += b.events.size();
    if (b.rc == SS_PLUGIN_TIMEOUT) ++timeouts;
    if (b.rc == SS_PLUGIN_EOF) break;
  }
  EXPECT_EQ(events, 100u);
  EXPECT_GT(timeouts, 0);
}

TEST_P(HostSuite, RateLimitedSourceWaitsInsideNextBatch) {
  auto host = load("counter");
  host->open("count=30,batch=100,rate=300");
  const auto start = std::chrono::steady_clock::now();
  auto payloads = drainPayloads(*host);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(payloads.size(), 30u);
  // 30 events at 300/s cannot all be there before 100 ms have passed.
  EXPECT_GE(took, std::chrono::milliseconds(90));
}

TEST_P(HostSuite, LargeEventsArriveWhole) {
  auto host = load("counter");
  host->open("count=40,size=200000,batch=4");
  auto payloads = drainPayloads(*host);
  ASSERT_EQ(payloads.size(), 40u);
  for (const std::string& p : payloads) EXPECT_GE(p.size(), 200000u);
}

// 20 events of 200 kB: more than one extract request can carry in an
// isolated host, so the results of several requests are joined.
TEST_P(HostSuite, ExtractsOverABatchLargerThanOneRequest) {
  auto host = load("counter");
  host->open("count=20,size=200000,batch=20");
  BatchResult b = host->nextBatch();
  ASSERT_EQ(b.events.size(), 20u);
  const std::vector<FieldRequest> reqs = {field(host->info(), "counter.seq"),
                                          field(host->info(), "counter.msg")};
  ExtractResults res;
  ASSERT_EQ(host->extract(b.events, "counter", reqs, res), SS_PLUGIN_SUCCESS);
  for (size_t e = 0; e < 20; ++e) {
    ASSERT_EQ(res.values(e, 0).size(), 1u);
    EXPECT_EQ(res.values(e, 0)[0].u64, e);
    ASSERT_EQ(res.values(e, 1).size(), 1u);
    EXPECT_EQ(res.bytesOf(res.values(e, 1)[0]), "counter " + std::to_string(e));
  }
}

TEST_P(HostSuite, ReopenStartsAgain) {
  auto host = load("counter");
  host->open("count=3,batch=1");
  EXPECT_EQ(host->nextBatch().events.size(), 1u);
  host->close();
  host->open("count=3,batch=3");
  auto payloads = drainPayloads(*host);
  ASSERT_EQ(payloads.size(), 3u);
  EXPECT_NE(payloads[0].find("\"seq\":0"), std::string::npos);
}

TEST_P(HostSuite, OpenFailureCarriesThePluginsError) {
  auto host = load("counter");
  try {
    host->open("bogus=1");
    FAIL() << "open accepted bad params";
  } catch (const PluginError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown parameter 'bogus'"), std::string::npos)
        << e.what();
  }
  // The host stays usable.
  host->open("count=2,batch=2");
  EXPECT_EQ(drainPayloads(*host).size(), 2u);
}

TEST_P(HostSuite, InitFailureCarriesThePluginsError) {
  try {
    load("counter", R"({"nope": 1})");
    FAIL() << "init accepted a bad config";
  } catch (const PluginError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown init config key 'nope'"), std::string::npos)
        << e.what();
  }
}

TEST_P(HostSuite, ProgressAndEventToString) {
  auto host = load("counter");
  host->open("count=10,batch=5");
  BatchResult b = host->nextBatch();
  ASSERT_EQ(b.events.size(), 5u);
  EXPECT_FALSE(host->eventToString(b.events[0], "counter").empty());
  Progress p = host->progress();
  EXPECT_FALSE(p.text.empty());
}

TEST_P(HostSuite, UnknownFieldIdIsRefused) {
  auto host = load("counter");
  host->open("count=1,batch=1");
  BatchResult b = host->nextBatch();
  FieldRequest bad;
  bad.fieldId = 1000;
  ExtractResults res;
  EXPECT_EQ(host->extract(b.events, "counter", {&bad, 1}, res), SS_PLUGIN_FAILURE);
}

TEST_P(HostSuite, ParsesInOrderBeforeExtraction) {
  auto source = load("counter");
  auto stateful = load("stateful");
  source->open("count=300,batch=64");
  const std::vector<FieldRequest> reqs = {field(stateful->info(), "stateful.count"),
                                          field(stateful->info(), "stateful.in_order")};
  ExtractResults res;
  uint64_t seen = 0;
  for (;;) {
    BatchResult b = source->nextBatch();
    if (!b.events.empty()) {
      ASSERT_EQ(stateful->parse(b.events, "counter"), SS_PLUGIN_SUCCESS);
      seen += b.events.size();
      ASSERT_EQ(stateful->extract(b.events.last(1), "counter", reqs, res), SS_PLUGIN_SUCCESS);
      ASSERT_EQ(res.values(0, 0).size(), 1u);
      EXPECT_EQ(res.values(0, 0)[0].u64, seen);
      ASSERT_EQ(res.values(0, 1).size(), 1u);
      EXPECT_EQ(res.values(0, 1)[0].u64, 1u);
    }
    if (b.rc == SS_PLUGIN_EOF) break;
  }
  EXPECT_EQ(seen, 300u);
  EXPECT_EQ(stateful->counters().parsed, 300u);
}

TEST_P(HostSuite, DeliversAsyncEventsFromPluginThreads) {
  auto ticker = load("ticker", R"({"interval_ms": 1, "max": 20})");
  ASSERT_TRUE(ticker->info().has(CAP_ASYNC));
  ticker->startAsync();
  std::vector<uint64_t> ticks;
  const FieldRequest n = field(ticker->info(), "ticker.n");
  ExtractResults res;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (ticks.size() < 20 && std::chrono::steady_clock::now() < until) {
    std::span<const EventRef> async = ticker->drainAsync();
    if (async.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      continue;
    }
    for (const EventRef& e : async) EXPECT_EQ(eventType(e.evt), PPME_ASYNCEVENT_E);
    ASSERT_EQ(ticker->extract(async, "counter", {&n, 1}, res), SS_PLUGIN_SUCCESS);
    for (size_t i = 0; i < async.size(); ++i) {
      ASSERT_EQ(res.values(i, 0).size(), 1u);
      ticks.push_back(res.values(i, 0)[0].u64);
    }
  }
  ticker->stopAsync();
  ASSERT_EQ(ticks.size(), 20u);
  for (size_t i = 0; i < ticks.size(); ++i) EXPECT_EQ(ticks[i], i + 1);
  EXPECT_EQ(ticker->counters().asyncEvents, 20u);
}

// get_metrics, named "<plugin>.<metric>" as libsinsp names them, each value
// type carried as the plugin gave it; none from a plugin without it.
TEST_P(HostSuite, PluginMetricsKeepNamesKindsAndValues) {
  auto ticker = load("ticker", R"({"interval_ms": 1, "max": 5})");
  ticker->startAsync();
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  uint64_t delivered = 0;
  while (delivered < 5 && std::chrono::steady_clock::now() < until) {
    delivered += ticker->drainAsync().size();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ticker->stopAsync();
  ASSERT_EQ(delivered, 5u);
  EXPECT_TRUE(ticker->lastMetrics().empty());  // not asked yet
  ticker->refreshMetrics();
  const std::vector<PluginMetric> m = ticker->lastMetrics();
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].name, "ticker.ticks");
  EXPECT_TRUE(m[0].monotonic);
  EXPECT_EQ(m[0].asUint(), 5u);
  EXPECT_EQ(m[1].name, "ticker.interval_ms");
  EXPECT_FALSE(m[1].monotonic);
  EXPECT_EQ(m[1].asUint(), 1u);
  EXPECT_TRUE(m[2].isSigned());
  EXPECT_EQ(m[2].asInt(), -3);
  EXPECT_EQ(m[2].value(), -3.0);
  EXPECT_FALSE(m[3].integral());
  EXPECT_EQ(m[3].value(), 0.5);
  auto counter = load("counter", "");
  EXPECT_TRUE(counter->pluginMetrics().empty());
}

}  // namespace
}  // namespace bulkhead
