// IsolatedHost: a PluginHost whose plugin lives in a sandboxed runner
// process (bulkhead-runner). The engine cannot tell it from InProcessHost.
//
// Failure semantics (design.md): a runner that dies, misses a deadline or
// writes a malformed record is killed, reported in one crash-report line,
// counted, and restarted with backoff; plugin_init and plugin_open are run
// again with the same config and params. Events the runner committed before
// it died are still delivered; an extraction or parse that dies with it
// answers "no value" / FAILURE and is counted. After max_restarts within the
// window the plugin is disabled (circuit breaker) and every call fails with
// a message that says so.
//
// The pieces: RunnerLauncher starts runners (and the standby),
// RestartPolicy decides when one may start again, RunnerEnd names how one
// ended; this class is the data plane and the glue between them
// (isolated_host.cpp: lifecycle, batches, parse, async;
// isolated_host_extract.cpp: field extraction).
//
// Not thread-safe: one engine thread drives one host.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/isolation_config.h"
#include "plugin_api/plugin_host.h"
#include "protocol/control_channel.h"
#include "shm_ring/ring_set.h"
#include "shm_ring/ring_status.h"
#include "supervisor/crash_log_limiter.h"
#include "supervisor/restart_policy.h"
#include "supervisor/runner_end.h"
#include "supervisor/runner_launcher.h"
#include "supervisor/runner_services.h"

namespace bulkhead {

class IsolatedHost final : public PluginHost {
 public:
  // Starts the runner, which loads and initialises the plugin. A plugin
  // that cannot be loaded or initialised is a load error (PluginError),
  // not a crash to restart from.
  IsolatedHost(const PluginSpec& spec, const IsolationConfig& config,
               const RunnerServices& services);
  ~IsolatedHost() override;
  IsolatedHost(const IsolatedHost&) = delete;
  IsolatedHost& operator=(const IsolatedHost&) = delete;

  const PluginInfo& info() const override { return info_; }
  void open(std::string_view params) override;
  void close() override;
  BatchResult nextBatch() override;
  Progress progress() override;
  std::string eventToString(const EventRef& e, std::string_view source) override;
  ss_plugin_rc extract(std::span<const EventRef> events, std::string_view source,
                       std::span<const FieldRequest> requests, ExtractResults& out) override;
  // Queues the request in the request ring without waiting for the answer;
  // false when it is answered faster or only by extract() (values that came
  // with the batch, a request larger than one ring record, no runner).
  bool submitExtract(std::span<const EventRef> events, std::string_view source,
                     std::span<const FieldRequest> requests) override;
  ss_plugin_rc collectExtract(ExtractResults& out) override;
  // Sends the requests to the runner, which then extracts them right after
  // each next_batch and ships the values with the batch: extract() for the
  // current batch and exactly these requests is then answered from them,
  // with no round trip. Ignored for a plugin that also parses (its parse
  // must come first) or cannot extract.
  void setPreExtract(std::string_view source, std::span<const FieldRequest> requests) override;
  ss_plugin_rc parse(std::span<const EventRef> events, std::string_view source) override;
  void startAsync() override;
  std::span<const EventRef> drainAsync() override;
  void stopAsync() override;
  std::string lastError() override;
  // One control round trip; a reply that get_metrics could not have given
  // is a malformed-record fault like any other.
  std::vector<PluginMetric> pluginMetrics() override;
  // Retires the runner (plugin_destroy inside it) and starts no other.
  void shutdown() override;
  HostCounters counters() const override { return counters_; }
  // Kept current by the engine thread at every runner change (relaxed
  // atomics), so that a metrics scrape never touches runner_.
  HostState state() const override;

  // The current runner's pid, or -1 (tests and reports).
  int runnerPid() const;
  // The standby runner's pid, or -1 (tests). Waits for its fork if that is
  // still under way.
  int standbyPid();
  // What the current runner reported of its sandbox layers, one line each
  // ("seccomp: applied: policy default").
  const std::vector<std::string>& sandboxLayers() const { return sandbox_; }

