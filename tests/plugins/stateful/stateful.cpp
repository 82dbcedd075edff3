// `stateful`: a parse + extract plugin whose fields read only parser state.
//
// parse_event keeps, per event source, how many counter events it parsed,
// the sum and last value of their sequence numbers, the last event number,
// and whether the sequence numbers came in order. Extraction reads nothing
// from the event but its evtnum and seq, so a value is only right when the
// framework ran parse_event on this event, in order, before extracting.
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "plugin_api/plugin_api.h"
#include "tests/plugins/common/counter_payload.h"
#include "tests/plugins/common/event_codec.h"
#include "tests/plugins/common/extract_results.h"
#include "tests/plugins/common/last_error.h"
#include "tests/plugins/common/plugin_export.h"

namespace bulkhead::test_plugins {
namespace {

enum FieldId : uint32_t { kCount, kSum, kLastSeq, kSeenBefore, kInOrder };

constexpr const char kFields[] = R"json([
{"name":"stateful.count","type":"uint64","desc":"Events of this source with a counter seq that parse_event has seen"},
{"name":"stateful.sum","type":"uint64","desc":"Sum of the counter.seq values parsed so far"},
{"name":"stateful.last_seq","type":"uint64","desc":"counter.seq of the most recently parsed event"},
{"name":"stateful.seen_before","type":"bool","desc":"True when parse_event already saw this event (same evtnum and seq) before extraction"},
{"name":"stateful.in_order","type":"bool","desc":"True while every parsed seq was the previous one plus 1"}
])json";

struct SourceStats {
  uint64_t count = 0;
  uint64_t sum = 0;
  std::optional<uint64_t> lastSeq;
  uint64_t lastEvtnum = 0;
  bool inOrder = true;
};

struct State {
  std::map<std::string, SourceStats, std::less<>> bySource;
  LastError error;
  ExtractResults results;
};

// 322 and nothing else: libsinsp would otherwise default to {322} for a
// non-syscall source anyway, but saying it keeps syscall events away.
uint16_t kEventTypes[] = {PPME_PLUGINEVENT_E};

void extractOne(State* s, const ss_plugin_event_input* evt, ss_plugin_extract_field* f) {
  ExtractResults& r = s->results;
  const auto it = s->bySource.find(std::string_view(evt->evtsrc ? evt->evtsrc : ""));
  if (it == s->bySource.end()) {
    if (f->field_id == kCount || f->field_id == kSum) return r.setU64(f, 0);
    if (f->field_id == kSeenBefore) return r.setBool(f, false);
    return r.setNone(f);
  }
  const SourceStats& st = it->second;
  switch (f->field_id) {
    case kCount:
      return r.setU64(f, st.count);
    case kSum:
      return r.setU64(f, st.sum);
    case kLastSeq:
      return st.lastSeq ? r.setU64(f, *st.lastSeq) : r.setNone(f);
    case kSeenBefore: {
      const auto ev = readPluginEvent(evt->evt);
      const auto seq = ev ? counterSeq(ev->payload) : std::nullopt;
      return r.setBool(f, seq && st.lastSeq == seq && st.lastEvtnum == evt->evtnum);
    }
    case kInOrder:
      return r.setBool(f, st.inOrder);
    default:
      return r.setNone(f);
  }
}

}  // namespace
}  // namespace bulkhead::test_plugins

namespace tp = bulkhead::test_plugins;

BULKHEAD_PLUGIN_EXPORT const char* plugin_get_required_api_version() { return "3.1.0"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_version() { return "0.1.0"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_name() { return "stateful"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_description() {
  return "Parser state exposed as fields, for bulkhead parse-before-extract tests";
}
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_contact() { return "bulkhead project"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_fields() { return tp::kFields; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_extract_event_sources() { return "[\"counter\"]"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_parse_event_sources() { return "[\"counter\"]"; }

BULKHEAD_PLUGIN_EXPORT uint16_t* plugin_get_extract_event_types(uint32_t* n, ss_plugin_t*) {
  *n = 1;
  return tp::kEventTypes;
}

BULKHEAD_PLUGIN_EXPORT uint16_t* plugin_get_parse_event_types(uint32_t* n, ss_plugin_t*) {
  *n = 1;
  return tp::kEventTypes;
}

BULKHEAD_PLUGIN_EXPORT ss_plugin_t* plugin_init(const ss_plugin_init_input*, ss_plugin_rc* rc) {
  try {
    *rc = SS_PLUGIN_SUCCESS;
    return new tp::State();
  } catch (const std::exception&) {
    *rc = SS_PLUGIN_FAILURE;
    return nullptr;
  }
}

BULKHEAD_PLUGIN_EXPORT void plugin_destroy(ss_plugin_t* s) { delete static_cast<tp::State*>(s); }

BULKHEAD_PLUGIN_EXPORT const char* plugin_get_last_error(ss_plugin_t* s) {
  return static_cast<tp::State*>(s)->error.answer();
}

BULKHEAD_PLUGIN_EXPORT ss_plugin_rc plugin_parse_event(ss_plugin_t* st,
                                                       const ss_plugin_event_input* evt,
                                                       const ss_plugin_event_parse_input*) {
  auto* s = static_cast<tp::State*>(st);
  try {
    const auto ev = tp::readPluginEvent(evt->evt);
    if (!ev) {
      s->error.text = "stateful: event " + std::to_string(evt->evtnum) + " is not a plugin event";
      return SS_PLUGIN_FAILURE;
    }
    const auto seq = tp::counterSeq(ev->payload);
    if (!seq) {
      s->error.text = "stateful: event " + std::to_string(evt->evtnum) + " has no counter seq";
      return SS_PLUGIN_FAILURE;
    }
    tp::SourceStats& st = s->bySource[evt->evtsrc ? evt->evtsrc : ""];
    if (st.lastSeq && *seq != *st.lastSeq + 1) st.inOrder = false;
    ++st.count;
    st.sum += *seq;
    st.lastSeq = *seq;
    st.lastEvtnum = evt->evtnum;
    return SS_PLUGIN_SUCCESS;
  } catch (const std::exception& e) {
    s->error.text = std::string("stateful: parse_event failed: ") + e.what();
    return SS_PLUGIN_FAILURE;
  }
}

BULKHEAD_PLUGIN_EXPORT ss_plugin_rc plugin_extract_fields(ss_plugin_t* st,
                                                          const ss_plugin_event_input* evt,
                                                          const ss_plugin_field_extract_input* in) {
  auto* s = static_cast<tp::State*>(st);
  try {
    s->results.reset();
    for (uint32_t i = 0; i < in->num_fields; ++i) tp::extractOne(s, evt, &in->fields[i]);
    return SS_PLUGIN_SUCCESS;
  } catch (const std::exception& e) {
    s->error.text = std::string("stateful: extract_fields failed: ") + e.what();
    return SS_PLUGIN_FAILURE;
  }
}
