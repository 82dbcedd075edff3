#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

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

constexpr const char* kThreePlugins = R"(plugins:
  - name: k8saudit
    library_path: libk8saudit.so
  - name: cloudtrail
    library_path: libcloudtrail.so
  - name: json
    library_path: libjson.so
)";

TEST(LoadPlugins, AbsentLoadsEveryEntryInListOrder) {
  TempConfigDir dir;
  Config config = dir.load(kThreePlugins);
  EXPECT_THAT(names(config), ElementsAre("k8saudit", "cloudtrail", "json"));
  EXPECT_THAT(config.warnings, IsEmpty());
}

TEST(LoadPlugins, PresentLoadsListedNamesInLoadPluginsOrder) {
  TempConfigDir dir;
  Config config = dir.load(std::string(kThreePlugins) + "load_plugins: [json, k8saudit]\n");
  EXPECT_THAT(names(config), ElementsAre("json", "k8saudit"));
}

TEST(LoadPlugins, EmptyListLoadsNothing) {
  TempConfigDir dir;
  Config config = dir.load(std::string(kThreePlugins) + "load_plugins: []\n");
  EXPECT_THAT(config.plugins, IsEmpty());
  EXPECT_THAT(config.warnings, IsEmpty());
}

TEST(LoadPlugins, NullLoadsNothingWithAWarning) {
  TempConfigDir dir;
  Config config = dir.load(std::string(kThreePlugins) + "load_plugins:\n");
  EXPECT_THAT(config.plugins, IsEmpty());
  ASSERT_EQ(config.warnings.size(), 1u);
  EXPECT_THAT(config.warnings[0], HasSubstr("load_plugins: empty value"));
}

TEST(LoadPlugins, UnknownNameIsAnErrorWithLocation) {
  TempConfigDir dir;
  std::string error = dir.loadError(std::string(kThreePlugins) + "load_plugins: [json, nope]\n");
  EXPECT_EQ(error, dir.path() +
                       ":8:22: load_plugins[1]: cannot load plugin 'nope': plugin config not "
                       "found for given name; add a plugins entry named 'nope' or remove it "
                       "from load_plugins");
}

TEST(LoadPlugins, DuplicateNameIsLoadedOnceWithAWarning) {
  TempConfigDir dir;
  Config config = dir.load(std::string(kThreePlugins) + "load_plugins: [json, json]\n");
  EXPECT_THAT(names(config), ElementsAre("json"));
  ASSERT_EQ(config.warnings.size(), 1u);
  EXPECT_THAT(config.warnings[0],
              HasSubstr(":8:22: load_plugins[1]: plugin 'json' is listed twice"));
}

TEST(LoadPlugins, MustBeAList) {
  TempConfigDir dir;
  EXPECT_EQ(dir.loadError(std::string(kThreePlugins) + "load_plugins: {a: b}\n"),
            dir.path() +
                ":8:15: load_plugins: expected a list of plugin names such as "
                "[k8saudit, json], got a map");
}

TEST(Plugins, DuplicateNamesAreAnError) {
  TempConfigDir dir;
  std::string error = dir.loadError(R"(plugins:
  - name: json
    library_path: libjson.so
  - name: json
    library_path: other.so
)");
  EXPECT_EQ(error, dir.path() +
                       ":4:5: plugins[1]: plugin name 'json' is already used by the entry at " +
                       dir.path() + ":2:5; plugin names must be unique, rename or remove one");
}

TEST(Plugins, RelativeLibraryPathIsResolvedUnderTheConfigDirectory) {
  TempConfigDir dir;
  Config config = dir.load("plugins:\n  - name: a\n    library_path: sub/./x/../liba.so\n");
  ASSERT_EQ(config.plugins.size(), 1u);
  EXPECT_EQ(config.pluginsDir, dir.dir());
  EXPECT_EQ(config.plugins[0].libraryPath, dir.dir() + "/sub/liba.so");
  EXPECT_EQ(config.plugins[0].location, dir.path() + ":2:5");
}

