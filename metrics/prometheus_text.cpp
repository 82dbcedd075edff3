#include "metrics/prometheus_text.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <cmath>
#include <set>

#include "plugin_api/plugin_host.h"

namespace bulkhead {

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0.
size_t utf8Length(std::string_view s, size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  uint32_t min = 0;
  if (b < 0x80) return 1;
  if ((b & 0xE0) == 0xC0) {
    n = 2;
    min = 0x80;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3;
    min = 0x800;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  uint32_t cp = b & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Shortest text that reads back as the same double: le="0.005", not
  // le="0.0050000000000000001".
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : "NaN";
}

}  // namespace

std::string escapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size();) {
    const char c = value[i];
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      const size_t n = utf8Length(value, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD
        ++i;
        continue;
      }
      out.append(value.substr(i, n));
      i += n;
      continue;
    }
    ++i;
  }
  return out;
}

std::string sanitizeLabelName(std::string_view name) {
  std::string out;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_';
    out += ok ? c : '_';
  }
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out.insert(0, "_");
  return out;
}

void PrometheusWriter::family(std::string_view name, std::string_view type,
                              std::string_view help) {
  name_ = name;
  text_ += "# HELP ";
  text_ += name;
  text_ += ' ';
  for (char c : help) {
    if (c == '\\') {
      text_ += "\\\\";
    } else if (c == '\n') {
      text_ += "\\n";
    } else {
      text_ += c;
    }
  }
  text_ += "\n# TYPE ";
  text_ += name;
  text_ += ' ';
  text_ += type;
  text_ += '\n';
}

void PrometheusWriter::samplePrefix(std::string_view suffix, const Labels& labels) {
  text_ += name_;
  text_ += suffix;
  if (!labels.empty()) {
    text_ += '{';
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i) text_ += ',';
      text_ += labels[i].first;
      text_ += "=\"";
      text_ += escapeLabelValue(labels[i].second);
      text_ += '"';
    }
    text_ += '}';
  }
  text_ += ' ';
}

void PrometheusWriter::sample(std::string_view suffix, const Labels& labels, double value) {
  samplePrefix(suffix, labels);
  text_ += number(value);
  text_ += '\n';
}

void PrometheusWriter::sample(const Labels& labels, double value) {
  samplePrefix("", labels);
  text_ += number(value);
  text_ += '\n';
}

void PrometheusWriter::sample(const Labels& labels, uint64_t value) {
  samplePrefix("", labels);
  text_ += std::to_string(value);
  text_ += '\n';
}

