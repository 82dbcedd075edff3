// Falco 0.44's flags and logging keys on the real binary: what each prints,
// what it changes about a run, and its exit code.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <string>

#include "tests/supervisor/cli_fixture.h"

namespace bulkhead {
namespace {

using testing::CliResult;
using testing::countOf;

constexpr const char* kRules = R"(
- rule: Hundreds
  desc: every hundredth event
  condition: counter.msg endswith "00"
  output: "hundred seq=%counter.seq"
  priority: WARNING
  source: counter
  tags: [hundreds, round]
- rule: Thousand Minus One
  desc: the last event
  condition: counter.seq = 999
  output: "last seq=%counter.seq"
  priority: ERROR
  source: counter
  tags: [last]
- rule: First Event
  desc: the first event, whose description is long enough to be wrapped where Falco wraps it
  condition: counter.seq = 0
  output: "first seq=%counter.seq"
  priority: NOTICE
  source: counter
  tags: [round]
)";

class CliFlags : public testing::CliFixture {
 protected:
  void SetUp() override {
    CliFixture::SetUp();
    write("rules.yaml", kRules);
  }
  // Alerts by rule, from stdout.
  struct Fired {
    size_t hundreds;
    size_t last;
    size_t first;
  };
  static Fired fired(const CliResult& r) {
    return {countOf(r.out, ": Warning hundred seq="), countOf(r.out, ": Error last seq=999"),
            countOf(r.out, ": Notice first seq=0")};
  }
};

TEST_F(CliFlags, VersionInFalcosLayout) {
  write("falco.yaml", config());
  CliResult r = run("--version");
  EXPECT_EQ(r.code, 0) << r.all();
  EXPECT_EQ(r.out.rfind("bulkhead version: ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\nPlugin API:    3."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nEngine:        0."), std::string::npos) << r.out;
  EXPECT_EQ(countOf(r.out, "\n"), 3u) << r.out;
  // As Falco, without a configuration file.
  CliResult bare = run("--version -c " + path("missing.yaml"));
  EXPECT_EQ(bare.code, 0) << bare.all();
  EXPECT_EQ(bare.out, r.out);
}

TEST_F(CliFlags, VersionAsJsonWithJsonOutput) {
  write("falco.yaml", config());
  CliResult r = run("--version -o json_output=true");
  ASSERT_EQ(r.code, 0) << r.all();
  const boost::json::object v = boost::json::parse(r.out).as_object();
  EXPECT_TRUE(v.contains("bulkhead_version"));
  EXPECT_EQ(v.at("plugin_api_version").as_string().subview().substr(0, 2), "3.");
  EXPECT_TRUE(v.contains("engine_version"));
  EXPECT_TRUE(v.contains("engine_version_semver"));
}

TEST_F(CliFlags, SupportIsOneJsonObjectWithFalcosKeys) {
  write("falco.yaml", config());
  CliResult r = run("--support --isolation inprocess");
  ASSERT_EQ(r.code, 0) << r.all();
  const boost::json::object s = boost::json::parse(r.out).as_object();
  for (const char* key :
       {"system_info", "version", "engine_info", "cmdline", "config", "rules_files"}) {
    EXPECT_TRUE(s.contains(key)) << key;
  }
  const boost::json::object& sys = s.at("system_info").as_object();
  for (const char* key : {"sysname", "nodename", "release", "version", "machine"}) {
    EXPECT_TRUE(sys.contains(key)) << key;
  }
  EXPECT_EQ(sys.at("sysname").as_string(), "Linux");
  EXPECT_NE(s.at("cmdline").as_string().subview().find("--support --isolation inprocess"),
            std::string::npos);
  EXPECT_NE(s.at("config").as_string().subview().find("rules_files"), std::string::npos);
  const boost::json::array& files = s.at("rules_files").as_array();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].at("name").as_string(), path("rules.yaml"));
  EXPECT_EQ(files[0].at("variants").at(0).at("content").as_string(), kRules);
  EXPECT_TRUE(s.at("engine_info").at("plugin_versions").as_object().contains("counter"));
}

TEST_F(CliFlags, DryRunLoadsEverythingAndReadsNoEvent) {
  write("falco.yaml", config());
  CliResult r = run("--dry-run");
  EXPECT_EQ(r.code, 0) << r.all();
  EXPECT_EQ(countOf(r.out, "seq="), 0u) << r.out;
  EXPECT_EQ(r.err.find("source counter"), std::string::npos) << r.err;
  write("rules.yaml",
        "- rule: Broken\n  desc: d\n  condition: counter.nope = 1\n  output: x\n"
        "  priority: INFO\n  source: counter\n");
  CliResult bad = run("--dry-run");
  EXPECT_EQ(bad.code, 1) << bad.all();
  EXPECT_NE(bad.err.find("rules.yaml:3:"), std::string::npos) << bad.err;
}

TEST_F(CliFlags, DescribeRulesAsFalcoDoes) {
  write("falco.yaml", config());
  CliResult r = run("-L");
  ASSERT_EQ(r.code, 0) << r.all();
  const std::string header = "Rule" + std::string(47, ' ') + "Description\n" + "----" +
                             std::string(47, ' ') + "-----------\n";
  EXPECT_EQ(r.out.rfind(header, 0), 0u) << r.out;
  EXPECT_NE(r.out.find("Hundreds" + std::string(43, ' ') + "every hundredth event \n\n"),
            std::string::npos)
      << r.out;
  // Wrapped at Falco's 59 columns, continued under the description column.
  EXPECT_NE(r.out.find("long enough to be \n" + std::string(51, ' ') +
                       "wrapped where Falco wraps it \n\n"),
            std::string::npos)
      << r.out;
  EXPECT_LT(r.out.find("Hundreds"), r.out.find("Thousand Minus One")) << "file order";
  EXPECT_LT(r.out.find("Thousand Minus One"), r.out.find("First Event")) << "file order";

  CliResult one = run("-l 'Thousand Minus One'");
  EXPECT_EQ(one.code, 0) << one.all();
  EXPECT_NE(one.out.find("Thousand Minus One"), std::string::npos) << one.out;
  EXPECT_EQ(one.out.find("Hundreds"), std::string::npos) << one.out;

  CliResult none = run("-l Nope");
  EXPECT_EQ(none.code, 1) << none.all();
  EXPECT_NE(none.err.find("Rule \"Nope\" is not loaded"), std::string::npos) << none.err;

  CliResult json = run("-L -o json_output=true");
  ASSERT_EQ(json.code, 0) << json.all();
  const boost::json::value parsed = boost::json::parse(json.out);
  const boost::json::array& rules = parsed.at("rules").as_array();
  ASSERT_EQ(rules.size(), 3u);
  const boost::json::object& info = rules[1].at("info").as_object();
  EXPECT_EQ(info.at("name").as_string(), "Thousand Minus One");
  EXPECT_EQ(info.at("condition").as_string(), "counter.seq = 999");
  EXPECT_EQ(info.at("priority").as_string(), "Error");
  EXPECT_EQ(info.at("tags").at(0).as_string(), "last");
}

// Falco 0.44 has no -T/-t/-D: rules are selected with `rules:` in
// falco.yaml, or with -o on the same key.
TEST_F(CliFlags, RulesSelectionDecidesWhichRulesFire) {
  write("falco.yaml", config());
  const std::string inproc = "--isolation inprocess ";
  Fired all = fired(run(inproc));
  EXPECT_EQ(all.hundreds, 9u);
  EXPECT_EQ(all.last, 1u);
  EXPECT_EQ(all.first, 1u);

  Fired noRound = fired(run(inproc + "-o 'rules[].disable.tag=round'"));
  EXPECT_EQ(noRound.hundreds, 0u);
  EXPECT_EQ(noRound.first, 0u);
  EXPECT_EQ(noRound.last, 1u);

  Fired onlyLast =
      fired(run(inproc + "-o 'rules[].disable.rule=\"*\"' -o 'rules[].enable.tag=last'"));
  EXPECT_EQ(onlyLast.hundreds, 0u);
  EXPECT_EQ(onlyLast.first, 0u);
  EXPECT_EQ(onlyLast.last, 1u);

  CliResult byName = run(inproc + "-o 'rules[].disable.rule=\"*Event\"'");
  EXPECT_EQ(fired(byName).first, 0u);
  EXPECT_EQ(fired(byName).hundreds, 9u);
  EXPECT_NE(byName.err.find("Disabling rules with name: *Event"), std::string::npos) << byName.err;

  write("falco.yaml", config("rules:\n  - disable:\n      tag: hundreds\n"));
  Fired fromFile = fired(run(inproc));
  EXPECT_EQ(fromFile.hundreds, 0u);
  EXPECT_EQ(fromFile.last, 1u);
}

TEST_F(CliFlags, RulesSelectionErrorsNameFileAndLine) {
  write("falco.yaml", config("rules:\n  - switch_off:\n      tag: x\n"));
  CliResult r = run("--dry-run");
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_NE(r.err.find("falco.yaml:9:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("rules[0]"), std::string::npos) << r.err;
}

TEST_F(CliFlags, FlagsFalcoDroppedAreRefusedAsFalcoRefusesThem) {
  write("falco.yaml", config());
  for (const char* flag : {"-T round", "-t last", "-D Hund", "-A"}) {
    CliResult r = run(flag);
    EXPECT_EQ(r.code, 1) << flag << r.all();
    EXPECT_EQ(r.err, "Error: Option '" + std::string(flag).substr(1, 1) + "' does not exist\n");
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST_F(CliFlags, ListFields) {
  write("falco.yaml", config());
  CliResult unknown = run("--list nosuch");
  EXPECT_EQ(unknown.code, 1) << unknown.all();
  EXPECT_NE(unknown.err.find("Value for --list must be a valid source type"), std::string::npos)
      << unknown.err;
  EXPECT_EQ(unknown.out.find("Field Class"), std::string::npos) << unknown.out;

  CliResult names = run("--list=counter -N");
  EXPECT_EQ(names.code, 0) << names.all();
  EXPECT_NE(names.out.find("counter.seq\n"), std::string::npos) << names.out;
  EXPECT_NE(names.out.find("jsonx.value[key]\n"), std::string::npos) << names.out;
  EXPECT_EQ(names.out.find("Field Class"), std::string::npos) << names.out;

  CliResult md = run("--list --format markdown");
  EXPECT_EQ(md.code, 0) << md.all();
  EXPECT_NE(md.out.find("## Field Class: counter\n"), std::string::npos) << md.out;
  EXPECT_NE(md.out.find("Name | Type | Description\n:----|:-----|:-----------\n"),
            std::string::npos)
      << md.out;
  EXPECT_NE(md.out.find("`counter.seq` | "), std::string::npos) << md.out;

  CliResult deprecated = run("--list --markdown");
  EXPECT_EQ(deprecated.out, md.out);
  EXPECT_NE(deprecated.err.find("--markdown is deprecated"), std::string::npos);

  CliResult json = run("--list --format json");
  ASSERT_EQ(json.code, 0) << json.all();
  const boost::json::value parsed = boost::json::parse(json.out);
  const boost::json::array& classes = parsed.at("fieldclasses").as_array();
  ASSERT_EQ(classes.size(), 2u);
  EXPECT_EQ(classes[0].at("name").as_string(), "counter");
}

TEST_F(CliFlags, EnableAndDisableSources) {
  const std::string fault =
      "  - name: fault\n    library_path: libfault.so\n    open_params: count=200\n";
  write("falco.yaml", config("", fault));
  const std::string inproc = "--isolation inprocess ";
  CliResult both = run(inproc);
  EXPECT_EQ(both.code, 0) << both.all();
  EXPECT_NE(both.err.find("Enabled event sources: counter, fault"), std::string::npos) << both.err;
  CliResult noFault = run(inproc + "--disable-source fault");
  EXPECT_EQ(noFault.code, 0) << noFault.all();
  EXPECT_NE(noFault.err.find("Enabled event sources: counter\n"), std::string::npos) << noFault.err;
  EXPECT_NE(noFault.err.find("Loaded event sources: counter, fault\n"), std::string::npos)
      << noFault.err;
  EXPECT_EQ(noFault.err.find("source fault"), std::string::npos) << noFault.err;
  EXPECT_EQ(fired(noFault).hundreds, 9u);
  CliResult onlyFault = run(inproc + "--enable-source fault");
  EXPECT_EQ(onlyFault.code, 0) << onlyFault.all();
  EXPECT_EQ(onlyFault.err.find("source counter"), std::string::npos) << onlyFault.err;
  EXPECT_EQ(fired(onlyFault).hundreds, 0u);

  const std::pair<std::string, std::string> errors[] = {
      {"--enable-source nosuch", "Attempted enabling an unknown event source: nosuch"},
      {"--disable-source nosuch", "Attempted disabling an unknown event source: nosuch"},
      {"--enable-source counter --disable-source fault",
       "You can not mix --enable-source and --disable-source"},
      {"--disable-source counter --disable-source fault", "Must enable at least one event source"},
  };
  for (const auto& [args, message] : errors) {
    CliResult r = run(inproc + args);
    EXPECT_EQ(r.code, 1) << args << r.all();
    EXPECT_NE(r.err.find(message), std::string::npos) << args << r.err;
  }
}

TEST_F(CliFlags, StopAfterSecondsEndsAnEndlessSource) {
  write("falco.yaml",
        "plugins:\n  - name: counter\n    library_path: libcounter.so\n"
        "    open_params: count=0,rate=1000\nrules_files: [rules.yaml]\nbulkhead:\n"
        "  plugins_dir: " BULKHEAD_TEST_PLUGIN_DIR "\n");
  write("rules.yaml",
        "- rule: Hundreds\n  desc: d\n  condition: counter.msg endswith \"00\"\n"
        "  output: \"hundred seq=%counter.seq\"\n  priority: WARNING\n"
        "  source: counter\n");
  CliResult r = run("-M 1");
  EXPECT_EQ(r.code, 0) << r.all();
  EXPECT_NE(r.err.find("source counter      events "), std::string::npos) << r.err;
}

// The metrics file of an isolated run carries the plugins' own metrics
// (the ticker's get_metrics, asked through its runner) and the ring fill
// the hosts saw.
TEST_F(CliFlags, MetricsFileCarriesPluginMetricsAndRingFill) {
  write("falco.yaml",
        "plugins:\n  - name: counter\n    library_path: libcounter.so\n"
        "    open_params: count=0,rate=2000\n"
        "  - name: ticker\n    library_path: libticker.so\n"
        "    init_config: {\"interval_ms\": 5, \"max\": 0}\n"
        "rules_files: [rules.yaml]\n"
        "metrics:\n  enabled: true\n  interval: 1s\n  output_rule: false\n"
        "  output_file: " + path("metrics.jsonl") + "\n"
        "bulkhead:\n  plugins_dir: " BULKHEAD_TEST_PLUGIN_DIR "\n");
  write("rules.yaml",
        "- rule: Hundreds\n  desc: d\n  condition: counter.msg endswith \"00\"\n"
        "  output: \"hundred seq=%counter.seq\"\n  priority: WARNING\n"
        "  source: counter\n");
  CliResult r = run("-M 4");
  ASSERT_EQ(r.code, 0) << r.all();
  const std::string lines = read("metrics.jsonl");
  ASSERT_GE(countOf(lines, "\n"), 2u) << lines;
  const std::string last = lines.substr(lines.rfind('\n', lines.size() - 2) + 1);
  EXPECT_NE(last.find("\"ticker.ticks\":"), std::string::npos) << last;
  EXPECT_NE(last.find("\"ticker.interval_ms\":5"), std::string::npos) << last;
  EXPECT_NE(last.find("\"ticker.offset\":-3"), std::string::npos) << last;
  EXPECT_NE(last.find("\"ticker.load\":5E-1"), std::string::npos) << last;
  EXPECT_NE(last.find("\"bulkhead.plugins.counter@counter.ring_fill.source_peak\":"),
            std::string::npos)
      << last;
}

TEST_F(CliFlags, PluginInfo) {
  write("falco.yaml", config());
  CliResult r = run("--plugin-info counter");
  EXPECT_EQ(r.code, 0) << r.all();
  EXPECT_EQ(r.out.rfind("Name: counter\nDescription: ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("Capabilities: \n  - Event Sourcing (ID=999, source='counter')\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Init config schema type: JSON\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("prefix"), std::string::npos) << r.out;
  CliResult byPath = run("--plugin-info libjsonx.so");
  EXPECT_EQ(byPath.code, 0) << byPath.all();
  EXPECT_EQ(byPath.out.rfind("Name: jsonx\n", 0), 0u) << byPath.out;
  CliResult none = run("--plugin-info nosuch");
  EXPECT_EQ(none.code, 1) << none.all();
  EXPECT_NE(none.err.find("can't find plugin and print its info: nosuch"), std::string::npos)
      << none.err;
}

TEST_F(CliFlags, PrintAppendsToEveryOutputAndIsDeprecated) {
  write("falco.yaml", config());
  CliResult r = run("--isolation inprocess -p 'extra=%counter.seq'");
  EXPECT_EQ(r.code, 0) << r.all();
  EXPECT_NE(r.out.find(": Warning hundred seq=200 extra=200\n"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("The -p/--print option is deprecated"), std::string::npos) << r.err;
  CliResult container = run("--isolation inprocess -pc");
  EXPECT_NE(container.out.find(": Warning hundred seq=200\n"), std::string::npos) << container.out;
}

TEST_F(CliFlags, UnbufferedAndPidfile) {
  write("falco.yaml", config());
  CliResult r = run("--isolation inprocess -U -P " + path("bulkhead.pid"));
  EXPECT_EQ(r.code, 0) << r.all();
  EXPECT_EQ(fired(r).hundreds, 9u);
  const std::string pid = read("bulkhead.pid");
  EXPECT_FALSE(pid.empty());
  EXPECT_EQ(pid.find_first_not_of("0123456789"), std::string::npos) << pid;
}

TEST_F(CliFlags, PageSize) {
  write("falco.yaml", config());
  CliResult r = run("--page-size");
  EXPECT_EQ(r.code, 0) << r.all();
  EXPECT_NE(
      r.err.find("Your system page size is: " + std::to_string(::sysconf(_SC_PAGESIZE)) + " bytes"),
      std::string::npos)
      << r.err;
}

TEST_F(CliFlags, AWarningWhenNoRuleIsEnabled) {
  write("rules.yaml", "");
  write("falco.yaml", config());
  CliResult empty = run("--isolation inprocess");
  EXPECT_EQ(empty.code, 0) << empty.all();
  EXPECT_NE(empty.err.find("no rule is loaded and enabled"), std::string::npos) << empty.err;
  write("rules.yaml", kRules);
  CliResult loaded = run("--isolation inprocess");
  EXPECT_EQ(loaded.err.find("no rule is loaded"), std::string::npos) << loaded.err;
  CliResult disabled = run("--isolation inprocess -o 'rules[].disable.rule=\"*\"'");
  EXPECT_NE(disabled.err.find("no rule is loaded and enabled"), std::string::npos) << disabled.err;
}

TEST_F(CliFlags, ARunNeedsARulesFileAsInFalco) {
  std::string yaml = config();
  yaml.erase(yaml.find("rules_files:"), std::string("rules_files: [rules.yaml]\n").size());
  write("falco.yaml", yaml);
  CliResult r = run("--dry-run");
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_NE(r.err.find("You must specify at least one rules file/directory via -r or a "
                       "rules_file entry in falco.yaml"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(run("--dry-run -r " + path("rules.yaml")).code, 0);
  EXPECT_EQ(run("-V " + path("rules.yaml")).code, 0);
  EXPECT_EQ(run("--list-plugins").code, 0) << "listing needs no rules";
}

TEST_F(CliFlags, StartupLogsOneShortLinePerRunnerAndTheLayersAtDebug) {
  write("falco.yaml", config());
  CliResult info = run("");
  EXPECT_EQ(info.code, 0) << info.all();
  const size_t at = info.err.find("plugin 'counter' (");
  ASSERT_NE(at, std::string::npos) << info.err;
  const std::string line = info.err.substr(at, info.err.find('\n', at) - at);
  EXPECT_NE(line.find("isolation process, policy default, sandbox "), std::string::npos) << line;
  EXPECT_NE(line.find(" layers on"), std::string::npos) << line;
  EXPECT_LT(line.size(), 300u) << line;
  EXPECT_EQ(info.err.find("seccomp: applied"), std::string::npos) << info.err;

  write("falco.yaml", config("log_level: debug\n"));
  CliResult debug = run("");
  EXPECT_NE(debug.err.find("seccomp: applied"), std::string::npos) << debug.err;
}

TEST_F(CliFlags, LogLevelFilters) {
  write("falco.yaml", config("log_level: error\n"));
  CliResult r = run("--isolation inprocess");
  EXPECT_EQ(r.code, 0) << r.all();
  EXPECT_EQ(fired(r).hundreds, 9u) << "alerts are not log messages";
  EXPECT_EQ(r.err.find("running 1 source(s)"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("[info]"), std::string::npos) << r.err;
  // Counters are the run's report, not log lines.
  EXPECT_NE(r.err.find("source counter      events 1000"), std::string::npos) << r.err;

  write("falco.yaml", config("log_level: notice\n"));
  EXPECT_EQ(run("--isolation inprocess").err.find("[info]"), std::string::npos);
  write("falco.yaml", config("log_level: info\n"));
  EXPECT_NE(run("--isolation inprocess").err.find("running 1 source(s)"), std::string::npos);
  write("falco.yaml", config());
  CliResult warn = run("--isolation inprocess -o log_level=warning -pc");
  EXPECT_NE(warn.err.find("[warning] The -p/--print option"), std::string::npos) << warn.err;
  EXPECT_EQ(warn.err.find("[info]"), std::string::npos) << warn.err;
}

TEST_F(CliFlags, LogLevelErrorsNameFileAndLine) {
  write("falco.yaml", config("log_level: loud\n"));
  CliResult r = run("--dry-run");
  EXPECT_EQ(r.code, 1) << r.all();
  EXPECT_NE(r.err.find("falco.yaml:8:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'loud' is not a log level"), std::string::npos) << r.err;
  write("falco.yaml", config("log_stderr: maybe\n"));
  CliResult b = run("--dry-run");
  EXPECT_EQ(b.code, 1) << b.all();
  EXPECT_NE(b.err.find("log_stderr"), std::string::npos) << b.err;
}

TEST_F(CliFlags, LogStderrOffSilencesTheLogButNotAFatalError) {
  write("falco.yaml", config("log_stderr: false\n"));
  CliResult r = run("--isolation inprocess");
  EXPECT_EQ(r.code, 0) << r.all();
  EXPECT_EQ(r.err.find("[info]"), std::string::npos) << r.err;
  EXPECT_EQ(fired(r).hundreds, 9u);
  write("falco.yaml",
        config("log_stderr: false\n")
            .replace(config("log_stderr: false\n").find("rules.yaml"), 10, "gone.yaml"));
  CliResult fail = run("--isolation inprocess");
  EXPECT_EQ(fail.code, 1) << fail.all();
  EXPECT_NE(fail.err.find("Error: cannot read rules file"), std::string::npos) << fail.err;
}

// syslog(3) writes to /dev/log. The test owns a datagram socket and runs
// bulkhead in a user and mount namespace whose /dev/log leads to it, so
// nothing reaches the machine's log.
class SyslogCapture {
 public:
  explicit SyslogCapture(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (fd_ < 0 || path.size() >= sizeof a.sun_path) return;
    path.copy(a.sun_path, path.size());
    bound_ = ::bind(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
  }
  ~SyslogCapture() {
    if (fd_ >= 0) ::close(fd_);
  }
  SyslogCapture(const SyslogCapture&) = delete;
  SyslogCapture& operator=(const SyslogCapture&) = delete;
  bool bound() const { return bound_; }
  // Every datagram already queued (the run that sent them has ended).
  std::string drain() const {
    std::string all;
    char buf[8192];
    pollfd p{fd_, POLLIN, 0};
    while (::poll(&p, 1, 0) == 1) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      all.append(buf, static_cast<size_t>(n)).push_back('\n');
    }
    return all;
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
};

TEST_F(CliFlags, LogSyslogSendsTheLogToSyslog) {
  SyslogCapture syslog(path("log"));
  ASSERT_TRUE(syslog.bound());
  const std::string probe = "unshare -rm true 2>/dev/null";
  if (std::system(probe.c_str()) != 0) GTEST_SKIP() << "no user and mount namespaces here";
  // The run's own /dev: a tmpfs whose `log` is the test's socket.
  auto runIn = [&](const std::string& args) {
    const std::string script = "mount -t tmpfs none /dev && ln -s " + path("log") +
                               " /dev/log && exec " + std::string(BULKHEAD_BINARY_DIR) +
                               "/bulkhead -c " + path("falco.yaml") + " " + args;
    const std::string cmd = "unshare -rm sh -c \"" + script + "\" 2>" + path("stderr");
    return std::system(cmd.c_str());
  };
  const std::string args = "--isolation inprocess --dry-run -o 'rules[].disable.tag=x'";

  write("falco.yaml", config("log_syslog: true\nlog_stderr: false\n"));
  EXPECT_EQ(runIn(args), 0) << read("stderr");
  const std::string logged = syslog.drain();
  EXPECT_NE(logged.find("bulkhead"), std::string::npos) << logged;
  EXPECT_NE(logged.find("Disabling rules with tag: x"), std::string::npos) << logged;
  EXPECT_EQ(read("stderr").find("Disabling rules"), std::string::npos) << read("stderr");

  write("falco.yaml", config("log_syslog: true\nlog_level: warning\n"));
  EXPECT_EQ(runIn(args), 0) << read("stderr");
  EXPECT_EQ(syslog.drain().find("Disabling rules"), std::string::npos) << "below log_level";

  write("falco.yaml", config());
  EXPECT_EQ(runIn(args), 0) << read("stderr");
  EXPECT_EQ(syslog.drain(), "") << "log_syslog is off by default";
  EXPECT_NE(read("stderr").find("Disabling rules with tag: x"), std::string::npos);
}

}  // namespace
}  // namespace bulkhead
