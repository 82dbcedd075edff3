// `ticker`: async events from a plugin-owned thread, and metrics of its own.
//
// set_async_event_handler(non-NULL) starts a thread that emits a type-402
// event named "tick" with data {"n":N} (N = 1, 2, ...) every interval_ms,
// up to `max` ticks (0: unbounded). set_async_event_handler(NULL) and destroy
// stop the thread and join it before returning, as the ABI requires: the
// framework may free the owner right after.
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "plugin_api/plugin_api.h"
#include "tests/plugins/common/event_codec.h"
#include "tests/plugins/common/extract_results.h"
#include "tests/plugins/common/json_lite.h"
#include "tests/plugins/common/plugin_export.h"

namespace bulkhead::test_plugins {
namespace {

constexpr uint64_t kMaxIntervalMs = 60'000;

constexpr const char kFields[] = R"json([
{"name":"ticker.n","type":"uint64","desc":"Tick number of a tick async event, from 1"}
])json";

constexpr const char kInitSchema[] = R"json({
"$schema":"http://json-schema.org/draft-04/schema#",
"type":"object",
"properties":{
  "interval_ms":{"type":"integer","minimum":1,"maximum":60000,"description":"Milliseconds between ticks (default 10)"},
  "max":{"type":"integer","minimum":0,"description":"Ticks per handler; 0 is unbounded (default 100)"}
},
"additionalProperties":false
})json";

uint16_t kExtractTypes[] = {PPME_ASYNCEVENT_E};

class State {
 public:
  ~State() { stop(); }

  bool configure(const char* config);

  // Stops any running producer, then starts one for `handler` unless NULL.
  void setHandler(ss_plugin_owner_t* owner, ss_plugin_async_event_handler_t handler) {
    stop();
    if (handler == nullptr) return;
    std::lock_guard lock(mu_);
    stopping_ = false;
    thread_ = std::thread([this, owner, handler] { run(owner, handler); });
  }

  // Emits one tick carrying the current count, from the calling thread.
  ss_plugin_rc dump(ss_plugin_owner_t* owner, ss_plugin_async_event_handler_t handler) {
    uint64_t n = 0;
    {
      std::lock_guard lock(mu_);
      n = ticks_;
    }
    return emit(owner, handler, n, dumpErr_) ? SS_PLUGIN_SUCCESS : SS_PLUGIN_FAILURE;
  }

  const char* lastError() {
    std::lock_guard lock(mu_);
    lastErrorCopy_ = lastError_;
    return lastErrorCopy_.c_str();
  }

  void setError(std::string e) {
    std::lock_guard lock(mu_);
    lastError_ = std::move(e);
  }

  ExtractResults& results() { return results_; }

  // get_metrics: ticks so far (monotonic), the interval, and two values
  // of the other types (signed and double) so that each type is carried.
  ss_plugin_metric* metrics(uint32_t* n) {
    {
      std::lock_guard lock(mu_);
      metrics_[0].value.u64 = ticks_;
    }
    metrics_[1].value.u64 = intervalMs_;
    *n = 4;
    return metrics_;
  }

 private:
  void stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  bool emit(ss_plugin_owner_t* owner, ss_plugin_async_event_handler_t handler, uint64_t n,
            char* err) {
    const auto evt = makeAsyncEvent(realtimeNs(), "tick", "{\"n\":" + std::to_string(n) + "}");
    err[0] = '\0';
    const ss_plugin_rc rc =
        handler(owner, reinterpret_cast<const ss_plugin_event*>(evt.data()), err);
    if (rc == SS_PLUGIN_SUCCESS) return true;
    err[PLUGIN_MAX_ERRLEN - 1] = '\0';
    setError("ticker: the framework refused tick " + std::to_string(n) + ": " + err);
    return false;
  }

  void run(ss_plugin_owner_t* owner, ss_plugin_async_event_handler_t handler) {
    // A steady-clock schedule: ticks do not drift by the handler's run time.
    auto next = std::chrono::steady_clock::now();
    for (uint64_t n = 1; max_ == 0 || n <= max_; ++n) {
      next += std::chrono::milliseconds(intervalMs_);
      {
        std::unique_lock lock(mu_);
        if (cv_.wait_until(lock, next, [this] { return stopping_; })) return;
        ticks_ = n;
      }
      try {
        if (!emit(owner, handler, n, threadErr_)) return;
      } catch (const std::exception& e) {
        setError(std::string("ticker: tick thread failed: ") + e.what());
        return;
      }
    }
  }

  uint64_t intervalMs_ = 10;
  uint64_t max_ = 100;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  uint64_t ticks_ = 0;
  std::thread thread_;
  std::string lastError_;
  std::string lastErrorCopy_;
  // The handler's error buffers: plugin-owned, one per calling thread.
  char threadErr_[PLUGIN_MAX_ERRLEN] = {};
  char dumpErr_[PLUGIN_MAX_ERRLEN] = {};
  ExtractResults results_;
  ss_plugin_metric metrics_[4] = {
      {"ticks", SS_PLUGIN_METRIC_TYPE_MONOTONIC, {.u64 = 0}, SS_PLUGIN_METRIC_VALUE_TYPE_U64},
      {"interval_ms", SS_PLUGIN_METRIC_TYPE_NON_MONOTONIC, {.u64 = 0},
       SS_PLUGIN_METRIC_VALUE_TYPE_U64},
      {"offset", SS_PLUGIN_METRIC_TYPE_NON_MONOTONIC, {.s64 = -3}, SS_PLUGIN_METRIC_VALUE_TYPE_S64},
      {"load", SS_PLUGIN_METRIC_TYPE_NON_MONOTONIC, {.d = 0.5}, SS_PLUGIN_METRIC_VALUE_TYPE_D},
  };
};

