// Helpers for driving a test plugin through the raw ABI in the smoke tests.
#ifndef BULKHEAD_TESTS_PLUGINS_SMOKE_HELPERS_H_
#define BULKHEAD_TESTS_PLUGINS_SMOKE_HELPERS_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "plugin_api/plugin_api.h"
#include "tests/plugins/plugin_library.h"

namespace bulkhead::test_plugins {

// Checks a get_fields answer against plugin-abi.md §5; returns the parsed array.
inline boost::json::array checkFieldsJson(const char* text) {
  EXPECT_NE(text, nullptr);
  if (text == nullptr) return {};
  boost::json::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  EXPECT_FALSE(ec) << "get_fields is not JSON: " << ec.message() << "\n" << text;
  if (ec || !v.is_array()) {
    ADD_FAILURE() << "get_fields is not a JSON array";
    return {};
  }
  const auto& arr = v.as_array();
  EXPECT_FALSE(arr.empty());
  static const std::vector<std::string> kTypes = {"string", "uint64", "reltime", "abstime",
                                                  "bool",   "ipaddr", "ipnet"};
  for (const auto& f : arr) {
    EXPECT_TRUE(f.is_object());
    const auto& o = f.as_object();
    EXPECT_TRUE(o.contains("name") && o.at("name").is_string() &&
                !o.at("name").as_string().empty());
    EXPECT_TRUE(o.contains("desc") && o.at("desc").is_string() &&
                !o.at("desc").as_string().empty());
    if (!o.contains("type") || !o.at("type").is_string()) {
      ADD_FAILURE() << "field without a string type: " << f;
      continue;
    }
    const std::string type(o.at("type").as_string());
    EXPECT_NE(std::find(kTypes.begin(), kTypes.end(), type), kTypes.end()) << type;
    if (o.contains("arg") && o.at("arg").is_object()) {
      const auto& arg = o.at("arg").as_object();
      auto flag = [&](const char* k) { return arg.contains(k) && arg.at(k).as_bool(); };
      if (flag("isRequired")) {
        EXPECT_TRUE(flag("isIndex") || flag("isKey")) << o.at("name");
      }
    }
  }
  return arr;
}

// Field type codes for a field-type name.
inline uint32_t fieldTypeCode(const std::string& type) {
  if (type == "string") return FTYPE_STRING;
  if (type == "uint64") return FTYPE_UINT64;
  if (type == "reltime") return FTYPE_RELTIME;
  if (type == "abstime") return FTYPE_ABSTIME;
  if (type == "bool") return FTYPE_BOOL;
  if (type == "ipaddr") return FTYPE_IPADDR;
  return FTYPE_IPNET;
}

// One initialised plugin state, destroyed on scope exit.
class PluginState {
 public:
  PluginState(const PluginLibrary& lib, const char* config)
      : destroy_(lib.require<plugin_destroy_fn>("destroy")),
        lastError_(lib.require<plugin_get_last_error_fn>("get_last_error")) {
    ss_plugin_init_input in{};
    in.config = config;
    state_ = lib.require<plugin_init_fn>("init")(&in, &rc_);
  }
  ~PluginState() {
    if (state_ != nullptr) destroy_(state_);
  }
  PluginState(const PluginState&) = delete;
  PluginState& operator=(const PluginState&) = delete;

  ss_plugin_t* get() const { return state_; }
  ss_plugin_rc rc() const { return rc_; }
  std::string lastError() const { return state_ ? lastError_(state_) : "<no state>"; }

 private:
  plugin_destroy_fn destroy_;
  plugin_get_last_error_fn lastError_;
  ss_plugin_t* state_ = nullptr;
  ss_plugin_rc rc_ = SS_PLUGIN_FAILURE;
};

// A request for one field, as libsinsp builds it.
struct FieldRequest {
  FieldRequest(uint32_t id, std::string name, uint32_t type, bool list = false,
               std::optional<std::string> key = std::nullopt,
               std::optional<uint64_t> index = std::nullopt)
      : id(id), name(std::move(name)), type(type), list(list), key(std::move(key)), index(index) {}

