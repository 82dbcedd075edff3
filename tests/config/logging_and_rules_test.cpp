// falco.yaml's logging keys (log_level, log_stderr, log_syslog) and its
// `rules:` selection list: values, defaults, and errors with file:line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/config.h"
#include "tests/config/temp_config.h"

namespace bulkhead {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::TempConfigDir;

TEST(LoggingKeys, DefaultsWhenAbsent) {
  TempConfigDir dir;
  const Config c = dir.load("priority: debug\n");
  EXPECT_EQ(c.logging.level, LogLevel::kInfo);
  EXPECT_TRUE(c.logging.toStderr);
  EXPECT_FALSE(c.logging.toSyslog);
}

TEST(LoggingKeys, EveryFalcoLevel) {
  TempConfigDir dir;
  const std::vector<std::pair<std::string, LogLevel>> levels = {
      {"emergency", LogLevel::kEmergency}, {"alert", LogLevel::kAlert},
      {"critical", LogLevel::kCritical},   {"error", LogLevel::kError},
      {"warning", LogLevel::kWarning},     {"notice", LogLevel::kNotice},
      {"info", LogLevel::kInfo},           {"debug", LogLevel::kDebug}};
  for (const auto& [name, level] : levels) {
    EXPECT_EQ(dir.load("log_level: " + name + "\n").logging.level, level) << name;
    EXPECT_EQ(logLevelName(level), name);
  }
}

TEST(LoggingKeys, SinksAndOverrides) {
  TempConfigDir dir;
  const Config c = dir.load("log_stderr: false\nlog_syslog: true\n");
  EXPECT_FALSE(c.logging.toStderr);
  EXPECT_TRUE(c.logging.toSyslog);
  const std::vector<std::string> o = {"log_level=debug", "log_stderr=true"};
  const Config d = dir.load("log_stderr: false\n", o);
  EXPECT_EQ(d.logging.level, LogLevel::kDebug);
  EXPECT_TRUE(d.logging.toStderr);
}

TEST(LoggingKeys, NoLongerReportedAsIgnored) {
  TempConfigDir dir;
  const Config c = dir.load("log_level: info\nlog_stderr: true\nlog_syslog: false\nrules: []\n");
  for (const std::string& w : c.warnings) {
    EXPECT_THAT(w, Not(HasSubstr("log_"))) << w;
    EXPECT_THAT(w, Not(HasSubstr("rules ("))) << w;
  }
}

TEST(LoggingKeys, ErrorsNameFileLineAndKey) {
  TempConfigDir dir;
  const std::string bad = dir.loadError("priority: debug\nlog_level: loud\n");
  EXPECT_THAT(bad, HasSubstr(dir.path() + ":2:12: log_level: 'loud' is not a log level"));
  EXPECT_THAT(bad, HasSubstr("emergency, alert, critical, error, warning, notice, info, debug"));
  EXPECT_THAT(dir.loadError("log_syslog: maybe\n"), HasSubstr(":1:13: log_syslog"));
  EXPECT_THAT(dir.loadError("log_stderr: [true]\n"), HasSubstr(":1:13: log_stderr"));
  const std::vector<std::string> o = {"log_level=loud"};
  EXPECT_THAT(dir.loadError("priority: debug\n", o), HasSubstr("-o 'log_level=loud'"));
}

TEST(RulesSelection, FalcosShape) {
  TempConfigDir dir;
  const Config c = dir.load(R"(rules:
  - disable:
      rule: "*"
  - enable:
      tag: network
  - enable:
      rule: Read sensitive file
      tag: t
)");
  ASSERT_EQ(c.rulesSelection.size(), 3u);
  EXPECT_FALSE(c.rulesSelection[0].enable);
  EXPECT_EQ(c.rulesSelection[0].rule, "*");
  EXPECT_TRUE(c.rulesSelection[1].enable);
  EXPECT_EQ(c.rulesSelection[1].tag, "network");
  EXPECT_EQ(c.rulesSelection[2].rule, "Read sensitive file");
  EXPECT_EQ(c.rulesSelection[2].tag, "t");
}

TEST(RulesSelection, FromTheCommandLineAppended) {
  TempConfigDir dir;
  const std::vector<std::string> o = {"rules[].disable.tag=a", "rules[].enable.rule=B"};
  const Config c = dir.load("rules:\n  - disable: {rule: x}\n", o);
  ASSERT_EQ(c.rulesSelection.size(), 3u);
  EXPECT_EQ(c.rulesSelection[1].tag, "a");
  EXPECT_FALSE(c.rulesSelection[1].enable);
  EXPECT_EQ(c.rulesSelection[2].rule, "B");
  EXPECT_TRUE(c.rulesSelection[2].enable);
}

TEST(RulesSelection, ErrorsNameFileAndLine) {
  TempConfigDir dir;
  EXPECT_THAT(dir.loadError("rules: {disable: {tag: a}}\n"),
              HasSubstr(":1:8: rules: must be a list"));
  EXPECT_THAT(dir.loadError("rules:\n  - x\n"), HasSubstr(":2:5: rules[0]"));
  EXPECT_THAT(dir.loadError("rules:\n  - disable: {tag: a}\n    enable: {tag: b}\n"),
              HasSubstr(":2:5: rules[0]: sets both enable and disable"));
  EXPECT_THAT(dir.loadError("rules:\n  - {}\n"),
              HasSubstr("rules[0]: needs an enable or a disable key"));
  EXPECT_THAT(dir.loadError("rules:\n  - disable: a\n"), HasSubstr(":2:14: rules[0].disable"));
  EXPECT_THAT(dir.loadError("rules:\n  - disable: {tag: [a]}\n"),
              HasSubstr("rules[0].disable.tag"));
}

TEST(RulesSelection, AnEntrySelectingNothingIsWarnedAbout) {
  TempConfigDir dir;
  const Config c = dir.load("rules:\n  - disable: {}\n");
  ASSERT_EQ(c.rulesSelection.size(), 1u);
  bool warned = false;
  for (const std::string& w : c.warnings) warned |= w.find("selects nothing") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST(ConfigDump, IsTheConfigurationAsRead) {
  TempConfigDir dir;
  const std::vector<std::string> o = {"json_output=true"};
  const Config c = dir.load("priority: debug\n", o);
  EXPECT_THAT(c.dump, HasSubstr("priority: debug"));
  EXPECT_THAT(c.dump, HasSubstr("json_output: true"));
}

}  // namespace
}  // namespace bulkhead
