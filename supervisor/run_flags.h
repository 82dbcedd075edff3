// The run-time flags' effects, for main(): -p, --enable-source and
// --disable-source, what happens once the rules are loaded (falco.yaml's
// `rules:` selection, -L/-l, --support, the no-rule warning, --dry-run,
// -P), and what watches the sources while they run (-M, the terminal
// progress line).
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "engine/event_loop.h"
#include "engine/rules_loader.h"
#include "outputs/alert_outputs.h"
#include "plugin_api/plugin_host.h"
#include "supervisor/command_line.h"
#include "supervisor/info_commands.h"
#include "supervisor/logging_setup.h"
#include "supervisor/run_progress.h"

namespace bulkhead {

// -p <format>: Falco appends the format to every rule's output (an
// append_output entry that matches every rule); c, container, k and
// kubernetes add nothing in Falco 0.44.
void applyPrintFlag(const CommandLine& cli, Config& config);

// The sources the loaded plugins provide (in plugin order) and those to
// read: all of them, or --enable-source's, or all minus --disable-source's.
struct EventSources {
  std::vector<std::string> loaded;
  std::set<std::string> enabled;
};

// Throws Falco's messages: both flags given, an unknown source, no source
// left.
EventSources selectEventSources(const std::vector<PluginInfo>& infos, const CommandLine& cli);

// Before reading rules for a run (not for --validate): Falco's error when
// neither -r nor rules_files names a rules file or folder.
void requireRulesFiles(const CommandLine& cli, const Config& config);

// After a successful load: applies `rules:` then answers -L/-l and
// --support (their exit status returned), warns when no rule is enabled,
// returns 0 for --dry-run, writes -P's file. nullopt: go on and run.
std::optional<int> afterRulesLoaded(const CommandLine& cli, const Config& config,
                                    const std::vector<RulesText>& texts,
                                    const std::vector<PluginInfo>& infos, LoadResult& rules);

// -M and the progress line for one run. afterStep(i) is called by source
// i's thread after each step.
class RunWatch {
 public:
  // Logs the loaded and enabled sources, as Falco does when it starts
  // reading events.
  RunWatch(const CommandLine& cli, const EventSources& sources,
           const std::vector<std::unique_ptr<SourcePipeline>>& pipelines,
           const AlertOutputs& alerts, std::atomic<bool>& stop);
  void afterStep(size_t source) const;

 private:
  const std::vector<std::unique_ptr<SourcePipeline>>& pipelines_;
  const bool reporting_;
  mutable ProgressBoard board_;
  StopAfter stopAfter_;
  ProgressReporter reporter_;
};

}  // namespace bulkhead
