// The plugin ABI of libbulkhead_proxy.so. A copy of this library, made by
// `bulkhead wrap`, stands in for one plugin: it answers the static calls
// from its binding file (supervisor/proxy_binding.h) and runs every state in a sandboxed
// runner (proxy_instance.h). The copy exports only the functions the
// wrapped plugin exports, so the host sees the same capabilities.
#include <dlfcn.h>

#include <cstdio>
#include <mutex>
#include <string>

#include <boost/json.hpp>

#include "plugin_api/plugin_api.h"
#include "supervisor/proxy_binding.h"
#include "proxy/proxy_instance.h"
#include "supervisor/death_watch.h"
#include "supervisor/runner_output.h"
#include "supervisor/runner_services.h"
#include "supervisor/spawner.h"

namespace bulkhead {
namespace {

// The library's binding and the answers of the static calls, read once.
struct Bound {
  std::string error;  // why there is no binding
  ProxyBinding binding;
  std::string extractSources, parseSources, asyncEvents, asyncSources;
};

std::string jsonList(const std::vector<std::string>& v) {
  boost::json::array a;
  for (const std::string& s : v) a.emplace_back(s);
  return boost::json::serialize(a);
}

const Bound& bound() {
  static const Bound* b = [] {
    auto* out = new Bound;
    Dl_info self{};
    if (dladdr(reinterpret_cast<void*>(&bound), &self) == 0 || self.dli_fname == nullptr) {
      out->error = "the proxy library cannot find its own path";
    } else {
      try {
        out->binding = readBinding(bindingPathFor(self.dli_fname));
        const PluginInfo& i = out->binding.info;
        out->extractSources = jsonList(i.extractEventSources);
        out->parseSources = jsonList(i.parseEventSources);
        out->asyncEvents = jsonList(i.asyncEvents);
        out->asyncSources = jsonList(i.asyncEventSources);
        return out;
      } catch (const std::exception& e) {
        out->error = e.what();
      }
    }
    // Before plugin_init the host has no way to show an error: say it here.
    std::fprintf(stderr, "bulkhead proxy %s: %s\n",
                 self.dli_fname != nullptr ? self.dli_fname : "(unknown path)", out->error.c_str());
    out->binding.info.name = "bulkhead-proxy-unbound";
    out->binding.info.requiredApiVersion = "3.0.0";
    out->binding.info.version = "0.0.0";
    out->binding.info.fieldsJson = "[]";
    out->extractSources = out->parseSources = out->asyncEvents = out->asyncSources = "[]";
    return out;
  }();
  return *b;
}

const PluginInfo& info() { return bound().binding.info; }

// The runners' spawner, death watch and output reader, one each for every
// state of this library, as the bulkhead command has one each. Never
// destroyed: a host may end its states after static destructors ran.
const RunnerServices& services() {
  struct Owned {
    Spawner spawner;
    DeathWatch deathWatch;
    RunnerOutput output;
    RunnerServices services{spawner, deathWatch, output, "", ""};
  };
  static Owned* o = new Owned;
  return o->services;
}

// A state: the instance, or why plugin_init failed (the host reads it
// with get_last_error before destroying the state).
struct State {
  std::unique_ptr<ProxyInstance> instance;
  std::string error;
};

State* stateOf(ss_plugin_t* s) { return reinterpret_cast<State*>(s); }
ProxyInstance& inst(ss_plugin_t* s) { return *stateOf(s)->instance; }

}  // namespace
}  // namespace bulkhead

using bulkhead::bound;
using bulkhead::info;
using bulkhead::inst;

