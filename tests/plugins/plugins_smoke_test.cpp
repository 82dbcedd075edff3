// Loads each test plugin with plain dlopen/dlsym and drives it through the
// ABI, checking event layouts and extracted values byte by byte.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/plugins/plugin_library.h"
#include "tests/plugins/smoke_helpers.h"

namespace bulkhead::test_plugins {
namespace {

constexpr const char* kAllPlugins[] = {"counter",
                                       "jsonx",
                                       "broken_missing_symbol",
                                       "broken_api_major",
                                       "broken_api_minor",
                                       "broken_fields_json",
                                       "broken_caps",
                                       "dup_source",
                                       "dup_field",
                                       "dup_id"};

// ---------------------------------------------------------------- counter

TEST(CounterPlugin, AnswersInfoFunctions) {
  PluginLibrary lib("counter");
  EXPECT_STREQ(lib.require<plugin_get_name_fn>("get_name")(), "counter");
  EXPECT_STREQ(lib.require<plugin_get_required_api_version_fn>("get_required_api_version")(),
               "3.0.0");
  EXPECT_STREQ(lib.require<plugin_get_version_fn>("get_version")(), "0.1.0");
  EXPECT_STRNE(lib.require<plugin_get_description_fn>("get_description")(), "");
  EXPECT_STRNE(lib.require<plugin_get_contact_fn>("get_contact")(), "");
  EXPECT_EQ(lib.require<plugin_get_id_fn>("get_id")(), 999u);
  EXPECT_STREQ(lib.require<plugin_get_event_source_fn>("get_event_source")(), "counter");
  const auto fields = checkFieldsJson(lib.require<plugin_get_fields_fn>("get_fields")());
  ASSERT_EQ(fields.size(), 8u);
  EXPECT_EQ(fields[0].at("name").as_string(), "counter.seq");
  EXPECT_TRUE(fields[2].at("isList").as_bool());
  EXPECT_TRUE(fields[3].at("arg").at("isIndex").as_bool());

  ss_plugin_schema_type schemaType = SS_PLUGIN_SCHEMA_NONE;
  const char* schema = lib.require<plugin_get_init_schema_fn>("get_init_schema")(&schemaType);
  EXPECT_EQ(schemaType, SS_PLUGIN_SCHEMA_JSON);
  EXPECT_TRUE(boost::json::parse(schema).is_object());

  PluginState state(lib, "");
  ASSERT_EQ(state.rc(), SS_PLUGIN_SUCCESS);
  ss_plugin_rc rc = SS_PLUGIN_FAILURE;
  const char* params =
      lib.require<plugin_list_open_params_fn>("list_open_params")(state.get(), &rc);
  EXPECT_EQ(rc, SS_PLUGIN_SUCCESS);
  const auto list = boost::json::parse(params).as_array();
  EXPECT_FALSE(list.empty());
  for (const auto& p : list) EXPECT_FALSE(p.at("value").as_string().empty());
}

TEST(CounterPlugin, InitConfigIsValidated) {
  PluginLibrary lib("counter");
  for (const char* good : {"", "{}", " ", R"({"prefix":"hello"})"}) {
    PluginState s(lib, good);
    EXPECT_EQ(s.rc(), SS_PLUGIN_SUCCESS) << good << ": " << s.lastError();
  }
  struct Bad {
    const char* config;
    const char* message;
  };
  for (const Bad& bad : {Bad{"{", "not valid JSON"}, Bad{"[1]", "must be a JSON object"},
                         Bad{R"({"prefix":1})", "'prefix' must be a string"},
                         Bad{R"({"prefx":"a"})", "unknown init config key 'prefx'"}}) {
    PluginState s(lib, bad.config);
    EXPECT_EQ(s.rc(), SS_PLUGIN_FAILURE) << bad.config;
    ASSERT_NE(s.get(), nullptr) << "state must be returned for get_last_error";
    EXPECT_NE(s.lastError().find(bad.message), std::string::npos) << s.lastError();
    EXPECT_EQ(s.lastError().rfind("counter:", 0), 0u) << s.lastError();
  }
}

TEST(CounterPlugin, EmitsWellFormedEventsThenEof) {
  PluginLibrary lib("counter");
  PluginState state(lib, R"({"prefix":"p"})");
  const Capture c = drain(lib, state.get(), "count=10,size=100,batch=4");
  ASSERT_TRUE(c.openError.empty()) << c.openError;
  EXPECT_EQ(c.batchSizes, (std::vector<uint32_t>{4, 4, 2, 0}));
  EXPECT_EQ(c.rcs, (std::vector<ss_plugin_rc>{SS_PLUGIN_SUCCESS, SS_PLUGIN_SUCCESS,
                                              SS_PLUGIN_SUCCESS, SS_PLUGIN_EOF}));
  ASSERT_EQ(c.events.size(), 10u);
  uint64_t prevTs = 0;
  for (size_t i = 0; i < c.events.size(); ++i) {
    const auto& e = c.events[i];
    EXPECT_EQ(at<uint32_t>(e, 16), 138u);       // len = 38 + 100
    EXPECT_EQ(at<uint16_t>(e, 20), 322u);       // type
    EXPECT_EQ(at<uint32_t>(e, 22), 2u);         // nparams
    EXPECT_EQ(at<uint32_t>(e, 26), 4u);         // len[0]
    EXPECT_EQ(at<uint32_t>(e, 30), 100u);       // len[1]
    EXPECT_EQ(at<uint32_t>(e, 34), 999u);       // plugin_id
    EXPECT_EQ(at<uint64_t>(e, 8), UINT64_MAX);  // tid
    EXPECT_GT(at<uint64_t>(e, 0), prevTs);      // ts strictly increasing
    prevTs = at<uint64_t>(e, 0);
    const auto doc = boost::json::parse(payloadOf(e)).as_object();
    EXPECT_EQ(doc.at("seq").as_int64(), static_cast<int64_t>(i));
    EXPECT_EQ(doc.at("msg").as_string(), "p " + std::to_string(i));
    EXPECT_EQ(doc.at("even").as_bool(), i % 2 == 0);
  }
}

TEST(CounterPlugin, EmptyParamsUseDefaults) {
  PluginLibrary lib("counter");
  PluginState state(lib, nullptr);
  const Capture c = drain(lib, state.get(), "");
  ASSERT_TRUE(c.openError.empty()) << c.openError;
  EXPECT_EQ(c.events.size(), 1000u);
  EXPECT_EQ(c.batchSizes.front(), 64u);
  EXPECT_EQ(c.rcs.back(), SS_PLUGIN_EOF);
}

TEST(CounterPlugin, RejectsBadOpenParams) {
  PluginLibrary lib("counter");
  PluginState state(lib, "");
  struct Bad {
    const char* params;
    const char* message;
  };
  for (const Bad& bad :
       {Bad{"count=x", "'count'"}, Bad{"bogus=1", "unknown parameter 'bogus'"},
        Bad{"batch=0", "'batch'"}, Bad{"batch=5000", "'batch'"}, Bad{"size", "not key=value"},
        Bad{"count=1,count=2", "given twice"}, Bad{"count=-1", "'count'"}}) {
    const Capture c = drain(lib, state.get(), bad.params);
    EXPECT_NE(c.openError.find(bad.message), std::string::npos)
        << bad.params << " -> " << c.openError;
    EXPECT_NE(c.openError.find(bad.params), std::string::npos) << c.openError;
  }
}

TEST(CounterPlugin, LastErrorStaysValidUntilTheNextCall) {
  PluginLibrary lib("counter");
  PluginState state(lib, "");
  auto lastError = lib.require<plugin_get_last_error_fn>("get_last_error");
  ASSERT_FALSE(drain(lib, state.get(), "count=x").openError.empty());
  const char* first = lastError(state.get());
  const std::string saved = first;
  ss_plugin_rc rc = SS_PLUGIN_SUCCESS;
  EXPECT_EQ(lib.require<plugin_open_fn>("open")(state.get(), "bogus=1", &rc), nullptr);
  EXPECT_EQ(rc, SS_PLUGIN_FAILURE);
  EXPECT_EQ(std::string(first), saved) << "overwritten by a later failure";
  EXPECT_NE(std::string(lastError(state.get())), saved);
}

TEST(CounterPlugin, TimesOutEveryNBatches) {
  PluginLibrary lib("counter");
  PluginState state(lib, "");
  const Capture c = drain(lib, state.get(), "count=10,batch=2,timeout_every=2");
  const auto S = SS_PLUGIN_SUCCESS, T = SS_PLUGIN_TIMEOUT;
  EXPECT_EQ(c.rcs, (std::vector<ss_plugin_rc>{S, S, T, S, S, T, S, SS_PLUGIN_EOF}));
  EXPECT_EQ(c.batchSizes, (std::vector<uint32_t>{2, 2, 0, 2, 2, 0, 2, 0}));
}

TEST(CounterPlugin, ExtractsEveryFieldTypeInOneCall) {
  PluginLibrary lib("counter");
  PluginState state(lib, R"({"prefix":"msg"})");
  const Capture c = drain(lib, state.get(), "count=300,batch=300");
  ASSERT_EQ(c.events.size(), 300u);
  const std::vector<FieldRequest> reqs = {
      {0, "counter.seq", FTYPE_UINT64},
      {1, "counter.msg", FTYPE_STRING},
      {2, "counter.tags", FTYPE_STRING, true},
      {3, "counter.tag", FTYPE_STRING, false, std::nullopt, 2},
      {4, "counter.even", FTYPE_BOOL},
      {5, "counter.ts", FTYPE_ABSTIME},
      {6, "counter.ip", FTYPE_IPADDR},
      {7, "counter.len", FTYPE_UINT64},
      {3, "counter.tag", FTYPE_STRING, false, std::nullopt, 3},  // out of range
      {3, "counter.tag", FTYPE_STRING},                          // argument missing
  };
  for (uint64_t seq : {0u, 1u, 2u, 257u, 299u}) {
    const auto& e = c.events[seq];
    const auto v = extract(lib, state.get(), asEvent(e), "counter", reqs);
    ASSERT_EQ(v.size(), reqs.size());
    EXPECT_EQ(v[0].u64s, std::vector<uint64_t>{seq});
    EXPECT_EQ(v[1].strings, std::vector<std::string>{"msg " + std::to_string(seq)});
    const std::string parity = seq % 2 == 0 ? "even" : "odd";
    const std::string mod3 = "mod3-" + std::to_string(seq % 3);
    EXPECT_EQ(v[2].strings, (std::vector<std::string>{"counter", parity, mod3}));
    EXPECT_EQ(v[3].strings, std::vector<std::string>{mod3});
    EXPECT_EQ(v[4].u64s, std::vector<uint64_t>{seq % 2 == 0 ? 1u : 0u});
    EXPECT_EQ(v[5].u64s, std::vector<uint64_t>{at<uint64_t>(e, 0)});
    in_addr addr{};
    ASSERT_EQ(
        inet_pton(AF_INET,
                  ("10.0." + std::to_string(seq >> 8) + "." + std::to_string(seq & 0xFF)).c_str(),
                  &addr),
        1);
    EXPECT_EQ(v[6].strings,
              std::vector<std::string>{std::string(reinterpret_cast<char*>(&addr), 4)});
    EXPECT_EQ(v[7].u64s, std::vector<uint64_t>{at<uint32_t>(e, 30)});
    EXPECT_EQ(v[8].count, 0u);
    EXPECT_EQ(v[9].count, 0u);
  }
}

TEST(CounterPlugin, GivesNoValueForForeignEvents) {
  PluginLibrary lib("counter");
  PluginState state(lib, "");
  const std::vector<FieldRequest> reqs = {{0, "counter.seq", FTYPE_UINT64},
                                          {1, "counter.msg", FTYPE_STRING}};
  for (const auto& e : {pluginEvent(999, ""), pluginEvent(999, "not json"),
                        pluginEvent(999, R"({"seq":"x","msg":5})"),
                        pluginEvent(999, R"({"seq":99999999999999999999999})")}) {
    const auto v = extract(lib, state.get(), asEvent(e), "counter", reqs);
    EXPECT_EQ(v[0].count, 0u);
    EXPECT_EQ(v[1].count, 0u);
  }
}

TEST(CounterPlugin, ReportsProgressAndRendersEvents) {
  PluginLibrary lib("counter");
  PluginState state(lib, "");
  ss_plugin_rc rc = SS_PLUGIN_FAILURE;
  ss_instance_t* h = lib.require<plugin_open_fn>("open")(state.get(), "count=8,batch=2", &rc);
  ASSERT_EQ(rc, SS_PLUGIN_SUCCESS);
  auto progress = lib.require<plugin_get_progress_fn>("get_progress");
  uint32_t pct = 99;
  EXPECT_STREQ(progress(state.get(), h, &pct), "0.00%");
  EXPECT_EQ(pct, 0u);
  uint32_t n = 0;
  ss_plugin_event** evts = nullptr;
  ASSERT_EQ(lib.require<plugin_next_batch_fn>("next_batch")(state.get(), h, &n, &evts),
            SS_PLUGIN_SUCCESS);
  EXPECT_STREQ(progress(state.get(), h, &pct), "25.00%");
  EXPECT_EQ(pct, 25u);
  ss_plugin_event_input in{evts[1], 2, "counter"};
  const std::string text =
      lib.require<plugin_event_to_string_fn>("event_to_string")(state.get(), &in);
  EXPECT_EQ(text.rfind("{\"seq\":1,", 0), 0u) << text;
  lib.require<plugin_close_fn>("close")(state.get(), h);
}

// ---------------------------------------------------------------- jsonx

TEST(JsonxPlugin, IsAnExtractorForAllSources) {
  PluginLibrary lib("jsonx");
  EXPECT_STREQ(lib.require<plugin_get_name_fn>("get_name")(), "jsonx");
  EXPECT_EQ(lib.fn<plugin_open_fn>("open"), nullptr);
  EXPECT_EQ(lib.fn<plugin_get_id_fn>("get_id"), nullptr);
  EXPECT_STREQ(lib.require<plugin_get_extract_event_sources_fn>("get_extract_event_sources")(),
               "[]");
  const auto fields = checkFieldsJson(lib.require<plugin_get_fields_fn>("get_fields")());
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_TRUE(fields[0].at("arg").at("isRequired").as_bool());
  EXPECT_TRUE(fields[0].at("arg").at("isKey").as_bool());
}

std::vector<FieldValue> jsonValue(const PluginLibrary& lib, ss_plugin_t* s,
                                  const std::vector<uint8_t>& e,
                                  const std::vector<std::string>& pointers) {
  std::vector<FieldRequest> reqs;
  for (const auto& p : pointers) reqs.push_back({0, "jsonx.value", FTYPE_STRING, false, p});
  reqs.push_back({1, "jsonx.raw", FTYPE_STRING});
  return extract(lib, s, asEvent(e), "any", reqs);
}

TEST(JsonxPlugin, ResolvesPointersInCounterEvents) {
  PluginLibrary counter("counter");
  PluginState cs(counter, "");
  const Capture c = drain(counter, cs.get(), "count=3,size=200");
  ASSERT_EQ(c.events.size(), 3u);

  PluginLibrary lib("jsonx");
  PluginState s(lib, "");
  ASSERT_EQ(s.rc(), SS_PLUGIN_SUCCESS);
  const auto v =
      jsonValue(lib, s.get(), c.events[1],
                {"/seq", "/msg", "/tags/1", "/tags", "/even", "/nope", "seq", "/tags/9"});
  EXPECT_EQ(v[0].strings, std::vector<std::string>{"1"});
  EXPECT_EQ(v[1].strings, std::vector<std::string>{"counter 1"});
  EXPECT_EQ(v[2].strings, std::vector<std::string>{"odd"});
  EXPECT_EQ(v[3].strings, std::vector<std::string>{R"(["counter","odd","mod3-1"])"});
  EXPECT_EQ(v[4].strings, std::vector<std::string>{"false"});
  EXPECT_EQ(v[5].count, 0u);
  EXPECT_EQ(v[6].count, 0u);  // no leading '/'
  EXPECT_EQ(v[7].count, 0u);
  EXPECT_EQ(v[8].strings, std::vector<std::string>{payloadOf(c.events[1])});
}

TEST(JsonxPlugin, FollowsRfc6901) {
  PluginLibrary lib("jsonx");
  PluginState s(lib, "");
  const auto e = pluginEvent(
      5,
      R"( {"a/b":1,"m~n":2,"":3,"arr":[10,20],"s":"x\"\u00e9\ud83d\ude00","n":null,"o":{"k":[{"z":true}]}} )");
  const auto v = jsonValue(lib, s.get(), e,
                           {"/a~1b", "/m~0n", "/", "/arr/1", "/arr/01", "/arr/-", "/s", "/n",
                            "/o/k/0/z", "", "/m~2n", "/o/k/0/z/deeper"});
  EXPECT_EQ(v[0].strings, std::vector<std::string>{"1"});
  EXPECT_EQ(v[1].strings, std::vector<std::string>{"2"});
  EXPECT_EQ(v[2].strings, std::vector<std::string>{"3"});
  EXPECT_EQ(v[3].strings, std::vector<std::string>{"20"});
  EXPECT_EQ(v[4].count, 0u);  // leading zero
  EXPECT_EQ(v[5].count, 0u);  // past-the-end index
  EXPECT_EQ(v[6].strings, std::vector<std::string>{"x\"\xc3\xa9\xf0\x9f\x98\x80"});
  EXPECT_EQ(v[7].strings, std::vector<std::string>{"null"});
  EXPECT_EQ(v[8].strings, std::vector<std::string>{"true"});
  ASSERT_EQ(v[9].count, 1u);  // "" is the whole document
  EXPECT_EQ(v[9].strings[0].front(), '{');
  EXPECT_EQ(v[10].count, 0u);  // bad escape
  EXPECT_EQ(v[11].count, 0u);
}

TEST(JsonxPlugin, LastDuplicateNameWins) {
  PluginLibrary lib("jsonx");
  PluginState s(lib, "");
  const auto v = jsonValue(lib, s.get(), pluginEvent(5, R"({"k":1,"o":{"k":3},"k":2})"), {"/k"});
  EXPECT_EQ(v[0].strings, std::vector<std::string>{"2"});
}

TEST(JsonxPlugin, GivesNoValueForNonJsonWithoutFailing) {
  PluginLibrary lib("jsonx");
  PluginState s(lib, "");
  const std::string deep = std::string(5000, '[') + std::string(5000, ']');
  for (const std::string& payload :
       {std::string("not json"), std::string("{\"a\":1} x"), std::string("{\"a\":\"\x01\"}"),
        std::string("\"\\ud800\""), std::string("{\"a\":01}"), std::string("{\"a\""), deep,
        std::string("\0{}", 3)}) {
    const auto e = pluginEvent(5, payload);
    const auto v = jsonValue(lib, s.get(), e, {"", "/a"});
    EXPECT_EQ(v[0].count, 0u) << payload.substr(0, 20);
    EXPECT_EQ(v[1].count, 0u);
    EXPECT_EQ(v[2].count, 1u);  // jsonx.raw has a value for any plugin event
  }
  // Not a plugin event at all (a syscall event code): nothing, not even raw.
  auto e = pluginEvent(5, "{}");
  const uint16_t openType = 2;
  std::memcpy(&e[20], &openType, 2);
  const auto v = jsonValue(lib, s.get(), e, {""});
  EXPECT_EQ(v[0].count, 0u);
  EXPECT_EQ(v[1].count, 0u);
  // A 322 event whose declared payload runs past `len`.
  auto bad = pluginEvent(5, "{}");
  const uint32_t tooLong = 1000;
  std::memcpy(&bad[30], &tooLong, 4);
  EXPECT_EQ(jsonValue(lib, s.get(), bad, {""})[1].count, 0u);
}

TEST(JsonxPlugin, SurvivesMutatedPayloads) {
  PluginLibrary lib("jsonx");
  PluginState s(lib, "");
  const std::string seed =
      R"({"a":[1,-2.5e3,true,false,null,"x\u00e9\n"],"b":{"c":{"d":"\ud83d\ude00"}},"e":""})";
  std::mt19937 rng(12345);  // fixed: a failure must reproduce
  const std::string alphabet = "{}[]\",:\\/u0123456789abcdefnrtlse.-+ \x01\xff";
  for (int i = 0; i < 3000; ++i) {
    std::string p = seed;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) {
      const size_t at = rng() % (p.size() + 1);
      switch (rng() % 3) {
        case 0:
          p.insert(p.begin() + static_cast<std::ptrdiff_t>(at), alphabet[rng() % alphabet.size()]);
          break;
        case 1:
          if (at < p.size()) p.erase(at, 1);
          break;
        default:
          if (at < p.size()) p[at] = alphabet[rng() % alphabet.size()];
          break;
      }
    }
    ss_plugin_rc rc = SS_PLUGIN_FAILURE;
    const auto e = pluginEvent(5, p);
    const auto v = extract(lib, s.get(), asEvent(e), "any",
                           {{0, "jsonx.value", FTYPE_STRING, false, "/b/c/d"},
                            {0, "jsonx.value", FTYPE_STRING, false, "/a/5"},
                            {1, "jsonx.raw", FTYPE_STRING}},
                           &rc);
    ASSERT_EQ(rc, SS_PLUGIN_SUCCESS) << p;
    ASSERT_EQ(v[2].count, 1u);
    // When the mutated text still parses, the values must agree with Boost.JSON.
    boost::json::error_code ec;
    const auto ref = boost::json::parse(p, ec);
    if (ec) continue;
    const auto* want = ref.find_pointer("/b/c/d", ec);
    if (want != nullptr && want->is_string()) {
      EXPECT_EQ(v[0].strings, std::vector<std::string>{std::string(want->as_string())}) << p;
    }
  }
}

