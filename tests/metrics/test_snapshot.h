// Snapshots built by hand for the metrics tests, with names a hostile
// plugin or rules file could choose.
#pragma once

#include <string>

#include "metrics/snapshot.h"

namespace bulkhead::testing {

// Quote, backslash and newline in a rule name, a source and a tag; an
// invalid UTF-8 byte in a plugin name.
inline const std::string kHostileRule = "say \"hi\" \\ then\nbreak";
inline const std::string kHostileSource = "src\"x";
inline const std::string kHostilePlugin = "evil\\\xff@src";

inline Snapshot hostileSnapshot() {
  Snapshot s;
  s.timeNs = 2'000'000'000'000'000'000ULL;
  s.startNs = s.timeNs - 90'000'000'000ULL;
  s.hostBootNs = 1'000'000'000'000'000'000ULL;
  s.cpus = 2;
  s.hostname = "host\"1";
  s.alertsEmitted = 7;
  s.alertsNotWritten = 1;
  s.self = ProcUsage{1.5, 3.0, 4096 * 1024, 8192 * 1024};
  SourceSample src;
  src.source = kHostileSource;
  src.counters.events = 100;
  s.sources.push_back(src);
  PluginSample p;
  p.plugin = kHostilePlugin;
  p.counters.restarts = 2;
  p.counters.runnerEnds[1] = 2;  // signalled
  p.runner = ProcUsage{0.25, 1.0, 1 << 20, 1 << 22};
  PluginMetric own;  // get_metrics, as copyPluginMetrics() names it
  own.name = "evil_.events";
  own.bits = 42;
  p.own.push_back(own);
  p.state.hasRings = true;
  p.state.rings[0] = {0.25, 0.75};  // source
  p.counters.extractLatency.record(20'000);      // 20 us
  p.counters.extractLatency.record(2'000'000);   // 2 ms
  p.counters.extractLatency.record(3'000'000'000);  // 3 s: only +Inf
  s.plugins.push_back(p);
  PluginSample inproc;
  inproc.plugin = "json@src";
  s.plugins.push_back(inproc);
  s.rules.push_back({kHostileRule, kHostileSource, Priority::kWarning, {"mitre-x", "T1", "a b"}, 5});
  s.rules.push_back({"quiet", kHostileSource, Priority::kDebug, {}, 0});
  return s;
}

}  // namespace bulkhead::testing
