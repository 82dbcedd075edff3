#include "plugin_api/event.h"

#include <chrono>

namespace bulkhead {

std::string checkSourceEvent(void* evt, size_t size, uint32_t pluginId, uint64_t nowNs) {
  if (evt == nullptr) return "null event pointer";
  if (size < kEventHeaderSize) return "event shorter than its header";
  auto* e = static_cast<ss_plugin_event*>(evt);
  const uint32_t len = eventLen(e);
  if (len < kEventHeaderSize || len > size) {
    return "event length " + std::to_string(len) + " outside [26, " + std::to_string(size) + "]";
  }
  const uint16_t type = eventType(e);
  if (pluginId != 0 && type != PPME_PLUGINEVENT_E) {
    return "event type " + std::to_string(type) + " from a plugin with an id (must be 322)";
  }
  if (type == PPME_PLUGINEVENT_E) {
    if (eventNparams(e) != 2) return "plugin event with nparams != 2";
    if (len < PLUGIN_EVENT_PAYLOAD_OFFSET) return "plugin event shorter than 38 bytes";
    if (loadAt<uint32_t>(e, 26) != 4) return "plugin event whose plugin_id length is not 4";
    if (loadAt<uint32_t>(e, 30) != len - PLUGIN_EVENT_PAYLOAD_OFFSET) {
      return "plugin event whose payload length disagrees with the event length";
    }
    const uint32_t id = pluginEventId(e);
    if (id == 0) {
      if (pluginId == 0) return "plugin event with plugin_id 0";
      storeAt<uint32_t>(e, 34, pluginId);
    } else if (pluginId != 0 && id != pluginId) {
      return "plugin event with plugin_id " + std::to_string(id) + " instead of " +
             std::to_string(pluginId);
    }
    storeAt<uint64_t>(e, 8, UINT64_MAX);
  }
  if (eventTs(e) == UINT64_MAX) storeAt<uint64_t>(e, 0, nowNs);
  return {};
}

std::string checkAsyncEvent(const void* evt, size_t size, const std::vector<std::string>& declared) {
  if (evt == nullptr) return "null event pointer";
  if (size < kAsyncNameOffset) return "async event shorter than 42 bytes";
  auto* e = static_cast<const ss_plugin_event*>(evt);
  const uint32_t len = eventLen(e);
  if (len < kAsyncNameOffset || len > size) return "async event length out of bounds";
  if (eventType(e) != PPME_ASYNCEVENT_E) return "async event type is not 402";
  if (eventNparams(e) != 3) return "async event with nparams != 3";
  const uint32_t idLen = loadAt<uint32_t>(e, 26);
  const uint32_t nameLen = loadAt<uint32_t>(e, 30);
  const uint32_t dataLen = loadAt<uint32_t>(e, 34);
  if (idLen != 4) return "async event whose plugin_id length is not 4";
  // 64-bit sum: three 32-bit lengths from a plugin must not wrap.
  if (uint64_t{kAsyncNameOffset} + nameLen + dataLen != len) {
    return "async event whose parameter lengths disagree with the event length";
  }
  const char* name = reinterpret_cast<const char*>(e) + kAsyncNameOffset;
  if (nameLen == 0 || name[nameLen - 1] != '\0') return "async event name is not terminated";
  std::string_view n(name, nameLen - 1);
  for (const std::string& d : declared) {
    if (n == d) return {};
  }
  return "async event name '" + std::string(n) + "' was not declared by plugin_get_async_events";
}

std::vector<uint8_t> makePluginEvent(uint32_t pluginId, std::string_view payload, uint64_t ts) {
  const uint32_t len = PLUGIN_EVENT_PAYLOAD_OFFSET + static_cast<uint32_t>(payload.size());
  std::vector<uint8_t> e(len);
  storeAt<uint64_t>(e.data(), 0, ts);
  storeAt<uint64_t>(e.data(), 8, UINT64_MAX);
  storeAt<uint32_t>(e.data(), 16, len);
  storeAt<uint16_t>(e.data(), 20, PPME_PLUGINEVENT_E);
  storeAt<uint32_t>(e.data(), 22, 2);
  storeAt<uint32_t>(e.data(), 26, 4);
  storeAt<uint32_t>(e.data(), 30, static_cast<uint32_t>(payload.size()));
  storeAt<uint32_t>(e.data(), 34, pluginId);
  if (!payload.empty()) std::memcpy(e.data() + PLUGIN_EVENT_PAYLOAD_OFFSET, payload.data(), payload.size());
  return e;
}

uint64_t wallClockNs() {
  // Whole microseconds, as Falco stamps events (gettimeofday), so a
  // stamped event reads the same in both.
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return static_cast<uint64_t>(us.count()) * 1000;
}

}  // namespace bulkhead
