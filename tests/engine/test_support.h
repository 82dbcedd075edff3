// Builders for engine tests: plugin schemas, real plugin events and the
// ExtractResults a host would return for a table of values per event.
#pragma once

#include <cstring>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "engine/request_plan.h"
#include "plugin_api/plugin_host.h"
#include "plugin_api/plugin_info.h"

namespace bulkhead::test {

inline FieldDescriptor field(std::string name, ss_plugin_field_type type, bool isList = false,
                             FieldArg arg = {}) {
  FieldDescriptor d;
  d.name = std::move(name);
  d.type = type;
  d.isList = isList;
  d.arg = arg;
  return d;
}

// A sourcing + extracting plugin for source "test" with a field of each type.
inline PluginInfo testPlugin() {
  PluginInfo p;
  p.name = "testplug";
  p.version = "1.2.3";
  p.id = 999;
  p.eventSource = "test";
  p.capabilities = CAP_SOURCING | CAP_EXTRACTION;
  p.fields = {
      field("t.str", FTYPE_STRING),
      field("t.num", FTYPE_UINT64),
      field("t.flag", FTYPE_BOOL),
      field("t.rel", FTYPE_RELTIME),
      field("t.abs", FTYPE_ABSTIME),
      field("t.ip", FTYPE_IPADDR),
      field("t.net", FTYPE_IPNET),
      field("t.list", FTYPE_STRING, true),
      field("t.idx", FTYPE_STRING, true, FieldArg{false, true, false}),
      field("t.key", FTYPE_STRING, false, FieldArg{true, false, true}),
      field("t.div", FTYPE_UINT64, false, FieldArg{true, true, false}),
      field("t.other", FTYPE_STRING),
      field("t.numlist", FTYPE_UINT64, true),
  };
  return p;
}

// An extract-only plugin that serves every source (like json).
inline PluginInfo anySourcePlugin() {
  PluginInfo p;
  p.name = "anyplug";
  p.version = "0.7.3";
  p.capabilities = CAP_EXTRACTION;
  p.fields = {field("any.value", FTYPE_STRING, false, FieldArg{true, false, true})};
  return p;
}

// A type-322 event in libscap layout.
inline std::vector<char> pluginEvent(uint64_t ts, uint32_t pluginId, std::string_view payload) {
  std::vector<char> buf(38 + payload.size());
  uint64_t tid = UINT64_MAX;
  auto len = static_cast<uint32_t>(buf.size());
  uint16_t type = 322;
  uint32_t nparams = 2, l0 = 4, l1 = static_cast<uint32_t>(payload.size());
  std::memcpy(&buf[0], &ts, 8);
  std::memcpy(&buf[8], &tid, 8);
  std::memcpy(&buf[16], &len, 4);
  std::memcpy(&buf[20], &type, 2);
  std::memcpy(&buf[22], &nparams, 4);
  std::memcpy(&buf[26], &l0, 4);
  std::memcpy(&buf[30], &l1, 4);
  std::memcpy(&buf[34], &pluginId, 4);
  std::memcpy(&buf[38], payload.data(), payload.size());
  return buf;
}

using Cell = std::variant<uint64_t, std::string>;
// Per event: field text ("name" or "name[arg]") -> values (empty: no value).
using Row = std::map<std::string, std::vector<Cell>>;

// What a host returns for `plan.requests(plugin)` over these rows.
inline ExtractResults extractRows(const RequestPlan& plan, size_t plugin, const PluginInfo& info,
                                  const std::vector<Row>& rows) {
  ExtractResults out;
  auto requests =
      plugin < plan.pluginCount() ? plan.requests(plugin) : std::span<const FieldRequest>{};
  out.reset(rows.size(), requests.size());
  for (size_t e = 0; e < rows.size(); ++e) {
    for (size_t r = 0; r < requests.size(); ++r) {
      const FieldRequest& req = requests[r];
      std::string key = info.fields[req.fieldId].name;
      if (req.argPresent) key += "[" + req.argKey + "]";
      auto it = rows[e].find(key);
      if (it == rows[e].end()) continue;
      auto& cell = out.cell(e, r);
      cell.first = static_cast<uint32_t>(out.valueStore().size());
      for (const Cell& c : it->second) {
        FieldValue v;
        if (const auto* n = std::get_if<uint64_t>(&c)) {
          v.u64 = *n;
        } else {
          const auto& s = std::get<std::string>(c);
          v.offset = static_cast<uint32_t>(out.byteStore().size());
          v.length = static_cast<uint32_t>(s.size());
          out.byteStore() += s;
        }
        out.valueStore().push_back(v);
      }
      cell.count = static_cast<uint32_t>(it->second.size());
    }
  }
  return out;
}

inline std::string ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return std::string{static_cast<char>(a), static_cast<char>(b), static_cast<char>(c),
                     static_cast<char>(d)};
}

}  // namespace bulkhead::test
