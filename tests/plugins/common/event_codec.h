// Reading and writing the two plugin event layouts (plugin-abi.md §4).
//
// The event header is byte-packed, so every multi-byte member is accessed
// through memcpy; events handed to a plugin are untrusted and every length is
// checked against the header's `len` before it is used.
#ifndef BULKHEAD_TESTS_PLUGINS_COMMON_EVENT_CODEC_H_
#define BULKHEAD_TESTS_PLUGINS_COMMON_EVENT_CODEC_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "plugin_api/plugin_api.h"

namespace bulkhead::test_plugins {

inline constexpr uint32_t kEventHeaderSize = 26;
inline constexpr uint32_t kPluginEventPayloadOffset = PLUGIN_EVENT_PAYLOAD_OFFSET;  // 38
inline constexpr uint32_t kAsyncEventNameOffset = 42;
inline constexpr uint64_t kNoThread = UINT64_MAX;

struct EventHeader {
  uint64_t ts = 0;
  uint64_t tid = 0;
  uint32_t len = 0;
  uint16_t type = 0;
  uint32_t nparams = 0;
};

struct PluginEventView {  // type 322
  EventHeader header;
  uint32_t pluginId = 0;
  std::string_view payload;
};

struct AsyncEventView {  // type 402
  EventHeader header;
  uint32_t pluginId = 0;
  std::string_view name;  // without the NUL
  std::string_view data;
};

EventHeader readHeader(const ss_plugin_event* evt);

// nullopt unless `evt` is a well-formed event of that type.
std::optional<PluginEventView> readPluginEvent(const ss_plugin_event* evt);
std::optional<AsyncEventView> readAsyncEvent(const ss_plugin_event* evt);

// The JSON-ish payload of either plugin event type: the 322 payload or the
// 402 data. nullopt for any other event.
std::optional<std::string_view> eventPayload(const ss_plugin_event* evt);

// CLOCK_REALTIME in nanoseconds, the event timestamp base the ABI uses.
uint64_t realtimeNs();

// Appends one complete type-322 event to `out`; returns its offset in `out`.
size_t appendPluginEvent(std::vector<uint8_t>* out, uint64_t ts, uint32_t pluginId,
                         std::string_view payload);

// Builds one complete type-402 event (plugin_id 0, as the ABI asks).
std::vector<uint8_t> makeAsyncEvent(uint64_t ts, std::string_view name, std::string_view data);

}  // namespace bulkhead::test_plugins

#endif  // BULKHEAD_TESTS_PLUGINS_COMMON_EVENT_CODEC_H_
