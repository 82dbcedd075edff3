#include "engine/batch_values.h"

#include <atomic>
#include <cstdio>
#include <cstring>

namespace bulkhead {

namespace {

constexpr uint16_t kPluginEvent = 322;
constexpr uint16_t kAsyncEvent = 402;

// Fields of the event header are misaligned (packed struct): read by memcpy.
template <typename T>
T readAt(const ss_plugin_event* e, size_t offset) {
  T v{};
  std::memcpy(&v, reinterpret_cast<const char*>(e) + offset, sizeof v);
  return v;
}

// Days since 1970-01-01 to a civil date (proleptic Gregorian).
void civilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += (m <= 2);
}

std::atomic<int32_t> gUtcOffset{0};
std::string& engineHostname() {
  static std::string name;
  return name;
}

// Falco prints these nanosecond counts zero-padded to nine digits.
std::string padded9(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%09llu", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

void setDisplayUtcOffset(int32_t seconds) { gUtcOffset.store(seconds, std::memory_order_relaxed); }
int32_t displayUtcOffset() { return gUtcOffset.load(std::memory_order_relaxed); }
void setEngineHostname(std::string name) { engineHostname() = std::move(name); }

std::string formatTimestamp(uint64_t ns, TimeFormat format) {
  uint64_t secs = ns / 1000000000ULL, frac = ns % 1000000000ULL;
  if (format != TimeFormat::kIso8601) {
    const int64_t shifted = static_cast<int64_t>(secs) + displayUtcOffset();
    secs = shifted < 0 ? 0 : static_cast<uint64_t>(shifted);
  }
  uint64_t days = secs / 86400, rem = secs % 86400;
  int64_t y;
  unsigned m, d;
  civilFromDays(static_cast<int64_t>(days), y, m, d);
  auto hh = static_cast<unsigned>(rem / 3600), mm = static_cast<unsigned>(rem / 60 % 60),
       ss = static_cast<unsigned>(rem % 60);
  auto yy = static_cast<long long>(y);
  auto ff = static_cast<unsigned long long>(frac);
  char buf[80];
  switch (format) {
    case TimeFormat::kTime:
      std::snprintf(buf, sizeof buf, "%02u:%02u:%02u.%09llu", hh, mm, ss, ff);
      break;
    case TimeFormat::kTimeS:
      std::snprintf(buf, sizeof buf, "%02u:%02u:%02u", hh, mm, ss);
      break;
    case TimeFormat::kDateTime:
      std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02u:%02u:%02u.%09llu", yy, m, d, hh, mm, ss,
                    ff);
      break;
    case TimeFormat::kDateTimeS:
      std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02u:%02u:%02u", yy, m, d, hh, mm, ss);
      break;
    case TimeFormat::kIso8601:
      std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02u:%02u:%02u.%09llu+0000", yy, m, d, hh, mm,
                    ss, ff);
      break;
  }
  return buf;
}

BatchValues::BatchValues(const RequestPlan& plan, std::span<const EventRef> events,
                         std::string_view source, std::span<const PluginInfo> plugins,
                         std::span<const ExtractResults* const> results,
                         std::span<const std::string> pluginInfo, uint64_t firstEventTs)
    : plan_(plan),
      events_(events),
      source_(source),
      plugins_(plugins),
      results_(results),
      pluginInfo_(pluginInfo),
      firstEventTs_(firstEventTs),
      engine_(plan.slots().size()),
      resolved_(plan.slots().size()) {
  for (size_t s = 0; s < plan.slots().size(); ++s) {
    const Slot& slot = plan.slots()[s];
    if (slot.plugin == kEnginePlugin) {
      computeEngineField(s, static_cast<EngineField>(slot.index));
      continue;
    }
    auto p = static_cast<size_t>(slot.plugin);
    if (p >= results_.size() || results_[p] == nullptr || slot.index >= results_[p]->fields())
      continue;
    Resolved& r = resolved_[s];
    r.results = results_[p];
    r.events = results_[p]->events();
    // bytesOf clamps the length, so this asks for the size of the store.
    r.byteSize = results_[p]->bytesOf(FieldValue{0, 0, UINT32_MAX}).size();
    r.bytes = slot.type == ValueType::kString || slot.type == ValueType::kBytes ||
              slot.type == ValueType::kIpAddr || slot.type == ValueType::kIpNet;
  }
}