extern "C" {

// Marks a proxy library, so that `bulkhead wrap` refuses to wrap one, and
// gives hidden functions a name to point at (supervisor/elf_symbols.h).
extern const char bulkhead_proxy_marker[];
const char bulkhead_proxy_marker[] = "bulkhead proxy";

const char* plugin_get_required_api_version() { return info().requiredApiVersion.c_str(); }
const char* plugin_get_version() { return info().version.c_str(); }
const char* plugin_get_name() { return info().name.c_str(); }
const char* plugin_get_description() { return info().description.c_str(); }
const char* plugin_get_contact() { return info().contact.c_str(); }

const char* plugin_get_init_schema(ss_plugin_schema_type* schema_type) {
  *schema_type = info().initSchema.empty() ? SS_PLUGIN_SCHEMA_NONE : SS_PLUGIN_SCHEMA_JSON;
  return info().initSchema.c_str();
}

ss_plugin_t* plugin_init(const ss_plugin_init_input* in, ss_plugin_rc* rc) {
  auto* s = new bulkhead::State;
  *rc = SS_PLUGIN_FAILURE;
  if (!bound().error.empty()) {
    s->error = bound().error;
    return reinterpret_cast<ss_plugin_t*>(s);
  }
  try {
    s->instance =
        std::make_unique<bulkhead::ProxyInstance>(bound().binding, *in, bulkhead::services());
    *rc = SS_PLUGIN_SUCCESS;
  } catch (const std::exception& e) {
    s->error = e.what();
  }
  return reinterpret_cast<ss_plugin_t*>(s);
}

void plugin_destroy(ss_plugin_t* s) { delete bulkhead::stateOf(s); }

const char* plugin_get_last_error(ss_plugin_t* s) {
  bulkhead::State* st = bulkhead::stateOf(s);
  return st->instance ? st->instance->lastError() : st->error.c_str();
}

ss_plugin_metric* plugin_get_metrics(ss_plugin_t* s, uint32_t* num_metrics) {
  return inst(s).metrics(num_metrics);
}

uint32_t plugin_get_id() { return info().id; }
const char* plugin_get_event_source() { return info().eventSource.c_str(); }

ss_instance_t* plugin_open(ss_plugin_t* s, const char* params, ss_plugin_rc* rc) {
  return inst(s).open(params, rc);
}

void plugin_close(ss_plugin_t* s, ss_instance_t*) { inst(s).close(); }

ss_plugin_rc plugin_next_batch(ss_plugin_t* s, ss_instance_t*, uint32_t* nevts,
                               ss_plugin_event*** evts) {
  return inst(s).nextBatch(nevts, evts);
}

const char* plugin_get_progress(ss_plugin_t* s, ss_instance_t*, uint32_t* progress_pct) {
  return inst(s).progress(progress_pct);
}

const char* plugin_event_to_string(ss_plugin_t* s, const ss_plugin_event_input* evt) {
  return inst(s).eventToString(evt);
}

const char* plugin_get_fields() { return info().fieldsJson.c_str(); }

ss_plugin_rc plugin_extract_fields(ss_plugin_t* s, const ss_plugin_event_input* evt,
                                   const ss_plugin_field_extract_input* in) {
  return inst(s).extract(evt, in);
}

const char* plugin_get_extract_event_sources() { return bound().extractSources.c_str(); }

uint16_t* plugin_get_extract_event_types(uint32_t* numtypes, ss_plugin_t* s) {
  return inst(s).extractEventTypes(numtypes);
}

ss_plugin_rc plugin_parse_event(ss_plugin_t* s, const ss_plugin_event_input* evt,
                                const ss_plugin_event_parse_input*) {
  return inst(s).parse(evt);
}

const char* plugin_get_parse_event_sources() { return bound().parseSources.c_str(); }

uint16_t* plugin_get_parse_event_types(uint32_t* numtypes, ss_plugin_t* s) {
  return inst(s).parseEventTypes(numtypes);
}

const char* plugin_get_async_events() { return bound().asyncEvents.c_str(); }
const char* plugin_get_async_event_sources() { return bound().asyncSources.c_str(); }

ss_plugin_rc plugin_set_async_event_handler(ss_plugin_t* s, ss_plugin_owner_t* owner,
                                            ss_plugin_async_event_handler_t handler) {
  return inst(s).setAsyncHandler(owner, handler);
}

}  // extern "C"
