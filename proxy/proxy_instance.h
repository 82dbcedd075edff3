// One plugin state as the host sees it, the plugin itself running in a
// bulkhead-runner behind an IsolatedHost: each ABI call of the proxy
// library (proxy_plugin.cpp) is one method here, with the ABI's types and
// lifetimes, and none of them throws.
//
// What the host is told when the runner fails (IsolatedHost restarts it
// with backoff, and its breaker may disable the plugin):
//   next_batch   TIMEOUT while a runner restarts; EOF once the plugin is
//                disabled, so its source ends and the host goes on;
//   extract      SUCCESS with no value for the fields of that event;
//   parse        FAILURE for that event.
//
// Extraction: a libsinsp host asks one field of one event per call, which
// would be one round trip to the runner each. The proxy learns the fields
// asked and asks the runner for all of them at once: for the events of
// its own batches the values come with the batch (IsolatedHost's
// pre-extraction), for other events with the first field asked of each.
// A plugin that also parses is asked per event only, after that event's
// parse, since its values may depend on it.
//
// Thread safety: the host calls one state from one thread; the async
// thread takes the same lock for its drains.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "plugin_api/plugin_api.h"
#include "plugin_api/plugin_host.h"
#include "supervisor/proxy_binding.h"
#include "proxy/falco_log.h"

namespace bulkhead {

struct RunnerServices;

class ProxyInstance {
 public:
  // Throws PluginError (the plugin cannot start, or is not the one bound).
  ProxyInstance(const ProxyBinding& binding, const ss_plugin_init_input& in,
                const RunnerServices& services);
  ~ProxyInstance();
  ProxyInstance(const ProxyInstance&) = delete;
  ProxyInstance& operator=(const ProxyInstance&) = delete;

  const char* lastError();
  ss_instance_t* open(const char* params, ss_plugin_rc* rc);
  void close();
  ss_plugin_rc nextBatch(uint32_t* nevts, ss_plugin_event*** evts);
  const char* progress(uint32_t* pct);
  const char* eventToString(const ss_plugin_event_input* evt);
  ss_plugin_rc extract(const ss_plugin_event_input* evt, const ss_plugin_field_extract_input* in);
  ss_plugin_rc parse(const ss_plugin_event_input* evt);
  ss_plugin_rc setAsyncHandler(ss_plugin_owner_t* owner, ss_plugin_async_event_handler_t handler);
  ss_plugin_metric* metrics(uint32_t* n);
  uint16_t* extractEventTypes(uint32_t* n);
  uint16_t* parseEventTypes(uint32_t* n);

  // The most distinct field requests learned; more are asked one by one.
  static constexpr size_t kMaxLearned = 256;

 private:
  // Where one extract() call's answers come from.
  struct Source {
    const ExtractResults* results = nullptr;
    size_t row = 0;
  };
  size_t learn(const FieldRequest& q);  // index in learned_, or kMaxLearned
  // The index of `e` in the current batch: the same pointer, or (hosts may
  // pass a copy) the same bytes at or after the last event found.
  std::optional<size_t> batchRow(const ss_plugin_event* e);
  void announceLearned();
  void prefetchBatch(std::span<const EventRef> events);
  bool fill(ss_plugin_extract_field* fields, uint32_t n, const std::vector<size_t>& cols,
            const ExtractResults& r, size_t row);
  void asyncLoop();
  void stopAsyncThread();

  ProxyBinding binding_;
  FalcoLog log_;
  std::unique_ptr<PluginHost> host_;
  std::mutex mu_;  // host_ and the async state
  std::string error_;
  std::string text_;  // progress and event_to_string answers
  bool opened_ = false;
  bool endLogged_ = false;
  std::vector<ss_plugin_event*> batchPtrs_;
  std::unordered_map<const ss_plugin_event*, size_t> batchIndex_;
  std::span<const EventRef> batch_;  // valid until the next nextBatch
  size_t cursor_ = 0;

  // Learned requests, and the values extracted for them.
  std::vector<FieldRequest> learned_;
  std::unordered_map<std::string, size_t> learnedIndex_;
  bool mayPrefetch_ = false;   // no parsing: values do not depend on a parse
  std::string ownSource_;      // events of the own batches carry it
  ExtractResults batchValues_; // per batch event, the first batchCols_ learned
  size_t batchCols_ = 0;
  ExtractResults oneValues_;   // one event's, the first oneCols_ learned
  const ss_plugin_event* onePtr_ = nullptr;
  uint64_t oneNum_ = 0;
  std::string oneSource_;
  size_t oneCols_ = 0;
  ExtractResults direct_;      // beyond kMaxLearned
  std::vector<FieldRequest> directReqs_;
  std::vector<size_t> cols_;
  // What the host reads after extract(), until the next call.
  std::vector<uint64_t> outU64_;
  std::vector<ss_plugin_bool> outBool_;
  std::vector<const char*> outStr_;
  std::vector<ss_plugin_byte_buffer> outBuf_;
  std::string outBytes_;

  std::vector<PluginMetric> metrics_;
  std::vector<ss_plugin_metric> abiMetrics_;
  std::vector<uint16_t> extractTypes_;
  std::vector<uint16_t> parseTypes_;

  // Async events: drained by asyncThread_, handed to the host's handler.
  ss_plugin_owner_t* asyncOwner_ = nullptr;
  ss_plugin_async_event_handler_t asyncHandler_ = nullptr;
  std::thread asyncThread_;
  std::condition_variable asyncCv_;
  bool asyncStop_ = false;
};

}  // namespace bulkhead