TEST(Plugins, PluginsDirKeyChangesTheBase) {
  TempConfigDir dir;
  Config config = dir.load(
      "bulkhead: {plugins_dir: /usr/share/falco/plugins/}\n"
      "plugins:\n  - name: a\n    library_path: liba.so\n");
  EXPECT_EQ(config.pluginsDir, "/usr/share/falco/plugins");
  EXPECT_EQ(config.plugins[0].libraryPath, "/usr/share/falco/plugins/liba.so");

  Config relative = dir.load(
      "bulkhead: {plugins_dir: plugins}\nplugins:\n  - name: a\n    library_path: liba.so\n");
  EXPECT_EQ(relative.plugins[0].libraryPath, dir.dir() + "/plugins/liba.so");
}

TEST(Plugins, AbsoluteLibraryPathIsKeptNormalised) {
  TempConfigDir dir;
  Config config = dir.load("plugins:\n  - name: a\n    library_path: /opt/x/../lib/liba.so\n");
  EXPECT_EQ(config.plugins[0].libraryPath, "/opt/lib/liba.so");
}

TEST(Plugins, LibraryPathMayNotEscapeThePluginsDir) {
  TempConfigDir dir;
  for (std::string escape : {"../liba.so", "a/../../liba.so", "./../../../etc/x.so", "..", "."}) {
    std::string error = dir.loadError(
        "bulkhead: {plugins_dir: /srv/plugins}\nplugins:\n  - name: evil\n    library_path: '" +
        escape + "'\n");
    EXPECT_EQ(error, dir.path() + ":4:19: plugins[0].library_path: plugin 'evil': library_path '" +
                         escape +
                         "' leaves the plugins directory '/srv/plugins' it is resolved in; put "
                         "the library inside that directory (or set bulkhead.plugins_dir), or "
                         "give an absolute path")
        << escape;
  }
}

TEST(Plugins, DotDotThatStaysInsideIsAccepted) {
  TempConfigDir dir;
  Config config = dir.load(
      "bulkhead: {plugins_dir: /srv/plugins}\n"
      "plugins:\n  - name: a\n    library_path: x/../y/liba.so\n");
  EXPECT_EQ(config.plugins[0].libraryPath, "/srv/plugins/y/liba.so");
}

TEST(Plugins, InitConfigForms) {
  TempConfigDir dir;
  Config config = dir.load(R"(plugins:
  - name: str
    library_path: a.so
    init_config: '{"maxEventSize": 262144}'
  - name: map
    library_path: b.so
    init_config:
      maxEventSize: 262144
      sslCertificate: /etc/falco/falco.pem
      verbose: true
      tag: "0123"
      nested: {list: [a, 1, null]}
  - name: seq
    library_path: c.so
    init_config: [1, two]
  - name: none
    library_path: d.so
    init_config:
  - name: absent
    library_path: e.so
  - name: plain
    library_path: f.so
    init_config: 5
)");
  ASSERT_EQ(config.plugins.size(), 6u);
  EXPECT_EQ(config.plugins[0].initConfig, R"({"maxEventSize": 262144})");
  EXPECT_EQ(config.plugins[1].initConfig,
            R"({"maxEventSize":262144,"sslCertificate":"/etc/falco/falco.pem","verbose":true,)"
            R"("tag":"0123","nested":{"list":["a",1,null]}})");
  EXPECT_EQ(config.plugins[2].initConfig, R"([1,"two"])");
  EXPECT_EQ(config.plugins[3].initConfig, "");
  EXPECT_EQ(config.plugins[4].initConfig, "");
  EXPECT_EQ(config.plugins[5].initConfig, "5");
}

TEST(Plugins, InitConfigThatCannotBeJsonNamesThePlugin) {
  TempConfigDir dir;
  std::string error = dir.loadError(
      "plugins:\n  - name: k\n    library_path: a.so\n    init_config:\n      ? [x]\n      : 1\n");
  EXPECT_EQ(error, dir.path() +
                       ":5:9: plugins[0].init_config: plugin 'k': cannot turn init_config into "
                       "JSON: a map key must be a string to become a JSON object key; simplify "
                       "it or give it as a JSON string");
}

