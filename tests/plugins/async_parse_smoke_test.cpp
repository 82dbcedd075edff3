// Smoke tests of the parsing plugin (stateful) and the async plugin (ticker).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/plugins/plugin_library.h"
#include "tests/plugins/smoke_helpers.h"

namespace bulkhead::test_plugins {
namespace {

// ---------------------------------------------------------------- stateful

ss_plugin_rc parse(const PluginLibrary& lib, ss_plugin_t* s, const std::vector<uint8_t>& e,
                   uint64_t evtnum, const char* source = "counter") {
  ss_plugin_event_input in{asEvent(e), evtnum, source};
  ss_plugin_event_parse_input pin{};
  return lib.require<plugin_parse_event_fn>("parse_event")(s, &in, &pin);
}

const std::vector<FieldRequest> kStatefulFields = {{0, "stateful.count", FTYPE_UINT64},
                                                   {1, "stateful.sum", FTYPE_UINT64},
                                                   {2, "stateful.last_seq", FTYPE_UINT64},
                                                   {3, "stateful.seen_before", FTYPE_BOOL},
                                                   {4, "stateful.in_order", FTYPE_BOOL}};

TEST(StatefulPlugin, DeclaresParseAndExtractForCounterOnly) {
  PluginLibrary lib("stateful");
  EXPECT_STREQ(lib.require<plugin_get_parse_event_sources_fn>("get_parse_event_sources")(),
               R"(["counter"])");
  EXPECT_STREQ(lib.require<plugin_get_extract_event_sources_fn>("get_extract_event_sources")(),
               R"(["counter"])");
  EXPECT_EQ(checkFieldsJson(lib.require<plugin_get_fields_fn>("get_fields")()).size(), 5u);
  PluginState s(lib, "");
  ASSERT_EQ(s.rc(), SS_PLUGIN_SUCCESS);
  for (const char* fn : {"get_parse_event_types", "get_extract_event_types"}) {
    uint32_t n = 0;
    const uint16_t* types = lib.require<plugin_get_parse_event_types_fn>(fn)(&n, s.get());
    ASSERT_EQ(n, 1u) << fn;
    EXPECT_EQ(types[0], 322u) << fn;
  }
}

TEST(StatefulPlugin, ExtractionSeesParsesInOrder) {
  PluginLibrary counter("counter");
  PluginState cs(counter, "");
  const Capture c = drain(counter, cs.get(), "count=50,batch=7");
  ASSERT_EQ(c.events.size(), 50u);

  PluginLibrary lib("stateful");
  PluginState s(lib, "");
  uint64_t sum = 0;
  for (uint64_t i = 0; i < c.events.size(); ++i) {
    const uint64_t evtnum = 100 + 3 * i;  // framework numbers need not be contiguous
    auto before =
        extract(lib, s.get(), asEvent(c.events[i]), "counter", kStatefulFields, nullptr, evtnum);
    EXPECT_EQ(before[0].u64s, std::vector<uint64_t>{i});
    EXPECT_EQ(before[3].u64s, std::vector<uint64_t>{0}) << "not parsed yet";
    ASSERT_EQ(parse(lib, s.get(), c.events[i], evtnum), SS_PLUGIN_SUCCESS);
    sum += i;
    auto after =
        extract(lib, s.get(), asEvent(c.events[i]), "counter", kStatefulFields, nullptr, evtnum);
    EXPECT_EQ(after[0].u64s, std::vector<uint64_t>{i + 1});
    EXPECT_EQ(after[1].u64s, std::vector<uint64_t>{sum});
    EXPECT_EQ(after[2].u64s, std::vector<uint64_t>{i});
    EXPECT_EQ(after[3].u64s, std::vector<uint64_t>{1});
    EXPECT_EQ(after[4].u64s, std::vector<uint64_t>{1});
    // A different evtnum with the same bytes is not the parsed event.
    auto other = extract(lib, s.get(), asEvent(c.events[i]), "counter", kStatefulFields, nullptr,
                         evtnum + 1);
    EXPECT_EQ(other[3].u64s, std::vector<uint64_t>{0});
  }
}

TEST(StatefulPlugin, NoticesOutOfOrderAndKeepsSourcesApart) {
  PluginLibrary lib("stateful");
  PluginState s(lib, "");
  ASSERT_EQ(parse(lib, s.get(), pluginEvent(999, R"({"seq":0})"), 1), SS_PLUGIN_SUCCESS);
  ASSERT_EQ(parse(lib, s.get(), pluginEvent(999, R"({"seq":5})"), 2, "other"), SS_PLUGIN_SUCCESS);
  auto v = extract(lib, s.get(), asEvent(pluginEvent(999, R"({"seq":0})")), "counter",
                   kStatefulFields, nullptr, 1);
  EXPECT_EQ(v[0].u64s, std::vector<uint64_t>{1});
  EXPECT_EQ(v[3].u64s, std::vector<uint64_t>{1});
  EXPECT_EQ(v[4].u64s, std::vector<uint64_t>{1});
  ASSERT_EQ(parse(lib, s.get(), pluginEvent(999, R"({"seq":2})"), 3), SS_PLUGIN_SUCCESS);
  v = extract(lib, s.get(), asEvent(pluginEvent(999, R"({"seq":2})")), "counter", kStatefulFields,
              nullptr, 3);
  EXPECT_EQ(v[0].u64s, std::vector<uint64_t>{2});
  EXPECT_EQ(v[1].u64s, std::vector<uint64_t>{2});
  EXPECT_EQ(v[4].u64s, std::vector<uint64_t>{0});
  v = extract(lib, s.get(), asEvent(pluginEvent(999, R"({"seq":5})")), "other", kStatefulFields,
              nullptr, 2);
  EXPECT_EQ(v[0].u64s, std::vector<uint64_t>{1});
  EXPECT_EQ(v[2].u64s, std::vector<uint64_t>{5});
  v = extract(lib, s.get(), asEvent(pluginEvent(999, R"({"seq":5})")), "never", kStatefulFields);
  EXPECT_EQ(v[0].u64s, std::vector<uint64_t>{0});
  EXPECT_EQ(v[2].count, 0u);
}

TEST(StatefulPlugin, RejectsEventsWithoutSeq) {
  PluginLibrary lib("stateful");
  PluginState s(lib, "");
  EXPECT_EQ(parse(lib, s.get(), pluginEvent(999, "garbage"), 7), SS_PLUGIN_FAILURE);
  EXPECT_NE(s.lastError().find("event 7 has no counter seq"), std::string::npos) << s.lastError();
  auto e = pluginEvent(999, R"({"seq":1})");
  const uint16_t syscallType = 3;
  std::memcpy(&e[20], &syscallType, 2);
  EXPECT_EQ(parse(lib, s.get(), e, 8), SS_PLUGIN_FAILURE);
  const auto v =
      extract(lib, s.get(), asEvent(pluginEvent(999, R"({"seq":1})")), "counter", kStatefulFields);
  EXPECT_EQ(v[0].u64s, std::vector<uint64_t>{0});
}

// ---------------------------------------------------------------- ticker

// Plays the framework's async handler: copies every event it is given.
struct Collector {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::vector<uint8_t>> events;
  bool closed = false;  // set once set_async_event_handler(NULL) returned
  int callsAfterClose = 0;
  const char* refuseWith = nullptr;

