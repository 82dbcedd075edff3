// FieldValueSource over one batch: the ExtractResults of each plugin's
// extract() call (made with the plan's requests, in the plan's order) plus
// the engine's own fields, computed from the event headers.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "engine/field_values.h"
#include "engine/request_plan.h"
#include "plugin_api/plugin_host.h"

namespace bulkhead {

class BatchValues : public FieldValueSource {
 public:
  // `results[p]` holds plugin p's results for `plan.requests(p)` and these
  // events, or is null when the plugin was not asked (its slots then have no
  // value). `pluginInfo`, when not empty, gives evt.plugininfo per event;
  // `firstEventTs` is the source's first event time (evt.reltime).
  // Everything is borrowed and must outlive this object.
  BatchValues(const RequestPlan& plan, std::span<const EventRef> events, std::string_view source,
              std::span<const PluginInfo> plugins, std::span<const ExtractResults* const> results,
              std::span<const std::string> pluginInfo = {}, uint64_t firstEventTs = 0);

  size_t count(size_t event, uint32_t slot) const override;
  Value at(size_t event, uint32_t slot, size_t i) const override;

 private:
  void computeEngineField(size_t slot, EngineField f);

  const RequestPlan& plan_;
  std::span<const EventRef> events_;
  std::string source_;
  std::span<const PluginInfo> plugins_;
  std::span<const ExtractResults* const> results_;
  std::span<const std::string> pluginInfo_;
  uint64_t firstEventTs_;
  // Per slot, per event: the engine field's value; empty vectors for plugin
  // slots. `present` is false where the field has no value for the event.
  struct Column {
    std::vector<std::string> text;
    std::vector<uint64_t> num;
    std::vector<bool> present;
  };
  std::vector<Column> engine_;
  // Per slot, resolved once per batch so that count() and at() do no
  // lookups: the plugin's results (null for engine slots and plugins that
  // were not asked) and how many events and requests they cover.
  struct Resolved {
    const ExtractResults* results = nullptr;
    size_t events = 0;
    size_t byteSize = 0;  // a value reaching past this reads as empty
    bool bytes = false;   // the value is a string, buffer or address
  };
  std::vector<Resolved> resolved_;
};

enum class TimeFormat : uint8_t { kTime, kTimeS, kDateTime, kDateTimeS, kIso8601 };
// Formats nanoseconds since the epoch as Falco does: "HH:MM:SS.nnnnnnnnn",
// "HH:MM:SS", "YYYY-MM-DD HH:MM:SS.nnnnnnnnn" and "YYYY-MM-DD HH:MM:SS" in
// local time (UTC shifted by displayUtcOffset()), and
// "YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000" in UTC.
std::string formatTimestamp(uint64_t ns, TimeFormat format);

// The local time zone's offset from UTC, in seconds, that the local-time
// formats add. 0 until set: the engine reads no files (the time zone is
// one), so the process sets it once at start, as Falco reads it once.
void setDisplayUtcOffset(int32_t seconds);
int32_t displayUtcOffset();

// evt.hostname's value, set once at start for the same reason (before any
// pipeline runs; read-only after).
void setEngineHostname(std::string name);

}  // namespace bulkhead
