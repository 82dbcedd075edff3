// Isolated vs in-process, same plugin, same machine, one run.
//
// Source: events/s through nextBatch for several payload sizes and batch
// sizes. Extract: field values/s for 1, 4 and 16 fields per event. Recovery:
// the time from a runner's death to the first event its replacement
// delivers. Items per second are events (source) or event x field cells
// (extract); bench/run turns pairs into isolated/in-process ratios.
//
// Parse: events/s through parse() of the stateful plugin. Async: ticks/s
// delivered by the ticker through startAsync/drainAsync, and their latency.
// Source, extract and parse also report the CPU time per event of both
// processes (`<mode>_cpu_ns_per_event`, and for isolated hosts the
// supervisor thread's and the runner's shares).
#include <dirent.h>
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include "plugin_api/inprocess_host.h"
#include "supervisor/isolated_host.h"
#include "supervisor/runner_services.h"

namespace bulkhead {
namespace {

std::string pluginPath(const std::string& name) {
  return std::string(BULKHEAD_TEST_PLUGIN_DIR) + "/lib" + name + ".so";
}

// What main() owns and hands to every host; one for the whole benchmark.
RunnerServices& services() {
  static Spawner* spawner = new Spawner();
  static DeathWatch* deathWatch = new DeathWatch();
  static RunnerOutput* runnerOutput = new RunnerOutput();
  static RunnerServices* s =
      new RunnerServices{*spawner, *deathWatch, *runnerOutput, std::string(BULKHEAD_BINARY_DIR) + "/bulkhead-runner",
                         std::string(BULKHEAD_BINARY_DIR) + "/policies"};
  return *s;
}

IsolationConfig benchIsolation() {
  IsolationConfig o;
  o.restart.maxRestarts = 1000000;
  o.restart.backoffInitial = std::chrono::milliseconds(0);
  o.restart.backoffMax = std::chrono::milliseconds(0);
  return o;
}

std::unique_ptr<PluginHost> makeHost(bool isolated, const std::string& plugin) {
  PluginSpec spec{plugin, pluginPath(plugin), ""};
  if (isolated) return std::make_unique<IsolatedHost>(spec, benchIsolation(), services());
  return std::make_unique<InProcessHost>(spec);
}

std::unique_ptr<PluginHost> makeHost(bool isolated, const std::string& plugin,
                                     const std::string& initConfig) {
  PluginSpec spec{plugin, pluginPath(plugin), initConfig};
  if (isolated) return std::make_unique<IsolatedHost>(spec, benchIsolation(), services());
  return std::make_unique<InProcessHost>(spec);
}

// CPU time of the calling thread: the engine side of either host.
uint64_t threadCpuNs() {
  timespec t{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<uint64_t>(t.tv_sec) * 1000000000u + static_cast<uint64_t>(t.tv_nsec);
}

// CPU time of every live thread of a process, in ns, from the scheduler's
// own accounting (/proc/<pid>/task/<tid>/schedstat, first field): stat's
// utime+stime count in 10 ms ticks, too coarse for a 0.3 s benchmark.
uint64_t processCpuNs(int pid) {
  if (pid <= 0) return 0;
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = ::opendir(tasks.c_str());
  if (d == nullptr) return 0;
  uint64_t sum = 0;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream in(tasks + "/" + e->d_name + "/schedstat");
    uint64_t ns = 0;
    if (in >> ns) sum += ns;
  }
  ::closedir(d);
  return sum;
}

int runnerPidOf(PluginHost& host) {
  auto* isolated = dynamic_cast<IsolatedHost*>(&host);
  return isolated != nullptr ? isolated->runnerPid() : -1;
}

// CPU spent on both sides of a host between construction and report():
// the calling thread and, for an isolated host, its runner process.
class CpuMeter {
 public:
  explicit CpuMeter(PluginHost& host)
      : pid_(runnerPidOf(host)), thread0_(threadCpuNs()), runner0_(processCpuNs(pid_)) {}

