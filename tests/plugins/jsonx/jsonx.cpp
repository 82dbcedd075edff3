// `jsonx`: an extract-only plugin for every source.
//
// Reads the payload of plugin events (the 322 payload, or the data of a 402
// async event) as JSON. `jsonx.value[<pointer>]` resolves an RFC 6901 pointer;
// `jsonx.raw` is the whole payload. Events that are not JSON, and pointers
// that do not resolve, give no value rather than an error.
#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include "plugin_api/plugin_api.h"
#include "tests/plugins/common/event_codec.h"
#include "tests/plugins/common/extract_results.h"
#include "tests/plugins/common/json_lite.h"
#include "tests/plugins/common/last_error.h"
#include "tests/plugins/common/plugin_export.h"

namespace bulkhead::test_plugins {
namespace {

enum FieldId : uint32_t { kValue, kRaw };

constexpr const char kFields[] = R"json([
{"name":"jsonx.value","type":"string","arg":{"isRequired":true,"isKey":true},"desc":"The value at a JSON pointer (RFC 6901) in the event payload, e.g. jsonx.value[/user/name]; strings unquoted, other values as their JSON text"},
{"name":"jsonx.raw","type":"string","desc":"The whole event payload as a string"}
])json";

// With init config "one_buffer_per_field_id", one result buffer per field
// id, as plugins built on plugin-sdk-go keep one ExtractRequest per field id
// (json, k8saudit, cloudtrail): two fields of one id in one extract_fields
// call share it, the later value overwriting the earlier. Falco asks for one
// field per call, so it never sees this; a host that batches fields must not
// put one id twice in a call.
constexpr std::string_view kOneBufferPerFieldId = "one_buffer_per_field_id";

struct IdResult {
  std::string text;
  const char* ptr = nullptr;
};

struct State {
  LastError error;
  ExtractResults results;
  bool bufferPerFieldId = false;
  IdResult byId[2];
};

void setNone(State* s, ss_plugin_extract_field* f) { s->results.setNone(f); }

void setString(State* s, ss_plugin_extract_field* f, std::string_view value) {
  if (!s->bufferPerFieldId) return s->results.setString(f, value);
  IdResult& r = s->byId[f->field_id];
  r.text.assign(value.data(), value.size());
  r.ptr = r.text.c_str();
  f->res.str = &r.ptr;
  f->res_len = 1;
}

void extractOne(State* s, std::string_view payload, ss_plugin_extract_field* f) {
  if (f->field_id == kRaw) return setString(s, f, payload);
  if (f->field_id != kValue || !f->arg_present || f->arg_key == nullptr) return setNone(s, f);
  const auto doc = JsonDocument::parse(payload);
  if (!doc) return setNone(s, f);
  const JsonValue* v = resolvePointer(doc->root(), f->arg_key);
  if (v == nullptr) return setNone(s, f);
  setString(s, f, doc->toText(*v));
}

}  // namespace
}  // namespace bulkhead::test_plugins

namespace tp = bulkhead::test_plugins;

BULKHEAD_PLUGIN_EXPORT const char* plugin_get_required_api_version() { return "3.0.0"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_version() { return "0.1.0"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_name() { return "jsonx"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_description() {
  return "JSON pointer extraction from plugin event payloads, for bulkhead tests";
}
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_contact() { return "bulkhead project"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_fields() { return tp::kFields; }
// An empty list: compatible with every source.
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_extract_event_sources() { return "[]"; }

BULKHEAD_PLUGIN_EXPORT ss_plugin_t* plugin_init(const ss_plugin_init_input* in, ss_plugin_rc* rc) {
  try {
    auto* s = new tp::State();
    const std::string_view config = in != nullptr && in->config != nullptr ? in->config : "";
    s->bufferPerFieldId = config == tp::kOneBufferPerFieldId;
    *rc = SS_PLUGIN_SUCCESS;
    if (!config.empty() && !s->bufferPerFieldId) {
      // A non-NULL state, so that the framework can read the error.
      s->error.text = "jsonx: init config must be empty or \"" +
                      std::string(tp::kOneBufferPerFieldId) + "\"";
      *rc = SS_PLUGIN_FAILURE;
    }
    return s;
  } catch (const std::exception&) {
    *rc = SS_PLUGIN_FAILURE;
    return nullptr;
  }
}

BULKHEAD_PLUGIN_EXPORT void plugin_destroy(ss_plugin_t* s) { delete static_cast<tp::State*>(s); }

BULKHEAD_PLUGIN_EXPORT const char* plugin_get_last_error(ss_plugin_t* s) {
  return static_cast<tp::State*>(s)->error.answer();
}

BULKHEAD_PLUGIN_EXPORT ss_plugin_rc plugin_extract_fields(ss_plugin_t* st,
                                                          const ss_plugin_event_input* evt,
                                                          const ss_plugin_field_extract_input* in) {
  auto* s = static_cast<tp::State*>(st);
  try {
    s->results.reset();
    const auto payload = tp::eventPayload(evt->evt);
    for (uint32_t i = 0; i < in->num_fields; ++i) {
      if (payload) {
        tp::extractOne(s, *payload, &in->fields[i]);
      } else {
        tp::setNone(s, &in->fields[i]);
      }
    }
    return SS_PLUGIN_SUCCESS;
  } catch (const std::exception& e) {
    s->error.text = std::string("jsonx: extract_fields failed: ") + e.what();
    return SS_PLUGIN_FAILURE;
  }
}