TEST(Plugins, OpenParamsAreTrimmed) {
  TempConfigDir dir;
  Config config = dir.load(
      "plugins:\n  - name: k\n    library_path: a.so\n    open_params: \"  http://:9765/k8s-audit "
      "\\t\\n\"\n");
  EXPECT_EQ(config.plugins[0].openParams, "http://:9765/k8s-audit");
}

TEST(Plugins, OpenParamsMustBeAString) {
  TempConfigDir dir;
  EXPECT_EQ(dir.loadError("plugins:\n  - name: k\n    library_path: a.so\n    open_params: [a]\n"),
            dir.path() +
                ":4:18: plugins[0].open_params: plugin 'k': open_params must be a "
                "string, got a sequence; quote it");
}

TEST(Plugins, MissingNameOrLibraryPath) {
  TempConfigDir dir;
  EXPECT_EQ(dir.loadError("plugins:\n  - library_path: a.so\n"),
            dir.path() + ":2:5: plugins[0]: plugin entry has no 'name'; add name: <plugin name>");
  EXPECT_EQ(dir.loadError("plugins:\n  - name: k\n"),
            dir.path() +
                ":2:5: plugins[0]: plugin 'k': no 'library_path'; add library_path: "
                "lib<name>.so");
  EXPECT_EQ(dir.loadError("plugins:\n  - name: k\n    library_path: ''\n"),
            dir.path() + ":3:19: plugins[0].library_path: plugin 'k': library_path is empty");
  EXPECT_EQ(dir.loadError("plugins:\n  - name: ''\n    library_path: a.so\n"),
            dir.path() + ":2:11: plugins[0].name: must not be empty");
}

TEST(Plugins, WrongShapes) {
  TempConfigDir dir;
  EXPECT_EQ(
      dir.loadError("plugins: {name: x}\n"),
      dir.path() + ":1:10: plugins: expected a list of plugin entries (- name: ...), got a map");
  EXPECT_EQ(dir.loadError("plugins:\n  - just-a-string\n"),
            dir.path() +
                ":2:5: plugins[0]: expected a plugin entry {name, library_path, "
                "init_config, open_params}, got a string");
  EXPECT_EQ(dir.loadError("plugins:\n  - name: [a]\n    library_path: a.so\n"),
            dir.path() + ":2:11: plugins[0].name: expected a string, got a sequence");
  EXPECT_EQ(dir.loadError("plugins:\n  - name: \"a\\nb\"\n    library_path: a.so\n"),
            dir.path() + ":2:11: plugins[0].name: plugin name contains a control character");
  EXPECT_EQ(dir.loadError("plugins:\n  - name: a\n    library_path: \"a\\0.so\"\n"),
            dir.path() +
                ":3:19: plugins[0].library_path: plugin 'a': library_path contains a "
                "control character");
}

TEST(Plugins, UnknownKeyInEntryWarnsWithLine) {
  TempConfigDir dir;
  Config config = dir.load("plugins:\n  - name: a\n    library_path: a.so\n    libary: x\n");
  ASSERT_EQ(config.warnings.size(), 1u);
  EXPECT_EQ(config.warnings[0],
            dir.path() + ":4:5: plugins[0].libary: unknown key, ignored (misspelled?)");
}

TEST(Plugins, DuplicateKeyInEntryIsAnError) {
  TempConfigDir dir;
  EXPECT_EQ(dir.loadError("plugins:\n  - name: a\n    name: b\n    library_path: a.so\n"),
            dir.path() +
                ":3:5: plugins[0].name: key given twice (first at line 2); remove one "
                "of them");
}