  static ss_plugin_rc handle(ss_plugin_owner_t* owner, const ss_plugin_event* evt, char* err) {
    auto* self = static_cast<Collector*>(owner);
    std::lock_guard lock(self->mu);
    if (self->closed) ++self->callsAfterClose;
    uint32_t len = 0;
    std::memcpy(&len, reinterpret_cast<const uint8_t*>(evt) + 16, 4);
    const auto* p = reinterpret_cast<const uint8_t*>(evt);
    self->events.emplace_back(p, p + len);
    self->cv.notify_all();
    if (self->refuseWith != nullptr) {
      std::snprintf(err, PLUGIN_MAX_ERRLEN, "%s", self->refuseWith);
      return SS_PLUGIN_FAILURE;
    }
    return SS_PLUGIN_SUCCESS;
  }

  // Waits for `n` events; the bound only keeps a broken plugin from hanging CI.
  bool waitFor(size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(30), [&] { return events.size() >= n; });
  }

  size_t size() {
    std::lock_guard lock(mu);
    return events.size();
  }
};

ss_plugin_rc setHandler(const PluginLibrary& lib, ss_plugin_t* s, Collector* c,
                        ss_plugin_async_event_handler_t h) {
  return lib.require<plugin_set_async_event_handler_fn>("set_async_event_handler")(s, c, h);
}

void closeHandler(const PluginLibrary& lib, ss_plugin_t* s, Collector* c) {
  ASSERT_EQ(setHandler(lib, s, c, nullptr), SS_PLUGIN_SUCCESS);
  std::lock_guard lock(c->mu);
  c->closed = true;
}

TEST(TickerPlugin, AnswersInfoFunctionsAndValidatesConfig) {
  PluginLibrary lib("ticker");
  EXPECT_STREQ(lib.require<plugin_get_async_events_fn>("get_async_events")(), R"(["tick"])");
  EXPECT_STREQ(lib.require<plugin_get_async_event_sources_fn>("get_async_event_sources")(),
               R"(["counter"])");
  EXPECT_EQ(checkFieldsJson(lib.require<plugin_get_fields_fn>("get_fields")()).size(), 1u);
  ss_plugin_schema_type type = SS_PLUGIN_SCHEMA_NONE;
  EXPECT_TRUE(boost::json::parse(lib.require<plugin_get_init_schema_fn>("get_init_schema")(&type))
                  .is_object());
  EXPECT_EQ(type, SS_PLUGIN_SCHEMA_JSON);
  for (const char* good : {"", "{}", R"({"interval_ms":1,"max":0})"}) {
    PluginState s(lib, good);
    EXPECT_EQ(s.rc(), SS_PLUGIN_SUCCESS) << good << ": " << s.lastError();
  }
  for (const char* bad : {R"({"interval_ms":0})", R"({"interval_ms":"5"})", R"({"max":-1})",
                          R"({"max":1.5})", R"({"every":1})", "[]", "{"}) {
    PluginState s(lib, bad);
    EXPECT_EQ(s.rc(), SS_PLUGIN_FAILURE) << bad;
    EXPECT_EQ(s.lastError().rfind("ticker: ", 0), 0u) << s.lastError();
  }
}

TEST(TickerPlugin, DeliversWellFormedTicksUpToMax) {
  PluginLibrary lib("ticker");
  PluginState s(lib, R"({"interval_ms":1,"max":5})");
  ASSERT_EQ(s.rc(), SS_PLUGIN_SUCCESS);
  Collector c;
  ASSERT_EQ(setHandler(lib, s.get(), &c, &Collector::handle), SS_PLUGIN_SUCCESS);
  ASSERT_TRUE(c.waitFor(5));
  closeHandler(lib, s.get(), &c);
  ASSERT_EQ(c.size(), 5u) << "max must bound the ticks";
  for (size_t i = 0; i < c.events.size(); ++i) {
    const auto& e = c.events[i];
    const std::string data = "{\"n\":" + std::to_string(i + 1) + "}";
    EXPECT_EQ(at<uint32_t>(e, 16), 42u + 5u + data.size());  // len
    EXPECT_EQ(at<uint16_t>(e, 20), 402u);
    EXPECT_EQ(at<uint32_t>(e, 22), 3u);
    EXPECT_EQ(at<uint32_t>(e, 26), 4u);
    EXPECT_EQ(at<uint32_t>(e, 30), 5u);  // "tick" and its NUL
    EXPECT_EQ(at<uint32_t>(e, 34), data.size());
    EXPECT_EQ(at<uint32_t>(e, 38), 0u);  // plugin_id: the framework fills it
    EXPECT_EQ(at<uint64_t>(e, 8), UINT64_MAX);
    EXPECT_EQ(std::memcmp(e.data() + 42, "tick", 5), 0);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(e.data()) + 47, data.size()), data);
    const auto v = extract(lib, s.get(), asEvent(e), "counter", {{0, "ticker.n", FTYPE_UINT64}});
    EXPECT_EQ(v[0].u64s, std::vector<uint64_t>{i + 1});
  }
  // ticker.n is only for tick events.
  const auto v = extract(lib, s.get(), asEvent(pluginEvent(999, R"({"n":3})")), "counter",
                         {{0, "ticker.n", FTYPE_UINT64}});
  EXPECT_EQ(v[0].count, 0u);
}

