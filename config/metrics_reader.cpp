#include "config/metrics_reader.h"

#include <array>
#include <charconv>
#include <limits>

#include "config/paths.h"

namespace bulkhead {

namespace {

// Falco refuses a metrics interval below 100 ms.
constexpr uint64_t kMinIntervalMs = 100;

void readFlag(YamlNodeReader& reader, const YAML::Node& map, std::string_view path,
              std::string_view key, bool& field) {
  if (auto e = reader.find(map, path, key)) field = reader.boolean(e->value, joinPath(path, key));
}

std::string readPath(YamlNodeReader& reader, const YAML::Node& node, const std::string& path,
                     const std::string& baseDir) {
  std::string text = reader.string(node, path);
  if (hasControlChar(text)) reader.fail(node, path, "path contains a control character");
  return text.empty() ? text : absoluteUnder(baseDir, text);
}

}  // namespace

std::optional<uint64_t> parseDurationMs(std::string_view text) {
  struct Unit {
    std::string_view name;
    uint64_t ms;
  };
  // Largest first; "ms" before "m" so that the longer name wins.
  static constexpr std::array<Unit, 7> kUnits = {{{"y", 365ULL * 24 * 3600 * 1000},
                                                  {"w", 7ULL * 24 * 3600 * 1000},
                                                  {"d", 24ULL * 3600 * 1000},
                                                  {"h", 3600ULL * 1000},
                                                  {"ms", 1},
                                                  {"m", 60ULL * 1000},
                                                  {"s", 1000}}};
  auto rank = [](std::string_view u) -> int {
    static constexpr std::array<std::string_view, 7> kOrder = {"y", "w", "d", "h", "m", "s", "ms"};
    for (size_t i = 0; i < kOrder.size(); ++i) {
      if (kOrder[i] == u) return static_cast<int>(i);
    }
    return -1;
  };
  if (text.empty()) return std::nullopt;
  uint64_t total = 0;
  int lastRank = -1;
  size_t pos = 0;
  while (pos < text.size()) {
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), n);
    if (ec != std::errc() || end == text.data() + pos) return std::nullopt;
    pos = static_cast<size_t>(end - text.data());
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (text.substr(pos, u.name.size()) == u.name) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) return std::nullopt;
    const int r = rank(unit->name);
    if (r <= lastRank) return std::nullopt;  // each unit once, largest first
    lastRank = r;
    pos += unit->name.size();
    if (n > (std::numeric_limits<uint64_t>::max() - total) / unit->ms) return std::nullopt;
    total += n * unit->ms;
  }
  return total;
}

WebserverConfig readWebserver(YamlNodeReader& reader, const YAML::Node& root,
                              const std::string& baseDir) {
  WebserverConfig w;
  auto section = reader.find(root, "", "webserver");
  if (!section || section->value.IsNull()) return w;
  const YAML::Node& map = section->value;
  const std::string path = "webserver";
  reader.expectMap(map, path);
  reader.warnUnknownKeys(map, path,
                         {"enabled", "threadiness", "listen_port", "listen_address",
                          "k8s_healthz_endpoint", "prometheus_metrics_enabled", "ssl_enabled",
                          "ssl_certificate"});
  readFlag(reader, map, path, "enabled", w.enabled);
  if (auto e = reader.find(map, path, "threadiness")) {
    w.threadiness = static_cast<uint32_t>(
        reader.unsignedInt(e->value, "webserver.threadiness", 0, 1024));
  }
  if (auto e = reader.find(map, path, "listen_port")) {
    w.listenPort =
        static_cast<uint16_t>(reader.unsignedInt(e->value, "webserver.listen_port", 1, 65535));
  }
  if (auto e = reader.find(map, path, "listen_address")) {
    w.listenAddress = reader.nonEmptyString(e->value, "webserver.listen_address");
    if (hasControlChar(w.listenAddress)) {
      reader.fail(e->value, "webserver.listen_address", "address contains a control character");
    }
  }
  if (auto e = reader.find(map, path, "k8s_healthz_endpoint")) {
    w.healthzEndpoint = reader.nonEmptyString(e->value, "webserver.k8s_healthz_endpoint");
    if (w.healthzEndpoint.front() != '/' || hasControlChar(w.healthzEndpoint)) {
      reader.fail(e->value, "webserver.k8s_healthz_endpoint",
                  "'" + w.healthzEndpoint + "' is not a path; write it like /healthz");
    }
    if (w.healthzEndpoint == "/versions" || w.healthzEndpoint == "/metrics") {
      reader.fail(e->value, "webserver.k8s_healthz_endpoint",
                  w.healthzEndpoint + " is taken by another endpoint; choose another path");
    }
  }
  readFlag(reader, map, path, "prometheus_metrics_enabled", w.prometheusMetricsEnabled);
  readFlag(reader, map, path, "ssl_enabled", w.sslEnabled);
  auto cert = reader.find(map, path, "ssl_certificate");
  if (cert) w.sslCertificate = readPath(reader, cert->value, "webserver.ssl_certificate", baseDir);
  if (w.enabled && w.sslEnabled && w.sslCertificate.empty()) {
    reader.fail(cert ? cert->value : map, "webserver.ssl_certificate",
                "ssl_enabled is true but no certificate is given; set webserver.ssl_certificate");
  }
  return w;
}

