// The proxy library against the plugin loaded directly, as a libsinsp host
// calls them: next_batch, then for every event one extract_fields call per
// field (InProcessHost asked one field at a time), in one run. The isolated
// host, which the bulkhead engine uses with whole-batch requests, is the
// third column for reference.
//
// The plugins default to the test plugins (counter as source and
// extractor, jsonx extracting from its events). Real ones are named by
// environment variables, e.g. for k8saudit and json:
//   BENCH_PROXY_SOURCE=/path/libk8saudit.so
//   BENCH_PROXY_INIT='{"useAsync": false}'    (both plugins' init_config)
//   BENCH_PROXY_OPEN=/path/audit.log          (reopened at EOF)
//   BENCH_PROXY_FIELDS=ka.verb,ka.user.name,ka.target.resource,ka.uri
//   BENCH_PROXY_EXTRACTOR=/path/libjson.so
//   BENCH_PROXY_EXTRACTOR_FIELDS=json.value[/kind]   (" ": none)
// RESULT lines: events/s per mode and proxy/direct, isolated/direct.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include "plugin_api/inprocess_host.h"
#include "supervisor/wrap_command.h"
#include "supervisor/isolated_host.h"
#include "supervisor/runner_services.h"

namespace bulkhead {
namespace {

namespace fs = std::filesystem;

std::string env(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

std::string testPlugin(const std::string& name) {
  return std::string(BULKHEAD_TEST_PLUGIN_DIR) + "/lib" + name + ".so";
}

RunnerServices& services() {
  static Spawner* spawner = new Spawner();
  static DeathWatch* deathWatch = new DeathWatch();
  static RunnerOutput* runnerOutput = new RunnerOutput();
  static RunnerServices* s = new RunnerServices{
      *spawner, *deathWatch, *runnerOutput, std::string(BULKHEAD_BINARY_DIR) + "/bulkhead-runner",
      std::string(BULKHEAD_BINARY_DIR) + "/policies"};
  return *s;
}

const fs::path& scratch() {
  static const fs::path p = [] {
    fs::path d = fs::temp_directory_path() / ("bulkhead_proxy_bench_" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
  }();
  return p;
}

std::string wrapped(const std::string& plugin) {
  static std::map<std::string, std::string> made;
  auto it = made.find(plugin);
  if (it != made.end()) return it->second;
  WrapRequest req;
  req.plugin = plugin;
  req.output = (scratch() / ("proxy" + std::to_string(made.size()) + ".so")).string();
  req.proxyLibrary = std::string(BULKHEAD_BINARY_DIR) + "/libbulkhead_proxy.so";
  wrapPlugin(req, services());
  return made[plugin] = req.output;
}

enum Mode { kDirect, kProxy, kIsolated };
const char* const kModeNames[] = {"direct", "proxy", "isolated"};

std::unique_ptr<PluginHost> host(Mode m, const std::string& plugin) {
  PluginSpec spec{fs::path(plugin).stem().string(), plugin, env("BENCH_PROXY_INIT", "")};
  switch (m) {
    case kDirect:
      return std::make_unique<InProcessHost>(spec);
    case kProxy:
      spec.libraryPath = wrapped(plugin);
      return std::make_unique<InProcessHost>(spec);
    case kIsolated:
      break;
  }
  return std::make_unique<IsolatedHost>(spec, IsolationConfig{}, services());
}

// "name" or "name[arg]", against the plugin's schema.
std::vector<FieldRequest> requests(const PluginInfo& info, const std::string& list) {
  std::vector<FieldRequest> out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.find_first_not_of(' ') == std::string::npos) continue;  // " ": no field
    FieldRequest q;
    std::string name = item;
    if (const size_t b = item.find('['); b != std::string::npos && item.back() == ']') {
      name = item.substr(0, b);
      q.argPresent = true;
      q.argKey = item.substr(b + 1, item.size() - b - 2);
      q.argIndex = std::strtoull(q.argKey.c_str(), nullptr, 10);
    }
    bool found = false;
    for (uint32_t i = 0; i < info.fields.size(); ++i) {
      if (info.fields[i].name == name) {
        q.fieldId = i;
        found = true;
      }
    }
    if (!found) {
      std::fprintf(stderr, "bench_proxy: plugin '%s' has no field '%s'\n", info.name.c_str(),
                   name.c_str());
      std::exit(2);
    }
    out.push_back(q);
  }
  return out;
}

std::map<std::string, double> gRates;

void BM_Proxy(benchmark::State& state) {
  const Mode mode = static_cast<Mode>(state.range(0));
  const std::string sourcePath = env("BENCH_PROXY_SOURCE", testPlugin("counter"));
  const std::string openParams = env("BENCH_PROXY_OPEN", "count=0,batch=64,size=64");
  const std::string extractorPath = env("BENCH_PROXY_EXTRACTOR", testPlugin("jsonx"));
  auto source = host(mode, sourcePath);
  auto extractor = host(mode, extractorPath);
  const std::vector<FieldRequest> own = requests(
      source->info(), env("BENCH_PROXY_FIELDS", "counter.seq,counter.msg,counter.tags,counter.even"));
  const std::vector<FieldRequest> other =
      requests(extractor->info(), env("BENCH_PROXY_EXTRACTOR_FIELDS", "jsonx.value[/msg]"));
  const std::string src = source->info().eventSource;
  source->open(openParams);
  ExtractResults out;
  uint64_t events = 0, values = 0;
  for (auto _ : state) {
    BatchResult b = source->nextBatch();
    if (b.rc == SS_PLUGIN_EOF) {
      source->open(openParams);
      continue;
    }
    for (const EventRef& e : b.events) {
      for (const FieldRequest& q : own) {
        source->extract({&e, 1}, src, {&q, 1}, out);
        values += out.values(0, 0).size();
      }
      for (const FieldRequest& q : other) {
        extractor->extract({&e, 1}, src, {&q, 1}, out);
        values += out.values(0, 0).size();
      }
    }
    events += b.events.size();
  }
  if (values == 0) state.SkipWithError("no field had a value: check the field names");
  state.SetItemsProcessed(static_cast<int64_t>(events));
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.SetLabel(kModeNames[mode]);
}
BENCHMARK(BM_Proxy)->Arg(kDirect)->Arg(kProxy)->Arg(kIsolated)->MinTime(3)->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

class Collect : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      auto it = r.counters.find("events_per_s");
      if (it != r.counters.end()) gRates[r.report_label] = it->second.value;
    }
  }
};

}  // namespace
}  // namespace bulkhead

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  benchmark::Initialize(&argc, argv);
  bulkhead::Collect reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  auto& r = bulkhead::gRates;
  for (const auto& [mode, rate] : r) std::printf("RESULT proxy_bench_%s_events_per_s %.4g\n", mode.c_str(), rate);
  if (r.count("direct") && r["direct"] > 0) {
    if (r.count("proxy")) std::printf("RESULT proxy_vs_direct %.3f\n", r["proxy"] / r["direct"]);
    if (r.count("isolated")) std::printf("RESULT isolated_per_field_vs_direct %.3f\n", r["isolated"] / r["direct"]);
  }
  std::error_code ec;
  std::filesystem::remove_all(bulkhead::scratch(), ec);
  benchmark::Shutdown();
  return 0;
}
