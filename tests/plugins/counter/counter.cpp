// `counter`: a deterministic source + extract plugin (id 999, source "counter").
//
// Each event is a type-322 event whose payload is a JSON object, padded with
// spaces (still valid JSON) to the requested size:
//   {"seq":N,"msg":"<prefix> N","tags":["counter","even|odd","mod3-K"],
//    "even":true|false,"ip":"10.A.B.C"}
// Extraction reads the payload back, so what a test sees went through the
// event bytes and not through plugin memory.
#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "plugin_api/plugin_api.h"
#include "tests/plugins/common/counter_payload.h"
#include "tests/plugins/common/event_codec.h"
#include "tests/plugins/common/extract_results.h"
#include "tests/plugins/common/json_lite.h"
#include "tests/plugins/common/last_error.h"
#include "tests/plugins/common/open_params.h"
#include "tests/plugins/common/plugin_export.h"
#include "tests/plugins/common/rate_limit.h"

namespace bulkhead::test_plugins {
namespace {

constexpr uint32_t kCounterId = 999;
constexpr uint64_t kMaxPayloadSize = 1 << 20;
constexpr uint64_t kMaxBatch = 4096;
constexpr uint64_t kMaxBatchBytes = 64 << 20;

enum FieldId : uint32_t { kSeq, kMsg, kTags, kTag, kEven, kTs, kIp, kLen };

constexpr const char kFields[] = R"json([
{"name":"counter.seq","type":"uint64","desc":"Sequence number of the event, from 0"},
{"name":"counter.msg","type":"string","desc":"Message: the configured prefix and the sequence number"},
{"name":"counter.tags","type":"string","isList":true,"desc":"All tags of the event"},
{"name":"counter.tag","type":"string","arg":{"isRequired":true,"isIndex":true},"desc":"The tag at the given index"},
{"name":"counter.even","type":"bool","desc":"Whether the sequence number is even"},
{"name":"counter.ts","type":"abstime","desc":"Event timestamp from the event header"},
{"name":"counter.ip","type":"ipaddr","desc":"IPv4 address 10.A.B.C built from the sequence number"},
{"name":"counter.len","type":"uint64","desc":"Payload length in bytes, padding included"}
])json";

constexpr const char kInitSchema[] = R"json({
"$schema":"http://json-schema.org/draft-04/schema#",
"type":"object",
"properties":{"prefix":{"type":"string","description":"Text put before the sequence number in counter.msg"}},
"additionalProperties":false
})json";

constexpr const char kOpenParams[] = R"json([
{"value":"count=1000,size=64,batch=128","desc":"1000 events of at least 64 payload bytes, 128 per batch"},
{"value":"count=0,batch=512,timeout_every=4","desc":"Endless (count=0); a timeout after every 4 batches"},
{"value":"count=1000,size=0,batch=64,timeout_every=0","desc":"The defaults, also used for an empty string"}
])json";

struct State {
  std::string prefix = "counter";
  std::string msgLead = "\"counter ";  // JSON-quoted prefix, a space, no closing quote
  LastError error;
  std::string eventText;
  ExtractResults results;
};

struct Instance {
  uint64_t count = 1000;  // 0: endless
  uint64_t size = 0;
  uint64_t batch = 64;
  uint64_t timeoutEvery = 0;
  RateLimit rate;  // events per second from the `rate` param
  uint64_t startTs = 0;
  uint64_t next = 0;
  uint64_t batchesSinceTimeout = 0;
  std::vector<uint8_t> arena;
  std::vector<ss_plugin_event*> events;
  std::vector<size_t> offsets;
  std::string payload;
  std::string progress;
};

void appendDecimal(std::string* out, uint64_t v) {
  char buf[20];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, res.ptr);
}

