// A stand-in for a real plugin, generated once per schema file in
// ${BULKHEAD_SHARED_DATA}/plugin-schemas (see CMakeLists.txt).
//
// The info functions answer exactly what the real plugin answers (name,
// versions, id, source, get_fields text, extract sources), so loader and rule
// tests see real metadata. Behaviour is a test double on purpose:
//  - source plugins (id != 0): open params are the path of a JSON-lines file,
//    one event payload per non-empty line; an empty string opens a capture
//    that is at EOF at once;
//  - extraction: field F reads member "F" of the payload's JSON object (with
//    an argument: member "F[arg]", else element `arg` of an array "F"), and
//    converts it to the field's type. Missing or unconvertible: no value.
// init config is accepted and ignored: no get_init_schema is exported, so a
// host passes it through unchecked, as it would for a real plugin without one.
#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "plugin_api/plugin_api.h"
#include "standin_info.h"  // generated: kName, kVersion, ..., kSchema
#include "tests/plugins/common/event_codec.h"
#include "tests/plugins/common/extract_results.h"
#include "tests/plugins/common/json_lite.h"
#include "tests/plugins/common/last_error.h"
#include "tests/plugins/common/plugin_export.h"

namespace bulkhead::test_plugins {
namespace {

struct FieldSpec {
  std::string name;
  uint32_t type = FTYPE_STRING;
  bool list = false;
};

struct Schema {
  std::string fieldsJson;  // the schema's own text of the "fields" array
  std::vector<FieldSpec> fields;
  std::string error;
};

std::string errorPrefix() { return std::string("standin_") + standin::kName + ": "; }

Schema loadSchema() {
  Schema s;
  std::string err;
  const auto doc = JsonDocument::parse(standin::kSchema, &err);
  const JsonValue* fields = doc ? doc->root().member("fields") : nullptr;
  if (fields == nullptr || fields->kind != JsonValue::Kind::kArray) {
    s.error = errorPrefix() + "embedded schema has no fields array " + err;
    return s;
  }
  s.fieldsJson = std::string(doc->raw(*fields));
  for (const JsonValue& f : fields->items) {
    const JsonValue* name = f.member("name");
    const JsonValue* type = f.member("type");
    const JsonValue* list = f.member("isList");
    if (name == nullptr || name->kind != JsonValue::Kind::kString || type == nullptr ||
        type->kind != JsonValue::Kind::kString) {
      s.error = errorPrefix() + "embedded schema has a field without name or type";
      return s;
    }
    FieldSpec spec;
    spec.name = name->string;
    spec.list = list != nullptr && list->kind == JsonValue::Kind::kBool && list->boolean;
    const std::string& t = type->string;
    if (t == "string") {
      spec.type = FTYPE_STRING;
    } else if (t == "uint64") {
      spec.type = FTYPE_UINT64;
    } else if (t == "reltime") {
      spec.type = FTYPE_RELTIME;
    } else if (t == "abstime") {
      spec.type = FTYPE_ABSTIME;
    } else if (t == "bool") {
      spec.type = FTYPE_BOOL;
    } else if (t == "ipaddr") {
      spec.type = FTYPE_IPADDR;
    } else if (t == "ipnet") {
      spec.type = FTYPE_IPNET;
    } else {
      s.error = errorPrefix() + "field " + spec.name + " has unknown type '" + t + "'";
      return s;
    }
    s.fields.push_back(std::move(spec));
  }
  return s;
}

// Parsed once: get_fields runs before init, without a state, possibly from
// several threads (a function-local static is initialised thread-safely).
const Schema& schema() {
  static const Schema s = [] {
    try {
      return loadSchema();
    } catch (const std::exception& e) {
      Schema failed;
      failed.error = errorPrefix() + "cannot load the embedded schema: " + e.what();
      return failed;
    }
  }();
  return s;
}

struct State {
  LastError error;
  std::string eventText;
  ExtractResults results;
  // Converted values of the field being extracted (scratch, reused).
  std::vector<std::string> strings;
  std::vector<uint64_t> numbers;
  std::vector<bool> bools;
};

struct Instance {
  std::vector<std::string> payloads;
  size_t next = 0;
  std::vector<uint8_t> arena;
  std::vector<ss_plugin_event*> events;
  std::string progress;
};

// Appends `v` converted to `type` to the state's scratch; false if it does not convert.
bool convert(State* s, const JsonDocument& doc, const JsonValue& v, uint32_t type) {
  switch (type) {
    case FTYPE_STRING:
      if (v.kind == JsonValue::Kind::kNull) return false;
      s->strings.push_back(doc.toText(v));
      return true;
    case FTYPE_UINT64:
    case FTYPE_RELTIME:
    case FTYPE_ABSTIME: {
      std::optional<uint64_t> n;
      if (v.kind == JsonValue::Kind::kNumber) n = parseDecimalU64(doc.raw(v));
      if (v.kind == JsonValue::Kind::kString) n = parseDecimalU64(v.string);
      if (!n) return false;
      s->numbers.push_back(*n);
      return true;
    }
    case FTYPE_BOOL:
      if (v.kind != JsonValue::Kind::kBool) return false;
      s->bools.push_back(v.boolean);
      return true;
    case FTYPE_IPADDR:
    case FTYPE_IPNET: {
      if (v.kind != JsonValue::Kind::kString) return false;
      unsigned char addr[16];
      if (inet_pton(AF_INET, v.string.c_str(), addr) == 1) {
        s->strings.emplace_back(reinterpret_cast<char*>(addr), 4);
      } else if (inet_pton(AF_INET6, v.string.c_str(), addr) == 1) {
        s->strings.emplace_back(reinterpret_cast<char*>(addr), 16);
      } else {
        return false;
      }
      return true;
    }
    default:
      return false;
  }
}

const JsonValue* lookup(const JsonValue& root, const FieldSpec& spec,
                        const ss_plugin_extract_field* f) {
  if (!f->arg_present) return root.member(spec.name);
  const std::string arg = f->arg_key != nullptr ? f->arg_key : std::to_string(f->arg_index);
  if (const JsonValue* v = root.member(spec.name + "[" + arg + "]")) return v;
  const JsonValue* whole = root.member(spec.name);
  const auto index = parseDecimalU64(arg);
  if (whole == nullptr || whole->kind != JsonValue::Kind::kArray || !index ||
      *index >= whole->items.size()) {
    return nullptr;
  }
  return &whole->items[*index];
}

void extractOne(State* s, const JsonDocument& doc, ss_plugin_extract_field* f) {
  ExtractResults& r = s->results;
  const auto& fields = schema().fields;
  if (f->field_id >= fields.size()) return r.setNone(f);
  const FieldSpec& spec = fields[f->field_id];
  const JsonValue* v = lookup(doc.root(), spec, f);
  if (v == nullptr) return r.setNone(f);
  s->strings.clear();
  s->numbers.clear();
  s->bools.clear();
  if (spec.list && v->kind == JsonValue::Kind::kArray) {
    for (const JsonValue& item : v->items) {
      if (!convert(s, doc, item, spec.type)) return r.setNone(f);
    }
  } else if (!convert(s, doc, *v, spec.type)) {
    return r.setNone(f);
  }
  switch (spec.type) {
    case FTYPE_STRING:
      return r.setStrings(f, s->strings);
    case FTYPE_BOOL:
      return r.setBools(f, s->bools);
    case FTYPE_IPADDR:
    case FTYPE_IPNET:
      // The ABI has one buffer per value; lists of addresses are not needed here.
      return s->strings.size() == 1 ? r.setBuffer(f, s->strings[0]) : r.setNone(f);
    default:
      return r.setU64s(f, s->numbers);
  }
}

}  // namespace
}  // namespace bulkhead::test_plugins