  uint32_t id;
  std::string name;
  uint32_t type;
  bool list;
  std::optional<std::string> key;
  std::optional<uint64_t> index;
};

// Copies of one field's results, taken right after the call.
struct FieldValue {
  uint64_t count = 0;
  std::vector<std::string> strings;  // STRING, and IPADDR/IPNET bytes
  std::vector<uint64_t> u64s;        // UINT64, RELTIME, ABSTIME, BOOL
};

// Calls extract_fields once with all `reqs` and copies the results out.
inline std::vector<FieldValue> extract(const PluginLibrary& lib, ss_plugin_t* state,
                                       const ss_plugin_event* evt, const char* source,
                                       const std::vector<FieldRequest>& reqs,
                                       ss_plugin_rc* rcOut = nullptr, uint64_t evtnum = 1) {
  std::vector<ss_plugin_extract_field> fields(reqs.size());
  for (size_t i = 0; i < reqs.size(); ++i) {
    auto& f = fields[i];
    f.field_id = reqs[i].id;
    f.field = reqs[i].name.c_str();
    f.ftype = reqs[i].type;
    f.flist = reqs[i].list ? 1 : 0;
    f.arg_present = reqs[i].key || reqs[i].index;
    f.arg_key = reqs[i].key ? reqs[i].key->c_str() : nullptr;
    f.arg_index = reqs[i].index ? *reqs[i].index : UINT64_MAX;
  }
  ss_plugin_field_extract_input in{};
  in.num_fields = static_cast<uint32_t>(fields.size());
  in.fields = fields.data();
  ss_plugin_event_input ei{};
  ei.evt = evt;
  ei.evtnum = evtnum;
  ei.evtsrc = source;
  const ss_plugin_rc rc = lib.require<plugin_extract_fields_fn>("extract_fields")(state, &ei, &in);
  if (rcOut != nullptr) *rcOut = rc;
  std::vector<FieldValue> out(reqs.size());
  if (rc != SS_PLUGIN_SUCCESS) return out;
  // Results are read only after the whole call: values of early fields must
  // survive the plugin computing later ones.
  for (size_t i = 0; i < reqs.size(); ++i) {
    const auto& f = fields[i];
    auto& v = out[i];
    v.count = f.res_len;
    for (uint64_t k = 0; k < f.res_len; ++k) {
      switch (f.ftype) {
        case FTYPE_STRING:
          v.strings.emplace_back(f.res.str[k]);
          break;
        case FTYPE_BOOL:
          v.u64s.push_back(f.res.boolean[k]);
          break;
        case FTYPE_IPADDR:
        case FTYPE_IPNET:
          v.strings.emplace_back(static_cast<const char*>(f.res.buf[k].ptr), f.res.buf[k].len);
          break;
        default:
          v.u64s.push_back(f.res.u64[k]);
          break;
      }
    }
  }
  return out;
}

template <typename T>
T at(const std::vector<uint8_t>& evt, size_t off) {
  T v;
  EXPECT_LE(off + sizeof v, evt.size());
  std::memcpy(&v, evt.data() + off, sizeof v);
  return v;
}

inline const ss_plugin_event* asEvent(const std::vector<uint8_t>& bytes) {
  return reinterpret_cast<const ss_plugin_event*>(bytes.data());
}

// A hand-made type-322 event, built here rather than with the plugins' codec.
inline std::vector<uint8_t> pluginEvent(uint32_t id, std::string_view payload, uint64_t ts = 7) {
  std::vector<uint8_t> e(38 + payload.size());
  const uint64_t tid = UINT64_MAX;
  const auto len = static_cast<uint32_t>(e.size());
  const uint16_t type = 322;
  const uint32_t nparams = 2, len0 = 4, len1 = static_cast<uint32_t>(payload.size());
  std::memcpy(&e[0], &ts, 8);
  std::memcpy(&e[8], &tid, 8);
  std::memcpy(&e[16], &len, 4);
  std::memcpy(&e[20], &type, 2);
  std::memcpy(&e[22], &nparams, 4);
  std::memcpy(&e[26], &len0, 4);
  std::memcpy(&e[30], &len1, 4);
  std::memcpy(&e[34], &id, 4);
  std::memcpy(e.data() + 38, payload.data(), payload.size());
  return e;
}

struct Capture {
  std::vector<std::vector<uint8_t>> events;  // copies
  std::vector<ss_plugin_rc> rcs;             // one per next_batch call
  std::vector<uint32_t> batchSizes;          // one per next_batch call
  std::string openError;
};

// Opens with `params` and calls next_batch until EOF/FAILURE or `maxCalls`.
inline Capture drain(const PluginLibrary& lib, ss_plugin_t* state, const char* params,
                     size_t maxCalls = 100000) {
  Capture c;
  ss_plugin_rc rc = SS_PLUGIN_FAILURE;
  ss_instance_t* h = lib.require<plugin_open_fn>("open")(state, params, &rc);
  if (rc != SS_PLUGIN_SUCCESS) {
    EXPECT_EQ(h, nullptr);
    c.openError = lib.require<plugin_get_last_error_fn>("get_last_error")(state);
    return c;
  }
  EXPECT_NE(h, nullptr);
  auto next = lib.require<plugin_next_batch_fn>("next_batch");
  for (size_t call = 0; call < maxCalls; ++call) {
    uint32_t n = 0;
    ss_plugin_event** evts = nullptr;
    rc = next(state, h, &n, &evts);
    c.rcs.push_back(rc);
    c.batchSizes.push_back(n);
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t len = 0;
      std::memcpy(&len, reinterpret_cast<const uint8_t*>(evts[i]) + 16, 4);
      const auto* p = reinterpret_cast<const uint8_t*>(evts[i]);
      c.events.emplace_back(p, p + len);
    }
    if (rc == SS_PLUGIN_EOF || rc == SS_PLUGIN_FAILURE) break;
  }
  lib.require<plugin_close_fn>("close")(state, h);
  return c;
}

inline std::string payloadOf(const std::vector<uint8_t>& evt) {
  return std::string(reinterpret_cast<const char*>(evt.data()) + 38, at<uint32_t>(evt, 30));
}

}  // namespace bulkhead::test_plugins

#endif  // BULKHEAD_TESTS_PLUGINS_SMOKE_HELPERS_H_