// Writes the payload of event `seq` into `out` (reused between events: the
// source is the producer in throughput benchmarks, so it must not allocate
// per event). `msgLead` is the JSON-quoted prefix and a space, unterminated.
void makePayload(const std::string& msgLead, uint64_t seq, uint64_t size, std::string* out) {
  const bool even = seq % 2 == 0;
  out->assign("{\"seq\":");
  appendDecimal(out, seq);
  out->append(",\"msg\":");
  out->append(msgLead);
  appendDecimal(out, seq);
  out->append(even ? "\",\"tags\":[\"counter\",\"even\",\"mod3-"
                   : "\",\"tags\":[\"counter\",\"odd\",\"mod3-");
  appendDecimal(out, seq % 3);
  out->append(even ? "\"],\"even\":true,\"ip\":\"10." : "\"],\"even\":false,\"ip\":\"10.");
  appendDecimal(out, (seq >> 16) & 0xFF);
  out->push_back('.');
  appendDecimal(out, (seq >> 8) & 0xFF);
  out->push_back('.');
  appendDecimal(out, seq & 0xFF);
  out->append("\"}");
  if (out->size() < size) out->append(size - out->size(), ' ');
}

bool applyConfig(State* s, const char* config) {
  const std::string_view text = config == nullptr ? "" : config;
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return true;
  std::string err;
  const auto doc = JsonDocument::parse(text, &err);
  if (!doc) {
    s->error.text = "counter: init config is not valid JSON: " + err;
    return false;
  }
  const JsonValue& root = doc->root();
  if (root.kind != JsonValue::Kind::kObject) {
    s->error.text = "counter: init config must be a JSON object";
    return false;
  }
  for (const auto& [key, value] : root.members) {
    if (key != "prefix") {
      s->error.text = "counter: unknown init config key '" + key + "' (only 'prefix' is accepted)";
      return false;
    }
    if (value.kind != JsonValue::Kind::kString) {
      s->error.text = "counter: init config key 'prefix' must be a string";
      return false;
    }
    s->prefix = value.string;
    s->msgLead = jsonQuote(s->prefix);
    s->msgLead.back() = ' ';  // the closing quote gives way to " <seq>\""
  }
  return true;
}

bool configureInstance(Instance* in, const char* params, std::string* err) {
  const auto kv = parseKeyValues(params == nullptr ? "" : params, err);
  if (!kv) return false;
  for (const auto& [key, value] : *kv) {
    if (key != "count" && key != "size" && key != "batch" && key != "timeout_every" &&
        key != "rate") {
      *err = "unknown parameter '" + key + "' (expected count, size, batch, timeout_every, rate)";
      return false;
    }
  }
  const auto count = getU64(*kv, "count", 1000, 0, UINT64_MAX, err);
  const auto size = getU64(*kv, "size", 0, 0, kMaxPayloadSize, err);
  const auto batch = getU64(*kv, "batch", 64, 1, kMaxBatch, err);
  const auto timeoutEvery = getU64(*kv, "timeout_every", 0, 0, UINT32_MAX, err);
  const auto rate = getU64(*kv, "rate", 0, 0, 1000000000, err);
  if (!count || !size || !batch || !timeoutEvery || !rate) return false;
  // One batch lives in one arena: keep it far from exhausting a runner.
  if (*size * *batch > kMaxBatchBytes) {
    *err = "size*batch must not exceed " + std::to_string(kMaxBatchBytes) + " bytes";
    return false;
  }
  in->count = *count;
  in->size = *size;
  in->batch = *batch;
  in->timeoutEvery = *timeoutEvery;
  in->rate.start(*rate);
  return true;
}

