// End to end, isolated vs in-process, same plugins, same rules, one run:
// the bulkhead binary reads a finite counter source, extracts with counter
// and jsonx, evaluates 10, 100 or 1000 generated rules and writes alerts to
// a file. Each iteration runs bulkhead once per mode (the order alternates,
// so that a warmer page cache or a busier neighbour favours neither) and
// measures it from outside: wall time, wait4's CPU and peak RSS of the
// process tree, and the runners' own peaks. Both modes must exit 0, read
// every event and write the same alerts, else the benchmark fails.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench/child_run.h"
#include "bench/e2e_setup.h"

namespace bulkhead {
namespace {

namespace fs = std::filesystem;

constexpr int kBatch = 64;
constexpr int kPayloadBytes = 64;

// Events per run: enough that start-up (runners, plugin init, compiling the
// rules: 0.01 to 0.35 s) stays a small part of the wall time, few enough
// that the whole suite runs in about a minute on two cores (1000 rules cost
// about 90 us of CPU per event).
// BULKHEAD_E2E_EVENTS (> 0) overrides it for every rule count.
uint64_t eventsFor(int rules) {
  if (const char* env = std::getenv("BULKHEAD_E2E_EVENTS")) {
    // 0 would make the counter source endless.
    if (const uint64_t n = std::strtoull(env, nullptr, 10); n > 0) return n;
  }
  if (rules >= 1000) return 15000;
  if (rules >= 100) return 60000;
  return 200000;
}

struct Mode {
  const char* name;
  const char* isolation;
  // Runner processes bulkhead starts: one per plugin, plus its parked
  // standby (restart.standby, on by default).
  int runners;
};
constexpr Mode kModes[] = {{"inprocess", "inprocess", 0}, {"isolated", "process", 4}};

// What one mode's runs add up to.
struct Totals {
  double wall = 0;
  double cpu = 0;
  double runnersCpu = 0;
  double ownCpu = 0;
  uint64_t events = 0;
  uint64_t maxRssKib = 0;
  uint64_t runnersHwmKib = 0;
  int runs = 0;
};

// Alerts as written, minus the leading event time (`<time>: <Priority> ...`),
// which is the open time of the source and so differs between runs.
struct AlertDigest {
  uint64_t lines = 0;
  uint64_t hash = 1469598103934665603ull;  // FNV-1a over the lines, in order

