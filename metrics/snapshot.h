// A snapshot of everything bulkhead counts, gathered on demand (a scrape,
// a metrics interval) from the pipelines, the hosts and the alert outputs.
//
// Gathering never slows the event path: every counter read is a relaxed
// atomic load (RelaxedCounter, HostState), and the only lock taken is the
// alert outputs' one, for two integers. The numbers of one snapshot are
// not one instant: each is some recent value of its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "engine/event_loop.h"
#include "metrics/proc_stats.h"
#include "outputs/alert_outputs.h"
#include "plugin_api/plugin_host.h"

namespace bulkhead {

// What a snapshot reads; the pointers outlive every snapshot taken.
struct MetricsInputs {
  struct Host {
    std::string name;  // "plugin@source", made visible (visible_text.h)
    const PluginHost* host = nullptr;
  };
  std::vector<const SourcePipeline*> pipelines;
  std::vector<Host> hosts;
  const AlertOutputs* alerts = nullptr;  // may be null
  // The loaded plugins' names and versions, as given (made visible where
  // shown), for /versions.
  std::vector<std::pair<std::string, std::string>> pluginVersions;
  uint64_t startNs = 0;  // when bulkhead started, ns since the epoch
  std::string hostname;
};

struct SourceSample {
  std::string source;
  PipelineCounters counters;
  ss_plugin_rc end = SS_PLUGIN_SUCCESS;  // SourcePipeline::end()
};

struct PluginSample {
  std::string plugin;  // "name@source"
  HostCounters counters;
  HostState state;
  std::optional<ProcUsage> runner;  // the runner's worker, when there is one
  // The plugin's own (get_metrics), as its engine thread last asked them;
  // only with plugins_metrics_enabled.
  std::vector<PluginMetric> own;
};

struct RuleSample {
  std::string name;
  std::string source;
  Priority priority = Priority::kDebug;
  std::vector<std::string> tags;
  uint64_t matches = 0;
};

struct Snapshot {
  uint64_t timeNs = 0;  // when taken, ns since the epoch
  uint64_t startNs = 0;
  uint64_t hostBootNs = 0;
  uint32_t cpus = 0;
  std::string hostname;
  uint64_t alertsEmitted = 0;
  uint64_t alertsNotWritten = 0;
  std::optional<ProcUsage> self;  // resource_utilization_enabled
  std::vector<SourceSample> sources;
  std::vector<PluginSample> plugins;
  std::vector<RuleSample> rules;  // rules_counters_enabled, load order per source

  uint64_t events() const;  // over every source, async ones included
  uint64_t durationSec() const;  // since bulkhead started
};

// What `config` enables is gathered; the rest stays empty.
Snapshot takeSnapshot(const MetricsInputs& in, const MetricsConfig& config);

uint64_t epochNs();

}  // namespace bulkhead