void extractOne(State* s, const PluginEventView& ev, ss_plugin_extract_field* f) {
  ExtractResults& r = s->results;
  switch (f->field_id) {
    case kTs:
      r.setU64(f, ev.header.ts);
      return;
    case kLen:
      r.setU64(f, ev.payload.size());
      return;
    case kSeq: {
      const auto seq = counterSeq(ev.payload);
      return seq ? r.setU64(f, *seq) : r.setNone(f);
    }
    default:
      break;
  }
  const auto doc = JsonDocument::parse(ev.payload);
  if (!doc) return r.setNone(f);
  const JsonValue& root = doc->root();
  switch (f->field_id) {
    case kMsg: {
      const JsonValue* v = root.member("msg");
      return v != nullptr && v->kind == JsonValue::Kind::kString ? r.setString(f, v->string)
                                                                 : r.setNone(f);
    }
    case kTags:
    case kTag: {
      const JsonValue* v = root.member("tags");
      if (v == nullptr || v->kind != JsonValue::Kind::kArray) return r.setNone(f);
      std::vector<std::string> tags;
      for (const auto& item : v->items) {
        if (item.kind == JsonValue::Kind::kString) tags.push_back(item.string);
      }
      if (f->field_id == kTags) return r.setStrings(f, tags);
      if (!f->arg_present || f->arg_index >= tags.size()) return r.setNone(f);
      return r.setString(f, tags[f->arg_index]);
    }
    case kEven: {
      const JsonValue* v = root.member("even");
      return v != nullptr && v->kind == JsonValue::Kind::kBool ? r.setBool(f, v->boolean)
                                                               : r.setNone(f);
    }
    case kIp: {
      const JsonValue* v = root.member("ip");
      in_addr addr{};
      if (v == nullptr || v->kind != JsonValue::Kind::kString ||
          inet_pton(AF_INET, v->string.c_str(), &addr) != 1) {
        return r.setNone(f);
      }
      return r.setBuffer(f, std::string_view(reinterpret_cast<const char*>(&addr), sizeof addr));
    }
    default:
      return r.setNone(f);
  }
}

}  // namespace
}  // namespace bulkhead::test_plugins

using bulkhead::test_plugins::Instance;
using bulkhead::test_plugins::State;
namespace tp = bulkhead::test_plugins;