TEST(TickerPlugin, ResettingTheHandlerJoinsTheThread) {
  PluginLibrary lib("ticker");
  PluginState s(lib, R"({"interval_ms":1,"max":0})");
  Collector c;
  ASSERT_EQ(setHandler(lib, s.get(), &c, &Collector::handle), SS_PLUGIN_SUCCESS);
  ASSERT_TRUE(c.waitFor(3));
  closeHandler(lib, s.get(), &c);
  const size_t n = c.size();
  // The thread ticked every millisecond; had it survived, it would call again.
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  std::lock_guard lock(c.mu);
  EXPECT_EQ(c.callsAfterClose, 0);
  EXPECT_EQ(c.events.size(), n);
}

TEST(TickerPlugin, ReplacingAndDestroyingStopTheProducer) {
  PluginLibrary lib("ticker");
  Collector first, second;
  {
    PluginState s(lib, R"({"interval_ms":1,"max":0})");
    ASSERT_EQ(setHandler(lib, s.get(), &first, &Collector::handle), SS_PLUGIN_SUCCESS);
    ASSERT_TRUE(first.waitFor(1));
    ASSERT_EQ(setHandler(lib, s.get(), &second, &Collector::handle), SS_PLUGIN_SUCCESS);
    {
      std::lock_guard lock(first.mu);
      first.closed = true;
    }
    ASSERT_TRUE(second.waitFor(2));
    // destroy without a NULL handler first: it must still join.
  }
  {
    std::lock_guard lock(second.mu);
    second.closed = true;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  std::lock_guard l1(first.mu);
  std::lock_guard l2(second.mu);
  EXPECT_EQ(first.callsAfterClose, 0);
  EXPECT_EQ(second.callsAfterClose, 0);
  // Each handler session counts from 1.
  EXPECT_EQ(at<uint32_t>(second.events[0], 34), 7u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(second.events[0].data()) + 47, 7),
            "{\"n\":1}");
}