namespace {

void falcoWrapperMetrics(PrometheusWriter& w, const Snapshot& s) {
  w.family("falcosecurity_falco_version_info", "gauge", "bulkhead's version, as Falco's version_info");
  w.sample({{"version", BULKHEAD_VERSION}}, uint64_t{1});
  w.family("falcosecurity_evt_hostname_info", "gauge", "The host name alerts carry");
  w.sample({{"hostname", s.hostname}}, uint64_t{1});
  w.family("falcosecurity_scap_engine_name_info", "gauge",
           "One per event source; every bulkhead source is a source plugin");
  for (const SourceSample& src : s.sources) {
    w.sample({{"engine_name", "source_plugin"}, {"evt_source", src.source}}, uint64_t{1});
  }
  w.family("falcosecurity_falco_start_timestamp_nanoseconds", "gauge",
           "When bulkhead started, ns since the epoch");
  w.sample({}, s.startNs);
  w.family("falcosecurity_falco_host_boot_timestamp_nanoseconds", "gauge",
           "When the host booted, ns since the epoch");
  w.sample({}, s.hostBootNs);
  w.family("falcosecurity_falco_host_num_cpus_total", "gauge", "Online CPUs of the host");
  w.sample({}, uint64_t{s.cpus});
  w.family("falcosecurity_falco_outputs_queue_num_drops_total", "counter",
           "Alerts an output channel could not write");
  w.sample({}, s.alertsNotWritten);
  w.family("falcosecurity_falco_duration_seconds_total", "counter", "Seconds since bulkhead started");
  w.sample({}, s.durationSec());
}

void resourceMetrics(PrometheusWriter& w, const Snapshot& s) {
  if (!s.self) return;
  w.family("falcosecurity_falco_cpu_usage_ratio", "gauge",
           "CPU time of the supervisor over its run time (1 is one CPU), as ps shows it");
  w.sample({}, s.self->ageSeconds > 0 ? s.self->cpuSeconds / s.self->ageSeconds : 0.0);
  w.family("falcosecurity_falco_memory_rss_bytes", "gauge", "Resident memory of the supervisor");
  w.sample({}, s.self->rssBytes);
  w.family("falcosecurity_falco_memory_vsz_bytes", "gauge", "Virtual memory of the supervisor");
  w.sample({}, s.self->vszBytes);
}

void ruleMetrics(PrometheusWriter& w, const Snapshot& s) {
  bool any = false;
  for (const RuleSample& r : s.rules) {
    if (r.matches == 0) continue;  // as Falco: only rules that matched
    if (!any) {
      w.family("falcosecurity_falco_rules_matches_total", "counter",
               "Alerts emitted per rule (priority: 0 emergency .. 7 debug)");
      any = true;
    }
    Labels labels = {{"priority", std::to_string(static_cast<int>(r.priority))},
                     {"rule_name", r.name},
                     {"source", r.source}};
    std::set<std::string> seen = {"priority", "rule_name", "source"};
    for (const std::string& tag : r.tags) {
      std::string name = "tag_" + sanitizeLabelName(tag);
      if (seen.insert(name).second) labels.emplace_back(std::move(name), "true");
    }
    w.sample(labels, r.matches);
  }
}

void sourceMetrics(PrometheusWriter& w, const Snapshot& s) {
  struct Counter {
    const char* name;
    const char* help;
    RelaxedCounter PipelineCounters::* field;
  };
  static constexpr Counter kCounters[] = {
      {"bulkhead_source_events_total", "Events read from the source plugin",
       &PipelineCounters::events},
      {"bulkhead_source_async_events_total", "Async events that joined the source",
       &PipelineCounters::asyncEvents},
      {"bulkhead_source_batches_total", "Batches asked of the source plugin",
       &PipelineCounters::batches},
      {"bulkhead_source_extract_failures_total", "Extract calls that failed (values then absent)",
       &PipelineCounters::extractFailures},
  };
  for (const Counter& c : kCounters) {
    w.family(c.name, "counter", c.help);
    for (const SourceSample& src : s.sources) {
      w.sample({{"evt_source", src.source}}, (src.counters.*c.field).load());
    }
  }
  w.family("bulkhead_source_running", "gauge", "1 while the source runs, 0 once it ended");
  for (const SourceSample& src : s.sources) {
    w.sample({{"evt_source", src.source}}, uint64_t{src.end == SS_PLUGIN_SUCCESS ? 1U : 0U});
  }
}

// Isolated hosts only: the rings exist per runner, so the host publishes
// what it saw at its own reads (HostState::rings).
void ringFill(PrometheusWriter& w, const Snapshot& s) {
  bool any = false;
  for (const PluginSample& p : s.plugins) any = any || p.state.hasRings;
  if (!any) return;
  const auto family = [&](const char* name, const char* help, double HostState::RingFill::*v) {
    w.family(name, "gauge", help);
    for (const PluginSample& p : s.plugins) {
      if (!p.state.hasRings) continue;
      for (size_t r = 0; r < kHostRingNames.size(); ++r) {
        w.sample({{"plugin", p.plugin}, {"ring", std::string(kHostRingNames[r])}},
                 p.state.rings[r].*v);
      }
    }
  };
  family("bulkhead_plugin_ring_fill_ratio",
         "Share of a runner's ring written and not yet read, at the host's last read",
         &HostState::RingFill::last);
  family("bulkhead_plugin_ring_fill_peak_ratio",
         "Most of a runner's ring ever found written and not yet read",
         &HostState::RingFill::peak);
}

// Only plugins whose runner answered an extraction have one.
void latencyHistograms(PrometheusWriter& w, const Snapshot& s) {
  bool any = false;
  for (const PluginSample& p : s.plugins) {
    const LatencyHistogram& h = p.counters.extractLatency;
    const uint64_t count = h.count();
    if (count == 0) continue;
    if (!any) {
      w.family("bulkhead_plugin_extract_latency_seconds", "histogram",
               "From sending an extraction request to a runner to holding its answer");
      any = true;
    }
    uint64_t cumulative = 0;
    for (size_t b = 0; b < h.buckets.size(); ++b) {
      cumulative += h.buckets[b].load();
      const std::string le = b < kExtractLatencyBoundsNs.size()
                                 ? number(static_cast<double>(kExtractLatencyBoundsNs[b]) / 1e9)
                                 : "+Inf";
      w.sample("_bucket", {{"plugin", p.plugin}, {"le", le}}, static_cast<double>(cumulative));
    }
    w.sample("_sum", {{"plugin", p.plugin}}, static_cast<double>(h.sumNs.load()) / 1e9);
    w.sample("_count", {{"plugin", p.plugin}}, static_cast<double>(count));
  }
}

void pluginMetrics(PrometheusWriter& w, const Snapshot& s) {
  struct Counter {
    const char* name;
    const char* help;
    RelaxedCounter HostCounters::* field;
  };
  static constexpr Counter kCounters[] = {
      {"bulkhead_plugin_events_total", "Events the plugin delivered", &HostCounters::events},
      {"bulkhead_plugin_extractions_total", "Field cells asked of the plugin",
       &HostCounters::extractions},
      {"bulkhead_plugin_parsed_total", "Events handed to the plugin's parse", &HostCounters::parsed},
      {"bulkhead_plugin_async_events_total", "Async events the plugin delivered",
       &HostCounters::asyncEvents},
      {"bulkhead_plugin_restarts_total", "Runner restarts", &HostCounters::restarts},
      {"bulkhead_plugin_seccomp_kills_total", "Runners killed by their seccomp filter",
       &HostCounters::seccompKills},
      {"bulkhead_plugin_deadline_kills_total", "Runners killed for missing a deadline",
       &HostCounters::deadlineKills},
      {"bulkhead_plugin_malformed_total", "Malformed records or messages from the runner",
       &HostCounters::malformed},
      {"bulkhead_plugin_extractions_lost_total",
       "Field cells answered without a value because a runner failed",
       &HostCounters::extractionsLost},
      {"bulkhead_plugin_parses_lost_total", "Events whose parse died with a runner",
       &HostCounters::parsesLost},
      {"bulkhead_plugin_async_dropped_total", "Async events dropped: queue or ring full",
       &HostCounters::asyncDropped},
  };
  for (const Counter& c : kCounters) {
    w.family(c.name, "counter", c.help);
    for (const PluginSample& p : s.plugins) {
      w.sample({{"plugin", p.plugin}}, (p.counters.*c.field).load());
    }
  }
  w.family("bulkhead_plugin_crashes_total", "counter",
           "Runners that ended other than by a shutdown, by how they ended");
  for (const PluginSample& p : s.plugins) {
    for (size_t k = 0; k < kRunnerEndCauses.size(); ++k) {
      w.sample({{"plugin", p.plugin}, {"cause", std::string(kRunnerEndCauses[k])}},
               p.counters.runnerEnds[k].load());
    }
  }
  w.family("bulkhead_plugin_disabled", "gauge", "1 once the circuit breaker disabled the plugin");
  for (const PluginSample& p : s.plugins) {
    w.sample({{"plugin", p.plugin}}, uint64_t{p.state.disabled ? 1U : 0U});
  }
  ringFill(w, s);
  latencyHistograms(w, s);
  bool anyRunner = false;
  for (const PluginSample& p : s.plugins) anyRunner = anyRunner || p.runner.has_value();
  if (!anyRunner) return;
  w.family("bulkhead_plugin_runner_rss_bytes", "gauge", "Resident memory of the current runner");
  for (const PluginSample& p : s.plugins) {
    if (p.runner) w.sample({{"plugin", p.plugin}}, p.runner->rssBytes);
  }
  w.family("bulkhead_plugin_runner_cpu_seconds_total", "counter",
           "CPU time of the current runner (starts again at a restart)");
  for (const PluginSample& p : s.plugins) {
    if (p.runner) w.sample({{"plugin", p.plugin}}, p.runner->cpuSeconds);
  }
}

// As Falco names them: falcosecurity_plugins_<plugin>_<metric>_total, a
// counter when the plugin says monotonic, else a gauge. The plugin label
// tells apart one plugin serving two sources.
void pluginOwnMetrics(PrometheusWriter& w, const Snapshot& s) {
  std::map<std::string, std::vector<std::pair<const PluginSample*, const PluginMetric*>>> families;
  for (const PluginSample& p : s.plugins) {
    for (const PluginMetric& m : p.own) {
      std::string name = "falcosecurity_plugins_" + m.name + "_total";
      std::replace(name.begin(), name.end(), '.', '_');
      families[name].emplace_back(&p, &m);
    }
  }
  for (const auto& [name, samples] : families) {
    w.family(name, samples.front().second->monotonic ? "counter" : "gauge",
             "A plugin's own metric (get_metrics)");
    for (const auto& [p, m] : samples) w.sample({{"plugin", p->plugin}}, m->value());
  }
}

}  // namespace

std::string prometheusText(const Snapshot& s, const MetricsConfig& config) {
  PrometheusWriter w;
  falcoWrapperMetrics(w, s);
  if (config.resourceUtilizationEnabled) resourceMetrics(w, s);
  if (config.rulesCountersEnabled) ruleMetrics(w, s);
  if (config.stateCountersEnabled) {
    sourceMetrics(w, s);
    pluginMetrics(w, s);
  }
  if (config.pluginsMetricsEnabled) pluginOwnMetrics(w, s);
  return w.text();
}

}  // namespace bulkhead