  // Counters `<mode>_cpu_ns_per_event` (both processes) and, isolated, the
  // supervisor and runner shares. The mode is in the name because the
  // RESULT names drop "isolated:N".
  void report(benchmark::State& state, PluginHost& host, int64_t events) const {
    if (events <= 0) return;
    const double thread = static_cast<double>(threadCpuNs() - thread0_);
    const double n = static_cast<double>(events);
    if (pid_ <= 0) {
      state.counters["inprocess_cpu_ns_per_event"] = thread / n;
      return;
    }
    if (runnerPidOf(host) != pid_) {
      state.SkipWithError("the runner was replaced during the run: its CPU time is lost");
      return;
    }
    const double runner = static_cast<double>(processCpuNs(pid_) - runner0_);
    state.counters["isolated_cpu_ns_per_event"] = (thread + runner) / n;
    state.counters["isolated_supervisor_cpu_ns_per_event"] = thread / n;
    state.counters["isolated_runner_cpu_ns_per_event"] = runner / n;
  }

 private:
  int pid_;
  uint64_t thread0_;
  uint64_t runner0_;
};

// Args: isolated (0/1), payload bytes, batch size.
void BM_Source(benchmark::State& state) {
  auto host = makeHost(state.range(0) != 0, "counter");
  host->open("count=0,size=" + std::to_string(state.range(1)) +
             ",batch=" + std::to_string(state.range(2)));
  int64_t events = 0;
  const CpuMeter cpu(*host);
  for (auto _ : state) {
    BatchResult b = host->nextBatch();
    events += static_cast<int64_t>(b.events.size());
    benchmark::DoNotOptimize(b.events.data());
  }
  cpu.report(state, *host, events);
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
  int64_t events = 0;
  const CpuMeter cpu(*extractor);
  for (auto _ : state) {
    if (extractor->extract(b.events, "counter", requests, res) != SS_PLUGIN_SUCCESS) {
      state.SkipWithError("extraction failed");
      break;
    }
    cells += static_cast<int64_t>(b.events.size() * requests.size());
    events += static_cast<int64_t>(b.events.size());
  }
  cpu.report(state, *extractor, events);
  state.SetItemsProcessed(cells);
  state.SetLabel(isolated ? "isolated" : "inprocess");
}
BENCHMARK(BM_Extract)
    ->ArgNames({"isolated", "fields", "separate"})
    ->ArgsProduct({{0, 1}, {1, 4, 16}, {0, 1}})
    ->MinTime(0.3)
    ->UseRealTime();

// Args: isolated (0/1), batch size. The stateful plugin parses counter
// batches (one batch, parsed again and again: the plugin only counts, so
// repeats cost what new events would). Afterwards stateful.count must equal
// the events handed to parse, so that neither host can skip work unseen.
void BM_Parse(benchmark::State& state) {
  const bool isolated = state.range(0) != 0;
  auto source = makeHost(false, "counter");
  auto parser = makeHost(isolated, "stateful");
  source->open("count=0,size=64,batch=" + std::to_string(state.range(1)));
  BatchResult b = source->nextBatch();
  int64_t events = 0;
  const CpuMeter cpu(*parser);
  for (auto _ : state) {
    if (parser->parse(b.events, "counter") != SS_PLUGIN_SUCCESS) {
      state.SkipWithError(("parse failed: " + parser->lastError()).c_str());
      return;
    }
    events += static_cast<int64_t>(b.events.size());
  }
  cpu.report(state, *parser, events);
  const auto& fields = parser->info().fields;
  FieldRequest count;
  count.fieldId = static_cast<uint32_t>(
      std::find_if(fields.begin(), fields.end(),
                   [](const FieldDescriptor& f) { return f.name == "stateful.count"; }) -
      fields.begin());
  ExtractResults res;
  if (parser->extract(b.events.first(1), "counter", std::span(&count, 1), res) !=
          SS_PLUGIN_SUCCESS ||
      res.values(0, 0).size() != 1 || res.values(0, 0)[0].u64 != static_cast<uint64_t>(events)) {
    state.SkipWithError(
        ("stateful.count differs from the events parsed (" + std::to_string(events) + ")").c_str());
    return;
  }
  state.SetItemsProcessed(events);
  state.SetLabel(isolated ? "isolated" : "inprocess");
}
BENCHMARK(BM_Parse)
    ->ArgNames({"isolated", "batch"})
    ->ArgsProduct({{0, 1}, {1, 64, 1024}})
    ->MinTime(0.3)
    ->UseRealTime();

// The N of a ticker event: its data param is {"n":N}.
uint64_t tickNumber(const EventRef& e) {
  const char* bytes = reinterpret_cast<const char*>(e.evt);
  const char* key = static_cast<const char*>(::memmem(bytes, e.evt->len, "{\"n\":", 5));
  return key == nullptr ? 0 : std::strtoull(key + 5, nullptr, 10);
}

// Args: isolated (0/1), tick interval in ms (the ticker's floor is 1 ms, so
// the plugin, not the host, sets the rate). One iteration drains until at
// least one tick has arrived, spinning, so that the delivery latency (wall
// clock at drain minus the tick's timestamp, taken by the plugin just
// before it hands the event over) is the transport's, not a poll interval.
// Every tick must arrive, in order.
void BM_Async(benchmark::State& state) {
  const bool isolated = state.range(0) != 0;
  auto host = makeHost(isolated, "ticker",
                       "{\"interval_ms\":" + std::to_string(state.range(1)) + ",\"max\":0}");
  host->startAsync();
  std::vector<double> latencyUs;
  uint64_t expected = 1;
  int64_t events = 0;
  for (auto _ : state) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    std::span<const EventRef> got;
    while ((got = host->drainAsync()).empty()) {
      if (std::chrono::steady_clock::now() > deadline) {
        state.SkipWithError(("no tick within 2 s: " + host->lastError()).c_str());
        host->stopAsync();
        return;
      }
    }
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    // In integers: a double holds today's ns clock only to 256 ns.
    const int64_t nowNs = static_cast<int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
    for (const EventRef& e : got) {
      if (tickNumber(e) != expected) {
        state.SkipWithError(("tick " + std::to_string(tickNumber(e)) + " arrived, expected " +
                             std::to_string(expected))
                                .c_str());
        host->stopAsync();
        return;
      }
      ++expected;
      latencyUs.push_back(static_cast<double>(nowNs - static_cast<int64_t>(e.evt->ts)) / 1e3);
    }
    events += static_cast<int64_t>(got.size());
  }
  host->stopAsync();
  state.SetItemsProcessed(events);
  state.SetLabel(isolated ? "isolated" : "inprocess");
  std::sort(latencyUs.begin(), latencyUs.end());
  if (!latencyUs.empty()) {
    const std::string mode = isolated ? "isolated" : "inprocess";
    state.counters[mode + "_latency_p50_us"] = latencyUs[latencyUs.size() / 2];
    state.counters[mode + "_latency_p99_us"] =
        latencyUs[std::min(latencyUs.size() - 1, latencyUs.size() * 99 / 100)];
  }
}
BENCHMARK(BM_Async)
    ->ArgNames({"isolated", "interval_ms"})
    ->ArgsProduct({{0, 1}, {1}})
    ->MinTime(0.5)
    ->UseRealTime();

// Kill the runner, then time until the replacement delivers an event.
// Args: standby runner (0/1), ms of normal work before each kill. With no
// pause the next kill comes before a new standby can be ready (the worst
// case: crash loops); with a pause every crash finds one (the usual case).
void BM_CrashRecovery(benchmark::State& state) {
  spdlog::set_level(spdlog::level::off);  // one crash report per iteration
  IsolationConfig o = benchIsolation();
  o.restart.standby = state.range(0) != 0;
  const auto pause = std::chrono::milliseconds(state.range(1));
  auto host =
      std::make_unique<IsolatedHost>(PluginSpec{"counter", pluginPath("counter"), ""}, o, services());
  host->open("count=0,size=64,batch=16");
  std::vector<double> samples;
  for (auto _ : state) {
    const auto workUntil = std::chrono::steady_clock::now() + pause;
    do {
      while (host->nextBatch().events.empty()) {
      }
    } while (std::chrono::steady_clock::now() < workUntil);
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
BENCHMARK(BM_CrashRecovery)
    ->ArgNames({"standby", "pause_ms"})
    ->Args({0, 0})
    ->Args({1, 0})
    ->Iterations(200)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CrashRecovery)
    ->ArgNames({"standby", "pause_ms"})
    ->Args({0, 50})
    ->Args({1, 50})
    ->Iterations(100)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

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
                                             benchIsolation(), services());
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
      if (r.error_occurred) {
        failed_ = true;
        continue;
      }
      const std::string name = r.benchmark_name();
      auto items = r.counters.find("items_per_second");
      if (items != r.counters.end()) rates_[name] = items->second.value;
      for (const auto& [k, c] : r.counters) {
        if (k != "items_per_second" && k != "bytes_per_second") extra_[name + ":" + k] = c.value;
      }
    }
  }
  bool failed() const { return failed_; }

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
      std::printf("RESULT %s_%s %.4g\n", resultName(key.substr(0, colon)).c_str(),
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
  bool failed_ = false;
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
  return reporter.failed() ? 1 : 0;  // bench/run stops on a failed benchmark
}
