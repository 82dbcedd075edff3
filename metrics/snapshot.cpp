#include "metrics/snapshot.h"

#include <unistd.h>

#include <chrono>

#include "plugin_api/visible_text.h"

namespace bulkhead {

uint64_t Snapshot::events() const {
  uint64_t n = 0;
  for (const SourceSample& s : sources) n += s.counters.events + s.counters.asyncEvents;
  return n;
}

uint64_t Snapshot::durationSec() const {
  return timeNs > startNs ? (timeNs - startNs) / uint64_t{1'000'000'000} : 0;
}

uint64_t epochNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

Snapshot takeSnapshot(const MetricsInputs& in, const MetricsConfig& config) {
  Snapshot s;
  s.timeNs = epochNs();
  s.startNs = in.startNs;
  s.hostBootNs = hostBootNs();
  s.cpus = onlineCpus();
  s.hostname = in.hostname;
  if (in.alerts != nullptr) {
    s.alertsEmitted = in.alerts->emitted();
    s.alertsNotWritten = in.alerts->notWritten();
  }
  if (config.resourceUtilizationEnabled) s.self = readProcUsage(getpid());
  for (const SourcePipeline* p : in.pipelines) {
    // The source name is the plugin's text: made visible, as hosts' names are.
    s.sources.push_back({visibleText(p->source(), kShownNameBytes), p->counters(), p->end()});
    const RuleSet* rules = p->rules();
    if (!config.rulesCountersEnabled || rules == nullptr) continue;
    std::span<const RelaxedCounter> counts = p->ruleMatches();
    for (size_t r = 0; r < counts.size() && r < rules->rules().size(); ++r) {
      const CompiledRule& rule = rules->rules()[r];
      s.rules.push_back({rule.name, p->source(), rule.priority, rule.tags, counts[r].load()});
    }
  }
  for (const MetricsInputs::Host& h : in.hosts) {
    PluginSample p{h.name, h.host->counters(), h.host->state(), std::nullopt, {}};
    if (config.resourceUtilizationEnabled && p.state.workerPid > 0) {
      p.runner = readProcUsage(p.state.workerPid);
    }
    if (config.pluginsMetricsEnabled) p.own = h.host->lastMetrics();
    s.plugins.push_back(std::move(p));
  }
  return s;
}

}  // namespace bulkhead
