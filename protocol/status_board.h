// The runner's status board: one 32-bit word in the shared block naming the
// plugin call in progress. The runner writes it around every call; the
// supervisor reads it once the runner died or missed a deadline, to say
// which call it was in. Untrusted like everything in the block: an unknown
// value reads as "an unknown call".
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <iterator>

namespace bulkhead::wire {

enum class PluginCall : uint32_t {
  kIdle = 0,
  kInit,
  kOpen,
  kClose,
  kNextBatch,
  kExtract,
  kParse,
  kAsync,
  kProgress,
  kEventToString,
  kLastError,
  kDestroy,
  kMetrics,
};

inline const char* pluginCallName(uint32_t call) {
  constexpr const char* kNames[] = {
      "no plugin call",       "plugin_init",          "plugin_open",
      "plugin_close",         "plugin_next_batch",    "plugin_extract_fields",
      "plugin_parse_event",   "plugin_set_async_event_handler", "plugin_get_progress",
      "plugin_event_to_string", "plugin_get_last_error", "plugin_destroy", "plugin_get_metrics"};
  return call < std::size(kNames) ? kNames[call] : "an unknown call";
}

// The status board word. relaxed: it is a diagnostic, read after the writer
// died or stalled; nothing else is ordered by it.
class StatusBoard {
 public:
  StatusBoard() = default;
  explicit StatusBoard(std::byte* data) : word_(reinterpret_cast<uint32_t*>(data)) {}
  void set(PluginCall c) const {
    if (word_ != nullptr) {
      std::atomic_ref<uint32_t>(*word_).store(static_cast<uint32_t>(c), std::memory_order_relaxed);
    }
  }
  uint32_t read() const {
    return word_ == nullptr ? 0 : std::atomic_ref<uint32_t>(*word_).load(std::memory_order_relaxed);
  }

 private:
  uint32_t* word_ = nullptr;
};

// Sets the board for the length of one plugin call.
class CallScope {
 public:
  CallScope(const StatusBoard& board, PluginCall call) : board_(board) { board_.set(call); }
  ~CallScope() { board_.set(PluginCall::kIdle); }
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

 private:
  const StatusBoard& board_;
};

}  // namespace bulkhead::wire
