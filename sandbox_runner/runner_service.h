// What a runner does once its plugin is initialised: serve the supervisor.
//
// Three threads, each blocked on one thing only, and one mutex that
// serialises every call into the plugin (the ABI allows one call at a time
// on one state):
//   - control (the caller of run()): control messages on the socketpair;
//   - source: after open, calls next_batch ahead of demand and writes the
//     events into the source ring, so the plugin and the engine run in
//     parallel on two cores; a full ring makes it wait, so memory stays flat;
//   - requests: extract and parse requests from the request ring, answered
//     in order on the response ring.
// Async events go from the plugin's own threads straight to the async ring.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "protocol/control.capnp.h"
#include "protocol/control_channel.h"
#include "plugin_api/inprocess_host.h"
#include "shm_ring/ring_consumer.h"
#include "shm_ring/ring_producer.h"
#include "shm_ring/ring_set.h"
#include "protocol/status_board.h"
#include "protocol/wire.h"
#include "protocol/wire_codec.h"

namespace bulkhead {

class RunnerService {
 public:
  RunnerService(InProcessHost& host, RingSet& rings, ControlChannel& control);
  ~RunnerService();
  // Serves until shutdown or until the supervisor goes away; returns the
  // process exit code.
  int run();

 private:
  enum class SourceState { kClosed, kOpen, kEnded, kStopping };

  void sourceLoop();
  void requestLoop();
  void serveRequest(const RingRecord& rec, wire::DecodedRequest& req, ExtractResults& results);
  // Requests go before the source's next next_batch (see requestLoop).
  void setUrgent(bool urgent);
  void waitWhileUrgent();
  void handleControl(Request::Reader req, capnp::MallocMessageBuilder& reply);
  // Writes one record to `producer`, waiting while the ring is full unless
  // `abandon()` says the work is no longer wanted.
  template <typename Fill, typename Abandon>
  bool writeRecord(RingProducer& producer, uint32_t tag, size_t size, Fill&& fill,
                   Abandon&& abandon);
  static bool forwardAsync(void* self, const ss_plugin_event* evt, uint32_t len);

  InProcessHost& host_;
  RingSet& rings_;
  ControlChannel& control_;
  std::mutex pluginMu_;  // one call into the plugin at a time
  // Fields extracted with every batch (setPreExtract); guarded by pluginMu_.
  uint32_t preGeneration_ = 0;
  std::string preSource_;
  std::vector<FieldRequest> preFields_;
  ExtractResults preResults_;
  wire::StatusBoard board_;  // which call that is, for the supervisor

  std::mutex stateMu_;
  std::condition_variable stateCv_;
  SourceState state_ = SourceState::kClosed;  // guarded by stateMu_
  bool sourceBusy_ = false;                   // guarded by stateMu_
  bool startSource_ = false;                  // control thread only: open replied

  RingProducer source_;
  RingConsumer requests_;
  RingProducer responses_;
  std::mutex asyncMu_;  // plugin threads share the async ring's one producer
  RingProducer async_;

  std::mutex urgentMu_;
  std::condition_variable urgentCv_;
  bool urgent_ = false;  // guarded by urgentMu_: requests are waiting

  std::atomic<bool> stop_{false};
  // Every blocking ring wait ends when stop_ is set: shutdown does not
  // wait out a slice.
  const RingWaitOptions wait_{.cancel = &stop_};
  std::thread sourceThread_;
  std::thread requestThread_;
};

}  // namespace bulkhead
