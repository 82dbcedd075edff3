#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "tests/config/temp_config.h"

namespace bulkhead {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::TempConfigDir;

std::vector<std::string> names(const Config& config) {
  std::vector<std::string> out;
  for (const auto& p : config.plugins) out.push_back(p.name);
  return out;
}

TEST(ConfigFiles, PackagedContainerPluginPattern) {
  TempConfigDir dir;
  dir.write("config.d/falco.container_plugin.yaml",
            "load_plugins: [container]\n"
            "plugins:\n  - name: container\n    library_path: libcontainer.so\n");
  Config config = dir.load(
      "config_files: [config.d]\nload_plugins: []\n"
      "plugins:\n  - name: json\n    library_path: libjson.so\n");
  // load_plugins is a sequence in both files, so append gives [container].
  EXPECT_THAT(names(config), ElementsAre("container"));
  EXPECT_THAT(config.warnings, IsEmpty());
}

TEST(ConfigFiles, AppendAppendsSequencesAndReplacesOtherValues) {
  TempConfigDir dir;
  dir.write("extra.yaml",
            "rules_files: [/b.yaml]\njson_output: true\nstdout_output: {enabled: false}\n");
  Config config = dir.load(
      "config_files: [extra.yaml]\nrules_files: [/a.yaml]\njson_output: false\n"
      "stdout_output: {enabled: true}\n");
  EXPECT_THAT(config.rulesFiles, ElementsAre("/a.yaml", "/b.yaml"));
  EXPECT_TRUE(config.outputs.jsonOutput);
  EXPECT_FALSE(config.outputs.stdoutEnabled);
}

TEST(ConfigFiles, OverrideAndAddOnlyStrategies) {
  TempConfigDir dir;
  dir.write("o.yaml", "rules_files: [/b.yaml]\n");
  dir.write("add.yaml", "rules_files: [/c.yaml]\njson_output: true\n");
  Config config = dir.load(
      "config_files:\n  - {path: o.yaml, strategy: override}\n"
      "  - {path: add.yaml, strategy: add-only}\nrules_files: [/a.yaml]\n");
  EXPECT_THAT(config.rulesFiles, ElementsAre("/b.yaml"));
  EXPECT_TRUE(config.outputs.jsonOutput);
}

TEST(ConfigFiles, DirectoryFilesAreMergedInNameOrder) {
  TempConfigDir dir;
  dir.write("d/20.yaml", "rules_files: [/20.yaml]\n");
  dir.write("d/10.yaml", "rules_files: [/10.yaml]\n");
  Config config = dir.load("config_files: d\nrules_files: [/main.yaml]\n");
  EXPECT_THAT(config.rulesFiles, ElementsAre("/main.yaml", "/10.yaml", "/20.yaml"));
}

TEST(ConfigFiles, MissingPathWarnsAndIsSkipped) {
  TempConfigDir dir;
  Config config = dir.load("config_files:\n  - /nonexistent/config.d\nrules_files: [/a.yaml]\n");
  ASSERT_EQ(config.warnings.size(), 1u);
  EXPECT_EQ(config.warnings[0], dir.path() +
                                    ":2:5: config_files[0]: '/nonexistent/config.d' "
                                    "does not exist; skipped");
}

TEST(ConfigFiles, ErrorsInIncludedValuesNameTheIncludedFile) {
  TempConfigDir dir;
  std::string extra = dir.write("extra.yaml", "\njson_output: perhaps\n");
  EXPECT_EQ(dir.loadError("config_files: [extra.yaml]\njson_output: false\n"),
            extra + ":2:14: json_output: expected true or false, got 'perhaps'");

  std::string plugins =
      dir.write("plugins.yaml", "plugins:\n  - {name: b, library_path: ../b.so}\n");
  EXPECT_EQ(
      dir.loadError("config_files: [plugins.yaml]\nplugins:\n  - {name: a, library_path: a.so}\n"),
      plugins +
          ":2:29: plugins[1].library_path: plugin 'b': library_path '../b.so' leaves "
          "the plugins directory '" +
          dir.dir() +
          "' it is resolved in; put the library inside that directory (or set "
          "bulkhead.plugins_dir), or give an absolute path");
  // Entries that came from the main file keep pointing at it.
  EXPECT_THAT(dir.loadError("config_files: [plugins.yaml]\nplugins:\n  - {name: a}\n"),
              HasSubstr(dir.path() + ":3:5: plugins[0]: plugin 'a': no 'library_path'"));
}

TEST(ConfigFiles, SyntaxErrorAndShapeErrorsInIncludedFile) {
  TempConfigDir dir;
  std::string bad = dir.write("bad.yaml", "a: [\n");
  EXPECT_THAT(dir.loadError("config_files: [bad.yaml]\n"),
              HasSubstr(bad + ":2:1: YAML syntax error"));
  std::string list = dir.write("list.yaml", "- a\n");
  EXPECT_EQ(dir.loadError("config_files: [list.yaml]\n"),
            list + ":1:1: expected a map of settings at the top level, got a sequence");
  EXPECT_EQ(dir.loadError("config_files: [{path: list.yaml, strategy: merge}]\n"),
            dir.path() +
                ":1:44: config_files[0].strategy: 'merge' is not a merge strategy; use "
                "append, override or add-only");
  EXPECT_EQ(dir.loadError("config_files: [{strategy: append}]\n"),
            dir.path() +
                ":1:16: config_files[0]: config_files entry has no 'path'; add path: "
                "<file or dir>");
  EXPECT_EQ(dir.loadError("config_files: {a: b}\n"),
            dir.path() + ":1:15: config_files: expected a list of files or directories, got a map");
  EXPECT_EQ(dir.loadError("config_files: [falco.yaml]\n"),
            dir.path() + ":1:16: config_files[0]: includes the main configuration file itself");
}

TEST(ConfigFiles, NestedConfigFilesAreIgnoredWithAWarning) {
  TempConfigDir dir;
  std::string inner = dir.write("inner.yaml", "config_files: [other.yaml]\njson_output: true\n");
  Config config = dir.load("config_files: [inner.yaml]\n");
  EXPECT_TRUE(config.outputs.jsonOutput);
  ASSERT_EQ(config.warnings.size(), 1u);
  EXPECT_EQ(config.warnings[0],
            inner +
                ":1:1: config_files: ignored in an included file; list the file in the "
                "main configuration instead");
}

TEST(ConfigFiles, EmptyIncludedFileIsFine) {
  TempConfigDir dir;
  dir.write("empty.yaml", "");
  Config config = dir.load("config_files: [empty.yaml]\njson_output: true\n");
  EXPECT_TRUE(config.outputs.jsonOutput);
}

}  // namespace
}  // namespace bulkhead

namespace bulkhead {
namespace {

TEST(ConfigFiles, OverrideOfAWholeKeyForgetsWhereItsOldElementsCameFrom) {
  testing::TempConfigDir dir;
  dir.write("inc.yaml", "plugins:\n  - {name: b, library_path: b.so}\n");
  std::vector<std::string> overrides = {"plugins=[{name: c, library_path: ../c.so}]"};
  EXPECT_EQ(dir.loadError("config_files: [inc.yaml]\nplugins:\n  - {name: a, library_path: a.so}\n",
                          overrides),
            "-o 'plugins=[{name: c, library_path: ../c.so}]': plugins[0].library_path: plugin "
            "'c': library_path '../c.so' leaves the plugins directory '" +
                dir.dir() +
                "' it is resolved in; put the library inside that directory (or set "
                "bulkhead.plugins_dir), or give an absolute path");
}

}  // namespace
}  // namespace bulkhead
