// Isolated vs in-process, same plugin, same machine, one run.
//
// Source: events/s through nextBatch for several payload sizes and batch
// sizes. Extract: field values/s for 1, 4 and 16 fields per event. Recovery:
// the time from a runner's death to the first event its replacement
// delivers. Items per second are events (source) or event x field cells
// (extract); bench/run turns pairs into isolated/in-process ratios.
#include <signal.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include "inprocess_host.h"
#include "isolated_host.h"

namespace bulkhead {
namespace {

std::string pluginPath(const std::string& name) {
  return std::string(BULKHEAD_TEST_PLUGIN_DIR) + "/lib" + name + ".so";
}

IsolationOptions benchIsolation() {
  IsolationOptions o;
  o.runnerPath = std::string(BULKHEAD_BINARY_DIR) + "/bulkhead-runner";
  o.policyDir = std::string(BULKHEAD_BINARY_DIR) + "/policies";
  o.maxRestarts = 1000000;
  o.backoffInitial = std::chrono::milliseconds(0);
  o.backoffMax = std::chrono::milliseconds(0);
  return o;
}

std::unique_ptr<PluginHost> makeHost(bool isolated, const std::string& plugin) {
  PluginSpec spec{plugin, pluginPath(plugin), ""};
  if (isolated) return std::make_unique<IsolatedHost>(spec, benchIsolation());
  return std::make_unique<InProcessHost>(spec);
}

// CPU time of the calling thread, ns.
double threadCpuNs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// CPU time of every thread of process `pid`, ns (schedstat: on-CPU time,
// ns resolution, unlike the tick-based utime/stime of /proc/<pid>/stat).
double processCpuNs(int pid) {
  if (pid <= 0) return 0;
  double total = 0;
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& task : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(task.path() / "schedstat");
    double onCpu = 0;
    if (in >> onCpu) total += onCpu;
  }
  return total;
}

// Args: isolated (0/1), payload bytes, batch size. Besides the rate, CPU
// per event on each side: the engine thread that calls nextBatch, and the
// runner (all its threads; 0 in-process). On a busy machine the rate
// follows the CPU share the two processes got; these do not.
void BM_Source(benchmark::State& state) {
  auto host = makeHost(state.range(0) != 0, "counter");
  host->open("count=0,size=" + std::to_string(state.range(1)) +
             ",batch=" + std::to_string(state.range(2)));
  auto* isolated = dynamic_cast<IsolatedHost*>(host.get());
  int64_t events = 0;
  const double engineStart = threadCpuNs();
  const double runnerStart = isolated ? processCpuNs(isolated->runnerPid()) : 0;
  for (auto _ : state) {
    BatchResult b = host->nextBatch();
    events += static_cast<int64_t>(b.events.size());
    benchmark::DoNotOptimize(b.events.data());
  }
  const double perEvent = events > 0 ? 1.0 / static_cast<double>(events) : 0;
  state.counters["engine_cpu_ns_per_event"] = (threadCpuNs() - engineStart) * perEvent;
  if (isolated != nullptr) {
    state.counters["runner_cpu_ns_per_event"] =
        (processCpuNs(isolated->runnerPid()) - runnerStart) * perEvent;
  }
  state.SetItemsProcessed(events);
  state.SetBytesProcessed(events * state.range(1));
  state.SetLabel(state.range(0) != 0 ? "isolated" : "inprocess");
}
BENCHMARK(BM_Source)
    ->ArgNames({"isolated", "size", "batch"})
    ->ArgsProduct({{0, 1}, {64, 1024, 8192}, {1, 16, 128, 1024}})
    ->MinTime(0.3)
    ->UseRealTime();

// Args: isolated (0/1), fields per event, extractor (0: the source plugin
// itself, 1: the separate extract-only jsonx plugin).
void BM_Extract(benchmark::State& state) {
  const bool isolated = state.range(0) != 0;
  const size_t nFields = static_cast<size_t>(state.range(1));
  const bool separate = state.range(2) != 0;
  auto source = makeHost(false, "counter");
  auto extractor = makeHost(isolated, separate ? "jsonx" : "counter");
  source->open("count=0,size=64,batch=128");
  const PluginInfo& info = extractor->info();
  std::vector<FieldRequest> requests;
  const char* counterFields[] = {"counter.seq", "counter.msg", "counter.even", "counter.len"};
  const char* pointers[] = {"/seq", "/msg", "/even", "/ip"};
  for (size_t i = 0; i < nFields; ++i) {
    FieldRequest r;
    if (separate) {
      r.fieldId = 0;  // jsonx.value
      r.argKey = pointers[i % 4];
      r.argPresent = true;
    } else {
      const std::string name = counterFields[i % 4];
      r.fieldId = static_cast<uint32_t>(
          std::find_if(info.fields.begin(), info.fields.end(),
                       [&](const FieldDescriptor& f) { return f.name == name; }) -
          info.fields.begin());
    }
    requests.push_back(r);
  }
  BatchResult b = source->nextBatch();
  ExtractResults res;
  int64_t cells = 0;
  for (auto _ : state) {
    if (extractor->extract(b.events, "counter", requests, res) != SS_PLUGIN_SUCCESS) {
      state.SkipWithError("extraction failed");
      break;
    }
    cells += static_cast<int64_t>(b.events.size() * requests.size());
  }
  state.SetItemsProcessed(cells);
  state.SetLabel(isolated ? "isolated" : "inprocess");
}
BENCHMARK(BM_Extract)
    ->ArgNames({"isolated", "fields", "separate"})
    ->ArgsProduct({{0, 1}, {1, 4, 16}, {0, 1}})
    ->MinTime(0.3)
    ->UseRealTime();

// Kill the runner, then time until the replacement delivers an event.
void BM_CrashRecovery(benchmark::State& state) {
  spdlog::set_level(spdlog::level::off);  // one crash report per iteration
  auto host = std::make_unique<IsolatedHost>(PluginSpec{"counter", pluginPath("counter"), ""},
                                             benchIsolation());
  host->open("count=0,size=64,batch=16");
  std::vector<double> samples;
  for (auto _ : state) {
    while (host->nextBatch().events.empty()) {
    }
    ::kill(host->runnerPid(), SIGKILL);
    const auto start = std::chrono::steady_clock::now();
    // Drain what the dead runner committed, then wait for the new one.
    const int dead = host->runnerPid();
    for (;;) {
      BatchResult b = host->nextBatch();
      if (!b.events.empty() && host->runnerPid() != dead && host->runnerPid() != -1) break;
    }
    const double us = std::chrono::duration<double, std::micro>(
                          std::chrono::steady_clock::now() - start)
                          .count();
    samples.push_back(us);
    state.SetIterationTime(us / 1e6);
  }
  std::sort(samples.begin(), samples.end());
  if (!samples.empty()) {
    state.counters["p50_us"] = samples[samples.size() / 2];
    state.counters["p99_us"] = samples[std::min(samples.size() - 1, samples.size() * 99 / 100)];
  }
  spdlog::set_level(spdlog::level::info);
}
BENCHMARK(BM_CrashRecovery)->Iterations(200)->UseManualTime()->Unit(benchmark::kMicrosecond);

// Resident memory of one runner with the counter plugin, after it has
// served a while: RssAnon + RssFile (the runner's own memory, the loader,
// libc, the plugin) and RssShmem (the ring pages it touched), in KiB.
uint64_t statusKib(int pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::stoull(line.substr(key.size() + 1));
  }
  return 0;
}

