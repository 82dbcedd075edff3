// Stand-in plugins answer what the real plugins answer (compared with the
// schema files they were generated from) and turn JSON-lines files into events.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/plugins/plugin_library.h"
#include "tests/plugins/smoke_helpers.h"

namespace bulkhead::test_plugins {
namespace {

namespace fs = std::filesystem;

std::vector<boost::json::object> loadSchemas() {
  std::vector<boost::json::object> out;
  const std::string dir = BULKHEAD_STANDIN_SCHEMA_DIR;
  if (dir.empty()) return out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    out.push_back(boost::json::parse(text.str()).as_object());
  }
  return out;
}

std::string str(const boost::json::value& v) { return std::string(v.as_string()); }

// A scratch JSON-lines file, removed on scope exit.
class EventFile {
 public:
  explicit EventFile(const std::vector<std::string>& lines) {
    char tmpl[] = "/tmp/bulkhead_standin_XXXXXX";
    const int fd = mkstemp(tmpl);
    EXPECT_GE(fd, 0);
    close(fd);
    path_ = tmpl;
    std::ofstream out(path_);
    for (const auto& l : lines) out << l << "\n";
  }
  ~EventFile() { fs::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class StandinPlugins : public ::testing::Test {
 protected:
  void SetUp() override {
    schemas_ = loadSchemas();
    if (schemas_.empty()) GTEST_SKIP() << "no plugin schemas configured";
  }
  const boost::json::object& schema(const std::string& name) {
    for (const auto& s : schemas_) {
      if (s.at("name").as_string() == name) return s;
    }
    throw std::runtime_error("no schema named " + name);
  }
  std::vector<boost::json::object> schemas_;
};

TEST_F(StandinPlugins, AnswerTheRealPluginsInfo) {
  for (const auto& s : schemas_) {
    const std::string name = str(s.at("name"));
    SCOPED_TRACE(name);
    PluginLibrary lib("standin_" + name);
    EXPECT_EQ(lib.require<plugin_get_name_fn>("get_name")(), name);
    EXPECT_EQ(lib.require<plugin_get_version_fn>("get_version")(), str(s.at("version")));
    EXPECT_EQ(lib.require<plugin_get_required_api_version_fn>("get_required_api_version")(),
              str(s.at("required_api_version")));
    const auto id = s.at("id").to_number<uint32_t>();
    if (id == 0) {
      EXPECT_EQ(lib.raw("plugin_get_id"), nullptr);
      EXPECT_EQ(lib.raw("plugin_open"), nullptr);
    } else {
      EXPECT_EQ(lib.require<plugin_get_id_fn>("get_id")(), id);
      EXPECT_EQ(lib.require<plugin_get_event_source_fn>("get_event_source")(),
                str(s.at("event_source")));
      EXPECT_NE(lib.raw("plugin_next_batch"), nullptr);
    }
    const char* fields = lib.require<plugin_get_fields_fn>("get_fields")();
    EXPECT_EQ(boost::json::parse(fields), s.at("fields"));
    EXPECT_EQ(boost::json::parse(
                  lib.require<plugin_get_extract_event_sources_fn>("get_extract_event_sources")()),
              s.at("extract_event_sources"));
    PluginState state(lib, "");
    EXPECT_EQ(state.rc(), SS_PLUGIN_SUCCESS) << state.lastError();
  }
}

// Field id and type of `field` in the schema.
FieldRequest request(const boost::json::object& schema, const std::string& field,
                     std::optional<std::string> key = std::nullopt,
                     std::optional<uint64_t> index = std::nullopt) {
  const auto& fields = schema.at("fields").as_array();
  for (size_t i = 0; i < fields.size(); ++i) {
    const auto& f = fields[i].as_object();
    if (f.at("name").as_string() == field) {
      return FieldRequest(static_cast<uint32_t>(i), field, fieldTypeCode(str(f.at("type"))),
                          f.at("isList").as_bool(), std::move(key), index);
    }
  }
  throw std::runtime_error("no field " + field);
}

TEST_F(StandinPlugins, DummyReplaysAFileAndExtractsTypedValues) {
  const auto& s = schema("dummy");
  PluginLibrary lib("standin_dummy");
  PluginState state(lib, R"({"jitter":10})");
  ASSERT_EQ(state.rc(), SS_PLUGIN_SUCCESS);
  std::vector<std::string> lines;
  for (int i = 0; i < 100; ++i) {
    lines.push_back(R"({"dummy.value":)" + std::to_string(i) + R"(,"dummy.strvalue":"v)" +
                    std::to_string(i) + R"(","dummy.divisible[3]":)" + (i % 3 == 0 ? "1" : "0") +
                    "}");
  }
  lines.insert(lines.begin() + 50, "   ");  // blank lines carry no event
  const EventFile file(lines);
  const Capture c = drain(lib, state.get(), file.path().c_str());
  ASSERT_TRUE(c.openError.empty()) << c.openError;
  ASSERT_EQ(c.events.size(), 100u);
  EXPECT_EQ(c.batchSizes, (std::vector<uint32_t>{64, 36, 0}));
  EXPECT_EQ(c.rcs.back(), SS_PLUGIN_EOF);
  const std::vector<FieldRequest> reqs = {request(s, "dummy.value"), request(s, "dummy.strvalue"),
                                          request(s, "dummy.divisible", "3", 3),
                                          request(s, "dummy.divisible", "4", 4)};
  for (uint64_t i = 0; i < 100; ++i) {
    const auto& e = c.events[i];
    EXPECT_EQ(at<uint32_t>(e, 34), 3u);  // dummy's id
    EXPECT_EQ(payloadOf(e), lines[i < 50 ? i : i + 1]);
    const auto v = extract(lib, state.get(), asEvent(e), "dummy", reqs);
    EXPECT_EQ(v[0].u64s, std::vector<uint64_t>{i});
    EXPECT_EQ(v[1].strings, std::vector<std::string>{"v" + std::to_string(i)});
    EXPECT_EQ(v[2].u64s, std::vector<uint64_t>{i % 3 == 0 ? 1u : 0u});
    EXPECT_EQ(v[3].count, 0u);
  }
}

TEST_F(StandinPlugins, K8sAuditHandlesListsIndexesAndKeys) {
  const auto& s = schema("k8saudit");
  PluginLibrary lib("standin_k8saudit");
  PluginState state(lib, "");
  const EventFile file({R"({"ka.user.name":"alice","ka.user.groups":["dev","ops"],)"
                        R"("ka.req.pod.containers.image":["nginx:1","redis:7"],)"
                        R"("ka.uri.param[pretty]":"true","ka.response.code":403})"});
  const Capture c = drain(lib, state.get(), file.path().c_str());
  ASSERT_EQ(c.events.size(), 1u);
  const auto v = extract(
      lib, state.get(), asEvent(c.events[0]), "k8s_audit",
      {request(s, "ka.user.name"), request(s, "ka.user.groups"),
       request(s, "ka.req.pod.containers.image"), request(s, "ka.req.pod.containers.image", "1", 1),
       request(s, "ka.req.pod.containers.image", "2", 2), request(s, "ka.uri.param", "pretty"),
       request(s, "ka.uri.param", "watch"), request(s, "ka.response.code"), request(s, "ka.verb")});
  EXPECT_EQ(v[0].strings, std::vector<std::string>{"alice"});
  EXPECT_EQ(v[1].strings, (std::vector<std::string>{"dev", "ops"}));
  EXPECT_EQ(v[2].strings, (std::vector<std::string>{"nginx:1", "redis:7"}));
  EXPECT_EQ(v[3].strings, std::vector<std::string>{"redis:7"});
  EXPECT_EQ(v[4].count, 0u);
  EXPECT_EQ(v[5].strings, std::vector<std::string>{"true"});
  EXPECT_EQ(v[6].count, 0u);
  EXPECT_EQ(v[7].strings, std::vector<std::string>{"403"});  // a string field keeps JSON text
  EXPECT_EQ(v[8].count, 0u);
}

TEST_F(StandinPlugins, OpenParamsNameTheEventFile) {
  PluginLibrary lib("standin_okta");
  PluginState state(lib, "");
  const Capture empty = drain(lib, state.get(), "  ");
  ASSERT_TRUE(empty.openError.empty()) << empty.openError;
  EXPECT_TRUE(empty.events.empty());
  EXPECT_EQ(empty.rcs, std::vector<ss_plugin_rc>{SS_PLUGIN_EOF});
  const Capture missing = drain(lib, state.get(), "/nonexistent/bulkhead/events.jsonl");
  EXPECT_EQ(missing.openError,
            "standin_okta: cannot open event file '/nonexistent/bulkhead/events.jsonl': "
            "No such file or directory");
}

TEST_F(StandinPlugins, WrongTypesAndNonObjectsGiveNoValue) {
  const auto& s = schema("dummy");
  PluginLibrary lib("standin_dummy");
  PluginState state(lib, "");
  for (const char* payload :
       {R"({"dummy.value":-1})", R"({"dummy.value":1.5})", R"({"dummy.value":"12x"})",
        R"({"dummy.value":null})", R"({"dummy.value":[1]})", "[1,2]", "not json", ""}) {
    const auto v = extract(lib, state.get(), asEvent(pluginEvent(3, payload)), "dummy",
                           {request(s, "dummy.value")});
    EXPECT_EQ(v[0].count, 0u) << payload;
  }
  const auto v = extract(lib, state.get(), asEvent(pluginEvent(3, R"({"dummy.value":"17"})")),
                         "dummy", {request(s, "dummy.value")});
  EXPECT_EQ(v[0].u64s, std::vector<uint64_t>{17});
}

TEST_F(StandinPlugins, JsonIsAnExtractorOnly) {
  const auto& s = schema("json");
  PluginLibrary lib("standin_json");
  PluginState state(lib, "");
  const auto e = pluginEvent(999, R"({"json.obj":{"a":[1, 2]},"json.value[/a]":"x"})");
  const auto v = extract(lib, state.get(), asEvent(e), "counter",
                         {request(s, "json.obj"), request(s, "json.value", "/a")});
  EXPECT_EQ(v[0].strings, std::vector<std::string>{R"({"a":[1, 2]})"});
  EXPECT_EQ(v[1].strings, std::vector<std::string>{"x"});
}

}  // namespace
}  // namespace bulkhead::test_plugins