TEST(TickerPlugin, ReportsARefusedTick) {
  PluginLibrary lib("ticker");
  PluginState s(lib, R"({"interval_ms":1,"max":0})");
  Collector c;
  c.refuseWith = "queue is full";
  ASSERT_EQ(setHandler(lib, s.get(), &c, &Collector::handle), SS_PLUGIN_SUCCESS);
  ASSERT_TRUE(c.waitFor(1));
  closeHandler(lib, s.get(), &c);
  EXPECT_EQ(c.size(), 1u) << "the thread stops at the first refusal";
  EXPECT_EQ(s.lastError(), "ticker: the framework refused tick 1: queue is full");
}

TEST(TickerPlugin, DumpStateEmitsTheCurrentCount) {
  PluginLibrary lib("ticker");
  PluginState s(lib, R"({"interval_ms":1,"max":3})");
  Collector ticks, dump;
  ASSERT_EQ(setHandler(lib, s.get(), &ticks, &Collector::handle), SS_PLUGIN_SUCCESS);
  ASSERT_TRUE(ticks.waitFor(3));
  closeHandler(lib, s.get(), &ticks);
  ASSERT_EQ(lib.require<plugin_dump_state_fn>("dump_state")(s.get(), &dump, &Collector::handle),
            SS_PLUGIN_SUCCESS);
  ASSERT_EQ(dump.size(), 1u);
  const auto v =
      extract(lib, s.get(), asEvent(dump.events[0]), "counter", {{0, "ticker.n", FTYPE_UINT64}});
  EXPECT_EQ(v[0].u64s, std::vector<uint64_t>{3});
}

}  // namespace
}  // namespace bulkhead::test_plugins
