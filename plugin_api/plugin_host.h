// PluginHost: the only way the engine talks to a plugin.
//
// Batch-first: events come in batches, fields are extracted for many events
// and many fields in one call, so that a host whose plugin lives in another
// process pays one round trip per batch, not per event. Two implementations:
// InProcessHost (plugin_api/inprocess_host.h, the reference: what Falco does)
// and IsolatedHost (supervisor/, the plugin in a sandboxed runner). The engine
// cannot tell them apart; the same test suite runs against both.
//
// Errors: construction, open and other rare calls throw PluginError (message
// names the plugin); hot calls (nextBatch, extract, parse) return
// ss_plugin_rc and never throw for a plugin's misbehaviour.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "plugin_api/plugin_api.h"
#include "plugin_api/plugin_info.h"
#include "plugin_api/plugin_metric.h"
#include "plugin_api/relaxed_counter.h"

namespace bulkhead {

// Where a plugin comes from: the falco.yaml `plugins` entry minus the open
// params (those go to PluginHost::open).
struct PluginSpec {
  std::string name;         // the config name; must equal get_name() for sources
  std::string libraryPath;  // absolute
  std::string initConfig;   // passed to plugin_init as is
  // The open params the host expects to be given (a hint: open() takes the
  // real ones). An isolated host sets its first runner's sandbox up for
  // the files they name, so open() need not replace it.
  std::string openParams{};
  // Where dlopen finds the library when not at libraryPath (a runner loads
  // the supervisor's copy, /proc/self/fd/N); libraryPath still names it in
  // every message. Empty: libraryPath.
  std::string loadPath{};
};

// One event in libscap layout (header + parameters), not owned. `evt->len`
// has been checked against the bytes the host holds: the whole event is
// readable. Valid until the next nextBatch()/close() on the host it came
// from (or, for async events, until the next drainAsync()).
struct EventRef {
  const ss_plugin_event* evt = nullptr;
  uint64_t num = 0;  // framework event number
};

struct BatchResult {
  ss_plugin_rc rc = SS_PLUGIN_SUCCESS;  // SUCCESS, TIMEOUT, EOF or FAILURE
  std::span<const EventRef> events;     // may be non-empty with any rc
};

// What to extract: a field of this plugin's schema plus its argument.
struct FieldRequest {
  uint32_t fieldId = 0;
  std::string argKey;      // raw text between the brackets
  uint64_t argIndex = 0;   // parsed index when the field takes one
  bool argPresent = false;
  bool operator==(const FieldRequest&) const = default;
};

// One extracted value. Numbers and bools live in u64; strings and byte
// buffers are [offset, offset+length) in ExtractResults::bytes().
struct FieldValue {
  uint64_t u64 = 0;
  uint32_t offset = 0;
  uint32_t length = 0;
};

// Results of one extract() call: for each (event, request) a possibly empty
// list of values (empty = "no value"). Owned by the caller, reused across
// calls so that steady-state extraction does not allocate.
class ExtractResults {
 public:
  struct Cell {
    uint32_t first = 0;
    uint32_t count = 0;
  };

  void reset(size_t events, size_t fields) {
    fields_ = fields;
    cells_.assign(events * fields, Cell{});
    values_.clear();
    bytes_.clear();
  }
  size_t events() const { return fields_ == 0 ? 0 : cells_.size() / fields_; }
  size_t fields() const { return fields_; }
  std::span<const FieldValue> values(size_t event, size_t field) const {
    const Cell& c = cells_[event * fields_ + field];
    return {values_.data() + c.first, c.count};
  }
  size_t bytesSize() const { return bytes_.size(); }
  std::string_view bytesOf(const FieldValue& v) const {
    return std::string_view(bytes_).substr(v.offset, v.length);
  }

  // Producer side, used by hosts.
  Cell& cell(size_t event, size_t field) { return cells_[event * fields_ + field]; }
  std::vector<FieldValue>& valueStore() { return values_; }
  std::string& byteStore() { return bytes_; }

