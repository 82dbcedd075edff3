// Alert channels end to end: the bulkhead binary over the counter source,
// alerts to http_output (a receiver in this process, on loopback, keep
// alive) against file_output, same events and rules, one run each per
// iteration (the order alternates). The alert rate is alerts delivered
// (received, or lines in the file) per second of bulkhead's wall time,
// which includes writing out the queue at exit.
//
// Then a dead receiver: it answers the first requests and then stops
// answering (holds every request). bulkhead must still process every event
// offered; alerts may be dropped and counted.
//
// Last, every event alerting: each channel's own top rate.
//
// RESULT lines: outputs_http_vs_file (http rate / file rate),
// outputs_<mode>_alerts_per_s, outputs_dead_receiver_events_lost and what
// the dead receiver cost in alerts, outputs_saturated_<mode>_alerts_per_s.
#include <unistd.h>

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench/child_run.h"
#include "bench/e2e_setup.h"

namespace bulkhead {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kEvents = 200000;
// One event in this many alerts (counter.msg ends with the seq).
constexpr const char* kAlertSuffix = "00";

std::vector<std::string> results;

std::string readFile(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

uint64_t lineCount(const fs::path& file) {
  std::ifstream in(file);
  uint64_t n = 0;
  for (std::string l; std::getline(in, l);) ++n;
  return n;
}

// "source counter      events 300000 ..." from the counters at exit.
uint64_t sourceEvents(const std::string& stderrText) {
  const size_t line = stderrText.rfind("\nsource counter");
  if (line == std::string::npos) return 0;
  const size_t at = stderrText.find(" events ", line);
  if (at == std::string::npos) return 0;
  return std::strtoull(stderrText.c_str() + at + 8, nullptr, 10);
}

// "bulkhead: N alerts could not be written to <target> ...", or 0.
uint64_t notWritten(const std::string& stderrText) {
  const size_t at = stderrText.find(" alerts could not be written to ");
  if (at == std::string::npos) return 0;
  const size_t start = stderrText.rfind("bulkhead: ", at);
  return std::strtoull(stderrText.c_str() + start + 10, nullptr, 10);
}

// The number after `label` in bulkhead's not-written summary line, or 0.
uint64_t summaryField(const std::string& stderrText, const std::string& label) {
  const size_t at = stderrText.find(label);
  if (at == std::string::npos) return 0;
  return std::strtoull(stderrText.c_str() + at + label.size(), nullptr, 10);
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "bulkhead_outputs_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Counts POSTs; after `answerFirst` of them (when set) holds every later
// request until the receiver is stopped.
class Receiver {
 public:
  Receiver() {
    server_.Post("/", [this](const httplib::Request&, httplib::Response& res) {
      std::unique_lock lock(mu_);
      if (answerFirst_ > 0 && received_ >= answerFirst_) {
        wake_.wait(lock, [&] { return stopping_; });
        return;
      }
      ++received_;
      res.set_content("ok", "text/plain");
    });
    // As falcosidekick's server: answers are not held back by Nagle's
    // algorithm (cpp-httplib's default would add ~40 ms per request).
    server_.set_tcp_nodelay(true);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Receiver() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      wake_.notify_all();
    }
    server_.stop();
    thread_.join();
  }
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
  void answerOnly(uint64_t n) {
    std::lock_guard lock(mu_);
    answerFirst_ = n;
  }
  uint64_t received() {
    std::lock_guard lock(mu_);
    return received_;
  }
  void reset() {
    std::lock_guard lock(mu_);
    received_ = 0;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable wake_;
  uint64_t received_ = 0;
  uint64_t answerFirst_ = 0;
  bool stopping_ = false;
};

// `condition` empty: one event in a hundred alerts.
std::string rules(const std::string& condition = "") {
  return generateRules(10) +
         "- rule: Bench alert\n"
         "  desc: the alerting share of the events\n"
         "  condition: " +
         (condition.empty() ? "counter.msg endswith \"" + std::string(kAlertSuffix) + "\""
                            : condition) +
         "\n"
         "  output: \"bench alert seq=%counter.seq msg=%counter.msg ip=%jsonx.value[/ip]\"\n"
         "  priority: WARNING\n"
         "  source: counter\n";
}

// The e2e config (file output) turned into the http one when `url` is set.
std::string config(const E2eConfig& c, const std::string& url, int timeoutMs,
                   const std::string& extra = "") {
  std::string text = generateConfig(c);
  const std::string textOff = "json_output: false";
  text.replace(text.find(textOff), textOff.size(), "json_output: true");  // what falcosidekick reads
  text += "output_timeout: " + std::to_string(timeoutMs) + "\n" + extra;
  if (url.empty()) return text;
  const std::string on = "file_output:\n  enabled: true";
  text.replace(text.find(on), on.size(), "file_output:\n  enabled: false");
  text += "http_output:\n  enabled: true\n  keep_alive: true\n  url: \"" + url + "\"\n";
  return text;
}

struct RunResult {
  double wall = 0;
  uint64_t events = 0;
  uint64_t delivered = 0;
  uint64_t notWritten = 0;
  std::string stderrText;
};

RunResult runBulkhead(const fs::path& dir, const std::string& name, const std::string& yaml) {
  const fs::path cfg = dir / (name + ".yaml");
  std::ofstream(cfg) << yaml;
  const fs::path err = dir / (name + ".stderr");
  const std::vector<std::string> argv = {std::string(BULKHEAD_BINARY_DIR) + "/bulkhead", "-c",
                                         cfg.string()};
  const ChildRun r = runChild(argv, "/dev/null", err.string(), 0);
  RunResult out;
  out.stderrText = readFile(err);
  if (!r.ok()) throw std::runtime_error(name + ": bulkhead " + r.describe() + ": " + out.stderrText);
  out.wall = r.wallSeconds;
  out.events = sourceEvents(out.stderrText);
  out.notWritten = notWritten(out.stderrText);
  return out;
}

E2eConfig baseConfig(const fs::path& dir, const std::string& condition = "",
                     uint64_t events = kEvents) {
  E2eConfig c;
  c.pluginDir = BULKHEAD_TEST_PLUGIN_DIR;
  c.events = events;
  c.rulesFile = (dir / "rules.yaml").string();
  c.alertsFile = (dir / "alerts.txt").string();
  std::ofstream(c.rulesFile) << rules(condition);
  return c;
}

void BM_HttpVsFile(benchmark::State& state) {
  TempDir dir;
  const E2eConfig c = baseConfig(dir.path());
  Receiver receiver;
  double httpWall = 0, fileWall = 0;
  uint64_t httpAlerts = 0, fileAlerts = 0, httpLost = 0;
  int iteration = 0;
  for (auto _ : state) {
    double iterationWall = 0;
    for (int k = 0; k < 2; ++k) {
      const bool http = (k + iteration) % 2 == 0;
      try {
        if (http) {
          receiver.reset();
          const RunResult r = runBulkhead(dir.path(), "http", config(c, receiver.url(), 2000));
          httpWall += r.wall;
          httpAlerts += receiver.received();
          httpLost += r.notWritten;
          iterationWall += r.wall;
          if (r.events != kEvents) throw std::runtime_error("http run lost events");
        } else {
          fs::remove(c.alertsFile);
          const RunResult r = runBulkhead(dir.path(), "file", config(c, "", 2000));
          fileWall += r.wall;
          fileAlerts += lineCount(c.alertsFile);
          iterationWall += r.wall;
          if (r.events != kEvents) throw std::runtime_error("file run lost events");
        }
      } catch (const std::exception& e) {
        state.SkipWithError(e.what());
        return;
      }
    }
    ++iteration;
    state.SetIterationTime(iterationWall);
  }
  if (fileAlerts == 0) {
    state.SkipWithError("no alerts written to the file");
    return;
  }
  const double httpRate = static_cast<double>(httpAlerts) / httpWall;
  const double fileRate = static_cast<double>(fileAlerts) / fileWall;
  state.counters["http_alerts_per_s"] = httpRate;
  state.counters["file_alerts_per_s"] = fileRate;
  state.counters["http_not_written"] = static_cast<double>(httpLost);
  state.counters["alerts_per_run"] = static_cast<double>(fileAlerts) / iteration;
  char line[160];
  std::snprintf(line, sizeof line, "RESULT outputs_http_vs_file %.3f", httpRate / fileRate);
  results.emplace_back(line);
  std::snprintf(line, sizeof line, "RESULT outputs_http_alerts_per_s %.0f", httpRate);
  results.emplace_back(line);
  std::snprintf(line, sizeof line, "RESULT outputs_file_alerts_per_s %.0f", fileRate);
  results.emplace_back(line);
  std::snprintf(line, sizeof line, "RESULT outputs_http_alerts_not_written %llu",
                static_cast<unsigned long long>(httpLost));
  results.emplace_back(line);
}
BENCHMARK(BM_HttpVsFile)->Iterations(3)->UseManualTime()->Unit(benchmark::kMillisecond);

// The receiver answers 100 requests, then never again.
void BM_DeadReceiver(benchmark::State& state) {
  TempDir dir;
  const E2eConfig c = baseConfig(dir.path());
  Receiver receiver;
  receiver.answerOnly(100);
  RunResult r;
  for (auto _ : state) {
    try {
      r = runBulkhead(dir.path(), "dead",
                      config(c, receiver.url(), 500, "outputs_queue: {capacity: 1000}\n"));
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
      return;
    }
    state.SetIterationTime(r.wall);
  }
  const uint64_t lost = kEvents > r.events ? kEvents - r.events : 0;
  state.counters["events_offered"] = static_cast<double>(kEvents);
  state.counters["events_processed"] = static_cast<double>(r.events);
  state.counters["alerts_received"] = static_cast<double>(receiver.received());
  state.counters["alerts_not_written"] = static_cast<double>(r.notWritten);
  char line[160];
  std::snprintf(line, sizeof line, "RESULT outputs_dead_receiver_events_lost %llu",
                static_cast<unsigned long long>(lost));
  results.emplace_back(line);
  std::snprintf(line, sizeof line, "RESULT outputs_dead_receiver_events_processed %llu of %llu",
                static_cast<unsigned long long>(r.events), static_cast<unsigned long long>(kEvents));
  results.emplace_back(line);
  std::snprintf(line, sizeof line, "RESULT outputs_dead_receiver_alerts_not_written %llu",
                static_cast<unsigned long long>(r.notWritten));
  results.emplace_back(line);
  std::snprintf(line, sizeof line,
                "RESULT outputs_dead_receiver_alerts_dropped_by_queue %llu",
                static_cast<unsigned long long>(
                    summaryField(r.stderrText, "dropped by the full queue ")));
  results.emplace_back(line);
  std::snprintf(line, sizeof line, "RESULT outputs_dead_receiver_alerts_left_at_exit %llu",
                static_cast<unsigned long long>(
                    summaryField(r.stderrText, "left in the queue at exit ")));
  results.emplace_back(line);
  std::snprintf(line, sizeof line, "RESULT outputs_dead_receiver_wall_s %.2f", r.wall);
  results.emplace_back(line);
}

// Every event alerts: how many alerts/s each channel takes when the source
// offers far more than a receiver answers. The queue is large and the
// drain unbounded enough that every alert is delivered; the rate is then
// the channel's own.
constexpr uint64_t kSaturatingEvents = 30000;

void BM_Saturated(benchmark::State& state) {
  TempDir dir;
  const E2eConfig c = baseConfig(dir.path(), "counter.seq >= 0", kSaturatingEvents);
  Receiver receiver;
  const std::string extra = "outputs_queue: {capacity: 1000000}\n";
  double httpRate = 0, fileRate = 0;
  for (auto _ : state) {
    try {
      receiver.reset();
      const RunResult h = runBulkhead(dir.path(), "sat_http", config(c, receiver.url(), 600000, extra));
      httpRate = static_cast<double>(receiver.received()) / h.wall;
      fs::remove(c.alertsFile);
      const RunResult f = runBulkhead(dir.path(), "sat_file", config(c, "", 600000, extra));
      fileRate = static_cast<double>(lineCount(c.alertsFile)) / f.wall;
      state.SetIterationTime(h.wall + f.wall);
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
      return;
    }
  }
  state.counters["http_alerts_per_s"] = httpRate;
  state.counters["file_alerts_per_s"] = fileRate;
  char line[160];
  std::snprintf(line, sizeof line, "RESULT outputs_saturated_http_alerts_per_s %.0f", httpRate);
  results.emplace_back(line);
  std::snprintf(line, sizeof line, "RESULT outputs_saturated_file_alerts_per_s %.0f", fileRate);
  results.emplace_back(line);
}
BENCHMARK(BM_Saturated)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DeadReceiver)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

class ResultReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) failed_ = failed_ || r.error_occurred;
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    for (const std::string& l : results) std::printf("%s\n", l.c_str());
  }
  bool failed() const { return failed_; }

 private:
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
