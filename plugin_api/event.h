// Reading, checking and fixing events in the libscap layout (plugin-abi.md
// §4). The header is byte-packed: every member is read through memcpy.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "plugin_api/plugin_api.h"

namespace bulkhead {

inline constexpr uint32_t kEventHeaderSize = sizeof(ss_plugin_event);  // 26
inline constexpr uint32_t kAsyncNameOffset = 42;

template <typename T>
T loadAt(const void* base, size_t offset) {
  T v;
  std::memcpy(&v, static_cast<const char*>(base) + offset, sizeof(T));
  return v;
}
template <typename T>
void storeAt(void* base, size_t offset, T v) {
  std::memcpy(static_cast<char*>(base) + offset, &v, sizeof(T));
}

inline uint64_t eventTs(const ss_plugin_event* e) { return loadAt<uint64_t>(e, 0); }
inline uint64_t eventTid(const ss_plugin_event* e) { return loadAt<uint64_t>(e, 8); }
inline uint32_t eventLen(const ss_plugin_event* e) { return loadAt<uint32_t>(e, 16); }
inline uint16_t eventType(const ss_plugin_event* e) { return loadAt<uint16_t>(e, 20); }
inline uint32_t eventNparams(const ss_plugin_event* e) { return loadAt<uint32_t>(e, 22); }

// For a checked type-322 event: its plugin id and payload.
inline uint32_t pluginEventId(const ss_plugin_event* e) { return loadAt<uint32_t>(e, 34); }
inline std::string_view pluginEventPayload(const ss_plugin_event* e) {
  return {reinterpret_cast<const char*>(e) + PLUGIN_EVENT_PAYLOAD_OFFSET,
          eventLen(e) - PLUGIN_EVENT_PAYLOAD_OFFSET};
}

// Checks an event of a sourcing plugin held in `size` readable bytes and
// applies the framework's fix-ups in place: a zero plugin id becomes
// `pluginId`, tid becomes "none" for plugin events, a ts of UINT64_MAX
// becomes `nowNs`. Returns an empty string when the event is good, else
// what is wrong with it.
std::string checkSourceEvent(void* evt, size_t size, uint32_t pluginId, uint64_t nowNs);

// Checks an async event (type 402) held in `size` bytes: layout, and a name
// among `declared`. Empty string when good.
std::string checkAsyncEvent(const void* evt, size_t size, const std::vector<std::string>& declared);

// Builds a type-322 event with the given payload (tests, benchmarks).
std::vector<uint8_t> makePluginEvent(uint32_t pluginId, std::string_view payload, uint64_t ts = 0);

// The stamp of an event its plugin left without a timestamp: the wall clock
// in ns, in whole microseconds as Falco stamps them.
uint64_t wallClockNs();

}  // namespace bulkhead