bool State::configure(const char* config) {
  const std::string_view text = config == nullptr ? "" : config;
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return true;
  std::string err;
  const auto doc = JsonDocument::parse(text, &err);
  if (!doc || doc->root().kind != JsonValue::Kind::kObject) {
    setError("ticker: init config must be a JSON object" + (err.empty() ? "" : ": " + err));
    return false;
  }
  for (const auto& [key, value] : doc->root().members) {
    // A plain integer literal only: no sign, fraction or exponent.
    bool isInteger = false;
    uint64_t number = 0;
    if (value.kind == JsonValue::Kind::kNumber) {
      const auto parsed = parseDecimalU64(doc->raw(value));
      isInteger = parsed.has_value();
      number = parsed.value_or(0);
    }
    if (key == "interval_ms") {
      if (!isInteger || number < 1 || number > kMaxIntervalMs) {
        setError("ticker: init config 'interval_ms' must be an integer in [1, 60000]");
        return false;
      }
      intervalMs_ = number;
    } else if (key == "max") {
      if (!isInteger) {
        setError("ticker: init config 'max' must be a non-negative integer");
        return false;
      }
      max_ = number;
    } else {
      setError("ticker: unknown init config key '" + key + "' (expected interval_ms, max)");
      return false;
    }
  }
  return true;
}

}  // namespace
}  // namespace bulkhead::test_plugins

namespace tp = bulkhead::test_plugins;

BULKHEAD_PLUGIN_EXPORT const char* plugin_get_required_api_version() { return "3.10.0"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_version() { return "0.1.0"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_name() { return "ticker"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_description() {
  return "Periodic async events from a plugin thread, for bulkhead tests";
}
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_contact() { return "bulkhead project"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_fields() { return tp::kFields; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_extract_event_sources() { return "[\"counter\"]"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_async_events() { return "[\"tick\"]"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_async_event_sources() { return "[\"counter\"]"; }

BULKHEAD_PLUGIN_EXPORT uint16_t* plugin_get_extract_event_types(uint32_t* n, ss_plugin_t*) {
  *n = 1;
  return tp::kExtractTypes;
}

BULKHEAD_PLUGIN_EXPORT const char* plugin_get_init_schema(ss_plugin_schema_type* type) {
  *type = SS_PLUGIN_SCHEMA_JSON;
  return tp::kInitSchema;
}

BULKHEAD_PLUGIN_EXPORT ss_plugin_t* plugin_init(const ss_plugin_init_input* in, ss_plugin_rc* rc) {
  try {
    auto s = std::make_unique<tp::State>();
    *rc =
        s->configure(in != nullptr ? in->config : nullptr) ? SS_PLUGIN_SUCCESS : SS_PLUGIN_FAILURE;
    return s.release();
  } catch (const std::exception&) {
    *rc = SS_PLUGIN_FAILURE;
    return nullptr;
  }
}

BULKHEAD_PLUGIN_EXPORT void plugin_destroy(ss_plugin_t* s) { delete static_cast<tp::State*>(s); }

BULKHEAD_PLUGIN_EXPORT const char* plugin_get_last_error(ss_plugin_t* s) {
  return static_cast<tp::State*>(s)->lastError();
}

BULKHEAD_PLUGIN_EXPORT ss_plugin_rc plugin_set_async_event_handler(
    ss_plugin_t* st, ss_plugin_owner_t* owner, ss_plugin_async_event_handler_t handler) {
  auto* s = static_cast<tp::State*>(st);
  try {
    s->setHandler(owner, handler);
    return SS_PLUGIN_SUCCESS;
  } catch (const std::exception& e) {
    s->setError(std::string("ticker: cannot start the tick thread: ") + e.what());
    return SS_PLUGIN_FAILURE;
  }
}

BULKHEAD_PLUGIN_EXPORT ss_plugin_metric* plugin_get_metrics(ss_plugin_t* s, uint32_t* n) {
  return static_cast<tp::State*>(s)->metrics(n);
}

BULKHEAD_PLUGIN_EXPORT ss_plugin_rc plugin_dump_state(ss_plugin_t* st, ss_plugin_owner_t* owner,
                                                      ss_plugin_async_event_handler_t handler) {
  auto* s = static_cast<tp::State*>(st);
  try {
    return s->dump(owner, handler);
  } catch (const std::exception& e) {
    s->setError(std::string("ticker: dump_state failed: ") + e.what());
    return SS_PLUGIN_FAILURE;
  }
}

BULKHEAD_PLUGIN_EXPORT ss_plugin_rc plugin_extract_fields(ss_plugin_t* st,
                                                          const ss_plugin_event_input* evt,
                                                          const ss_plugin_field_extract_input* in) {
  auto* s = static_cast<tp::State*>(st);
  try {
    tp::ExtractResults& r = s->results();
    r.reset();
    const auto ev = tp::readAsyncEvent(evt->evt);
    std::optional<uint64_t> n;
    if (ev && ev->name == "tick") {
      if (const auto doc = tp::JsonDocument::parse(ev->data)) {
        const tp::JsonValue* v = doc->root().member("n");
        if (v != nullptr && v->kind == tp::JsonValue::Kind::kNumber) {
          n = tp::parseDecimalU64(doc->raw(*v));
        }
      }
    }
    for (uint32_t i = 0; i < in->num_fields; ++i) {
      ss_plugin_extract_field* f = &in->fields[i];
      if (f->field_id == 0 && n) {
        r.setU64(f, *n);
      } else {
        r.setNone(f);
      }
    }
    return SS_PLUGIN_SUCCESS;
  } catch (const std::exception& e) {
    s->setError(std::string("ticker: extract_fields failed: ") + e.what());
    return SS_PLUGIN_FAILURE;
  }
}