TEST(AllPlugins, SeparateStatesRunConcurrently) {
  PluginLibrary counter("counter");
  PluginLibrary jsonx("jsonx");
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const std::string prefix = "t" + std::to_string(t);
      PluginState cs(counter, ("{\"prefix\":\"" + prefix + "\"}").c_str());
      PluginState js(jsonx, "");
      const Capture c = drain(counter, cs.get(), "count=500,batch=50");
      for (size_t i = 0; i < c.events.size(); ++i) {
        const auto a = extract(counter, cs.get(), asEvent(c.events[i]), "counter",
                               {{1, "counter.msg", FTYPE_STRING}});
        const auto b = extract(jsonx, js.get(), asEvent(c.events[i]), "counter",
                               {{0, "jsonx.value", FTYPE_STRING, false, "/msg"}});
        const std::string want = prefix + " " + std::to_string(i);
        if (a[0].strings != std::vector<std::string>{want} || b[0].strings != a[0].strings) {
          ++failures;
        }
      }
      if (c.events.size() != 500) ++failures;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

// ---------------------------------------------------------------- broken

constexpr const char* kRequiredSymbols[] = {"plugin_get_required_api_version",
                                            "plugin_get_version",
                                            "plugin_get_name",
                                            "plugin_get_description",
                                            "plugin_get_contact",
                                            "plugin_init",
                                            "plugin_destroy",
                                            "plugin_get_last_error"};

// Every required symbol but `except` is present.
void expectRequiredSymbols(const PluginLibrary& lib, std::string_view except = "") {
  for (const char* sym : kRequiredSymbols) {
    if (sym == except) {
      EXPECT_EQ(lib.raw(sym), nullptr) << sym;
    } else {
      EXPECT_NE(lib.raw(sym), nullptr) << lib.path() << " " << sym;
    }
  }
}

TEST(BrokenPlugins, MissingSymbolLacksOnlyGetContact) {
  PluginLibrary lib("broken_missing_symbol");
  expectRequiredSymbols(lib, "plugin_get_contact");
  checkFieldsJson(lib.require<plugin_get_fields_fn>("get_fields")());
  EXPECT_NE(lib.raw("plugin_extract_fields"), nullptr);
}

TEST(BrokenPlugins, ApiVersionsAreIncompatible) {
  PluginLibrary major("broken_api_major");
  PluginLibrary minor("broken_api_minor");
  expectRequiredSymbols(major);
  expectRequiredSymbols(minor);
  EXPECT_STREQ(major.require<plugin_get_required_api_version_fn>("get_required_api_version")(),
               "2.0.0");
  EXPECT_STREQ(minor.require<plugin_get_required_api_version_fn>("get_required_api_version")(),
               "3.99.0");
  checkFieldsJson(major.require<plugin_get_fields_fn>("get_fields")());
  checkFieldsJson(minor.require<plugin_get_fields_fn>("get_fields")());
}

TEST(BrokenPlugins, FieldsJsonIsMalformed) {
  PluginLibrary lib("broken_fields_json");
  expectRequiredSymbols(lib);
  boost::json::error_code ec;
  boost::json::parse(lib.require<plugin_get_fields_fn>("get_fields")(), ec);
  EXPECT_TRUE(ec);
  EXPECT_NE(lib.raw("plugin_extract_fields"), nullptr);
}

TEST(BrokenPlugins, CapsHaveExtractWithoutFields) {
  PluginLibrary lib("broken_caps");
  expectRequiredSymbols(lib);
  EXPECT_NE(lib.raw("plugin_extract_fields"), nullptr);
  EXPECT_EQ(lib.raw("plugin_get_fields"), nullptr);
  for (const char* sym : {"plugin_open", "plugin_close", "plugin_next_batch", "plugin_parse_event",
                          "plugin_get_async_events"}) {
    EXPECT_EQ(lib.raw(sym), nullptr) << sym;
  }
}

TEST(BrokenPlugins, DupSourceSharesCounterSourceWithAnotherId) {
  PluginLibrary lib("dup_source");
  expectRequiredSymbols(lib);
  EXPECT_EQ(lib.require<plugin_get_id_fn>("get_id")(), 1000u);
  EXPECT_STREQ(lib.require<plugin_get_event_source_fn>("get_event_source")(), "counter");
  PluginState s(lib, "");
  const Capture c = drain(lib, s.get(), "");
  ASSERT_EQ(c.events.size(), 3u);
  EXPECT_EQ(c.rcs.back(), SS_PLUGIN_EOF);
  EXPECT_EQ(at<uint32_t>(c.events[2], 34), 1000u);
  EXPECT_EQ(payloadOf(c.events[2]), R"({"seq":2})");
}

TEST(BrokenPlugins, DupIdReusesCounterId) {
  PluginLibrary lib("dup_id");
  expectRequiredSymbols(lib);
  EXPECT_EQ(lib.require<plugin_get_id_fn>("get_id")(), 999u);
  EXPECT_STREQ(lib.require<plugin_get_event_source_fn>("get_event_source")(), "dup_id");
  PluginState s(lib, "");
  EXPECT_EQ(drain(lib, s.get(), "").events.size(), 3u);
}

TEST(BrokenPlugins, DupFieldExportsCounterSeq) {
  PluginLibrary lib("dup_field");
  expectRequiredSymbols(lib);
  const auto fields = checkFieldsJson(lib.require<plugin_get_fields_fn>("get_fields")());
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0].at("name").as_string(), "counter.seq");
  EXPECT_STREQ(lib.require<plugin_get_extract_event_sources_fn>("get_extract_event_sources")(),
               R"(["counter"])");
  EXPECT_EQ(lib.raw("plugin_open"), nullptr);
  PluginState s(lib, "");
  const auto e = pluginEvent(999, R"({"seq":42,"msg":"x"})");
  const auto v = extract(lib, s.get(), asEvent(e), "counter", {{0, "counter.seq", FTYPE_UINT64}});
  EXPECT_EQ(v[0].u64s, std::vector<uint64_t>{42});
}