void BM_RunnerRss(benchmark::State& state) {
  auto host = std::make_unique<IsolatedHost>(PluginSpec{"counter", pluginPath("counter"), ""},
                                             benchIsolation());
  host->open("count=0,size=64,batch=128");
  for (auto _ : state) {
    for (int i = 0; i < 2000; ++i) benchmark::DoNotOptimize(host->nextBatch().events.size());
  }
  const int pid = host->runnerPid();
  state.counters["rss_anon_kib"] = static_cast<double>(statusKib(pid, "RssAnon"));
  state.counters["rss_file_kib"] = static_cast<double>(statusKib(pid, "RssFile"));
  state.counters["rss_shmem_kib"] = static_cast<double>(statusKib(pid, "RssShmem"));
}
BENCHMARK(BM_RunnerRss)->Iterations(1);

// Prints the usual table, then RESULT lines: isolated/in-process ratios of
// items per second for every pair of runs that differ only in "isolated",
// and the recovery and memory figures.
class ResultReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred) continue;
      const std::string name = r.benchmark_name();
      auto items = r.counters.find("items_per_second");
      if (items != r.counters.end()) rates_[name] = items->second.value;
      // Other counters are named per mode: "..._inprocess_<counter>".
      const char* mode = name.find("isolated:1") != std::string::npos   ? "_isolated"
                         : name.find("isolated:0") != std::string::npos ? "_inprocess"
                                                                        : "";
      for (const auto& [k, c] : r.counters) {
        if (k != "items_per_second" && k != "bytes_per_second") {
          extra_[resultName(name) + mode + ":" + k] = c.value;
        }
      }
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    for (const auto& [name, rate] : rates_) {
      const auto pos = name.find("isolated:1");
      if (pos == std::string::npos) continue;
      std::string base = name;
      base.replace(pos, 10, "isolated:0");
      auto it = rates_.find(base);
      if (it == rates_.end() || it->second <= 0) continue;
      std::printf("RESULT %s_isolated_vs_inprocess %.3f\n", resultName(name).c_str(),
                  rate / it->second);
      std::printf("RESULT %s_isolated_per_s %.4g\n", resultName(name).c_str(), rate);
      std::printf("RESULT %s_inprocess_per_s %.4g\n", resultName(name).c_str(), it->second);
    }
    for (const auto& [key, value] : extra_) {
      const size_t colon = key.rfind(':');
      std::printf("RESULT %s_%s %.4g\n", key.substr(0, colon).c_str(),
                  key.substr(colon + 1).c_str(), value);
    }
  }

 private:
  // "BM_Source/isolated:1/size:64/batch:128/real_time" -> "source_size64_batch128"
  static std::string resultName(const std::string& name) {
    std::string out;
    size_t start = 3;  // after "BM_"
    while (start < name.size()) {
      size_t end = name.find('/', start);
      std::string part = name.substr(start, end == std::string::npos ? std::string::npos
                                                                      : end - start);
      const bool noise = part.rfind("isolated:", 0) == 0 || part.rfind("min_time", 0) == 0 ||
                         part.rfind("iterations", 0) == 0 || part == "real_time" ||
                         part == "manual_time" || part.empty();
      if (!noise) {
        part.erase(std::remove(part.begin(), part.end(), ':'), part.end());
        if (!out.empty()) out += '_';
        out += part;
      }
      if (end == std::string::npos) break;
      start = end + 1;
    }
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  }
  std::map<std::string, double> rates_;
  std::map<std::string, double> extra_;
};

}  // namespace
}  // namespace bulkhead

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  bulkhead::ResultReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