MetricsConfig readMetrics(YamlNodeReader& reader, const YAML::Node& root,
                          const std::string& baseDir) {
  MetricsConfig m;
  auto section = reader.find(root, "", "metrics");
  if (!section || section->value.IsNull()) return m;
  const YAML::Node& map = section->value;
  const std::string path = "metrics";
  reader.expectMap(map, path);
  reader.warnUnknownKeys(
      map, path,
      {"enabled", "interval", "output_rule", "output_file", "rules_counters_enabled",
       "resource_utilization_enabled", "state_counters_enabled", "kernel_event_counters_enabled",
       "kernel_event_counters_per_cpu_enabled", "libbpf_stats_enabled", "plugins_metrics_enabled",
       "jemalloc_stats_enabled", "convert_memory_to_mb", "include_empty_values"});
  readFlag(reader, map, path, "enabled", m.enabled);
  if (auto e = reader.find(map, path, "interval")) {
    const std::string text = reader.nonEmptyString(e->value, "metrics.interval");
    std::optional<uint64_t> ms = parseDurationMs(text);
    if (!ms) {
      reader.fail(e->value, "metrics.interval",
                  "'" + text +
                      "' is not a duration; write a number and a unit (ms, s, m, h, d, w, y), "
                      "largest first, such as 15m, 1h or 1h30m");
    }
    if (*ms < kMinIntervalMs) {
      reader.fail(e->value, "metrics.interval", "'" + text + "' is shorter than the minimum, 100ms");
    }
    m.intervalMs = *ms;
  }
  readFlag(reader, map, path, "output_rule", m.outputRule);
  if (auto e = reader.find(map, path, "output_file")) {
    m.outputFile = readPath(reader, e->value, "metrics.output_file", baseDir);
  }
  readFlag(reader, map, path, "rules_counters_enabled", m.rulesCountersEnabled);
  readFlag(reader, map, path, "resource_utilization_enabled", m.resourceUtilizationEnabled);
  readFlag(reader, map, path, "state_counters_enabled", m.stateCountersEnabled);
  readFlag(reader, map, path, "plugins_metrics_enabled", m.pluginsMetricsEnabled);
  readFlag(reader, map, path, "convert_memory_to_mb", m.convertMemoryToMb);
  readFlag(reader, map, path, "include_empty_values", m.includeEmptyValues);
  // Counters of the kernel driver, its per-CPU split, its BPF programs and
  // jemalloc: there is no syscall source and no jemalloc here. Checked as
  // booleans so that a typo still fails, otherwise without effect.
  for (std::string_view key : {"kernel_event_counters_enabled",
                               "kernel_event_counters_per_cpu_enabled", "libbpf_stats_enabled",
                               "jemalloc_stats_enabled"}) {
    bool ignored = false;
    readFlag(reader, map, path, key, ignored);
  }
  return m;
}

}  // namespace bulkhead
