#include "config/isolation_reader.h"

#include <bit>
#include <chrono>
#include <cstdint>
#include <limits>

#include "config/paths.h"

namespace bulkhead {
namespace {

constexpr std::uint64_t kMaxDeadlineMs = 24ull * 3600 * 1000;

// Reads `key` of `map` into `field` when present.
void readUnsigned(YamlNodeReader& reader, const YAML::Node& map, std::string_view path,
                  std::string_view key, std::uint64_t& field, std::uint64_t min,
                  std::uint64_t max) {
  if (auto entry = reader.find(map, path, key)) {
    field = reader.unsignedInt(entry->value, joinPath(path, key), min, max);
  }
}

// Reads `key` (whole units of Duration) when present; 0 stays 0.
template <typename Duration>
void readDuration(YamlNodeReader& reader, const YAML::Node& map, std::string_view path,
                  std::string_view key, Duration& field, std::uint64_t min, std::uint64_t max) {
  std::uint64_t n = static_cast<std::uint64_t>(field.count());
  readUnsigned(reader, map, path, key, n, min, max);
  field = Duration(n);
}

// A deadline: 0 disables it.
void readDeadline(YamlNodeReader& reader, const YAML::Node& map, std::string_view path,
                  std::string_view key, std::chrono::milliseconds& field) {
  readDuration(reader, map, path, key, field, 0, kMaxDeadlineMs);
  if (field.count() == 0) field = kNoDeadline;
}

// A ring size given in MiB; rings must be powers of two, so it is rounded up.
void readRingMb(YamlNodeReader& reader, const YAML::Node& map, std::string_view path,
                std::string_view key, std::uint64_t& bytes) {
  std::uint64_t mb = bytes >> 20;
  readUnsigned(reader, map, path, key, mb, 1, 1024);
  bytes = std::bit_ceil(mb << 20);
}

// A byte count given in units of 2^shift bytes (KiB: 10, MiB: 20).
void readScaled(YamlNodeReader& reader, const YAML::Node& map, std::string_view path,
                std::string_view key, std::uint64_t& bytes, unsigned shift, std::uint64_t min,
                std::uint64_t max) {
  std::uint64_t units = bytes >> shift;
  readUnsigned(reader, map, path, key, units, min, max);
  bytes = units << shift;
}

// The sub-map at `key`, or an invalid node when absent or null.
YAML::Node subMap(YamlNodeReader& reader, const YAML::Node& map, std::string_view path,
                  std::string_view key, std::initializer_list<std::string_view> known) {
  auto entry = reader.find(map, path, key);
  if (!entry || entry->value.IsNull()) return YAML::Node(YAML::NodeType::Undefined);
  std::string subPath = joinPath(path, key);
  reader.expectMap(entry->value, subPath);
  reader.warnUnknownKeys(entry->value, subPath, known);
  return entry->value;
}

bool isPolicyName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::vector<std::string> readAbsolutePaths(YamlNodeReader& reader, const YAML::Node& node,
                                           const std::string& path) {
  std::vector<std::string> out;
  if (!node.IsNull() && !node.IsSequence()) {
    reader.fail(node, path,
                std::string("expected a list of absolute paths, got ") + nodeKindName(node));
  }
  std::vector<std::string> items = reader.stringList(node, path);
  std::size_t i = 0;
  for (auto it = node.begin(); it != node.end(); ++it, ++i) {
    const std::string& item = items[i];
    std::string itemPath = indexPath(path, i);
    if (item.empty() || item.front() != '/') {
      reader.fail(*it, itemPath, "'" + item + "' is not an absolute path; start it with '/'");
    }
    if (hasControlChar(item)) reader.fail(*it, itemPath, "path contains a control character");
    out.push_back(absoluteUnder("/", item));
  }
  return out;
}

void readEnv(YamlNodeReader& reader, const YAML::Node& map, const std::string& path,
             std::map<std::string, std::string>& env) {
  for (auto it = map.begin(); it != map.end(); ++it) {
    YAML::Node key = it->first;
    if (!key.IsScalar()) reader.fail(key, path, "environment variable names must be strings");
    const std::string& name = key.Scalar();
    std::string varPath = joinPath(path, name);
    if (name.empty() || name.find('=') != std::string::npos || hasControlChar(name)) {
      reader.fail(key, varPath,
                  "not a valid environment variable name (no '=', no control characters)");
    }
    if (it->second.IsNull()) {
      env.erase(name);
      continue;
    }
    std::string value = reader.string(it->second, varPath);
    if (value.find('\0') != std::string::npos) {
      reader.fail(it->second, varPath, "value contains a NUL character");
    }
    env[name] = std::move(value);
  }
}

}  // namespace

IsolationConfig readIsolation(YamlNodeReader& reader, const YAML::Node& node, std::string_view path,
                              const IsolationConfig& base) {
  IsolationConfig out = base;
  if (node.IsNull()) return out;
  reader.expectMap(node, path);
  reader.warnUnknownKeys(node, path,
                         {"isolation", "policy", "user", "limits", "deadlines_ms", "restart", "env",
                          "ring_mb", "bounds", "allow_paths"});

  if (auto e = reader.find(node, path, "isolation")) {
    std::string keyPath = joinPath(path, "isolation");
    std::string mode = reader.string(e->value, keyPath);
    if (mode == "process") {
      out.mode = IsolationMode::kProcess;
    } else if (mode == "inprocess") {
      out.mode = IsolationMode::kInProcess;
    } else {
      reader.fail(e->value, keyPath,
                  "'" + mode + "' is not an isolation mode; use process or inprocess");
    }
  }
  if (auto e = reader.find(node, path, "policy")) {
    std::string keyPath = joinPath(path, "policy");
    out.policy = reader.string(e->value, keyPath);
    if (!isPolicyName(out.policy)) {
      reader.fail(e->value, keyPath,
                  "'" + out.policy +
                      "' is not a policy name; use the name of a profile in policies/ "
                      "(letters, digits, '_' and '-', e.g. default, network, strict)");
    }
  }
  if (auto e = reader.find(node, path, "user")) {
    std::string keyPath = joinPath(path, "user");
    out.user = reader.nonEmptyString(e->value, keyPath);
    if (hasControlChar(out.user)) {
      reader.fail(e->value, keyPath, "user contains a control character");
    }
  }

  std::string limitsPath = joinPath(path, "limits");
  YAML::Node limits = subMap(reader, node, path, "limits",
                             {"address_space_mb", "cpu_seconds", "open_files", "processes",
                              "memory_mb", "cpu_percent"});
  if (limits.IsDefined()) {
    readUnsigned(reader, limits, limitsPath, "address_space_mb", out.limits.addressSpaceMb, 0,
                 1ull << 24);
    readUnsigned(reader, limits, limitsPath, "cpu_seconds", out.limits.cpuSeconds, 0, 1ull << 32);
    readUnsigned(reader, limits, limitsPath, "open_files", out.limits.openFiles, 0, 1ull << 20);
    readUnsigned(reader, limits, limitsPath, "processes", out.limits.processes, 0, 1ull << 22);
    readUnsigned(reader, limits, limitsPath, "memory_mb", out.limits.memoryMb, 0, 1ull << 24);
    readUnsigned(reader, limits, limitsPath, "cpu_percent", out.limits.cpuPercent, 0, 100000);
  }

  std::string deadlinesPath = joinPath(path, "deadlines_ms");
  YAML::Node deadlines = subMap(reader, node, path, "deadlines_ms",
                                {"init", "open", "next_batch", "extract", "parse", "close"});
  if (deadlines.IsDefined()) {
    Deadlines& d = out.deadlines;
    readDeadline(reader, deadlines, deadlinesPath, "init", d.init);
    readDeadline(reader, deadlines, deadlinesPath, "open", d.open);
    readDeadline(reader, deadlines, deadlinesPath, "next_batch", d.nextBatch);
    readDeadline(reader, deadlines, deadlinesPath, "extract", d.extract);
    readDeadline(reader, deadlines, deadlinesPath, "parse", d.parse);
    readDeadline(reader, deadlines, deadlinesPath, "close", d.close);
  }

  std::string restartPath = joinPath(path, "restart");
  YAML::Node restart = subMap(reader, node, path, "restart",
                              {"max_restarts", "window_s", "backoff_initial_ms", "backoff_max_ms",
                               "standby"});
  if (restart.IsDefined()) {
    RestartSettings& r = out.restart;
    std::uint64_t maxRestarts = r.maxRestarts;
    readUnsigned(reader, restart, restartPath, "max_restarts", maxRestarts, 0, 1000000);
    r.maxRestarts = static_cast<std::uint32_t>(maxRestarts);
    readDuration(reader, restart, restartPath, "window_s", r.window, 1, 7ull * 24 * 3600);
    readDuration(reader, restart, restartPath, "backoff_initial_ms", r.backoffInitial, 0,
                 3600000);
    readDuration(reader, restart, restartPath, "backoff_max_ms", r.backoffMax, 0, 3600000);
    if (auto e = reader.find(restart, restartPath, "standby")) {
      r.standby = reader.boolean(e->value, joinPath(restartPath, "standby"));
    }
  }
  if (out.restart.backoffInitial > out.restart.backoffMax) {
    reader.fail(restart.IsDefined() ? restart : node, restartPath,
                "backoff_initial_ms (" + std::to_string(out.restart.backoffInitial.count()) +
                    ") is larger than backoff_max_ms (" +
                    std::to_string(out.restart.backoffMax.count()) +
                    "); lower it or raise the maximum");
  }

  if (auto e = reader.find(node, path, "env")) {
    std::string envPath = joinPath(path, "env");
    reader.expectMap(e->value, envPath);
    if (e->value.IsMap()) readEnv(reader, e->value, envPath, out.env);
  }

  std::string ringPath = joinPath(path, "ring_mb");
  YAML::Node ring =
      subMap(reader, node, path, "ring_mb", {"source", "request", "response", "async"});
  if (ring.IsDefined()) {
    readRingMb(reader, ring, ringPath, "source", out.rings.sourceBytes);
    readRingMb(reader, ring, ringPath, "request", out.rings.requestBytes);
    readRingMb(reader, ring, ringPath, "response", out.rings.responseBytes);
    readRingMb(reader, ring, ringPath, "async", out.rings.asyncBytes);
  }

  std::string boundsPath = joinPath(path, "bounds");
  YAML::Node bounds = subMap(reader, node, path, "bounds",
                             {"batch_events", "batch_mb", "extract_mb", "async_event_kb"});
  if (bounds.IsDefined()) {
    RunnerBounds& b = out.bounds;
    readUnsigned(reader, bounds, boundsPath, "batch_events", b.batchEvents, 1, 1ull << 24);
    readScaled(reader, bounds, boundsPath, "batch_mb", b.batchBytes, 20, 1, 4096);
    readScaled(reader, bounds, boundsPath, "extract_mb", b.extractBytes, 20, 1, 4096);
    readScaled(reader, bounds, boundsPath, "async_event_kb", b.asyncEventBytes, 10, 1, 1u << 20);
  }

  std::string allowPath = joinPath(path, "allow_paths");
  YAML::Node allow = subMap(reader, node, path, "allow_paths", {"read", "write"});
  if (allow.IsDefined()) {
    if (auto e = reader.find(allow, allowPath, "read")) {
      out.allowPaths.read = readAbsolutePaths(reader, e->value, joinPath(allowPath, "read"));
    }
    if (auto e = reader.find(allow, allowPath, "write")) {
      out.allowPaths.write = readAbsolutePaths(reader, e->value, joinPath(allowPath, "write"));
    }
  }
  return out;
}

}  // namespace bulkhead