 private:
  size_t fields_ = 0;
  std::vector<Cell> cells_;
  std::vector<FieldValue> values_;
  std::string bytes_;
};

// How an isolated host's runners ended, one name per RunnerEnd::Kind in
// its order (supervisor/runner_end.h checks that they match); the names are
// metric labels.
inline constexpr std::array<std::string_view, 7> kRunnerEndCauses = {
    "exited", "signalled", "seccomp_kill", "resource_limit", "deadline_missed", "malformed",
    "handshake_failed"};

// How long extraction requests took, from sending one to a runner to
// holding its answer: per bucket counts (upper bounds in ns, the last
// bucket unbounded) and the sum, as a Prometheus histogram reports them.
inline constexpr std::array<uint64_t, 10> kExtractLatencyBoundsNs = {
    10'000, 50'000, 100'000, 500'000, 1'000'000, 5'000'000, 10'000'000, 50'000'000,
    100'000'000, 1'000'000'000};

struct LatencyHistogram {
  std::array<RelaxedCounter, kExtractLatencyBoundsNs.size() + 1> buckets{};
  RelaxedCounter sumNs = 0;

  void record(uint64_t ns) {
    size_t b = 0;
    while (b < kExtractLatencyBoundsNs.size() && ns > kExtractLatencyBoundsNs[b]) ++b;
    buckets[b]++;
    sumNs += ns;
  }
  uint64_t count() const {
    uint64_t n = 0;
    for (const RelaxedCounter& b : buckets) n += b.load();
    return n;
  }
  void add(const LatencyHistogram& o) {
    for (size_t b = 0; b < buckets.size(); ++b) buckets[b] += o.buckets[b];
    sumNs += o.sumNs;
  }
};

// What a host has done and lost; every loss is counted here and logged.
// Written by the host's engine thread; counters() may be called from any
// thread (RelaxedCounter).
struct HostCounters {
  RelaxedCounter events = 0;           // delivered by nextBatch
  RelaxedCounter batches = 0;
  RelaxedCounter extractions = 0;      // event x field cells requested
  RelaxedCounter parsed = 0;           // events handed to parse
  RelaxedCounter asyncEvents = 0;      // delivered by drainAsync
  RelaxedCounter asyncDropped = 0;     // dropped: queue or ring full
  RelaxedCounter restarts = 0;         // isolated only, from here on
  RelaxedCounter crashes = 0;          // runner died (signal or exit)
  RelaxedCounter deadlineKills = 0;
  RelaxedCounter seccompKills = 0;
  RelaxedCounter malformed = 0;        // malformed records or messages from the runner
  RelaxedCounter extractionsLost = 0;  // cells answered "no value" because a runner failed
  RelaxedCounter preExtracted = 0;     // of `extractions`: shipped with their batch
  RelaxedCounter parsesLost = 0;       // events whose parse died with a runner
  // Runner ends by cause, indexed like kRunnerEndCauses (isolated only).
  std::array<RelaxedCounter, kRunnerEndCauses.size()> runnerEnds{};
  LatencyHistogram extractLatency;  // isolated only: the runner round trips

  // Adds `o`, every field: the counts of hosts that served one
  // plugin@source one after another (a reload), as one.
  void add(const HostCounters& o) {
    events += o.events;
    batches += o.batches;
    extractions += o.extractions;
    parsed += o.parsed;
    asyncEvents += o.asyncEvents;
    asyncDropped += o.asyncDropped;
    restarts += o.restarts;
    crashes += o.crashes;
    deadlineKills += o.deadlineKills;
    seccompKills += o.seccompKills;
    malformed += o.malformed;
    extractionsLost += o.extractionsLost;
    preExtracted += o.preExtracted;
    parsesLost += o.parsesLost;
    for (size_t i = 0; i < runnerEnds.size(); ++i) runnerEnds[i] += o.runnerEnds[i];
    extractLatency.add(o.extractLatency);
  }
};

// The shared-memory rings a runner fills and the host reads, in the order
// HostState::rings holds them.
inline constexpr std::array<std::string_view, 3> kHostRingNames = {"source", "responses", "async"};

// What another thread may ask of a running host (metrics, health checks):
// read without blocking or disturbing the engine thread.
struct HostState {
  int workerPid = -1;     // the runner's worker process; -1 in-process or none
  bool disabled = false;  // the circuit breaker disabled the plugin
  // How full each ring was, as a share of its capacity: at the host's last
  // read of it, and the most since the host started. Only where there are
  // rings (hasRings): an isolated host.
  struct RingFill {
    double last = 0;
    double peak = 0;
  };
  bool hasRings = false;
  std::array<RingFill, kHostRingNames.size()> rings{};
};

struct Progress {
  uint32_t pct = 0;  // hundredths of a percent, as the ABI reports it
  std::string text;
};

class PluginHost {
 public:
  virtual ~PluginHost() = default;

  // Static information, read at load and after init (event types).
  virtual const PluginInfo& info() const = 0;

  // Sourcing. open() throws PluginError with the plugin's last error.
  virtual void open(std::string_view params) = 0;
  virtual void close() = 0;
  virtual BatchResult nextBatch() = 0;
  virtual Progress progress() = 0;
  virtual std::string eventToString(const EventRef& e, std::string_view source) = 0;

  // Extraction for every event x every request; `source` is the events'
  // source name. FAILURE means the whole call failed (no values).
  virtual ss_plugin_rc extract(std::span<const EventRef> events, std::string_view source,
                               std::span<const FieldRequest> requests, ExtractResults& out) = 0;

  // Extraction in two steps, so that a host whose plugin runs in another
  // process extracts while the caller works on something else:
  // submitExtract() queues the request and returns true, or returns false
  // when this host does not queue it (the caller then calls extract() for
  // it). collectExtract() returns the results of the oldest queued request;
  // requests are collected in the order they were queued, events and
  // requests stay valid until then, and extract() is not called while any
  // is queued. FAILURE means no values, as for extract().
  virtual bool submitExtract(std::span<const EventRef> events, std::string_view source,
                             std::span<const FieldRequest> requests) {
    (void)events;
    (void)source;
    (void)requests;
    return false;
  }
  virtual ss_plugin_rc collectExtract(ExtractResults& out) {
    out.reset(0, 0);
    return SS_PLUGIN_FAILURE;
  }

  // A hint: every batch nextBatch() returns from now on will be asked for
  // `requests` on `source` (the rules' condition fields) before the next
  // batch. A host whose plugin runs elsewhere may extract them together
  // with the batch, ahead of demand; extract() answers exactly the same
  // either way. Empty requests withdraw the hint.
  virtual void setPreExtract(std::string_view source, std::span<const FieldRequest> requests) {
    (void)source;
    (void)requests;
  }

  // Parsing: events are delivered in order; a FAILURE is reported, not fatal.
  virtual ss_plugin_rc parse(std::span<const EventRef> events, std::string_view source) = 0;

  // Async events: start delivery (a capture is open), take what has arrived
  // (copies, valid until the next drainAsync), stop and wait for producers.
  virtual void startAsync() = 0;
  virtual std::span<const EventRef> drainAsync() = 0;
  virtual void stopAsync() = 0;

  // The plugin's last error string (empty when none), made visible and
  // bounded (visible_text.h): it ends up in operator text, and it is made
  // safe here, where it leaves the plugin.
  virtual std::string lastError() = 0;

  // Ends the plugin for good: stops its async events, closes its capture
  // and destroys it (plugin_destroy); an isolated host waits at most one
  // close deadline for all of that. Afterwards only info(), counters() and
  // lastError() may be called. The destructor does it too; calling it
  // first lets shutdownHosts() stop every host at once.
  virtual void shutdown() = 0;

  // The plugin's own metrics (get_metrics), asked now: a plugin call like
  // the others, so from the engine thread only. Empty where the plugin
  // has none or declares an API older than 3.6, which numbered the
  // metric enums otherwise.
  virtual std::vector<PluginMetric> pluginMetrics() { return {}; }

  // Any thread, any time (also after shutdown()).
  virtual HostCounters counters() const = 0;

  virtual HostState state() const { return {}; }

  // pluginMetrics() as the engine thread last asked them, for any other
  // thread (a metrics scrape must not call into the plugin).
  void refreshMetrics() {
    std::vector<PluginMetric> m = pluginMetrics();
    const std::lock_guard<std::mutex> lock(metricsMu_);
    metrics_ = std::move(m);
  }
  std::vector<PluginMetric> lastMetrics() const {
    const std::lock_guard<std::mutex> lock(metricsMu_);
    return metrics_;
  }

 private:
  mutable std::mutex metricsMu_;
  std::vector<PluginMetric> metrics_;
};

}  // namespace bulkhead