TEST(RulesFiles, ListStringAndBothSpellings) {
  TempConfigDir dir;
  Config list = dir.load("rules_files:\n  - /etc/falco/falco_rules.yaml\n  - rules.d\n");
  EXPECT_THAT(list.rulesFiles, ElementsAre("/etc/falco/falco_rules.yaml", dir.dir() + "/rules.d"));
  Config single = dir.load("rules_file: /etc/falco/falco_rules.yaml\n");
  EXPECT_THAT(single.rulesFiles, ElementsAre("/etc/falco/falco_rules.yaml"));
  Config none = dir.load("json_output: false\n");
  EXPECT_THAT(none.rulesFiles, IsEmpty());
}

TEST(RulesFiles, BothSpellingsAtOnceIsAnError) {
  TempConfigDir dir;
  EXPECT_EQ(dir.loadError("rules_files: [a]\nrules_file: b\n"),
            dir.path() +
                ":2:1: rules_file: both rules_file and rules_files are set (rules_files "
                "at " +
                dir.path() + ":1:1); keep only rules_files");
}

TEST(RulesFiles, WrongTypes) {
  TempConfigDir dir;
  EXPECT_EQ(dir.loadError("rules_files: {a: b}\n"),
            dir.path() + ":1:14: rules_files: expected a string or a list of strings, got a map");
  EXPECT_EQ(dir.loadError("rules_files:\n  - a\n  - [b]\n"),
            dir.path() + ":3:5: rules_files[1]: expected a string, got a sequence");
  EXPECT_EQ(dir.loadError("rules_files:\n  - ''\n"),
            dir.path() + ":2:5: rules_files[0]: empty rules file path; remove it");
}

TEST(Outputs, FalcoDefaults) {
  TempConfigDir dir;
  Config config = dir.load("plugins: []\n");
  EXPECT_FALSE(config.outputs.jsonOutput);
  EXPECT_TRUE(config.outputs.jsonIncludeOutputProperty);
  EXPECT_TRUE(config.outputs.jsonIncludeTagsProperty);
  EXPECT_TRUE(config.outputs.stdoutEnabled);
  EXPECT_FALSE(config.outputs.file.enabled);
  EXPECT_FALSE(config.outputs.file.keepAlive);
  EXPECT_EQ(config.outputs.file.filename, "");
  EXPECT_EQ(config.outputs.minimumPriority, Priority::kDebug);
  EXPECT_EQ(config.runnerPath, "");
}

TEST(Outputs, AllKeysRead) {
  TempConfigDir dir;
  Config config = dir.load(R"(json_output: true
json_include_output_property: false
json_include_tags_property: no
stdout_output: {enabled: false}
file_output:
  enabled: true
  keep_alive: true
  filename: ./events.txt
priority: Warning
)");
  EXPECT_TRUE(config.outputs.jsonOutput);
  EXPECT_FALSE(config.outputs.jsonIncludeOutputProperty);
  EXPECT_FALSE(config.outputs.jsonIncludeTagsProperty);
  EXPECT_FALSE(config.outputs.stdoutEnabled);
  EXPECT_TRUE(config.outputs.file.enabled);
  EXPECT_TRUE(config.outputs.file.keepAlive);
  EXPECT_EQ(config.outputs.file.filename, dir.dir() + "/events.txt");
  EXPECT_EQ(config.outputs.minimumPriority, Priority::kWarning);
}

TEST(Outputs, Errors) {
  TempConfigDir dir;
  EXPECT_EQ(dir.loadError("json_output: maybe\n"),
            dir.path() + ":1:14: json_output: expected true or false, got 'maybe'");
  EXPECT_EQ(dir.loadError("stdout_output: true\n"),
            dir.path() + ":1:16: stdout_output: expected a map of settings, got a string");
  EXPECT_EQ(dir.loadError("stdout_output:\n  enabled: [x]\n"),
            dir.path() + ":2:12: stdout_output.enabled: expected true or false, got a sequence");
  EXPECT_EQ(dir.loadError("file_output:\n  enabled: true\n"),
            dir.path() +
                ":2:3: file_output.filename: file_output is enabled but has no "
                "filename; set file_output.filename");
  EXPECT_EQ(dir.loadError("priority: loud\n"),
            dir.path() +
                ":1:11: priority: 'loud' is not a priority; use one of emergency, "
                "alert, critical, error, warning, notice, informational (info), debug");
}

