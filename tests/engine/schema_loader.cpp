#include "tests/engine/schema_loader.h"

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace bulkhead::test {

namespace json = boost::json;

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

namespace {

ss_plugin_field_type fieldType(const std::string& t) {
  if (t == "string") return FTYPE_STRING;
  if (t == "uint64") return FTYPE_UINT64;
  if (t == "reltime") return FTYPE_RELTIME;
  if (t == "abstime") return FTYPE_ABSTIME;
  if (t == "bool") return FTYPE_BOOL;
  if (t == "ipaddr") return FTYPE_IPADDR;
  if (t == "ipnet") return FTYPE_IPNET;
  throw std::runtime_error("unknown field type " + t);
}

bool flag(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_bool() && v->as_bool();
}

}  // namespace

PluginInfo loadSchema(const std::string& path) {
  json::object o = json::parse(readFile(path)).as_object();
  PluginInfo p;
  p.libraryPath = path;
  p.name = json::value_to<std::string>(o.at("name"));
  p.version = json::value_to<std::string>(o.at("version"));
  p.requiredApiVersion = json::value_to<std::string>(o.at("required_api_version"));
  p.id = static_cast<uint32_t>(o.at("id").to_number<uint64_t>());
  p.eventSource = json::value_to<std::string>(o.at("event_source"));
  p.capabilities = CAP_EXTRACTION;
  if (!p.eventSource.empty()) p.capabilities |= CAP_SOURCING;
  for (const auto& s : o.at("extract_event_sources").as_array())
    p.extractEventSources.push_back(json::value_to<std::string>(s));
  for (const auto& fv : o.at("fields").as_array()) {
    const json::object& f = fv.as_object();
    FieldDescriptor d;
    d.name = json::value_to<std::string>(f.at("name"));
    d.type = fieldType(json::value_to<std::string>(f.at("type")));
    d.isList = flag(f, "isList");
    if (auto* a = f.if_contains("arg"); a && a->is_object()) {
      d.arg.required = flag(a->as_object(), "isRequired");
      d.arg.isIndex = flag(a->as_object(), "isIndex");
      d.arg.isKey = flag(a->as_object(), "isKey");
    }
    if (auto* props = f.if_contains("properties"); props && props->is_array()) {
      for (const auto& s : props->as_array()) {
        d.properties.push_back(json::value_to<std::string>(s));
        if (d.properties.back() == "hidden") d.hidden = true;
      }
    }
    p.fields.push_back(std::move(d));
  }
  return p;
}

}  // namespace bulkhead::test
