// bulkhead: runs Falco plugins and rules, each plugin in its own sandboxed
// runner process (or in-process where configured). The flags are in
// command_line.h (and `bulkhead --help`).
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
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
#include "engine/rule_selection.h"
#include "engine/rules_loader.h"
#include "metrics/metrics_service.h"
#include "outputs/alert_outputs.h"
#include "outputs/channel_factory.h"
#include "plugin_api/field_schema.h"
#include "plugin_api/plugin_set.h"
#include "plugin_api/visible_text.h"
#include "supervisor/command_line.h"
#include "supervisor/file_watch.h"
#include "supervisor/generation.h"
#include "supervisor/wrap_command.h"
#include "supervisor/host_factory.h"
#include "supervisor/inprocess_env.h"
#include "supervisor/install_paths.h"
#include "supervisor/run_flags.h"

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

void printPlugins(const std::vector<PluginConfig>& configs, const std::vector<PluginHost*>& hosts) {
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

// Set by signal handlers, read by the source threads between batches and
// by the main thread.
std::atomic<bool> gStop{false};
std::atomic<bool> gReload{false};  // SIGHUP, or a watched file changed
std::atomic<bool> gReopen{false};  // SIGUSR1: reopen the file outputs (logrotate)

// Counters of one run: what the current generation counts plus what the
// generations before it counted (keyed by source, and by plugin@source).
struct RunCounters {
  std::map<std::string, PipelineCounters> sources;
  std::map<std::string, HostCounters> hosts;
  uint64_t alerts = 0;
};

RunCounters countersOf(const Generation& gen, const RunCounters& retired, uint64_t alerts) {
  RunCounters out = retired;
  out.alerts += alerts;
  for (const auto& p : gen.pipelines()) out.sources[p->source()].add(p->counters());
  for (const auto& [name, h] : gen.sourceHosts()) out.hosts[name].add(h->counters());
  return out;
}

void printCounters(const RunCounters& counters) {
  std::fprintf(stderr, "\nbulkhead: %llu alerts\n",
               static_cast<unsigned long long>(counters.alerts));
  for (const auto& [source, c] : counters.sources) {
    std::fprintf(stderr,
                 "source %-12s events %llu async %llu batches %llu matches %llu failed-extracts "
                 "%llu\n",
                 visibleText(source, kShownNameBytes).c_str(),
                 static_cast<unsigned long long>(c.events),
                 static_cast<unsigned long long>(c.asyncEvents),
                 static_cast<unsigned long long>(c.batches),
                 static_cast<unsigned long long>(c.matches),
                 static_cast<unsigned long long>(c.extractFailures));
  }
  for (const auto& [name, c] : counters.hosts) {
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
  applyPrintFlag(cli, config);
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
  return config.runnerPath.empty() ? findInstallPaths(executableDir()).runner : config.runnerPath;
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

// The rules files a configuration runs: -r when given, else rules_files.
const std::vector<std::string>& rulesPathsFor(const CommandLine& cli, const Config& config) {
  return cli.rules.empty() ? config.rulesFiles : cli.rules;
}

// Why the sources stopped running.
enum class RunEnd {
  kEnded,   // every source reached its end or failed
  kStopped, // SIGINT or SIGTERM
  kReload,  // SIGHUP or a watched file
};

// One thread per source still running (done[i] false), until each reaches
// its end, fails, or a signal stops or pauses them; a source thread stops
// between two batches, so none is cut short. `failed` counts the sources
// that failed. Meanwhile this thread answers SIGUSR1 with `reopen`.
RunEnd runSources(const std::vector<std::unique_ptr<SourcePipeline>>& pipelines,
                  std::vector<char>& done, int& failed,
                  const std::function<void(size_t)>& afterStep,
                  const std::function<void()>& reopen) {
  std::atomic<int> failures{0};
  std::mutex mu;
  std::condition_variable ended;
  size_t running = 0;
  std::vector<std::thread> threads;
  for (size_t i = 0; i < pipelines.size(); ++i) {
    if (done[i] != 0) continue;
    ++running;
    threads.emplace_back([&, i, pipeline = pipelines[i].get()] {
      struct Ended {
        std::mutex& mu;
        std::condition_variable& cv;
        size_t& running;
        ~Ended() {
          const std::lock_guard<std::mutex> lock(mu);
          --running;
          cv.notify_all();
        }
      } const end{mu, ended, running};
      while (!gStop.load(std::memory_order_relaxed) && !gReload.load(std::memory_order_relaxed)) {
        ss_plugin_rc rc = pipeline->step();
        afterStep(i);
        if (rc == SS_PLUGIN_EOF) {
          done[i] = 1;
          break;
        }
        if (rc == SS_PLUGIN_FAILURE) {
          // lastError() is made visible by the host; the source name is
          // the plugin's own text too.
          spdlog::error("source '{}' failed: {}", visibleText(pipeline->source(), kShownNameBytes),
                        pipeline->sourceHost().lastError());
          done[i] = 1;
          failures++;
          break;
        }
      }
    });
  }
  {
    // A signal handler cannot take a lock, so SIGUSR1 is noticed here
    // within 100 ms.
    std::unique_lock<std::mutex> lock(mu);
    while (running > 0) {
      ended.wait_for(lock, std::chrono::milliseconds(100));
      if (gReopen.exchange(false)) {
        lock.unlock();
        reopen();
        lock.lock();
      }
    }
  }
  for (auto& t : threads) t.join();
  failed += failures.load();
  if (std::all_of(done.begin(), done.end(), [](char d) { return d != 0; })) return RunEnd::kEnded;
  return gStop.load() ? RunEnd::kStopped : RunEnd::kReload;
}

struct MetricsSettings {
  WebserverConfig web;
  MetricsConfig metrics;
};

// After a reload: the same settings keep the service and give it the new
// inputs; others stop it and start it with them (the port may be the
// same). Settings that cannot start (a port in use, an output file that
// cannot be opened) are logged and the previous ones started again.
void reloadMetrics(std::unique_ptr<MetricsService>& service, MetricsSettings& current,
                   const Config& config, const MetricsInputs& inputs, AlertSink& alerts) {
  if (service && config.webserver == current.web && config.metrics == current.metrics) {
    service->setInputs(inputs, alerts);
    return;
  }
  if (service) service->stop();
  service.reset();
  try {
    service = std::make_unique<MetricsService>(config.webserver, config.metrics, inputs, alerts);
    current = {config.webserver, config.metrics};
    spdlog::info("reload: webserver and metrics started with the new settings");
    return;
  } catch (const std::exception& e) {
    spdlog::error("reload: the new webserver or metrics settings cannot start ({}); the "
                  "previous ones stay",
                  e.what());
  }
  try {
    service = std::make_unique<MetricsService>(current.web, current.metrics, inputs, alerts);
  } catch (const std::exception& e) {
    spdlog::error("reload: webserver and metrics are off until a reload that starts them: {}",
                  e.what());
  }
}

void printNotWritten(const AlertOutputs& alerts) {
  for (const ChannelLoss& loss : alerts.notWrittenByChannel()) {
    std::fprintf(stderr,
                 "bulkhead: %llu alerts could not be written to %s (failed %llu, dropped by "
                 "the full queue %llu, left in the queue at exit %llu)\n",
                 static_cast<unsigned long long>(loss.notWritten), loss.target.c_str(),
                 static_cast<unsigned long long>(loss.failed),
                 static_cast<unsigned long long>(loss.dropped),
                 static_cast<unsigned long long>(loss.abandoned));
  }
}

// What runs between two reloads: a generation and the outputs its
// pipelines write to (declared first, so destroyed after the pipelines).
struct Running {
  std::unique_ptr<AlertOutputs> alerts;
  std::unique_ptr<Generation> gen;
  std::vector<char> done;  // per pipeline: ended or failed
};

// The next generation from the files on disk, loaded beside the running
// one but not started; nullopt (logged) when the files do not load, and
// the running one then goes on unchanged.
struct Prepared {
  std::unique_ptr<AlertOutputs> alerts;
  std::unique_ptr<Generation> gen;
  LoadResult rules;
  EventSources sources;
};

std::optional<Prepared> prepareReload(const CommandLine& cli, const RunnerServices& ctx,
                                      const Generation& current) {
  Prepared next;
  try {
    Config config = loadConfigFor(cli);
    if (config.runnerPath != current.config().runnerPath) {
      spdlog::warn("reload: bulkhead.runner_path changes take effect at the next start");
    }
    next.gen = std::make_unique<Generation>(std::move(config), ctx, &current);
    const Config& c = next.gen->config();
    next.rules =
        loadAndLogRules(readRules(rulesPathsFor(cli, c)), next.gen->infos(), c.appendOutput);
    if (!next.rules.ok()) throw std::runtime_error("the rules do not load");
    applyRuleSelection(next.rules.ruleSets, c.rulesSelection);
    next.sources = selectEventSources(next.gen->infos(), cli);
    next.alerts = std::make_unique<AlertOutputs>(makeAlertFormat(c.outputs), makeChannels(c.outputs),
                                                 makeQueueSettings(c.outputs));
    return next;
  } catch (const std::exception& e) {
    // Its own hosts go with it; those it shares stay with `current`.
    if (next.gen) next.gen->shutdown();
    spdlog::error("reload failed: {}; still running the previous configuration", e.what());
    return std::nullopt;
  }
}

// "reloaded: N source(s) running; plugins kept running: a, b; started anew: c".
void logReloaded(const Generation& gen) {
  std::string kept;
  std::string restarted;
  for (size_t p = 0; p < gen.infos().size(); ++p) {
    std::string& list = gen.kept()[p] ? kept : restarted;
    list += (list.empty() ? "" : ", ") + visibleText(gen.config().plugins[p].name, kShownNameBytes);
  }
  spdlog::info("reloaded: {} source(s) running; plugins kept running: {}; started anew: {}",
               gen.pipelines().size(), kept.empty() ? "none" : kept,
               restarted.empty() ? "none" : restarted);
}

// Before anything else runs (inprocess_env.h): the config is read once
// silently to learn what the in-process plugins ask for; the run that uses
// it reads it again and says what it has to say about it once.
void restartForInProcessEnv(const CommandLine& cli, char** argv) {
  InProcessEnv env;
  const spdlog::level::level_enum level = spdlog::get_level();
  spdlog::set_level(spdlog::level::off);
  try {
    env = inProcessEnv(loadConfigFor(cli), ::environ);
  } catch (const std::exception&) {
    // The run below reports it.
  }
  spdlog::set_level(level);
  if (env.add.empty()) return;
  for (const std::string& w : env.warnings) spdlog::warn("{}", w);
  startWithInProcessEnv(argv, env);
}

int run(const CommandLine& cli, char** argv) {
  // As in Falco, these two need no configuration file.
  if ((cli.version || cli.pageSize) && !std::filesystem::exists(cli.config)) {
    if (cli.version) {
      printVersion(cli.json);
    } else {
      printPageSize();
    }
    return 0;
  }
  if (!cli.version && !cli.pageSize) restartForInProcessEnv(cli, argv);
  Config config = loadConfigFor(cli);
  configureLogging(config.logging);
  for (const std::string& w : cli.warnings) spdlog::warn("{}", w);
  if (cli.version) {
    printVersion(config.outputs.jsonOutput);
    return 0;
  }
  if (cli.pageSize) {
    printPageSize();
    return 0;
  }
  // Forks and deaths of every runner go through these two threads; they
  // outlive every host (declared first, destroyed last).
  Spawner spawner;
  DeathWatch deathWatch;
  RunnerOutput runnerOutput;  // outlives the hosts: their runners' last words are read
  const RunnerServices ctx{spawner, deathWatch, runnerOutput, runnerPathFor(config),
                           findInstallPaths(executableDir()).policyDir};
  if (cli.pluginInfo) {
    printPluginInfo(makeHost(findPluginForInfo(config, *cli.pluginInfo), ctx)->info());
    return 0;
  }
  Running running;
  running.gen = std::make_unique<Generation>(std::move(config), ctx);
  struct StopOnExit {
    Running& r;
    ~StopOnExit() {
      if (r.gen) r.gen->shutdown();
    }
  } const stop{running};
  const Config& first = running.gen->config();

  if (cli.listPlugins) {
    printPlugins(first.plugins, running.gen->pluginHosts());
    return 0;
  }
  if (cli.list) {
    listFields(running.gen->infos(), *cli.list, cli.namesOnly, cli.listFormat);
    return 0;
  }
  EventSources eventSources = selectEventSources(running.gen->infos(), cli);

  const bool validating = !cli.validate.empty();
  if (!validating) requireRulesFiles(cli, first);
  std::vector<RulesText> texts = readRules(validating ? cli.validate : rulesPathsFor(cli, first));
  LoadResult rules = loadAndLogRules(texts, running.gen->infos(), first.appendOutput);
  if (validating) return printValidation(texts, rules);
  if (!rules.ok()) return 1;
  if (auto done = afterRulesLoaded(cli, first, texts, running.gen->infos(), rules)) return *done;

  setEngineHostname(alertHostname());
  running.alerts = std::make_unique<AlertOutputs>(makeAlertFormat(first.outputs),
                                                  makeChannels(first.outputs),
                                                  makeQueueSettings(first.outputs));
  running.gen->start(std::move(rules), *running.alerts, eventSources.enabled);
  if (running.gen->failedToOpen() > 0) return 1;
  if (running.gen->pipelines().empty()) {
    spdlog::error("no sourcing plugin is loaded: nothing to read events from");
    return 1;
  }
  spdlog::info("running {} source(s); stop with Ctrl-C", running.gen->pipelines().size());
  // What a snapshot reads follows the generations (setInputs), and the
  // start time stays; new webserver or metrics settings start the service
  // anew (reloadMetrics).
  auto inputsOf = [](const Running& r) {
    return metricsInputs(r.gen->pipelines(), r.gen->sourceHosts(), r.gen->infos(), r.alerts.get());
  };
  const MetricsInputs firstInputs = inputsOf(running);
  // Copies: `first` goes with its generation at the first reload.
  MetricsSettings metricsSettings{first.webserver, first.metrics};
  auto metrics = std::make_unique<MetricsService>(metricsSettings.web, metricsSettings.metrics,
                                                  firstInputs, *running.alerts);

  RunCounters retired;
  std::unique_ptr<FileWatch> watch;
  auto watchFiles = [&](const Config& c) {
    watch.reset();
    if (!c.watchConfigFiles) return;
    std::vector<std::string> paths = c.configFiles;
    for (const std::string& r : rulesPathsFor(cli, c)) paths.push_back(r);
    watch = std::make_unique<FileWatch>(paths, [] { gReload.store(true); });
  };
  watchFiles(running.gen->config());
  // -M counts from the start of reading, across reloads; the progress line
  // follows each generation's sources.
  const StopAfter stopAfter(std::chrono::seconds(cli.stopAfterSeconds), gStop);
  CommandLine watchCli = cli;
  watchCli.stopAfterSeconds = 0;
  int failed = 0;
  running.done.assign(running.gen->pipelines().size(), 0);
  for (;;) {
    const RunEnd end = [&] {
      // The watch ends with the sources: no progress line among the counters.
      const RunWatch progress(watchCli, eventSources, running.gen->pipelines(), *running.alerts,
                              gStop);
      PluginMetricsRefresh own(metricsSettings.metrics, running.gen->pipelines());
      return runSources(
          running.gen->pipelines(), running.done, failed,
          [&](size_t i) {
            progress.afterStep(i);
            own.afterStep(i);
          },
          [&] {
            spdlog::info("SIGUSR1: reopening the alert outputs");
            running.alerts->reopen();
          });
    }();
    if (end != RunEnd::kReload) break;
    gReload.store(false);
    spdlog::info("reloading the configuration and rules files");
    std::optional<Prepared> next = prepareReload(cli, ctx, *running.gen);
    if (!next) continue;
    // Nothing reads the old generation from here on (a scrape meanwhile
    // sees no source); its own hosts are stopped before the new one opens
    // its sources (a webhook source's port is free again).
    MetricsInputs between = firstInputs;
    between.pipelines.clear();
    between.hosts.clear();
    between.alerts = nullptr;
    if (metrics) metrics->setInputs(between, *next->alerts);
    running.gen->retireInto(*next->gen, retired.hosts, retired.sources);
    running.alerts->drain();  // the old outputs' queued alerts, before their losses
    retired.alerts += running.alerts->emitted();
    printNotWritten(*running.alerts);
    running.gen = std::move(next->gen);
    running.alerts = std::move(next->alerts);
    eventSources = std::move(next->sources);
    running.gen->start(std::move(next->rules), *running.alerts, eventSources.enabled);
    running.done.assign(running.gen->pipelines().size(), 0);
    MetricsInputs now = inputsOf(running);
    now.startNs = firstInputs.startNs;
    reloadMetrics(metrics, metricsSettings, running.gen->config(), now, *running.alerts);
    failed += static_cast<int>(running.gen->failedToOpen());
    watchFiles(running.gen->config());
    logReloaded(*running.gen);
    if (running.gen->pipelines().empty()) break;
  }
  watch.reset();
  if (metrics) metrics->stop();  // no scrape reaches a host being stopped
  // Before the counters, so that they include what the stop found.
  running.gen->shutdown();
  running.alerts->drain();  // queued alerts are written (within output_timeout) first
  printCounters(countersOf(*running.gen, retired, running.alerts->emitted()));
  printNotWritten(*running.alerts);
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
  // SIGHUP reloads the configuration and rules files (generation.h): the
  // sources pause after their current batch, as for a stop.
  struct sigaction hup{};
  hup.sa_flags = SA_RESTART;
  hup.sa_handler = [](int) { bulkhead::gReload.store(true); };
  sigaction(SIGHUP, &hup, nullptr);
  // SIGUSR1 reopens file outputs, for logrotate (Falco's meaning).
  struct sigaction usr1{};
  usr1.sa_flags = SA_RESTART;
  usr1.sa_handler = [](int) { bulkhead::gReopen.store(true); };
  sigaction(SIGUSR1, &usr1, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  // Local-time fields (evt.time, the alert prefix) use the zone in force at
  // start, as Falco reads it once.
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  if (localtime_r(&now, &local)) bulkhead::setDisplayUtcOffset(static_cast<int32_t>(local.tm_gmtoff));
  // `bulkhead wrap`: a proxy library for Falco (supervisor/wrap_command.h), no engine.
  if (argc > 1 && std::string_view(argv[1]) == "wrap") {
    return bulkhead::runWrap(argc - 1, argv + 1, std::cout, std::cerr);
  }
  bulkhead::ParsedCommandLine parsed = bulkhead::parseCommandLine(argc, argv, std::cout, std::cerr);
  if (!parsed.commandLine) return parsed.exitStatus;
  try {
    return bulkhead::run(*parsed.commandLine, argv);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    // As Falco: a failed start is never silent, whatever log_stderr says.
    if (!bulkhead::logsToStderr()) std::fprintf(stderr, "Error: %s\n", e.what());
    return 1;
  }
}
