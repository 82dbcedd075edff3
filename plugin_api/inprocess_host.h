// InProcessHost: the plugin loaded into this process and called directly,
// as Falco does. It is the reference every isolated result is compared with,
// and it is also what a runner uses inside its sandbox to drive its plugin.
//
// Not thread-safe: one thread drives a host (the ABI's rule for one state);
// only the async handler is called from plugin threads.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "plugin_api/plugin_host.h"
#include "plugin_api/plugin_library.h"
#include "plugin_api/plugin_owner.h"

namespace bulkhead {

class InProcessHost final : public PluginHost {
 public:
  // Loads the library and runs plugin_init with spec.initConfig. Throws
  // PluginError ("could not initialize plugin 'x': <its last error>").
  explicit InProcessHost(const PluginSpec& spec);
  ~InProcessHost() override;
  InProcessHost(const InProcessHost&) = delete;
  InProcessHost& operator=(const InProcessHost&) = delete;

  const PluginInfo& info() const override { return info_; }
  void open(std::string_view params) override;
  void close() override;
  BatchResult nextBatch() override;
  Progress progress() override;
  std::string eventToString(const EventRef& e, std::string_view source) override;
  ss_plugin_rc extract(std::span<const EventRef> events, std::string_view source,
                       std::span<const FieldRequest> requests, ExtractResults& out) override;
  ss_plugin_rc parse(std::span<const EventRef> events, std::string_view source) override;
  void startAsync() override;
  std::span<const EventRef> drainAsync() override;
  void stopAsync() override;
  std::string lastError() override;
  std::vector<PluginMetric> pluginMetrics() override;
  void shutdown() override;
  HostCounters counters() const override;

  // Where async events go instead of the internal queue (a runner forwards
  // them to its async ring). Called on plugin threads; returns false when
  // the event had to be dropped. Set before startAsync().
  using AsyncSink = bool (*)(void* ctx, const ss_plugin_event* evt, uint32_t len);
  void setAsyncSink(AsyncSink sink, void* ctx) {
    asyncSink_ = sink;
    asyncSinkCtx_ = ctx;
  }

  static constexpr size_t kAsyncQueueMax = 4096;
  // Bounds on what one extraction may return, so a plugin cannot make the
  // host (or, in a runner, the response ring) grow without limit.
  static constexpr uint64_t kMaxValuesPerField = 1 << 16;
  static constexpr size_t kMaxResultBytes = 256u << 20;

 private:
  struct Owner : PluginOwner {
    Owner(std::string name, InProcessHost* h) : PluginOwner(std::move(name)), host(h) {}
    InProcessHost* host;
  };
  static ss_plugin_rc onAsyncEvent(ss_plugin_owner_t* o, const ss_plugin_event* evt, char* err);
  void readEventTypes();
  bool copyValues(const ss_plugin_extract_field& f, ExtractResults& out,
                  ExtractResults::Cell& cell);
  void setSource(std::string_view source);
  // The plugin's get_last_error, made visible and bounded.
  std::string pluginError() const;

  std::shared_ptr<const PluginLibrary> lib_;
  const PluginSymbols& sym_;
  PluginInfo info_;
  Owner owner_;
  ss_plugin_t* state_ = nullptr;
  ss_instance_t* instance_ = nullptr;
  bool opened_ = false;
  std::string hostError_;  // an error of the host's own (malformed event, ...)
  uint64_t nextEventNum_ = 1;
  std::vector<EventRef> batch_;
  std::vector<bool> extractTypes_;  // indexed by event type; empty = all
  std::vector<bool> parseTypes_;
  std::string source_;               // NUL-terminated evtsrc for the plugin
  // The fields of one extract() in rounds: no field id twice in a round,
  // one extract_fields call per round (see extract()). fieldSlots_ is
  // ordered by round, slotRequest_[k] is the request fieldSlots_[k] answers,
  // roundEnds_[i] the end of round i in fieldSlots_.
  std::vector<ss_plugin_extract_field> fieldSlots_;
  std::vector<size_t> slotRequest_;
  std::vector<size_t> roundEnds_;
  std::vector<uint32_t> idUses_;  // per field id: requests seen so far

  std::mutex asyncMu_;
  bool asyncStarted_ = false;
  std::vector<std::vector<uint8_t>> asyncQueue_;    // guarded by asyncMu_
  std::vector<std::vector<uint8_t>> asyncDrained_;  // owned by the driving thread
  std::vector<EventRef> asyncRefs_;
  std::atomic<uint64_t> asyncDropped_{0};
  AsyncSink asyncSink_ = nullptr;
  void* asyncSinkCtx_ = nullptr;
  HostCounters counters_;
};

}  // namespace bulkhead