void BatchValues::computeEngineField(size_t slot, EngineField f) {
  Column& col = engine_[slot];
  size_t n = events_.size();
  col.text.assign(n, {});
  col.num.assign(n, 0);
  col.present.assign(n, true);
  for (size_t i = 0; i < n; ++i) {
    const ss_plugin_event* e = events_[i].evt;
    // Header fields are only read when the event is at least a header long;
    // hosts check len against the bytes they hold.
    uint32_t len = e ? readAt<uint32_t>(e, 16) : 0;
    bool header = e && len >= 26;
    uint16_t type = header ? readAt<uint16_t>(e, 20) : 0;
    uint64_t ts = header ? readAt<uint64_t>(e, 0) : 0;
    switch (f) {
      case EngineField::kNum:
        col.num[i] = events_[i].num;
        break;
      case EngineField::kTime:
      case EngineField::kTimeS:
      case EngineField::kDateTime:
      case EngineField::kDateTimeS:
      case EngineField::kTimeIso8601: {
        col.present[i] = header;
        TimeFormat tf = f == EngineField::kTime        ? TimeFormat::kTime
                        : f == EngineField::kTimeS     ? TimeFormat::kTimeS
                        : f == EngineField::kDateTime  ? TimeFormat::kDateTime
                        : f == EngineField::kDateTimeS ? TimeFormat::kDateTimeS
                                                       : TimeFormat::kIso8601;
        if (header) col.text[i] = formatTimestamp(ts, tf);
        break;
      }
      case EngineField::kRawTime:
        col.present[i] = header;
        col.num[i] = ts;
        break;
      case EngineField::kRawTimeS:
        col.present[i] = header;
        col.num[i] = ts / 1000000000ULL;
        break;
      case EngineField::kRawTimeNs:
        col.present[i] = header;
        col.num[i] = ts % 1000000000ULL;
        col.text[i] = padded9(col.num[i]);
        break;
      case EngineField::kRelTime:
      case EngineField::kRelTimeS:
      case EngineField::kRelTimeNs: {
        // Unsigned, as Falco: an event older than the first wraps around.
        const uint64_t rel = ts - firstEventTs_;
        col.present[i] = header;
        col.num[i] = f == EngineField::kRelTimeS ? rel / 1000000000ULL
                     : f == EngineField::kRelTimeNs ? rel % 1000000000ULL
                                                   : rel;
        if (f != EngineField::kRelTimeS) col.text[i] = padded9(col.num[i]);
        break;
      }
      case EngineField::kHostname:
        col.text[i] = engineHostname();
        col.present[i] = !col.text[i].empty();
        break;
      case EngineField::kSource:
        col.text[i] = source_;
        break;
      case EngineField::kIsAsync:
        col.present[i] = header;
        col.num[i] = type == kAsyncEvent;
        break;
      case EngineField::kPluginName: {
        col.present[i] = false;
        // The id sits at 34 in a plugin event and at 38 in an async one,
        // where the framework wrote the open source plugin's id.
        size_t at = type == kPluginEvent ? 34 : 38;
        if (!header || (type != kPluginEvent && type != kAsyncEvent) || len < at + 4) break;
        auto id = readAt<uint32_t>(e, at);
        for (const auto& p : plugins_) {
          if (id != 0 && p.id == id) {
            col.text[i] = p.name;
            col.present[i] = true;
            break;
          }
        }
        break;
      }
      case EngineField::kAsyncType: {
        col.present[i] = false;
        if (!header || type != kAsyncEvent || len <= 42) break;
        auto nameLen = readAt<uint32_t>(e, 30);
        if (nameLen == 0 || nameLen > len - 42) break;
        const char* name = reinterpret_cast<const char*>(e) + 42;
        col.text[i].assign(name, strnlen(name, nameLen));
        col.present[i] = true;
        break;
      }
      case EngineField::kPluginInfo:
        col.present[i] = i < pluginInfo_.size() && !pluginInfo_[i].empty();
        if (col.present[i]) col.text[i] = pluginInfo_[i];
        break;
    }
  }
}

size_t BatchValues::count(size_t event, uint32_t slot) const {
  const Slot& s = plan_.slots()[slot];
  if (s.plugin == kEnginePlugin) return engine_[slot].present[event] ? 1 : 0;
  const Resolved& r = resolved_[slot];
  if (r.results == nullptr || event >= r.events) return 0;
  return r.results->values(event, s.index).size();
}

Value BatchValues::at(size_t event, uint32_t slot, size_t i) const {
  const Slot& s = plan_.slots()[slot];
  if (s.plugin == kEnginePlugin) {
    const Column& c = engine_[slot];
    return Value{c.num[event], c.text[event]};
  }
  const Resolved& r = resolved_[slot];
  const FieldValue& v = r.results->values(event, s.index)[i];
  Value out;
  out.u64 = v.u64;
  // Hosts validate what runners send; this keeps a slip there from turning
  // into an exception in the middle of evaluation.
  if (r.bytes && v.offset <= r.byteSize) out.bytes = r.results->bytesOf(v);
  return out;
}

}  // namespace bulkhead
