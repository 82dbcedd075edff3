#include "supervisor/run_flags.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "engine/rule_selection.h"
#include "plugin_api/visible_text.h"

namespace bulkhead {

namespace {

// Every ten seconds: often enough to see a run move, rarely enough not to
// bury the log lines between two.
constexpr std::chrono::milliseconds kProgressInterval{10000};

std::string shownSource(const std::string& s) { return visibleText(s, kShownNameBytes); }

bool contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

}  // namespace

void applyPrintFlag(const CommandLine& cli, Config& config) {
  if (!cli.printAdditional) return;
  const std::string& p = *cli.printAdditional;
  if (p == "c" || p == "container" || p == "k" || p == "kubernetes") return;
  AppendOutput every;
  every.extraOutput = p;
  config.appendOutput.push_back(std::move(every));
}

EventSources selectEventSources(const std::vector<PluginInfo>& infos, const CommandLine& cli) {
  std::vector<std::string> loaded;
  for (const PluginInfo& i : infos) {
    if (i.has(CAP_SOURCING) && !contains(loaded, i.eventSource)) loaded.push_back(i.eventSource);
  }
  if (!cli.enableSources.empty() && !cli.disableSources.empty()) {
    throw std::runtime_error("You can not mix --enable-source and --disable-source");
  }
  std::set<std::string> enabled(loaded.begin(), loaded.end());
  if (!cli.enableSources.empty()) {
    enabled.clear();
    for (const std::string& s : cli.enableSources) {
      if (!contains(loaded, s)) {
        throw std::runtime_error("Attempted enabling an unknown event source: " + s);
      }
      enabled.insert(s);
    }
  }
  for (const std::string& s : cli.disableSources) {
    if (!contains(loaded, s)) {
      throw std::runtime_error("Attempted disabling an unknown event source: " + s);
    }
    enabled.erase(s);
  }
  // With no sourcing plugin at all, main's own message says so.
  if (enabled.empty() && !loaded.empty()) {
    throw std::runtime_error("Must enable at least one event source");
  }
  return {std::move(loaded), std::move(enabled)};
}

void requireRulesFiles(const CommandLine& cli, const Config& config) {
  if (cli.validate.empty() && cli.rules.empty() && config.rulesFiles.empty()) {
    throw std::runtime_error(
        "You must specify at least one rules file/directory via -r or a rules_file entry in "
        "falco.yaml");
  }
}

std::optional<int> afterRulesLoaded(const CommandLine& cli, const Config& config,
                                    const std::vector<RulesText>& texts,
                                    const std::vector<PluginInfo>& infos, LoadResult& rules) {
  for (const RuleSelection& s : config.rulesSelection) {
    const char* verb = s.enable ? "Enabling" : "Disabling";
    if (!s.rule.empty())
      spdlog::info("{} rules with name: {}", verb, visibleText(s.rule, kShownTextBytes));
    if (!s.tag.empty())
      spdlog::info("{} rules with tag: {}", verb, visibleText(s.tag, kShownTextBytes));
  }
  applyRuleSelection(rules.ruleSets, config.rulesSelection);
  if (cli.describeAllRules || cli.describeRule) {
    describeRules(rules, texts, cli.describeRule, config.outputs.jsonOutput);
    return 0;
  }
  if (cli.support) {
    printSupport(config, cli.invocation, texts, infos);
    return 0;
  }
  if (enabledRuleCount(rules.ruleSets) == 0) {
    spdlog::warn("no rule is loaded and enabled: no alert can be raised");
  }
  if (cli.dryRun) {
    spdlog::debug("Skipping event processing in dry-run");
    return 0;
  }
  if (!cli.pidfile.empty()) {
    std::ofstream out(cli.pidfile);
    out << ::getpid();
    if (!out.flush()) throw std::runtime_error("Could not write pid to pidfile " + cli.pidfile);
  }
  return std::nullopt;
}

namespace {

std::vector<std::string> sourceNames(
    const std::vector<std::unique_ptr<SourcePipeline>>& pipelines) {
  std::vector<std::string> names;
  for (const auto& p : pipelines) names.push_back(p->source());
  return names;
}

}  // namespace

RunWatch::RunWatch(const CommandLine& cli, const EventSources& sources,
                   const std::vector<std::unique_ptr<SourcePipeline>>& pipelines,
                   const AlertOutputs& alerts, std::atomic<bool>& stop)
    : pipelines_(pipelines),
      reporting_(::isatty(STDERR_FILENO) == 1),
      board_(sourceNames(pipelines)),
      stopAfter_(std::chrono::seconds(cli.stopAfterSeconds), stop),
      reporter_(
          board_, [&alerts] { return alerts.emitted(); }, kProgressInterval, stderr, reporting_) {
  auto joined = [](const auto& list) {
    std::string out;
    for (const std::string& s : list) out += (out.empty() ? "" : ", ") + shownSource(s);
    return out;
  };
  spdlog::info("Loaded event sources: {}", joined(sources.loaded));
  spdlog::info("Enabled event sources: {}", joined(sources.enabled));
}

void RunWatch::afterStep(size_t source) const {
  if (!reporting_) return;
  const SourcePipeline& p = *pipelines_[source];
  ProgressBoard::Snapshot s{p.counters().events, 0};
  for (PluginHost* h : p.hosts()) {
    if (h != nullptr) s.restarts += h->counters().restarts;
  }
  board_.publish(source, s);
}

}  // namespace bulkhead