BULKHEAD_PLUGIN_EXPORT const char* plugin_get_required_api_version() { return "3.0.0"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_version() { return "0.1.0"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_name() { return "counter"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_description() {
  return "Deterministic counter events for bulkhead tests";
}
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_contact() { return "bulkhead project"; }
BULKHEAD_PLUGIN_EXPORT uint32_t plugin_get_id() { return tp::kCounterId; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_event_source() { return "counter"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_fields() { return tp::kFields; }

BULKHEAD_PLUGIN_EXPORT const char* plugin_get_init_schema(ss_plugin_schema_type* type) {
  *type = SS_PLUGIN_SCHEMA_JSON;
  return tp::kInitSchema;
}

BULKHEAD_PLUGIN_EXPORT ss_plugin_t* plugin_init(const ss_plugin_init_input* in, ss_plugin_rc* rc) {
  try {
    auto s = std::make_unique<State>();
    // On failure the state is still returned: the framework reads the reason
    // with get_last_error and then destroys it.
    *rc = tp::applyConfig(s.get(), in != nullptr ? in->config : nullptr) ? SS_PLUGIN_SUCCESS
                                                                         : SS_PLUGIN_FAILURE;
    return s.release();
  } catch (const std::exception&) {
    *rc = SS_PLUGIN_FAILURE;
    return nullptr;
  }
}

BULKHEAD_PLUGIN_EXPORT void plugin_destroy(ss_plugin_t* s) { delete static_cast<State*>(s); }

BULKHEAD_PLUGIN_EXPORT const char* plugin_get_last_error(ss_plugin_t* s) {
  return static_cast<State*>(s)->error.answer();
}

BULKHEAD_PLUGIN_EXPORT const char* plugin_list_open_params(ss_plugin_t*, ss_plugin_rc* rc) {
  *rc = SS_PLUGIN_SUCCESS;
  return tp::kOpenParams;
}

BULKHEAD_PLUGIN_EXPORT ss_instance_t* plugin_open(ss_plugin_t* st, const char* params,
                                                  ss_plugin_rc* rc) {
  auto* s = static_cast<State*>(st);
  try {
    auto in = std::make_unique<Instance>();
    std::string err;
    if (!tp::configureInstance(in.get(), params, &err)) {
      s->error.text = "counter: bad open params '" + std::string(params ? params : "") + "': " + err;
      *rc = SS_PLUGIN_FAILURE;
      return nullptr;
    }
    in->startTs = tp::realtimeNs();
    *rc = SS_PLUGIN_SUCCESS;
    return in.release();
  } catch (const std::exception& e) {
    s->error.text = std::string("counter: open failed: ") + e.what();
    *rc = SS_PLUGIN_FAILURE;
    return nullptr;
  }
}

BULKHEAD_PLUGIN_EXPORT void plugin_close(ss_plugin_t*, ss_instance_t* h) {
  delete static_cast<Instance*>(h);
}

BULKHEAD_PLUGIN_EXPORT ss_plugin_rc plugin_next_batch(ss_plugin_t* st, ss_instance_t* h,
                                                      uint32_t* nevts, ss_plugin_event*** evts) {
  auto* s = static_cast<State*>(st);
  auto* in = static_cast<Instance*>(h);
  *nevts = 0;
  *evts = nullptr;
  if (in->count != 0 && in->next >= in->count) return SS_PLUGIN_EOF;
  if (in->timeoutEvery != 0 && in->batchesSinceTimeout == in->timeoutEvery) {
    in->batchesSinceTimeout = 0;
    return SS_PLUGIN_TIMEOUT;
  }
  try {
    uint64_t n = in->batch;
    if (in->count != 0) n = std::min(n, in->count - in->next);
    n = in->rate.allow(in->next, n);
    if (n == 0) return SS_PLUGIN_TIMEOUT;
    in->arena.clear();
    std::vector<size_t>& offsets = in->offsets;
    offsets.clear();
    for (uint64_t i = 0; i < n; ++i) {
      const uint64_t seq = in->next + i;
      tp::makePayload(s->msgLead, seq, in->size, &in->payload);
      offsets.push_back(
          tp::appendPluginEvent(&in->arena, in->startTs + seq, tp::kCounterId, in->payload));
    }
    // Pointers are taken only once the arena stops growing.
    in->events.clear();
    for (size_t off : offsets) {
      in->events.push_back(reinterpret_cast<ss_plugin_event*>(in->arena.data() + off));
    }
    in->next += n;
    ++in->batchesSinceTimeout;
    *nevts = static_cast<uint32_t>(n);
    *evts = in->events.data();
    return SS_PLUGIN_SUCCESS;
  } catch (const std::exception& e) {
    s->error.text = std::string("counter: next_batch failed: ") + e.what();
    return SS_PLUGIN_FAILURE;
  }
}

BULKHEAD_PLUGIN_EXPORT const char* plugin_get_progress(ss_plugin_t*, ss_instance_t* h,
                                                       uint32_t* pct) {
  auto* in = static_cast<Instance*>(h);
  if (in->count == 0) {
    *pct = 0;
    in->progress = std::to_string(in->next) + " events";
  } else {
    *pct = static_cast<uint32_t>(in->next * 100 / in->count);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f%%",
                  static_cast<double>(in->next) * 100.0 / static_cast<double>(in->count));
    in->progress = buf;
  }
  return in->progress.c_str();
}

BULKHEAD_PLUGIN_EXPORT const char* plugin_event_to_string(ss_plugin_t* st,
                                                          const ss_plugin_event_input* evt) {
  auto* s = static_cast<State*>(st);
  const auto ev = tp::readPluginEvent(evt->evt);
  if (!ev) {
    s->eventText = "<not a plugin event>";
    return s->eventText.c_str();
  }
  std::string_view body = ev->payload;
  while (!body.empty() && body.back() == ' ') body.remove_suffix(1);
  s->eventText.assign(body.data(), body.size());
  return s->eventText.c_str();
}

BULKHEAD_PLUGIN_EXPORT ss_plugin_rc plugin_extract_fields(ss_plugin_t* st,
                                                          const ss_plugin_event_input* evt,
                                                          const ss_plugin_field_extract_input* in) {
  auto* s = static_cast<State*>(st);
  try {
    s->results.reset();
    const auto ev = tp::readPluginEvent(evt->evt);
    for (uint32_t i = 0; i < in->num_fields; ++i) {
      ss_plugin_extract_field* f = &in->fields[i];
      if (!ev) {
        s->results.setNone(f);
      } else {
        tp::extractOne(s, *ev, f);
      }
    }
    return SS_PLUGIN_SUCCESS;
  } catch (const std::exception& e) {
    s->error.text = std::string("counter: extract_fields failed: ") + e.what();
    return SS_PLUGIN_FAILURE;
  }
}