TEST(RuleMatching, FirstByDefaultAsFalco) {
  TempConfigDir dir;
  Config config = dir.load("plugins: []\n");
  EXPECT_EQ(config.ruleMatching, RuleMatching::kFirst);
  EXPECT_TRUE(config.warnings.empty());
}

TEST(RuleMatching, ReadsFirstAndAllWithoutWarning) {
  TempConfigDir dir;
  Config all = dir.load("rule_matching: all\n");
  EXPECT_EQ(all.ruleMatching, RuleMatching::kAll);
  EXPECT_TRUE(all.warnings.empty());
  Config first = dir.load("rule_matching: first\n");
  EXPECT_EQ(first.ruleMatching, RuleMatching::kFirst);
  EXPECT_TRUE(first.warnings.empty());
}

TEST(RuleMatching, OtherValuesAreErrorsWithTheirPosition) {
  TempConfigDir dir;
  EXPECT_EQ(
      dir.loadError("json_output: false\nrule_matching: any\n"),
      dir.path() + ":2:16: rule_matching: 'any' is not a rule matching mode; use first or all");
  EXPECT_EQ(dir.loadError("rule_matching: [first]\n"),
            dir.path() + ":1:16: rule_matching: expected a string, got a sequence");
}

TEST(Priority, ParsesEveryNameAndAlias) {
  EXPECT_EQ(parsePriority("EMERGENCY"), Priority::kEmergency);
  EXPECT_EQ(parsePriority("alert"), Priority::kAlert);
  EXPECT_EQ(parsePriority("Critical"), Priority::kCritical);
  EXPECT_EQ(parsePriority("error"), Priority::kError);
  EXPECT_EQ(parsePriority("warning"), Priority::kWarning);
  EXPECT_EQ(parsePriority("notice"), Priority::kNotice);
  EXPECT_EQ(parsePriority("info"), Priority::kInformational);
  EXPECT_EQ(parsePriority("informational"), Priority::kInformational);
  EXPECT_EQ(parsePriority("debug"), Priority::kDebug);
  EXPECT_EQ(parsePriority("warn"), std::nullopt);
  EXPECT_EQ(priorityName(Priority::kNotice), "Notice");
}

TEST(TopLevel, UnknownKeysWarnAndFalcoKeysAreSummarised) {
  TempConfigDir dir;
  Config config =
      dir.load("json_outptu: true\ngrpc_output: {enabled: true}\nlibs_logger: {enabled: true}\n");
  ASSERT_EQ(config.warnings.size(), 2u);
  EXPECT_EQ(config.warnings[0],
            dir.path() + ":1:1: json_outptu: unknown key, ignored (misspelled?)");
  EXPECT_EQ(config.warnings[1],
            dir.path() +
                ": Falco settings that bulkhead does not implement are ignored: "
                "grpc_output (" +
                dir.path() + ":2:1), libs_logger (" + dir.path() + ":3:1)");
}

TEST(TopLevel, WarningsAreAlsoLogged) {
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(16);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
  TempConfigDir dir;
  Config config = dir.load("json_outptu: true\n");
  spdlog::set_default_logger(previous);
  ASSERT_EQ(config.warnings.size(), 1u);
  std::vector<std::string> logged = sink->last_formatted();
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_THAT(logged[0], HasSubstr("[warning] " + config.warnings[0]));
}