  bool operator==(const AlertDigest& o) const { return lines == o.lines && hash == o.hash; }
};

AlertDigest digestAlerts(const fs::path& file) {
  AlertDigest d;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    const size_t sep = line.find(": ");
    const std::string_view body =
        sep == std::string::npos ? std::string_view(line) : std::string_view(line).substr(sep);
    for (char c : body) {
      d.hash ^= static_cast<unsigned char>(c);
      d.hash *= 1099511628211ull;
    }
    d.hash ^= '\n';
    d.hash *= 1099511628211ull;
    ++d.lines;
  }
  return d;
}

std::string readFile(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The events bulkhead counted for the counter source, from the counters it
// prints on exit ("source counter      events 300000 async 0 ...").
uint64_t sourceEvents(const std::string& stderrText) {
  const size_t line = stderrText.rfind("\nsource counter");
  if (line == std::string::npos) return 0;
  const size_t at = stderrText.find(" events ", line);
  if (at == std::string::npos) return 0;
  return std::strtoull(stderrText.c_str() + at + 8, nullptr, 10);
}

// The alerts bulkhead says it emitted ("bulkhead: 60 alerts"), or -1.
int64_t alertsEmitted(const std::string& stderrText) {
  const size_t at = stderrText.rfind("\nbulkhead: ");
  if (at == std::string::npos) return -1;
  return std::strtoll(stderrText.c_str() + at + 11, nullptr, 10);
}

std::string tail(const std::string& text, size_t n) {
  return text.size() <= n ? text : "..." + text.substr(text.size() - n);
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "bulkhead_e2e_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// One bulkhead run of `mode` over `config`; false (and the benchmark
// failed with the reason) unless it exited 0, read `events` events,
// started every runner and wrote every alert it counted to the file.
// `alerts` gets the digest of the alert file.
bool runOnce(benchmark::State& state, const fs::path& dir, const Mode& m, const fs::path& config,
             uint64_t events, ChildRun& r, AlertDigest& alerts) {
  const fs::path alertFile = dir / (std::string("alerts_") + m.name + ".txt");
  const fs::path err = dir / (std::string("stderr_") + m.name + ".txt");
  fs::remove(alertFile);
  const std::vector<std::string> argv = {std::string(BULKHEAD_BINARY_DIR) + "/bulkhead", "-c",
                                         config.string(), "--isolation", m.isolation};
  r = runChild(argv, "/dev/null", err.string(), m.runners);
  const std::string errText = readFile(err);
  std::string problem;
  if (!r.ok()) {
    problem = "bulkhead " + r.describe();
  } else if (const uint64_t seen = sourceEvents(errText); seen != events) {
    problem =
        "bulkhead read " + std::to_string(seen) + " events, expected " + std::to_string(events);
  } else if (m.runners > 0 && r.childrenSeen != m.runners) {
    problem = "saw " + std::to_string(r.childrenSeen) + " runner processes, expected " +
              std::to_string(m.runners);
  }
  if (problem.empty()) {
    alerts = digestAlerts(alertFile);
    // Every alert bulkhead counted must be in the file.
    if (const int64_t emitted = alertsEmitted(errText);
        emitted != static_cast<int64_t>(alerts.lines)) {
      problem = "bulkhead reports " + std::to_string(emitted) + " alerts, the file holds " +
                std::to_string(alerts.lines);
    }
  }
  if (!problem.empty()) {
    state.SkipWithError((std::string(m.name) + ": " + problem + ": " + tail(errText, 600)).c_str());
    return false;
  }
  return true;
}

fs::path writeConfig(const fs::path& dir, const Mode& m, uint64_t events, const char* suffix) {
  E2eConfig c;
  c.pluginDir = BULKHEAD_TEST_PLUGIN_DIR;
  c.events = events;
  c.batch = kBatch;
  c.payloadBytes = kPayloadBytes;
  c.rulesFile = (dir / "rules.yaml").string();
  c.alertsFile = (dir / (std::string("alerts_") + m.name + ".txt")).string();
  const fs::path path = dir / (std::string("falco_") + m.name + suffix + ".yaml");
  std::ofstream(path) << generateConfig(c);
  return path;
}

// Args: number of rules.
void BM_E2e(benchmark::State& state) {
  const int rules = static_cast<int>(state.range(0));
  const uint64_t events = eventsFor(rules);
  TempDir dir;
  { std::ofstream(dir.path() / "rules.yaml") << generateRules(rules); }
  // Start-up and shutdown alone (one event), untimed: loading the plugins,
  // starting the runners, compiling the rules. The events/s figures include
  // it once per run; the `steady` ones subtract it.
  std::map<std::string, double> startup;
  for (const Mode& m : kModes) {
    ChildRun r;
    AlertDigest ignored;
    // Not sampled for its runners: the whole run can end between two of
    // the sampler's 20 ms looks. The timed runs below check them.
    const Mode unsampled{m.name, m.isolation, 0};
    if (!runOnce(state, dir.path(), unsampled, writeConfig(dir.path(), m, 1, "_startup"), 1, r,
                 ignored)) {
      return;
    }
    startup[m.name] = r.wallSeconds;
  }

  std::map<std::string, Totals> totals;
  std::map<std::string, AlertDigest> digests;
  int iteration = 0;
  for (auto _ : state) {
    double iterationWall = 0;
    for (int k = 0; k < 2; ++k) {
      const Mode& m = kModes[(iteration + k) % 2];
      ChildRun r;
      AlertDigest d;
      if (!runOnce(state, dir.path(), m, writeConfig(dir.path(), m, events, ""), events, r, d)) {
        return;
      }
      if (d.lines == 0) {
        state.SkipWithError((std::string(m.name) + ": no alerts written").c_str());
        return;
      }
      auto [it, first] = digests.emplace(m.name, d);
      if (!first && !(it->second == d)) {
        state.SkipWithError((std::string(m.name) + ": alerts differ between runs").c_str());
        return;
      }
      Totals& t = totals[m.name];
      t.wall += r.wallSeconds;
      t.cpu += r.cpuSeconds;
      t.runnersCpu += r.childrenCpuSeconds;
      t.ownCpu += r.ownCpuSeconds;
      t.events += events;
      t.maxRssKib = std::max(t.maxRssKib, r.maxRssKib);
      t.runnersHwmKib = std::max(t.runnersHwmKib, r.childrenHwmKib);
      ++t.runs;
      iterationWall += r.wallSeconds;
    }
    ++iteration;
    state.SetIterationTime(iterationWall);
  }
  const AlertDigest& in = digests["inprocess"];
  const AlertDigest& iso = digests["isolated"];
  if (!(in == iso)) {
    state.SkipWithError(("alerts differ between modes: in-process " + std::to_string(in.lines) +
                         " lines, isolated " + std::to_string(iso.lines) + " lines")
                            .c_str());
    return;
  }
  for (const auto& [mode, t] : totals) {
    const double n = static_cast<double>(t.events);
    state.counters[mode + "_per_s"] = n / t.wall;
    state.counters[mode + "_steady_per_s"] = n / (t.wall - t.runs * startup[mode]);
    state.counters[mode + "_startup_ms"] = startup[mode] * 1e3;
    state.counters[mode + "_cpu_ns_per_event"] = t.cpu * 1e9 / n;
    state.counters[mode + "_maxrss_kib"] = static_cast<double>(t.maxRssKib);
  }
  const Totals& isoT = totals["isolated"];
  const Totals& inT = totals["inprocess"];
  state.counters["isolated_vs_inprocess"] =
      (static_cast<double>(isoT.events) / isoT.wall) / (static_cast<double>(inT.events) / inT.wall);
  state.counters["isolated_runners_cpu_ns_per_event"] =
      isoT.runnersCpu * 1e9 / static_cast<double>(isoT.events);
  state.counters["isolated_supervisor_cpu_ns_per_event"] =
      isoT.ownCpu * 1e9 / static_cast<double>(isoT.events);
  state.counters["isolated_runners_hwm_kib"] = static_cast<double>(isoT.runnersHwmKib);
  state.counters["alerts"] = static_cast<double>(in.lines);
  state.counters["events"] = static_cast<double>(events);
  state.SetLabel(std::to_string(rules) + "rules");
}
BENCHMARK(BM_E2e)
    ->ArgName("rules")
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->Iterations(4)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// Prints the usual table, then `RESULT e2e_<label>_<counter> <value>` for
// every counter of every run that did not fail; a failed run makes the
// binary exit 1, so that bench/run stops there.
class ResultReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred) {
        failed_ = true;
        continue;
      }
      for (const auto& [k, c] : r.counters) {
        if (k == "items_per_second") continue;
        lines_.push_back("RESULT e2e_" + r.report_label + "_" + k + " " + format(c.value));
      }
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    for (const std::string& l : lines_) std::printf("%s\n", l.c_str());
  }
  bool failed() const { return failed_; }

 private:
  static std::string format(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
  }
  std::vector<std::string> lines_;
  bool failed_ = false;
};

}  // namespace
}  // namespace bulkhead

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  bulkhead::ResultReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return reporter.failed() ? 1 : 0;
}
