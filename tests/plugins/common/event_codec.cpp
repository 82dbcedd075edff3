#include "tests/plugins/common/event_codec.h"

#include <time.h>

#include <cstring>

namespace bulkhead::test_plugins {
namespace {

template <typename T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <typename T>
void store(uint8_t* p, T v) {
  std::memcpy(p, &v, sizeof v);
}

void writeHeader(uint8_t* p, uint64_t ts, uint32_t len, uint16_t type, uint32_t nparams) {
  store<uint64_t>(p + offsetof(ss_plugin_event, ts), ts);
  store<uint64_t>(p + offsetof(ss_plugin_event, tid), kNoThread);
  store<uint32_t>(p + offsetof(ss_plugin_event, len), len);
  store<uint16_t>(p + offsetof(ss_plugin_event, type), type);
  store<uint32_t>(p + offsetof(ss_plugin_event, nparams), nparams);
}

}  // namespace

uint64_t realtimeNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

EventHeader readHeader(const ss_plugin_event* evt) {
  const auto* p = reinterpret_cast<const uint8_t*>(evt);
  EventHeader h;
  h.ts = load<uint64_t>(p + offsetof(ss_plugin_event, ts));
  h.tid = load<uint64_t>(p + offsetof(ss_plugin_event, tid));
  h.len = load<uint32_t>(p + offsetof(ss_plugin_event, len));
  h.type = load<uint16_t>(p + offsetof(ss_plugin_event, type));
  h.nparams = load<uint32_t>(p + offsetof(ss_plugin_event, nparams));
  return h;
}

std::optional<PluginEventView> readPluginEvent(const ss_plugin_event* evt) {
  if (evt == nullptr) return std::nullopt;
  const auto* p = reinterpret_cast<const uint8_t*>(evt);
  PluginEventView v;
  v.header = readHeader(evt);
  if (v.header.type != PPME_PLUGINEVENT_E || v.header.nparams != 2) return std::nullopt;
  if (v.header.len < kPluginEventPayloadOffset) return std::nullopt;
  const auto idLen = load<uint32_t>(p + kEventHeaderSize);
  const auto dataLen = load<uint32_t>(p + kEventHeaderSize + 4);
  if (idLen != 4 || dataLen > v.header.len - kPluginEventPayloadOffset) return std::nullopt;
  v.pluginId = load<uint32_t>(p + kEventHeaderSize + 8);
  v.payload =
      std::string_view(reinterpret_cast<const char*>(p + kPluginEventPayloadOffset), dataLen);
  return v;
}

std::optional<AsyncEventView> readAsyncEvent(const ss_plugin_event* evt) {
  if (evt == nullptr) return std::nullopt;
  const auto* p = reinterpret_cast<const uint8_t*>(evt);
  AsyncEventView v;
  v.header = readHeader(evt);
  if (v.header.type != PPME_ASYNCEVENT_E || v.header.nparams != 3) return std::nullopt;
  if (v.header.len < kAsyncEventNameOffset) return std::nullopt;
  const auto idLen = load<uint32_t>(p + kEventHeaderSize);
  const auto nameLen = load<uint32_t>(p + kEventHeaderSize + 4);
  const auto dataLen = load<uint32_t>(p + kEventHeaderSize + 8);
  const uint32_t room = v.header.len - kAsyncEventNameOffset;
  if (idLen != 4 || nameLen == 0 || nameLen > room || dataLen > room - nameLen) {
    return std::nullopt;
  }
  const auto* name = reinterpret_cast<const char*>(p + kAsyncEventNameOffset);
  if (name[nameLen - 1] != '\0') return std::nullopt;
  v.pluginId = load<uint32_t>(p + kEventHeaderSize + 12);
  v.name = std::string_view(name, nameLen - 1);
  v.data = std::string_view(name + nameLen, dataLen);
  return v;
}

std::optional<std::string_view> eventPayload(const ss_plugin_event* evt) {
  if (auto e = readPluginEvent(evt)) return e->payload;
  if (auto e = readAsyncEvent(evt)) return e->data;
  return std::nullopt;
}

size_t appendPluginEvent(std::vector<uint8_t>* out, uint64_t ts, uint32_t pluginId,
                         std::string_view payload) {
  const size_t at = out->size();
  const auto len = static_cast<uint32_t>(kPluginEventPayloadOffset + payload.size());
  out->resize(at + len);
  uint8_t* p = out->data() + at;
  writeHeader(p, ts, len, PPME_PLUGINEVENT_E, 2);
  store<uint32_t>(p + kEventHeaderSize, 4);
  store<uint32_t>(p + kEventHeaderSize + 4, static_cast<uint32_t>(payload.size()));
  store<uint32_t>(p + kEventHeaderSize + 8, pluginId);
  if (!payload.empty()) std::memcpy(p + kPluginEventPayloadOffset, payload.data(), payload.size());
  return at;
}

std::vector<uint8_t> makeAsyncEvent(uint64_t ts, std::string_view name, std::string_view data) {
  const auto nameLen = static_cast<uint32_t>(name.size() + 1);
  const auto len = static_cast<uint32_t>(kAsyncEventNameOffset + nameLen + data.size());
  std::vector<uint8_t> out(len, 0);
  uint8_t* p = out.data();
  writeHeader(p, ts, len, PPME_ASYNCEVENT_E, 3);
  store<uint32_t>(p + kEventHeaderSize, 4);
  store<uint32_t>(p + kEventHeaderSize + 4, nameLen);
  store<uint32_t>(p + kEventHeaderSize + 8, static_cast<uint32_t>(data.size()));
  store<uint32_t>(p + kEventHeaderSize + 12, 0);
  std::memcpy(p + kAsyncEventNameOffset, name.data(), name.size());
  if (!data.empty()) std::memcpy(p + kAsyncEventNameOffset + nameLen, data.data(), data.size());
  return out;
}

}  // namespace bulkhead::test_plugins