TEST(TopLevel, FileProblems) {
  TempConfigDir dir;
  std::string missing = dir.path("absent.yaml");
  try {
    loadConfig(missing);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), missing + ": configuration file not found; check the path");
  }
  try {
    loadConfig(dir.dir());
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), dir.dir() + ": is a directory, not a configuration file");
  }
  EXPECT_EQ(dir.loadError(""), dir.path() +
                                   ": the configuration file is empty; expected a map of "
                                   "settings such as 'plugins:' and 'rules_files:'");
  EXPECT_EQ(dir.loadError("# only a comment\n"), dir.loadError(""));
  EXPECT_EQ(dir.loadError("- a\n- b\n"),
            dir.path() + ":1:1: expected a map of settings at the top level, got a sequence");
  EXPECT_EQ(dir.loadError("just text\n"),
            dir.path() + ":1:1: expected a map of settings at the top level, got a string");
  EXPECT_THAT(dir.loadError("plugins: [\n"), HasSubstr(dir.path() + ":2:1: YAML syntax error: "));
  EXPECT_EQ(dir.loadError("a: b\n c: d\n  e"),
            dir.path() + ":2:3: YAML syntax error: illegal map value; fix the YAML at that place");
}

TEST(TopLevel, UnreadableFile) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  TempConfigDir dir;
  std::string path = dir.write("falco.yaml", "plugins: []\n");
  std::filesystem::permissions(path, std::filesystem::perms::none);
  try {
    loadConfig(path);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), path +
                                         ": cannot open configuration file: Permission "
                                         "denied; check the path and its permissions");
  }
}

TEST(TopLevel, OpenFailureNamesTheReason) {
  TempConfigDir dir;
  std::filesystem::create_symlink(dir.path("b.yaml"), dir.path("a.yaml"));
  std::filesystem::create_symlink(dir.path("a.yaml"), dir.path("b.yaml"));
  try {
    loadConfig(dir.path("a.yaml"));
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), dir.path("a.yaml") +
                                         ": cannot open configuration file: Too many levels of "
                                         "symbolic links; check the path and its permissions");
  }
}

TEST(TopLevel, NonRegularFileIsRejected) {
  TempConfigDir dir;
  ASSERT_EQ(::mkfifo(dir.path("fifo").c_str(), 0600), 0);
  try {
    loadConfig(dir.path("fifo"));
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), dir.path("fifo") + ": is not a regular file");
  }
}

TEST(TopLevel, RelativePathIsMadeAbsolute) {
  TempConfigDir dir;
  dir.write("falco.yaml", "plugins:\n  - name: a\n    library_path: liba.so\n");
  auto old = std::filesystem::current_path();
  std::filesystem::current_path(dir.dir());
  Config config = loadConfig("falco.yaml");
  std::filesystem::current_path(old);
  EXPECT_EQ(config.path, dir.path());
  EXPECT_EQ(config.plugins[0].libraryPath, dir.dir() + "/liba.so");
}

TEST(TopLevel, StockFalcoYamlShape) {
  TempConfigDir dir;
  Config config = dir.load(R"(rules_file:
  - /etc/falco/falco_rules.yaml
  - /etc/falco/falco_rules.local.yaml
  - /etc/falco/rules.d
load_plugins: []
plugins:
  - name: k8saudit
    library_path: libk8saudit.so
    init_config:
    #   maxEventSize: 262144
    open_params: "http://:9765/k8s-audit"
  - name: cloudtrail
    library_path: libcloudtrail.so
  - name: json
    library_path: libjson.so
watch_config_files: true
priority: debug
json_output: false
stdout_output:
  enabled: true
)");
  EXPECT_THAT(config.plugins, IsEmpty());
  EXPECT_EQ(config.rulesFiles.size(), 3u);
  EXPECT_THAT(config.warnings, IsEmpty());
  EXPECT_TRUE(config.watchConfigFiles);
}

}  // namespace
}  // namespace bulkhead

namespace bulkhead {
namespace {

// Falco expands ${NAME} in every scalar value of falco.yaml.
class EnvExpansion : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("BH_TEST_DIR", "/srv/rules", 1);
    ::setenv("BH_TEST_SELF", "${BH_TEST_SELF}", 1);
    ::setenv("BH_TEST_PRIO", "loud", 1);
    ::unsetenv("BH_TEST_UNSET");
  }
  void TearDown() override {
    ::unsetenv("BH_TEST_DIR");
    ::unsetenv("BH_TEST_SELF");
    ::unsetenv("BH_TEST_PRIO");
  }
  TempConfigDir dir;
};