namespace tp = bulkhead::test_plugins;
namespace si = bulkhead::test_plugins::standin;

BULKHEAD_PLUGIN_EXPORT const char* plugin_get_required_api_version() {
  return si::kRequiredApiVersion;
}
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_version() { return si::kVersion; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_name() { return si::kName; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_description() {
  return "Stand-in with a real plugin's metadata, for bulkhead tests";
}
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_contact() { return "bulkhead project"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_fields() { return tp::schema().fieldsJson.c_str(); }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_extract_event_sources() {
  return si::kExtractEventSources;
}

BULKHEAD_PLUGIN_EXPORT ss_plugin_t* plugin_init(const ss_plugin_init_input*, ss_plugin_rc* rc) {
  try {
    auto s = std::make_unique<tp::State>();
    s->error.text = tp::schema().error;
    *rc = s->error.text.empty() ? SS_PLUGIN_SUCCESS : SS_PLUGIN_FAILURE;
    return s.release();
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
    const auto doc = payload ? tp::JsonDocument::parse(*payload) : std::nullopt;
    for (uint32_t i = 0; i < in->num_fields; ++i) {
      if (doc && doc->root().kind == tp::JsonValue::Kind::kObject) {
        tp::extractOne(s, *doc, &in->fields[i]);
      } else {
        s->results.setNone(&in->fields[i]);
      }
    }
    return SS_PLUGIN_SUCCESS;
  } catch (const std::exception& e) {
    s->error.text = tp::errorPrefix() + "extract_fields failed: " + e.what();
    return SS_PLUGIN_FAILURE;
  }
}

#if BULKHEAD_STANDIN_SOURCING

BULKHEAD_PLUGIN_EXPORT uint32_t plugin_get_id() { return si::kId; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_event_source() { return si::kEventSource; }

BULKHEAD_PLUGIN_EXPORT ss_instance_t* plugin_open(ss_plugin_t* st, const char* params,
                                                  ss_plugin_rc* rc) {
  auto* s = static_cast<tp::State*>(st);
  try {
    auto in = std::make_unique<tp::Instance>();
    std::string path = params != nullptr ? params : "";
    path.erase(0, path.find_first_not_of(" \t\r\n"));
    path.erase(path.find_last_not_of(" \t\r\n") + 1);
    if (!path.empty()) {
      std::ifstream file(path);
      if (!file) {
        s->error.text =
            tp::errorPrefix() + "cannot open event file '" + path + "': " + std::strerror(errno);
        *rc = SS_PLUGIN_FAILURE;
        return nullptr;
      }
      std::string line;
      while (std::getline(file, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        in->payloads.push_back(std::move(line));
      }
      if (file.bad()) {
        s->error.text = tp::errorPrefix() + "error reading event file '" + path + "'";
        *rc = SS_PLUGIN_FAILURE;
        return nullptr;
      }
    }
    *rc = SS_PLUGIN_SUCCESS;
    return in.release();
  } catch (const std::exception& e) {
    s->error.text = tp::errorPrefix() + "open failed: " + e.what();
    *rc = SS_PLUGIN_FAILURE;
    return nullptr;
  }
}

BULKHEAD_PLUGIN_EXPORT void plugin_close(ss_plugin_t*, ss_instance_t* h) {
  delete static_cast<tp::Instance*>(h);
}

BULKHEAD_PLUGIN_EXPORT ss_plugin_rc plugin_next_batch(ss_plugin_t* st, ss_instance_t* h,
                                                      uint32_t* nevts, ss_plugin_event*** evts) {
  auto* s = static_cast<tp::State*>(st);
  auto* in = static_cast<tp::Instance*>(h);
  *nevts = 0;
  *evts = nullptr;
  if (in->next >= in->payloads.size()) return SS_PLUGIN_EOF;
  try {
    constexpr size_t kBatch = 64;
    const size_t n = std::min(kBatch, in->payloads.size() - in->next);
    const uint64_t ts = tp::realtimeNs();
    in->arena.clear();
    std::vector<size_t> offsets;
    for (size_t i = 0; i < n; ++i) {
      offsets.push_back(
          tp::appendPluginEvent(&in->arena, ts + i, si::kId, in->payloads[in->next + i]));
    }
    in->events.clear();
    for (size_t off : offsets) {
      in->events.push_back(reinterpret_cast<ss_plugin_event*>(in->arena.data() + off));
    }
    in->next += n;
    *nevts = static_cast<uint32_t>(n);
    *evts = in->events.data();
    return SS_PLUGIN_SUCCESS;
  } catch (const std::exception& e) {
    s->error.text = tp::errorPrefix() + "next_batch failed: " + e.what();
    return SS_PLUGIN_FAILURE;
  }
}

BULKHEAD_PLUGIN_EXPORT const char* plugin_get_progress(ss_plugin_t*, ss_instance_t* h,
                                                       uint32_t* pct) {
  auto* in = static_cast<tp::Instance*>(h);
  const size_t total = in->payloads.size();
  *pct = total == 0 ? 100 : static_cast<uint32_t>(in->next * 100 / total);
  in->progress = std::to_string(in->next) + "/" + std::to_string(total) + " events";
  return in->progress.c_str();
}

BULKHEAD_PLUGIN_EXPORT const char* plugin_event_to_string(ss_plugin_t* st,
                                                          const ss_plugin_event_input* evt) {
  auto* s = static_cast<tp::State*>(st);
  const auto ev = tp::readPluginEvent(evt->evt);
  s->eventText = ev ? std::string(ev->payload) : "<not a plugin event>";
  return s->eventText.c_str();
}

#endif  // BULKHEAD_STANDIN_SOURCING
