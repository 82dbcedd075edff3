// The bulkhead command end to end: a config, rules, plugins from
// tests/plugins, the real binary, its stdout, stderr and exit code.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <tuple>

#include <gtest/gtest.h>

namespace bulkhead {
namespace {

struct Result {
  int code = -1;
  std::string out;  // stdout and stderr, in that order
  std::string err;  // stderr alone
};

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("bulkhead_cli_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    write("rules.yaml", R"(
- rule: Hundreds
  desc: every hundredth event (100 to 900 of 0..999)
  condition: counter.msg endswith "00" and jsonx.value[/seq] exists
  output: "seq=%counter.seq json=%jsonx.value[/seq] none=%jsonx.value[/none]"
  priority: WARNING
  source: counter
  tags: [cli]
)");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  std::string config(const std::string& extra = "") {
    return "plugins:\n"
           "  - name: counter\n"
           "    library_path: libcounter.so\n"
           "    open_params: count=1000,batch=50\n"
           "  - name: jsonx\n"
           "    library_path: libjsonx.so\n"
           "rules_files: [rules.yaml]\n"
           "bulkhead:\n"
           "  plugins_dir: " BULKHEAD_TEST_PLUGIN_DIR "\n" +
           extra;
  }
  Result run(const std::string& args) {
    const std::string cmd = std::string(BULKHEAD_BINARY_DIR) + "/bulkhead -c " +
                            (dir_ / "falco.yaml").string() + " " + args + " 2>" +
                            (dir_ / "stderr").string();
    Result r;
    std::FILE* p = ::popen(cmd.c_str(), "r");
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    int status = ::pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream err(dir_ / "stderr");
    r.err.assign(std::istreambuf_iterator<char>(err), {});
    r.out += r.err;
    return r;
  }
  std::filesystem::path dir_;
};

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

TEST_F(Cli, RunsIsolatedUntilEofAndPrintsCounters) {
  write("falco.yaml", config());
  Result r = run("");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(count(r.out, ": Warning seq="), 9u) << r.out;
  EXPECT_NE(r.out.find("seq=500 json=500 none=<NA>"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("source counter      events 1000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("isolation process, policy default, sandbox "), std::string::npos) << r.out;
}

TEST_F(Cli, JsonAlertsInProcess) {
  write("falco.yaml", config());
  Result r = run("--isolation inprocess --json");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(count(r.out, "\"rule\":\"Hundreds\""), 9u) << r.out;
  // Typed and sorted as Falco's: a uint64 field is a number, the prefix's
  // evt.time is added.
  EXPECT_NE(r.out.find("\"output_fields\":{\"counter.seq\":100,\"evt.time\":"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(",\"jsonx.value[/none]\":null,\"jsonx.value[/seq]\":\"100\"}"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"tags\":[\"cli\"]"), std::string::npos) << r.out;
}

TEST_F(Cli, ListsPluginsAndFields) {
  write("falco.yaml", config());
  Result r = run("--list-plugins");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("2 Plugins Loaded:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Event Sourcing (ID=999, source='counter')"), std::string::npos);
  Result fields = run("--list counter");
  EXPECT_NE(fields.out.find("jsonx.value[key]"), std::string::npos) << fields.out;
}

TEST_F(Cli, ValidateReportsRuleErrorsWithFileAndLine) {
  write("falco.yaml", config());
  write("bad.yaml", "- rule: Broken\n  desc: d\n  condition: counter.nope = 1\n  output: x\n"
                    "  priority: INFO\n  source: counter\n");
  Result good = run("--validate " + (dir_ / "rules.yaml").string());
  EXPECT_EQ(good.code, 0) << good.out;
  Result bad = run("--validate " + (dir_ / "bad.yaml").string());
  EXPECT_EQ(bad.code, 1) << bad.out;
  EXPECT_NE(bad.out.find("bad.yaml:3:"), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("counter.nope"), std::string::npos) << bad.out;
}

TEST_F(Cli, ConfigErrorsNameFileAndLine) {
  write("falco.yaml", config("  defaults:\n    isolation: sideways\n"));
  Result r = run("");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("falco.yaml:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sideways"), std::string::npos) << r.out;
}

TEST_F(Cli, BrokenPluginIsALoadErrorNamingIt) {
  write("falco.yaml", "plugins:\n  - name: broken_api_major\n    library_path: "
                      "libbroken_api_major.so\nbulkhead:\n  plugins_dir: " BULKHEAD_TEST_PLUGIN_DIR
                      "\n");
  Result r = run("--list-plugins");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("requires plugin API 2.0.0"), std::string::npos) << r.out;
}

TEST_F(Cli, RulesFromTheCommandLineReplaceRulesFiles) {
  write("falco.yaml", config());
  write("thousand.yaml", R"(
- rule: Last
  desc: the last event
  condition: counter.seq = 999
  output: "last seq=%counter.seq"
  priority: ERROR
  source: counter
)");
  write("first.yaml", R"(
- rule: First
  desc: the first event
  condition: counter.seq = 0
  output: "first seq=%counter.seq"
  priority: NOTICE
  source: counter
)");
  Result r = run("--isolation inprocess -r " + (dir_ / "thousand.yaml").string() + " -r " +
                 (dir_ / "first.yaml").string());
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(count(r.out, ": Error last seq=999"), 1u) << r.out;
  EXPECT_EQ(count(r.out, ": Notice first seq=0"), 1u) << r.out;
  EXPECT_EQ(count(r.out, ": Warning seq="), 0u) << r.out;
}

TEST_F(Cli, ValidatesEveryFileGiven) {
  write("falco.yaml", config());
  write("bad.yaml",
        "- rule: Broken\n  desc: d\n  condition: counter.nope = 1\n  output: x\n"
        "  priority: INFO\n  source: counter\n");
  Result r =
      run("-V " + (dir_ / "rules.yaml").string() + " --validate " + (dir_ / "bad.yaml").string());
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("rules.yaml: Invalid"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("bad.yaml: Invalid"), std::string::npos) << r.out;
}

TEST_F(Cli, HelpExitsWithZero) {
  write("falco.yaml", config());
  Result r = run("--help");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("--list-plugins"), std::string::npos) << r.out;
}

// Falco ends a usage error with EXIT_FAILURE and one "Error:" line.
TEST_F(Cli, UsageErrorsExitWithOne) {
  write("falco.yaml", config());
  Result unknown = run("--nope");
  EXPECT_EQ(unknown.code, 1) << unknown.out;
  EXPECT_EQ(unknown.err, "Error: Option 'nope' does not exist\n");
  Result isolation = run("--isolation sideways");
  EXPECT_EQ(isolation.code, 1) << isolation.out;
  EXPECT_NE(isolation.out.find("sideways"), std::string::npos) << isolation.out;
  Result missing = run("-r");
  EXPECT_EQ(missing.code, 1) << missing.out;
}

// A hostile plugin beside healthy ones: its 32 MiB last error (and log
// line) starts with a newline, forges Falco alert lines and carries ANSI
// escapes. What the operator reads shows it, escaped and cut short: no
// forged line, no escape byte, a bounded log.
class HostileText : public Cli,
                    public ::testing::WithParamInterface<std::tuple<const char*, const char*>> {};

TEST_P(HostileText, IsShownEscapedAndBounded) {
  const auto [call, isolation] = GetParam();
  // init and open are called once per runner: they fail at once;
  // next_batch after a few good batches.
  const std::string after = std::string(call) == "next_batch" ? "2" : "0";
  // The fault plugin, third: its entry after the ones config() writes.
  std::string yaml = config();
  const std::string fault = std::string("  - name: fault\n    library_path: libfault.so\n") +
                            "    init_config: '{\"fault\":\"hostile_error\",\"in\":\"" + call +
                            "\",\"after\":" + after + "}'\n    open_params: count=0\n";
  yaml.insert(yaml.find("rules_files:"), fault);
  write("falco.yaml", yaml + "  defaults:\n    isolation: " + isolation + "\n");
  Result r = run("");
  SCOPED_TRACE(r.err.substr(0, 8192));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("\\n12:00:00.000000000: Critical forged alert"), std::string::npos)
      << "the plugin's text, escaped, is in the log";
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << "an escape byte reached the terminal";
  EXPECT_EQ(r.out.find("\n12:00:00.000000000: Critical forged"), std::string::npos)
      << "a forged line";
  EXPECT_EQ(r.out.find('\r'), std::string::npos);
  EXPECT_LT(r.err.size(), size_t{64} << 10) << "the log grew with the plugin's text";
  if (std::string(call) == "next_batch") {
    // The healthy source ran to its end beside it.
    EXPECT_EQ(count(r.out, ": Warning seq="), 9u);
    EXPECT_NE(r.out.find("source counter      events 1000"), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Cli, HostileText,
                         ::testing::Combine(::testing::Values("init", "open", "next_batch"),
                                            ::testing::Values("process", "inprocess")),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param)) + "_" +
                                  std::get<1>(info.param);
                         });

}  // namespace
}  // namespace bulkhead