TEST_F(EnvExpansion, VariablesInValuesAreReplaced) {
  Config c = dir.load("rules_files:\n  - \"${BH_TEST_DIR}/a.yaml\"\n  - ${BH_TEST_DIR}/b${BH_TEST_UNSET}.yaml\n");
  EXPECT_THAT(c.rulesFiles, ElementsAre("/srv/rules/a.yaml", "/srv/rules/b.yaml"));
}

TEST_F(EnvExpansion, DoubleDollarIsALiteralAndALoneDollarStopsTheScan) {
  Config c = dir.load("rules_files:\n  - /x/$${BH_TEST_DIR}.yaml\n  - /x/a$b${BH_TEST_DIR}.yaml\n");
  EXPECT_THAT(c.rulesFiles, ElementsAre("/x/${BH_TEST_DIR}.yaml", "/x/a$b${BH_TEST_DIR}.yaml"));
}

TEST_F(EnvExpansion, AValueIsNotExpandedAgain) {
  Config c = dir.load("rules_files:\n  - /x/${BH_TEST_SELF}\n");
  EXPECT_THAT(c.rulesFiles, ElementsAre("/x/${BH_TEST_SELF}"));
}

TEST_F(EnvExpansion, ErrorsStillNameTheLineOfTheValue) {
  try {
    dir.load("json_output: true\npriority: ${BH_TEST_PRIO}\n");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("falco.yaml:2:11"));
    EXPECT_THAT(std::string(e.what()), HasSubstr("loud"));
  }
}

}  // namespace
}  // namespace bulkhead

namespace bulkhead {
namespace {

TEST(AppendOutputConfig, ReadsFalcosShape) {
  TempConfigDir dir;
  Config c = dir.load(R"(append_output:
  - match: {source: k8s_audit, rule: R, tags: [a, b]}
    extra_output: "verb=%ka.verb"
    extra_fields:
      - ka.user.name
      - combo: "%ka.verb on %ka.uri"
  - suggested_output: true
)");
  ASSERT_EQ(c.appendOutput.size(), 2u);
  const AppendOutput& a = c.appendOutput[0];
  EXPECT_EQ(a.source, "k8s_audit");
  EXPECT_EQ(a.rule, "R");
  EXPECT_THAT(a.tags, ElementsAre("a", "b"));
  EXPECT_EQ(a.extraOutput, "verb=%ka.verb");
  ASSERT_EQ(a.extraFields.size(), 2u);
  EXPECT_EQ(a.extraFields[0].key, "ka.user.name");
  EXPECT_TRUE(a.extraFields[0].raw);
  EXPECT_EQ(a.extraFields[1].key, "combo");
  EXPECT_EQ(a.extraFields[1].format, "%ka.verb on %ka.uri");
  EXPECT_FALSE(a.extraFields[1].raw);
  EXPECT_TRUE(c.appendOutput[1].suggestedOutput);
  EXPECT_THAT(c.warnings, IsEmpty());
}

TEST(AppendOutputConfig, RefusesWhatFalcoRefusesWithTheLine) {
  TempConfigDir dir;
  EXPECT_THAT(dir.loadError("append_output: {a: 1}\n"), HasSubstr("falco.yaml:1:16: append_output: must be a list"));
  EXPECT_THAT(dir.loadError("append_output:\n  - extra_fields: x\n"),
              HasSubstr("falco.yaml:2:19: append_output[0].extra_fields: must be a list"));
  EXPECT_THAT(dir.loadError("append_output:\n  - extra_fields: [{a: x, b: y}]\n"),
              HasSubstr("append_output[0].extra_fields[0]: must be a field name or a map"));
  EXPECT_THAT(dir.loadError("append_output:\n  - extra_fields: [k, k]\n"),
              HasSubstr("'k' is given twice in this entry"));
}

}  // namespace
}  // namespace bulkhead