// ---------------------------------------------------------------- all

// Dynamic symbols a library defines, as nm reports them.
std::vector<std::string> definedDynamicSymbols(const std::string& path) {
  std::vector<std::string> out;
  const std::string cmd = "nm -D --defined-only --format=posix '" + path + "'";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char line[4096];
  while (std::fgets(line, sizeof line, p) != nullptr) {
    std::string s(line);
    out.push_back(s.substr(0, s.find(' ')));
  }
  EXPECT_EQ(pclose(p), 0) << cmd;
  return out;
}

TEST(AllPlugins, ExportOnlyPluginSymbols) {
  std::vector<std::string> names(std::begin(kAllPlugins), std::end(kAllPlugins));
  for (const char* standin : {"dummy", "json", "k8saudit", "okta", "cloudtrail"}) {
    if (std::filesystem::exists(pluginPath(std::string("standin_") + standin))) {
      names.push_back(std::string("standin_") + standin);
    }
  }
  for (const auto& name : names) {
    const auto syms = definedDynamicSymbols(pluginPath(name));
    EXPECT_FALSE(syms.empty()) << name;
    for (const auto& sym : syms) EXPECT_EQ(sym.rfind("plugin_", 0), 0u) << name << ": " << sym;
  }
}

}  // namespace
}  // namespace bulkhead::test_plugins
