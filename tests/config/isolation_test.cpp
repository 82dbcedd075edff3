#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"
#include "tests/config/temp_config.h"

namespace bulkhead {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using testing::TempConfigDir;
using namespace std::chrono_literals;

constexpr const char* kPlugins =
    "plugins:\n  - {name: a, library_path: a.so}\n  - {name: b, library_path: b.so}\n";

TEST(Isolation, BuiltInDefaults) {
  TempConfigDir dir;
  Config config = dir.load(kPlugins);
  const IsolationConfig& iso = config.plugins[0].isolation;
  EXPECT_EQ(iso.mode, IsolationMode::kProcess);
  EXPECT_EQ(iso.policy, "default");
  EXPECT_EQ(iso.user, "nobody");
  EXPECT_EQ(iso.limits.addressSpaceMb, 4096u);
  EXPECT_EQ(iso.limits.cpuSeconds, 0u);
  EXPECT_EQ(iso.limits.openFiles, 64u);
  EXPECT_EQ(iso.limits.processes, 512u);
  EXPECT_EQ(iso.limits.memoryMb, 2048u);
  EXPECT_EQ(iso.limits.cpuPercent, 100u);
  EXPECT_EQ(iso.deadlines.init, 10000ms);
  EXPECT_EQ(iso.deadlines.open, 10000ms);
  EXPECT_EQ(iso.deadlines.nextBatch, 1000ms);
  EXPECT_EQ(iso.deadlines.extract, 1000ms);
  EXPECT_EQ(iso.deadlines.parse, 1000ms);
  EXPECT_EQ(iso.deadlines.close, 5000ms);
  EXPECT_EQ(iso.restart.maxRestarts, 5u);
  EXPECT_EQ(iso.restart.window, 60s);
  EXPECT_EQ(iso.restart.backoffInitial, 10ms);
  EXPECT_EQ(iso.restart.backoffMax, 2000ms);
  EXPECT_THAT(iso.env, ElementsAre(Pair("GODEBUG", "madvdontneed=1"), Pair("GOMAXPROCS", "1"),
                                   Pair("GOTRACEBACK", "single"), Pair("LANG", "C.UTF-8"),
                                   Pair("MALLOC_ARENA_MAX", "2")));
  EXPECT_EQ(iso.rings.sourceBytes, 8u << 20);
  EXPECT_EQ(iso.rings.requestBytes, 1u << 20);
  EXPECT_EQ(iso.rings.responseBytes, 4u << 20);
  EXPECT_EQ(iso.rings.asyncBytes, 1u << 20);
  EXPECT_EQ(iso.bounds.batchEvents, 65536u);
  EXPECT_EQ(iso.bounds.batchBytes, 64u << 20);
  EXPECT_EQ(iso.bounds.extractBytes, 64u << 20);
  EXPECT_EQ(iso.bounds.asyncEventBytes, 1u << 20);
  EXPECT_THAT(iso.allowPaths.read, IsEmpty());
  EXPECT_THAT(iso.allowPaths.write, IsEmpty());
  EXPECT_STREQ(isolationModeName(iso.mode), "process");
}

TEST(Isolation, ZeroDisablesADeadlineAndRingsRoundUpToPowersOfTwo) {
  TempConfigDir dir;
  Config config = dir.load(std::string(kPlugins) + R"(bulkhead:
  defaults:
    deadlines_ms: {next_batch: 0, extract: 7}
    ring_mb: {source: 3, async: 1024}
)");
  const IsolationConfig& iso = config.plugins[0].isolation;
  EXPECT_EQ(iso.deadlines.nextBatch, kNoDeadline);
  EXPECT_EQ(iso.deadlines.extract, 7ms);
  EXPECT_EQ(iso.rings.sourceBytes, 4u << 20);
  EXPECT_EQ(iso.rings.requestBytes, 1u << 20);
  EXPECT_EQ(iso.rings.asyncBytes, 1024u << 20);
}

TEST(Isolation, BoundsAreGivenInTheirUnitsAndMergeKeyByKey) {
  TempConfigDir dir;
  Config config = dir.load(std::string(kPlugins) + R"(bulkhead:
  defaults:
    bounds: {batch_events: 100, async_event_kb: 64}
  plugins:
    b:
      bounds: {batch_mb: 2, extract_mb: 3}
)");
  const RunnerBounds& a = config.plugins[0].isolation.bounds;
  EXPECT_EQ(a.batchEvents, 100u);
  EXPECT_EQ(a.batchBytes, 64u << 20);
  EXPECT_EQ(a.asyncEventBytes, 64u << 10);
  const RunnerBounds& b = config.plugins[1].isolation.bounds;
  EXPECT_EQ(b.batchEvents, 100u);
  EXPECT_EQ(b.batchBytes, 2u << 20);
  EXPECT_EQ(b.extractBytes, 3u << 20);
  EXPECT_EQ(b.asyncEventBytes, 64u << 10);
}

TEST(Isolation, DefaultsThenPerPluginMergeKeyByKey) {
  TempConfigDir dir;
  Config config = dir.load(std::string(kPlugins) + R"(bulkhead:
  runner_path: bin/bulkhead-runner
  defaults:
    policy: strict
    user: "65534"
    limits: {open_files: 128}
    deadlines_ms: {extract: 250}
    env: {TZ: UTC, GODEBUG: ~, GOTRACEBACK: ~, LANG: ~, MALLOC_ARENA_MAX: ~}
    allow_paths: {read: [/etc/ssl/certs/]}
  plugins:
    b:
      isolation: inprocess
      limits: {cpu_seconds: 30, memory_mb: 512, cpu_percent: 250}
      restart: {max_restarts: 0, backoff_max_ms: 10, standby: false}
      env: {GOMAXPROCS: ~, HTTPS_PROXY: "http://proxy:3128"}
      ring_mb: {source: 64}
      allow_paths: {write: [/var/lib/b/../b/state]}
      policy: network
)");
  EXPECT_EQ(config.runnerPath, dir.dir() + "/bin/bulkhead-runner");
  const IsolationConfig& a = config.plugins[0].isolation;
  EXPECT_EQ(a.mode, IsolationMode::kProcess);
  EXPECT_EQ(a.policy, "strict");
  EXPECT_EQ(a.user, "65534");
  EXPECT_EQ(a.limits.openFiles, 128u);
  EXPECT_EQ(a.limits.addressSpaceMb, 4096u);
  EXPECT_EQ(a.deadlines.extract, 250ms);
  EXPECT_EQ(a.deadlines.parse, 1000ms);
  EXPECT_THAT(a.env, ElementsAre(Pair("GOMAXPROCS", "1"), Pair("TZ", "UTC")));
  EXPECT_THAT(a.allowPaths.read, ElementsAre("/etc/ssl/certs"));

  const IsolationConfig& b = config.plugins[1].isolation;
  EXPECT_EQ(b.mode, IsolationMode::kInProcess);
  EXPECT_EQ(b.policy, "network");
  EXPECT_EQ(b.user, "65534");
  EXPECT_EQ(b.limits.openFiles, 128u);
  EXPECT_EQ(b.limits.cpuSeconds, 30u);
  EXPECT_EQ(b.limits.memoryMb, 512u);
  EXPECT_EQ(b.limits.cpuPercent, 250u);
  EXPECT_EQ(a.limits.memoryMb, 2048u);
  EXPECT_EQ(b.deadlines.extract, 250ms);
  EXPECT_EQ(b.restart.maxRestarts, 0u);
  EXPECT_EQ(b.restart.window, 60s);
  EXPECT_EQ(b.restart.backoffInitial, 10ms);
  EXPECT_EQ(b.restart.backoffMax, 10ms);
  EXPECT_FALSE(b.restart.standby);
  EXPECT_TRUE(a.restart.standby);
  EXPECT_THAT(b.env, ElementsAre(Pair("HTTPS_PROXY", "http://proxy:3128"), Pair("TZ", "UTC")));
  EXPECT_EQ(b.rings.sourceBytes, 64u << 20);
  EXPECT_EQ(b.rings.responseBytes, 4u << 20);
  EXPECT_THAT(b.allowPaths.read, ElementsAre("/etc/ssl/certs"));
  EXPECT_THAT(b.allowPaths.write, ElementsAre("/var/lib/b/state"));
  EXPECT_THAT(config.warnings, IsEmpty());
}

TEST(Isolation, SettingsForAnUnloadedPluginWarn) {
  TempConfigDir dir;
  Config config = dir.load(std::string(kPlugins) +
                           "load_plugins: [a]\nbulkhead:\n  plugins:\n    b: {policy: strict}\n"
                           "    zzz: {}\n");
  ASSERT_EQ(config.warnings.size(), 2u);
  EXPECT_EQ(config.warnings[0],
            dir.path() +
                ":7:5: bulkhead.plugins.b: no loaded plugin is named 'b'; these "
                "settings are unused (check the name against plugins and load_plugins)");
  EXPECT_THAT(config.warnings[1],
              ::testing::StartsWith(dir.path() + ":8:5: bulkhead.plugins.zzz:"));
}

TEST(Isolation, UnknownKeysWarn) {
  TempConfigDir dir;
  Config config = dir.load(std::string(kPlugins) +
                           "bulkhead:\n  defualts: {}\n  defaults:\n    limits: {files: 3}\n"
                           "    sandbox: x\n");
  EXPECT_THAT(
      config.warnings,
      ElementsAre(dir.path() + ":5:3: bulkhead.defualts: unknown key, ignored (misspelled?)",
                  dir.path() + ":8:5: bulkhead.defaults.sandbox: unknown key, ignored "
                               "(misspelled?)",
                  dir.path() + ":7:14: bulkhead.defaults.limits.files: unknown key, "
                               "ignored (misspelled?)"));
}

struct BadValue {
  std::string yaml;      // under bulkhead.defaults (line 6 of the file)
  std::string expected;  // after "<file>:"
};

TEST(Isolation, WrongValuesFailWithLocation) {
  const BadValue cases[] = {
      {"isolation: sandbox",
       "6:16: bulkhead.defaults.isolation: 'sandbox' is not an isolation "
       "mode; use process or inprocess"},
      {"isolation: [process]",
       "6:16: bulkhead.defaults.isolation: expected a string, got a sequence"},
      {"policy: ../../etc/passwd",
       "6:13: bulkhead.defaults.policy: '../../etc/passwd' is not a policy name; use the name of a "
       "profile in policies/ (letters, digits, '_' and '-', e.g. default, network, strict)"},
      {"user: ''", "6:11: bulkhead.defaults.user: must not be empty"},
      {"limits: {open_files: -1}",
       "6:26: bulkhead.defaults.limits.open_files: expected a whole number from 0 to 1048576, got "
       "'-1'"},
      {"limits: {address_space_mb: 1.5}",
       "6:32: bulkhead.defaults.limits.address_space_mb: expected a whole number from 0 to "
       "16777216, got '1.5'"},
      {"limits: 5", "6:13: bulkhead.defaults.limits: expected a map of settings, got a string"},
      {"deadlines_ms: {init: 99999999999}",
       "6:26: bulkhead.defaults.deadlines_ms.init: expected a whole number from 0 to 86400000, got "
       "'99999999999'"},
      {"restart: {standby: maybe}",
       "6:24: bulkhead.defaults.restart.standby: expected true or false, got 'maybe'"},
      {"restart: {window_s: 0}",
       "6:25: bulkhead.defaults.restart.window_s: expected a whole number from 1 to 604800, got "
       "'0'"},
      {"restart: {backoff_initial_ms: 5000}",
       "6:14: bulkhead.defaults.restart: backoff_initial_ms (5000) is larger than backoff_max_ms "
       "(2000); lower it or raise the maximum"},
      {"ring_mb: {source: 0}",
       "6:23: bulkhead.defaults.ring_mb.source: expected a whole number from 1 to 1024, got '0'"},
      {"ring_mb: {async: [1]}",
       "6:22: bulkhead.defaults.ring_mb.async: expected a whole number from 1 to 1024, got a "
       "sequence"},
      {"bounds: {batch_mb: 0}",
       "6:24: bulkhead.defaults.bounds.batch_mb: expected a whole number from 1 to 4096, got '0'"},
      {"env: [A]", "6:10: bulkhead.defaults.env: expected a map of settings, got a sequence"},
      {"env: {A=B: x}",
       "6:11: bulkhead.defaults.env.A=B: not a valid environment variable name (no '=', no "
       "control characters)"},
      {"env: {A: {x: 1}}", "6:14: bulkhead.defaults.env.A: expected a string, got a map"},
      {"allow_paths: {read: [relative/dir]}",
       "6:26: bulkhead.defaults.allow_paths.read[0]: 'relative/dir' is not an absolute path; start "
       "it with '/'"},
      {"allow_paths: {write: /tmp}",
       "6:26: bulkhead.defaults.allow_paths.write: expected a list of absolute paths, got a "
       "string"},
  };
  TempConfigDir dir;
  for (const BadValue& c : cases) {
    std::string yaml = std::string(kPlugins) + "bulkhead:\n  defaults:\n    " + c.yaml + "\n";
    EXPECT_EQ(dir.loadError(yaml), dir.path() + ":" + c.expected) << c.yaml;
  }
}

TEST(Isolation, PerPluginErrorsNameThePluginPath) {
  TempConfigDir dir;
  EXPECT_EQ(dir.loadError(std::string(kPlugins) +
                          "bulkhead:\n  plugins:\n    a: {ring_mb: {request: 2048}}\n"),
            dir.path() +
                ":6:28: bulkhead.plugins.a.ring_mb.request: expected a whole number "
                "from 1 to 1024, got '2048'");
  EXPECT_EQ(dir.loadError(std::string(kPlugins) + "bulkhead:\n  plugins: [a]\n"),
            dir.path() + ":5:12: bulkhead.plugins: expected a map of settings, got a sequence");
  EXPECT_EQ(dir.loadError(std::string(kPlugins) + "bulkhead:\n  plugins:\n    a: 3\n"),
            dir.path() + ":6:8: bulkhead.plugins.a: expected a map of settings, got a string");
  EXPECT_EQ(dir.loadError(std::string(kPlugins) + "bulkhead: []\n"),
            dir.path() + ":4:11: bulkhead: expected a map of settings, got a sequence");
}

TEST(Isolation, NullSectionsKeepDefaults) {
  TempConfigDir dir;
  Config config = dir.load(std::string(kPlugins) + "bulkhead:\n  defaults:\n  plugins:\n    a:\n");
  EXPECT_EQ(config.plugins[0].isolation.policy, "default");
  EXPECT_THAT(config.warnings, IsEmpty());
}

}  // namespace
}  // namespace bulkhead

namespace bulkhead {
namespace {

TEST(Isolation, SamePluginTwiceIsAnError) {
  testing::TempConfigDir dir;
  EXPECT_EQ(dir.loadError(std::string(kPlugins) +
                          "bulkhead:\n  plugins:\n    a: {}\n    b: {}\n    a: {policy: x}\n"),
            dir.path() +
                ":8:5: bulkhead.plugins.a: settings for plugin 'a' given twice; merge "
                "them");
}

}  // namespace
}  // namespace bulkhead
