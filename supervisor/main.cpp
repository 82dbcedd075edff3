// bulkhead: runs Falco plugins and rules, each plugin in its own sandboxed
// runner process (or in-process where configured). The flags are in
// command_line.h (and `bulkhead --help`).
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "config/config.h"
#include "config/overrides.h"
#include "engine/batch_values.h"
#include "engine/event_loop.h"
#include "engine/rules_loader.h"
#include "metrics/metrics_service.h"
#include "outputs/alert_outputs.h"
#include "outputs/channel_factory.h"
#include "plugin_api/field_schema.h"
#include "supervisor/host_factory.h"
#include "plugin_api/plugin_set.h"
#include "plugin_api/visible_text.h"
#include "supervisor/command_line.h"

namespace bulkhead {
namespace {

// Rules files from -r (files, or folders whose *.yaml/*.yml are read in
// name order); errors name the path.
std::vector<RulesText> readRules(const std::vector<std::string>& paths) {
  std::vector<RulesText> out;
  auto readOne = [&](const std::filesystem::path& p) {
    std::ifstream in(p);
    if (!in) throw std::runtime_error("cannot read rules file " + p.string());
    std::stringstream ss;
    ss << in.rdbuf();
    out.push_back({p.string(), ss.str()});
  };
  for (const std::string& path : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      std::vector<std::filesystem::path> files;
      for (const auto& e : std::filesystem::directory_iterator(path)) {
        auto ext = e.path().extension();
        if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(e.path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) readOne(f);
    } else {
      readOne(path);
    }
  }
  return out;
}

// What a plugin says about itself, as --list-plugins and --list show it.
std::string shown(const std::string& s) { return visibleText(s, kShownTextBytes); }

std::string capabilityList(const PluginInfo& i) {
  std::string s;
  auto add = [&](const std::string& c) { s += "  - " + c + "\n"; };
  if (i.has(CAP_SOURCING)) {
    add("Event Sourcing (ID=" + std::to_string(i.id) + ", source='" + shown(i.eventSource) + "')");
  }
  if (i.has(CAP_EXTRACTION)) add("Field Extraction");
  if (i.has(CAP_PARSING)) add("Event Parsing");
  if (i.has(CAP_ASYNC)) add("Async Events");
  if (i.has(CAP_CAPTURE_LISTENING)) add("Capture Listening");
  return s;
}

void printPlugins(const std::vector<PluginConfig>& configs,
                  const std::vector<std::unique_ptr<PluginHost>>& hosts) {
  std::printf("%zu Plugins Loaded:\n\n", hosts.size());
  for (size_t p = 0; p < hosts.size(); ++p) {
    const PluginInfo& i = hosts[p]->info();
    std::printf("Name: %s\nDescription: %s\nContact: %s\nVersion: %s\nRequired API: %s\n",
                shown(i.name).c_str(), shown(i.description).c_str(), shown(i.contact).c_str(),
                shown(i.version).c_str(), shown(i.requiredApiVersion).c_str());
    std::printf("Isolation: %s\nCapabilities:\n%s", isolationModeName(configs[p].isolation.mode),
                capabilityList(i).c_str());
    if (!i.fields.empty()) {
      std::printf("Fields:\n");
      for (const FieldDescriptor& f : i.fields) {
        std::printf("  %-28s %s%s\n", shown(f.name).c_str(), fieldTypeName(f.type),
                    f.isList ? " (list)" : "");
      }
    }
    std::printf("\n");
  }
}

void printFields(const std::vector<std::unique_ptr<PluginHost>>& hosts, const std::string& only) {
  for (const auto& h : hosts) {
    const PluginInfo& i = h->info();
    if (i.fields.empty()) continue;
    std::string sources;
    for (const std::string& s : i.extractEventSources) {
      sources += (sources.empty() ? "" : ", ") + shown(s);
    }
    if (sources.empty()) sources = "all sources";
    if (!only.empty() && !servesSource(i.extractEventSources, only)) continue;
    std::printf("Field Class: %s (%s)\n\n", shown(i.name).c_str(), sources.c_str());
    for (const FieldDescriptor& f : i.fields) {
      if (f.hidden) continue;
      std::string name =
          shown(f.name) + (f.arg.required ? (f.arg.isIndex ? "[index]" : "[key]") : "");
      std::printf("%-30s %s\n", name.c_str(), shown(f.description).c_str());
    }
    std::printf("\n");
  }
}

std::atomic<bool> gStop{false};

void printCounters(const std::vector<std::unique_ptr<SourcePipeline>>& pipelines,
                   const std::vector<std::pair<std::string, PluginHost*>>& hosts,
                   uint64_t alerts) {
  std::fprintf(stderr, "\nbulkhead: %llu alerts\n", static_cast<unsigned long long>(alerts));
  for (const auto& p : pipelines) {
    const PipelineCounters& c = p->counters();
    std::fprintf(stderr,
                 "source %-12s events %llu async %llu batches %llu matches %llu failed-extracts "
                 "%llu\n",
                 visibleText(p->source(), kShownNameBytes).c_str(),
                 static_cast<unsigned long long>(c.events),
                 static_cast<unsigned long long>(c.asyncEvents),
                 static_cast<unsigned long long>(c.batches),
                 static_cast<unsigned long long>(c.matches),
                 static_cast<unsigned long long>(c.extractFailures));
  }
  for (const auto& [name, h] : hosts) {
    HostCounters c = h->counters();
    std::fprintf(stderr,
                 "plugin %-12s events %llu extractions %llu (with the batch %llu) parsed %llu "
                 "restarts %llu crashes %llu "
                 "deadline-kills %llu seccomp-kills %llu malformed %llu extractions-lost %llu "
                 "parses-lost %llu async-dropped %llu\n",
                 name.c_str(), static_cast<unsigned long long>(c.events),
                 static_cast<unsigned long long>(c.extractions),
                 static_cast<unsigned long long>(c.preExtracted),
                 static_cast<unsigned long long>(c.parsed),
                 static_cast<unsigned long long>(c.restarts),
                 static_cast<unsigned long long>(c.crashes),
                 static_cast<unsigned long long>(c.deadlineKills),
                 static_cast<unsigned long long>(c.seccompKills),
                 static_cast<unsigned long long>(c.malformed),
                 static_cast<unsigned long long>(c.extractionsLost),
                 static_cast<unsigned long long>(c.parsesLost),
                 static_cast<unsigned long long>(c.asyncDropped));
  }
}

// The config file with the command line's overrides applied.
Config loadConfigFor(const CommandLine& cli) {
  std::vector<std::string> overrides = cli.overrides;
  if (cli.isolation) overrides.push_back("bulkhead.defaults.isolation=" + *cli.isolation);
  if (cli.json) overrides.push_back("json_output=true");
  Config config = loadConfig(cli.config, overrides);
  if (cli.isolation) {
    // -o on bulkhead.defaults does not reach per-plugin overrides; the
    // command-line mode wins over every plugin's setting.
    for (PluginConfig& p : config.plugins) {
      p.isolation.mode =
          *cli.isolation == "inprocess" ? IsolationMode::kInProcess : IsolationMode::kProcess;
    }
  }
  return config;
}

std::string runnerPathFor(const Config& config) {
  return config.runnerPath.empty() ? executableDir() + "/bulkhead-runner" : config.runnerPath;
}

// One host per plugin for its information (and for the first source that
// uses it). infos[p] is hosts[p]'s, in config.plugins order.
struct LoadedPlugins {
  std::vector<std::unique_ptr<PluginHost>> hosts;
  std::vector<PluginInfo> infos;
};

LoadedPlugins loadPlugins(const Config& config, const RunnerServices& ctx) {
  std::vector<std::unique_ptr<PluginHost>> hosts;
  for (const PluginConfig& p : config.plugins) hosts.push_back(makeHost(p, ctx));
  std::vector<PluginInfo> infos;
  std::vector<LoadedPlugin> loaded;
  for (size_t p = 0; p < hosts.size(); ++p) infos.push_back(hosts[p]->info());
  for (size_t p = 0; p < hosts.size(); ++p) loaded.push_back({config.plugins[p].name, &infos[p]});
  for (const std::string& w : checkPluginSet(loaded)) spdlog::warn("{}", w);
  return {std::move(hosts), std::move(infos)};
}

// Compiles the rules against the loaded plugins' fields and logs every
// diagnostic, with its file and line.
LoadResult loadAndLogRules(const std::vector<RulesText>& texts,
                           const std::vector<PluginInfo>& infos,
                           const std::vector<AppendOutput>& appends) {
  LoadResult rules = loadRules(texts, infos, appends);
  for (const Diagnostic& d : rules.diagnostics) {
    if (d.severity == Diagnostic::Severity::kError) {
      spdlog::error("{}", d.toString());
    } else {
      spdlog::warn("{}", d.toString());
    }
  }
  return rules;
}

// --validate: one verdict per file given; the exit status.
int printValidation(const std::vector<RulesText>& texts, const LoadResult& rules) {
  for (const RulesText& t : texts) {
    std::printf("%s: %s\n", t.name.c_str(), rules.ok() ? "Ok" : "Invalid");
  }
  return rules.ok() ? 0 : 1;
}

// What runs: per source a pipeline and its hosts. Members are destroyed in
// reverse order, so the pipelines go before the hosts they call.
struct Sources {
  std::vector<std::unique_ptr<PluginHost>> extraHosts;
  std::vector<std::unique_ptr<SourcePipeline>> pipelines;
  std::vector<std::pair<std::string, PluginHost*>> allHosts;  // "plugin@source", for counters
};

// Per source: its own hosts, like Falco's inspector per source. A plugin
// that serves several sources gets one host per source.
Sources buildSources(const Config& config, const RunnerServices& ctx,
                     const std::vector<std::unique_ptr<PluginHost>>& hosts,
                     const std::vector<PluginInfo>& infos, const LoadResult& rules,
                     AlertSink& alerts) {
  std::vector<std::unique_ptr<PluginHost>> extraHosts;
  std::vector<bool> used(hosts.size(), false);
  std::vector<std::unique_ptr<SourcePipeline>> pipelines;
  std::vector<std::pair<std::string, PluginHost*>> allHosts;
  for (size_t s = 0; s < infos.size(); ++s) {
    if (!infos[s].has(CAP_SOURCING)) continue;
    const std::string& source = infos[s].eventSource;
    std::vector<PluginHost*> sourceHosts(infos.size(), nullptr);
    for (size_t p = 0; p < infos.size(); ++p) {
      const PluginInfo& i = infos[p];
      const bool serves = p == s || attachesToSource(i, source);
      if (!serves) continue;
      if (!used[p]) {
        used[p] = true;
        sourceHosts[p] = hosts[p].get();
      } else {
        extraHosts.push_back(makeHost(config.plugins[p], ctx));
        sourceHosts[p] = extraHosts.back().get();
      }
      allHosts.emplace_back(visibleText(infos[p].name + "@" + source, kShownNameBytes),
                            sourceHosts[p]);
    }
    // The pipeline first: it tells the source host which fields its rules
    // need, so the first batch can already bring them.
    pipelines.push_back(std::make_unique<SourcePipeline>(source, infos, sourceHosts, s,
                                                         rules.forSource(source), alerts,
                                                         config.outputs.minimumPriority,
                                                         config.ruleMatching));
    sourceHosts[s]->open(config.plugins[s].openParams);
    for (size_t p = 0; p < infos.size(); ++p) {
      if (sourceHosts[p] != nullptr && infos[p].has(CAP_ASYNC)) sourceHosts[p]->startAsync();
    }
  }
  return {std::move(extraHosts), std::move(pipelines), std::move(allHosts)};
}

// One thread per source, until each reaches its end, fails, or a signal
// stops it. Returns how many failed.
int runSources(const std::vector<std::unique_ptr<SourcePipeline>>& pipelines) {
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (auto& p : pipelines) {
    threads.emplace_back([&, pipeline = p.get()] {
      while (!gStop.load(std::memory_order_relaxed)) {
        ss_plugin_rc rc = pipeline->step();
        if (rc == SS_PLUGIN_EOF) break;
        if (rc == SS_PLUGIN_FAILURE) {
          // lastError() is made visible by the host; the source name is
          // the plugin's own text too.
          spdlog::error("source '{}' failed: {}", visibleText(pipeline->source(), kShownNameBytes),
                        pipeline->sourceHost().lastError());
          failed++;
          break;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  return failed.load();
}

// Every host's plugin stopped at once (shutdownHosts): a hung plugin_close
// or plugin_destroy costs the stop one deadline, not one per plugin.
void stopAll(const std::vector<std::unique_ptr<PluginHost>>& hosts,
             const std::vector<std::unique_ptr<PluginHost>>& extraHosts) {
  std::vector<PluginHost*> all;
  for (const auto& h : hosts) all.push_back(h.get());
  for (const auto& h : extraHosts) all.push_back(h.get());
  shutdownHosts(all);
}

// Stops the hosts at once however run() ends (a later shutdown() of a
// host already stopped does nothing).
class StopOnExit {
 public:
  explicit StopOnExit(const std::vector<std::unique_ptr<PluginHost>>& hosts) : hosts_(hosts) {}
  ~StopOnExit() { stopAll(hosts_, {}); }
  StopOnExit(const StopOnExit&) = delete;
  StopOnExit& operator=(const StopOnExit&) = delete;

 private:
  const std::vector<std::unique_ptr<PluginHost>>& hosts_;
};

void printNotWritten(const AlertOutputs& alerts) {
  for (const ChannelLoss& loss : alerts.notWrittenByChannel()) {
    std::fprintf(stderr, "bulkhead: %llu alerts could not be written to %s\n",
                 static_cast<unsigned long long>(loss.notWritten), loss.target.c_str());
  }
}

int run(const CommandLine& cli) {
  Config config = loadConfigFor(cli);
  // Forks and deaths of every runner go through these two threads; they
  // outlive every host (declared first, destroyed last).
  Spawner spawner;
  DeathWatch deathWatch;
  RunnerOutput runnerOutput;  // outlives the hosts: their runners' last words are read
  const RunnerServices ctx{spawner, deathWatch, runnerOutput, runnerPathFor(config),
                           executableDir() + "/policies"};
  auto [hosts, infos] = loadPlugins(config, ctx);
  const StopOnExit stop(hosts);

  if (cli.listPlugins) {
    printPlugins(config.plugins, hosts);
    return 0;
  }
  if (cli.list) {
    printFields(hosts, *cli.list);
    return 0;
  }

  const bool validating = !cli.validate.empty();
  std::vector<RulesText> texts =
      readRules(validating ? cli.validate : (cli.rules.empty() ? config.rulesFiles : cli.rules));
  LoadResult rules = loadAndLogRules(texts, infos, config.appendOutput);
  if (validating) return printValidation(texts, rules);
  if (!rules.ok()) return 1;

  setEngineHostname(alertHostname());
  AlertOutputs alerts(makeAlertFormat(config.outputs), makeChannels(config.outputs));
  Sources sources = buildSources(config, ctx, hosts, infos, rules, alerts);
  if (sources.pipelines.empty()) {
    spdlog::error("no sourcing plugin is loaded: nothing to read events from");
    return 1;
  }
  spdlog::info("running {} source(s); stop with Ctrl-C", sources.pipelines.size());
  MetricsService metrics(config.webserver, config.metrics,
                         metricsInputs(sources.pipelines, sources.allHosts, infos, &alerts), alerts);

  const int failed = runSources(sources.pipelines);
  metrics.stop();  // no scrape reaches a host being stopped
  // Before the counters, so that they include what the stop found.
  stopAll(hosts, sources.extraHosts);
  printCounters(sources.pipelines, sources.allHosts, alerts.emitted());
  printNotWritten(alerts);
  return failed > 0 ? 1 : 0;
}

}  // namespace
}  // namespace bulkhead

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("bulkhead");
  spdlog::set_default_logger(logger);
  // SIGINT/SIGTERM stop the sources after their current batch; the alerts
  // of that batch are still written and the counters printed.
  struct sigaction sa{};
  sa.sa_handler = [](int) { bulkhead::gStop.store(true); };
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  // Local-time fields (evt.time, the alert prefix) use the zone in force at
  // start, as Falco reads it once.
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  if (localtime_r(&now, &local)) bulkhead::setDisplayUtcOffset(static_cast<int32_t>(local.tm_gmtoff));
  bulkhead::ParsedCommandLine parsed = bulkhead::parseCommandLine(argc, argv, std::cout, std::cerr);
  if (!parsed.commandLine) return parsed.exitStatus;
  try {
    return bulkhead::run(*parsed.commandLine);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
}