 private:
  // Indices of kHostRingNames.
  enum : size_t { kSourceRing, kResponseRing, kAsyncRing };
  // Publishes the runner's pid and the breaker's verdict for state().
  void publishState();
  // Publishes how full `ring` (an index of kHostRingNames) was at the read
  // that `consumer` just made.
  void noteFill(size_t ring, const RingConsumer& consumer);
  // The standby if it can serve the current capture; nullptr otherwise.
  std::unique_ptr<Runner> takeStandby();
  // Launches a standby when there should be one and none fits.
  void refreshStandby();
  void launchDueStandby();  // refreshStandby, once, after a restart
  // Starts a runner now and takes its hello.
  std::unique_ptr<Runner> startRunner();
  // Adopts the hello of a runner about to serve.
  void adoptHello(RunnerHello hello, int pid);
  // Kills the runner, reports and counts; the next call restarts it.
  void fault(RunnerEnd::Kind kind, const char* during, const std::string& detail);
  // A failure counted against the restart policy; logs and may disable.
  void recordFailure(const std::string& what, const char* during, const std::string& inPlugin,
                     int pid);
  // Logs a crash report, or holds it back for the summary when this plugin
  // reported too many lately (CrashLogLimiter).
  void logCrash(std::string report);
  // Logs the summary of held-back crash reports; `all`: also those of an
  // interval that is not over (before a plugin's last line).
  void logCrashSummary(bool all);
  void logCrashSummary(const CrashLogLimiter::Summary& s);
  // Makes sure a runner is there, restarting (with backoff) after a fault.
  // `restart`: counted as one (false when a runner is replaced on purpose).
  bool ensureRunner(bool restart = true);
  // Brings a fresh runner to where the last one was: pre-extraction, the
  // open capture, async events. False after a fault.
  bool resumeRunner();
  // Shuts the current runner down politely (plugin_destroy), then kills it
  // if it does not end in time.
  void retireRunner();
  // One control round trip; a dead, late or malformed runner is a fault and
  // yields nothing. Reply errors are returned for the caller to judge.
  std::optional<ControlMessage> call(const char* during, capnp::MessageBuilder& msg,
                                     std::chrono::milliseconds deadline);
  // A ring wait that did not end with a record: timeout, death or a
  // malformed ring, each the runner's fault.
  void ringFault(RingStatus s, const char* during, std::chrono::milliseconds deadline);
  // "" when `value` is within `limit`; else what the runner's fault report
  // says: the RunnerBounds key crossed (as falco.yaml names it) and by what.
  static std::string overBound(const char* bound, uint64_t value, uint64_t limit,
                               const char* unit = "bytes");
  // Writes one request record and waits for its response record.
  bool roundTrip(const char* during, uint32_t tag, size_t size,
                 const std::function<bool(std::span<std::byte>)>& fill,
                 std::chrono::milliseconds deadline, RingRecord& response);
  // Tells the runner the pre-extraction requests; false after a fault.
  bool sendPreExtract();
  // Reads the kBatchFields record that follows a batch; "" when good.
  std::string readBatchFields(std::chrono::steady_clock::time_point deadline);
  // Validates requests for extract()/submitExtract(); false with hostError_.
  bool checkRequests(std::span<const FieldRequest> requests);
  // Answers from the values shipped with the current batch when `events`
  // lie in it and `requests` are the announced ones.
  bool answerFromBatch(std::span<const EventRef> events, std::string_view source,
                       std::span<const FieldRequest> requests, ExtractResults& out);
  // Writes one extract request record and queues it; false after a fault.
  bool queueExtract(std::span<const EventRef> events, std::string_view source,
                    std::span<const FieldRequest> requests);
  // Reads and checks the answer to the oldest queued request; a late,
  // dead or malformed runner is a fault and the answer FAILURE.
  ss_plugin_rc readQueued(ExtractResults& out);
  ss_plugin_rc extractChunk(std::span<const EventRef> events, std::string_view source,
                            std::span<const FieldRequest> requests, ExtractResults& out);

  PluginSpec spec_;
  IsolationConfig config_;
  RunnerLauncher launcher_;
  Spawner& spawner_;  // runs clean-up off the engine thread
  RestartPolicy restart_;
  PluginInfo info_;
  // The plugin's name as every message shows it: made visible once, when
  // the runner's hello brings it (visible_text.h).
  std::string shownName_;
  CrashLogLimiter crashLog_;
  bool shutDown_ = false;  // shutdown(): no runner starts again
  bool standbyDue_ = false;  // a restart used the standby; launch the next
  std::unique_ptr<Runner> runner_;
  std::unique_ptr<Runner> standby_;
  // The rings of a runner that died and was reaped, emptied and handed to
  // the next runner launched: tearing down a used mapping and its pages
  // took ~2-3 ms of a restart.
  std::optional<RingSet> spareRings_;
  HostCounters counters_;
  std::atomic<int> statePid_{-1};
  std::atomic<bool> stateDisabled_{false};
  // Ring fill in millionths of the capacity, last and peak (noteFill).
  std::array<std::atomic<uint32_t>, kHostRingNames.size()> fillLast_{};
  std::array<std::atomic<uint32_t>, kHostRingNames.size()> fillPeak_{};

  bool opened_ = false;
  bool ended_ = false;  // EOF or FAILURE seen since open
  std::string openParams_;
  bool asyncStarted_ = false;
  std::string hostError_;
  std::vector<std::string> sandbox_;
  std::chrono::steady_clock::time_point nextAsyncLivenessCheck_{};

  uint32_t seq_ = 0;
  uint64_t nextEventNum_ = 1;
  std::vector<uint8_t> batchBytes_;  // events copied out of the source ring
  std::vector<size_t> batchOffsets_;  // where each one starts in batchBytes_
  std::vector<EventRef> batch_;
  std::vector<uint8_t> asyncBytes_;
  std::vector<EventRef> asyncRefs_;
  ExtractResults chunk_;

  // Pre-extraction: the requests, their generation (carried by the field
  // records, so values for older requests are never used), and the values
  // that came with the current batch.
  std::string preSource_;
  std::vector<FieldRequest> preRequests_;
  uint32_t preGeneration_ = 0;
  ExtractResults preResults_;
  bool preValid_ = false;

  // Extractions submitted and not yet collected, oldest first. A fault
  // counts them lost and drops them: the next runner never saw them.
  struct QueuedExtract {
    uint32_t seq = 0;
    size_t events = 0;
    std::span<const FieldRequest> requests;
    std::chrono::steady_clock::time_point sent;  // for the latency histogram
  };
  std::deque<QueuedExtract> queued_;
};

}  // namespace bulkhead
