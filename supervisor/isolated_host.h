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
// Not thread-safe: one engine thread drives one host.
#pragma once

#include <array>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "control_channel.h"
#include "plugin_host.h"
#include "sandbox_runner/landlock.h"
#include "shm_ring/ring_consumer.h"
#include "shm_ring/ring_set.h"

namespace bulkhead {

struct IsolationOptions {
  std::string runnerPath;  // bulkhead-runner
  std::string policyName = "default";
  std::string policyDir;
  std::string user = "nobody";
  uint64_t addressSpaceMb = 0;  // 0: unlimited
  uint64_t cpuSeconds = 0;      // 0: unlimited
  uint64_t openFiles = 64;
  std::vector<std::string> allowRead;
  std::vector<std::string> allowWrite;
  // The runner's whole environment. GOMAXPROCS=1: Go SDK extractors spin
  // worker goroutines when it is larger (design.md).
  std::vector<std::string> env = {"GOMAXPROCS=1"};
  // Ring sizes in bytes: source, request, response, async (powers of two).
  std::array<uint64_t, 4> ringBytes = {8u << 20, 1u << 20, 4u << 20, 1u << 20};

  std::chrono::milliseconds initDeadline{10000};
  std::chrono::milliseconds openDeadline{10000};
  std::chrono::milliseconds nextBatchDeadline{1000};
  std::chrono::milliseconds extractDeadline{1000};
  std::chrono::milliseconds parseDeadline{1000};
  std::chrono::milliseconds controlDeadline{5000};

  // Keep one runner ready beside the serving one: started, sandboxed and
  // waiting to load the plugin, so a restart after a crash skips fork, exec
  // and the sandbox set-up. Costs one idle process per plugin.
  bool standbyRunner = true;
  // Ring waits poll the runner's pidfd at this interval as a safety net;
  // deaths are normally reported at once by the process-wide death watch.
  std::chrono::milliseconds deathPollSlice{250};

  uint32_t maxRestarts = 5;
  std::chrono::seconds restartWindow{60};
  std::chrono::milliseconds backoffInitial{10};
  std::chrono::milliseconds backoffMax{2000};
};

class IsolatedHost final : public PluginHost {
 public:
  // Starts the runner, which loads and initialises the plugin. A plugin
  // that cannot be loaded or initialised is a load error (PluginError),
  // not a crash to restart from.
  IsolatedHost(const PluginSpec& spec, IsolationOptions options);
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
  HostCounters counters() const override { return counters_; }

  // The current runner's pid, or -1 (tests and reports).
  int runnerPid() const;
  // The standby runner's pid, or -1 (tests). Waits for its fork if that is
  // still under way.
  int standbyPid();
  bool disabled() const { return disabled_; }
  // What the current runner reported of its sandbox layers, one line each
  // ("seccomp: applied: policy default").
  const std::vector<std::string>& sandboxLayers() const { return sandbox_; }

 private:
  struct Runner;
  enum class Fault { kDied, kDeadline, kMalformed };

  struct CompiledPolicy;
  // A runner sent its setup and started (in the background when asked):
  // it sandboxes itself and waits for activateRunner().
  std::unique_ptr<Runner> launchRunner(bool background);
  // Lets a launched runner load the plugin and checks its hello.
  void activateRunner(Runner& r);
  std::unique_ptr<Runner> startRunner();
  // The standby if it can serve the current capture; nullptr otherwise.
  std::unique_ptr<Runner> takeStandby();
  // Launches a standby when there should be one and none fits.
  void refreshStandby();
  // The Landlock paths a runner set up now gets (policy, library, open
  // params, options).
  LandlockRules landlockRules() const;
  bool fitsCapture(const Runner& r) const;
  // True when `r` has ended without ever entering plugin code.
  bool endedBeforePluginCode(Runner& r);
  std::array<uint64_t, 5> capacities() const;  // the rings and the status board
  // Kills the runner, reports and counts; the next call restarts it.
  void fault(Fault kind, const char* during, const std::string& detail);
  // Makes sure a runner is there, restarting (with backoff) after a fault.
  // `restart`: counted as one (false when a runner is replaced on purpose).
  bool ensureRunner(bool restart = true);
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
  IsolationOptions options_;
  PluginInfo info_;
  std::unique_ptr<Runner> runner_;
  std::unique_ptr<Runner> standby_;
  // The rings of a runner that died and was reaped, emptied and handed to
  // the next runner launched: tearing down a used mapping and its pages
  // took ~2-3 ms of a restart.
  std::optional<RingSet> spareRings_;
  std::unique_ptr<CompiledPolicy> policy_;
  HostCounters counters_;

  bool opened_ = false;
  bool ended_ = false;  // EOF or FAILURE seen since open
  std::string openParams_;
  bool asyncStarted_ = false;
  bool disabled_ = false;
  std::string hostError_;
  std::vector<std::string> sandbox_;
  std::deque<std::chrono::steady_clock::time_point> restarts_;
  std::chrono::steady_clock::time_point nextStart_{};
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
  };
  std::deque<QueuedExtract> queued_;
};

}  // namespace bulkhead
