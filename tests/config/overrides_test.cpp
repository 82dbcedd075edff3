#include "config/overrides.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/yaml_to_json.h"
#include "tests/config/temp_config.h"

namespace bulkhead {
namespace {

using ::testing::ElementsAre;
using testing::TempConfigDir;

std::string dump(const YAML::Node& node) { return yamlToJson(node); }

std::string overrideError(YAML::Node root, std::string_view override) {
  try {
    applyOverride(root, override);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ApplyOverride, SetsScalarsAndCreatesMaps) {
  YAML::Node root = YAML::Load("json_output: false\n");
  EXPECT_EQ(applyOverride(root, "json_output=true"), "json_output");
  EXPECT_EQ(applyOverride(root, "bulkhead.defaults.isolation=inprocess"),
            "bulkhead.defaults.isolation");
  EXPECT_EQ(dump(root),
            R"({"json_output":true,"bulkhead":{"defaults":{"isolation":"inprocess"}}})");
}

TEST(ApplyOverride, ValueIsYaml) {
  YAML::Node root = YAML::Load("{}");
  applyOverride(root, "load_plugins=[a, b]");
  applyOverride(root, "k=\"007\"");
  applyOverride(root, "e=");
  applyOverride(root, "eq=a=b");
  EXPECT_TRUE(root["load_plugins"].IsSequence());
  EXPECT_EQ(root["k"].Scalar(), "007");
  EXPECT_EQ(root["k"].Tag(), "!");
  EXPECT_TRUE(root["e"].IsScalar());
  EXPECT_EQ(root["e"].Scalar(), "");
  EXPECT_EQ(root["eq"].Scalar(), "a=b");
}

TEST(ApplyOverride, SequenceIndexAndAppend) {
  YAML::Node root = YAML::Load("plugins:\n  - {name: a, library_path: a.so}\n");
  EXPECT_EQ(applyOverride(root, "plugins[0].library_path=/x/a.so"), "plugins[0].library_path");
  EXPECT_EQ(applyOverride(root, "plugins[].name=b"), "plugins[1].name");
  EXPECT_EQ(applyOverride(root, "plugins[1].library_path=b.so"), "plugins[1].library_path");
  EXPECT_EQ(applyOverride(root, "load_plugins[]=b"), "load_plugins[0]");
  EXPECT_EQ(
      dump(root),
      R"({"plugins":[{"name":"a","library_path":"/x/a.so"},{"name":"b","library_path":"b.so"}],)"
      R"("load_plugins":["b"]})");
}

TEST(ApplyOverride, Errors) {
  YAML::Node root = YAML::Load("a: 1\nl: [x]\n");
  const std::string hint = "; write it as -o key.subkey=value (lists: key[0] or key[] to append)";
  EXPECT_EQ(overrideError(root, "json_output"), "-o 'json_output': missing '='" + hint);
  EXPECT_EQ(overrideError(root, "=1"), "-o '=1': empty key name at offset 0" + hint);
  EXPECT_EQ(overrideError(root, "a..b=1"), "-o 'a..b=1': empty key name at offset 2" + hint);
  EXPECT_EQ(overrideError(root, "a.b=1"), "-o 'a.b=1': 'a' is a string, not a map" + hint);
  EXPECT_EQ(overrideError(root, "l[5]=1"),
            "-o 'l[5]=1': index 5 is past the end of 'l' (1 elements)" + hint);
  EXPECT_EQ(overrideError(root, "l[x]=1"), "-o 'l[x]=1': list index 'x' is not a number" + hint);
  EXPECT_EQ(overrideError(root, "l[0=1"), "-o 'l[0=1': missing ']'" + hint);
  EXPECT_EQ(overrideError(root, "a[0]=1"), "-o 'a[0]=1': 'a' is a string, not a list" + hint);
  EXPECT_EQ(overrideError(root, "l]=1"), "-o 'l]=1': unexpected ']'" + hint);
  EXPECT_EQ(overrideError(root, "k=[unclosed"),
            "-o 'k=[unclosed': value is not valid YAML (end of sequence flow not found)" + hint);
  YAML::Node dup = YAML::Load("a: 1\na: 2\n");
  EXPECT_EQ(overrideError(dup, "a=3"), "-o 'a=3': key 'a' appears twice in the file" + hint);
}

TEST(LoadWithOverrides, OverridesApplyBeforeInterpretation) {
  TempConfigDir dir;
  std::vector<std::string> overrides = {"json_output=true", "load_plugins=[b]",
                                        "bulkhead.defaults.isolation=inprocess",
                                        "plugins[1].open_params= x "};
  Config config = dir.load(
      "json_output: false\nplugins:\n  - {name: a, library_path: a.so}\n"
      "  - {name: b, library_path: b.so}\n",
      overrides);
  EXPECT_TRUE(config.outputs.jsonOutput);
  ASSERT_EQ(config.plugins.size(), 1u);
  EXPECT_EQ(config.plugins[0].name, "b");
  EXPECT_EQ(config.plugins[0].openParams, "x");
  EXPECT_EQ(config.plugins[0].isolation.mode, IsolationMode::kInProcess);
}

TEST(LoadWithOverrides, ErrorsInOverriddenValuesNameTheOverride) {
  TempConfigDir dir;
  std::vector<std::string> overrides = {"json_output=maybe"};
  EXPECT_EQ(dir.loadError("json_output: false\n", overrides),
            "-o 'json_output=maybe': json_output: expected true or false, got 'maybe'");
  std::vector<std::string> plugin = {"plugins[0].library_path=../x.so"};
  EXPECT_EQ(dir.loadError("plugins:\n  - {name: a, library_path: a.so}\n", plugin),
            "-o 'plugins[0].library_path=../x.so': plugins[0].library_path: plugin 'a': "
            "library_path '../x.so' leaves the plugins directory '" +
                dir.dir() +
                "' it is resolved in; put the library inside that directory (or set "
                "bulkhead.plugins_dir), or give an absolute path");
  // Values the override did not touch still point into the file.
  std::vector<std::string> valid = {"plugins[0].library_path=b.so"};
  EXPECT_EQ(dir.loadError("plugins:\n  - {name: a, library_path: a.so, open_params: [x]}\n", valid),
            dir.path() +
                ":2:48: plugins[0].open_params: plugin 'a': open_params must be a "
                "string, got a sequence; quote it");
}

}  // namespace
}  // namespace bulkhead
