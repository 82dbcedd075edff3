#include "metrics/snapshot_fields.h"

#include <charconv>
#include <map>

#include "plugin_api/plugin_host.h"

namespace bulkhead {

namespace {

// Collects into a sorted map first: Falco's output_fields are in key order.
class Fields {
 public:
  explicit Fields(bool includeEmpty) : includeEmpty_(includeEmpty) {}
  void add(const std::string& key, uint64_t v) {
    if (v != 0 || includeEmpty_) map_[key] = v;
  }
  void add(const std::string& key, int64_t v) {
    if (v != 0 || includeEmpty_) map_[key] = v;
  }
  bool has(const std::string& key) const { return map_.count(key) != 0; }
  void add(const std::string& key, double v) {
    if (v != 0 || includeEmpty_) map_[key] = v;
  }
  void add(const std::string& key, const std::string& v) {
    if (!v.empty() || includeEmpty_) map_[key] = boost::json::string(v);
  }
  boost::json::object take() {
    boost::json::object o;
    for (auto& [k, v] : map_) o[k] = std::move(v);
    return o;
  }

 private:
  bool includeEmpty_;
  std::map<std::string, boost::json::value> map_;
};

}  // namespace

std::string ruleFieldKey(const std::string& ruleName) {
  std::string out = ruleName;
  for (char& c : out) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_';
    if (!ok) c = '_';
  }
  return out;
}

boost::json::object snapshotFields(const Snapshot& s, const Snapshot* previous,
                                   const MetricsConfig& config) {
  Fields f(config.includeEmptyValues);
  f.add("falco.version", std::string(BULKHEAD_VERSION));
  f.add("evt.hostname", s.hostname);
  f.add("falco.start_ts", s.startNs);
  f.add("falco.host_boot_ts", s.hostBootNs);
  f.add("falco.host_num_cpus", uint64_t{s.cpus});
  f.add("falco.duration_sec", s.durationSec());
  f.add("falco.outputs_queue_num_drops", s.alertsNotWritten);
  f.add("falco.num_evts", s.events());
  if (previous != nullptr) {
    f.add("falco.num_evts_prev", previous->events());
    const double dt = static_cast<double>(s.timeNs - previous->timeNs) / 1e9;
    const uint64_t n = s.events() - std::min(s.events(), previous->events());
    if (dt > 0) f.add("falco.evts_rate_sec", static_cast<double>(n) / dt);
  }
  if (s.self) {
    const char* unit = config.convertMemoryToMb ? "mb" : "kb";
    const double div = config.convertMemoryToMb ? 1024.0 * 1024.0 : 1024.0;
    f.add("falco.cpu_usage_perc",
          s.self->ageSeconds > 0 ? 100.0 * s.self->cpuSeconds / s.self->ageSeconds : 0.0);
    f.add(std::string("falco.memory_rss_") + unit, static_cast<double>(s.self->rssBytes) / div);
    f.add(std::string("falco.memory_vsz_") + unit, static_cast<double>(s.self->vszBytes) / div);
  }
  if (config.rulesCountersEnabled) {
    uint64_t total = 0;
    for (const RuleSample& r : s.rules) {
      total += r.matches;
      f.add("falco.rules." + ruleFieldKey(r.name), r.matches);
    }
    f.add("falco.rules.matches_total", total);
  }
  if (config.stateCountersEnabled) {
    for (const SourceSample& src : s.sources) {
      const std::string k = "bulkhead.sources." + src.source + ".";
      f.add(k + "n_evts", src.counters.events.load());
      f.add(k + "n_async_evts", src.counters.asyncEvents.load());
      f.add(k + "n_extract_failures", src.counters.extractFailures.load());
    }
    for (const PluginSample& p : s.plugins) {
      const std::string k = "bulkhead.plugins." + p.plugin + ".";
      const HostCounters& c = p.counters;
      f.add(k + "restarts", c.restarts.load());
      f.add(k + "seccomp_kills", c.seccompKills.load());
      f.add(k + "deadline_kills", c.deadlineKills.load());
      f.add(k + "malformed", c.malformed.load());
      f.add(k + "extractions_lost", c.extractionsLost.load());
      f.add(k + "parses_lost", c.parsesLost.load());
      f.add(k + "async_dropped", c.asyncDropped.load());
      for (size_t e = 0; e < kRunnerEndCauses.size(); ++e) {
        f.add(k + "crashes." + std::string(kRunnerEndCauses[e]), c.runnerEnds[e].load());
      }
      f.add(k + "disabled", uint64_t{p.state.disabled ? 1U : 0U});
      for (size_t r = 0; p.state.hasRings && r < kHostRingNames.size(); ++r) {
        const std::string ring = k + "ring_fill." + std::string(kHostRingNames[r]);
        f.add(ring, p.state.rings[r].last);
        f.add(ring + "_peak", p.state.rings[r].peak);
      }
      if (p.runner) {
        f.add(k + "runner_rss_bytes", p.runner->rssBytes);
        f.add(k + "runner_cpu_sec", p.runner->cpuSeconds);
      }
    }
  }
  if (config.pluginsMetricsEnabled) {
    // libsinsp's names, "<plugin>.<metric>"; a second source served by the
    // same plugin gets its own key instead of overwriting the first's.
    for (const PluginSample& p : s.plugins) {
      for (const PluginMetric& m : p.own) {
        const std::string key = f.has(m.name) ? m.name + "@" + p.plugin : m.name;
        if (!m.integral()) {
          f.add(key, m.value());
        } else if (m.isSigned()) {
          f.add(key, m.asInt());
        } else {
          f.add(key, m.asUint());
        }
      }
    }
  }
  return f.take();
}

Alert snapshotAlert(const Snapshot& s, const boost::json::object& fields) {
  Alert a;
  a.timeNs = s.timeNs;
  a.priority = Priority::kInformational;
  a.rule = kMetricsRuleName;
  a.source = "internal";
  a.output = kMetricsOutput;
  for (const auto& [key, value] : fields) {
    Alert::Field field;
    field.name = std::string(key);
    field.present = true;
    if (value.is_uint64()) {
      field.type = ValueType::kUint64;
      field.value = std::to_string(value.get_uint64());
    } else if (value.is_int64()) {
      field.type = ValueType::kInt64;
      field.value = std::to_string(value.get_int64());
    } else if (value.is_string()) {
      field.value = std::string(value.get_string());
    } else if (value.is_double()) {
      char buf[64];
      const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value.get_double());
      field.value = ec == std::errc() ? std::string(buf, end) : "0";
    } else {
      field.value = boost::json::serialize(value);
    }
    a.fields.push_back(std::move(field));
  }
  return a;
}

std::string snapshotFileLine(uint64_t sample, const boost::json::object& fields) {
  boost::json::object line;
  line["sample"] = sample;
  line["output_fields"] = fields;
  return boost::json::serialize(line) + "\n";
}

}  // namespace bulkhead
