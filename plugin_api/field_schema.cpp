#include "plugin_api/field_schema.h"

#include <boost/json.hpp>

#include "plugin_api/visible_text.h"

namespace bulkhead {

namespace json = boost::json;

namespace {

struct TypeName {
  ss_plugin_field_type type;
  const char* name;
};
constexpr TypeName kTypeNames[] = {
    {FTYPE_UINT64, "uint64"},   {FTYPE_STRING, "string"}, {FTYPE_RELTIME, "reltime"},
    {FTYPE_ABSTIME, "abstime"}, {FTYPE_BOOL, "bool"},     {FTYPE_IPADDR, "ipaddr"},
    {FTYPE_IPNET, "ipnet"},
};

json::value parseJson(std::string_view text, const std::string& who, const char* what) {
  if (text.size() > kMaxMetadataJsonBytes) {
    throw PluginError(who + ": " + what + " returned " + std::to_string(text.size()) +
                      " bytes of JSON, more than the limit of " +
                      std::to_string(kMaxMetadataJsonBytes));
  }
  json::parse_options opts;
  opts.max_depth = 32;
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec, {}, opts);
  if (ec) throw PluginError(who + ": " + what + " returned malformed JSON: " + ec.message());
  return v;
}

class EntryReader {
 public:
  EntryReader(const json::object& o, std::string context) : o_(o), context_(std::move(context)) {}

  // An absent key and a JSON null both mean "not given".
  const json::value* find(const char* key) const {
    auto it = o_.find(key);
    if (it == o_.end() || it->value().is_null()) return nullptr;
    return &it->value();
  }
  [[noreturn]] void fail(const char* key, const std::string& what) const {
    throw PluginError(context_ + ": '" + key + "' " + what);
  }
  std::string string(const char* key, bool required) const {
    const json::value* v = find(key);
    if (v == nullptr) {
      if (required) fail(key, "is required");
      return {};
    }
    if (!v->is_string()) fail(key, "must be a string");
    std::string s(v->as_string());
    if (required && s.empty()) fail(key, "must not be empty");
    return s;
  }
  bool boolean(const char* key) const {
    const json::value* v = find(key);
    if (v == nullptr) return false;
    if (!v->is_bool()) fail(key, "must be a boolean");
    return v->as_bool();
  }
  const std::string& context() const { return context_; }

 private:
  const json::object& o_;
  std::string context_;
};

FieldDescriptor parseEntry(const json::value& v, size_t index, const std::string& prefix) {
  std::string context = prefix + ": field #" + std::to_string(index);
  if (!v.is_object()) throw PluginError(context + " is not a JSON object");
  EntryReader r(v.as_object(), context);
  FieldDescriptor f;
  f.name = r.string("name", true);
  EntryReader named(v.as_object(),
                    context + " ('" + visibleText(f.name, kShownNameBytes) + "')");
  std::string type = named.string("type", true);
  if (!parseFieldTypeName(type, f.type)) {
    named.fail("type", "is '" + visibleText(type, kShownNameBytes) +
                           "', expected one of string, uint64, reltime, abstime, bool, ipaddr, "
                           "ipnet");
  }
  f.description = named.string("desc", true);
  f.display = named.string("display", false);
  f.isList = named.boolean("isList");
  f.addOutput = named.boolean("addOutput");
  if (const json::value* arg = named.find("arg")) {
    if (!arg->is_object()) named.fail("arg", "must be an object");
    EntryReader a(arg->as_object(), named.context() + " arg");
    f.arg.required = a.boolean("isRequired");
    f.arg.isIndex = a.boolean("isIndex");
    f.arg.isKey = a.boolean("isKey");
    if (f.arg.required && !f.arg.isIndex && !f.arg.isKey) {
      a.fail("isRequired", "is set but neither isIndex nor isKey is: no argument is accepted");
    }
  }
  if (const json::value* props = named.find("properties")) {
    if (!props->is_array()) named.fail("properties", "must be an array of strings");
    for (const json::value& p : props->as_array()) {
      if (!p.is_string()) named.fail("properties", "must be an array of strings");
      f.properties.emplace_back(p.as_string());
      if (f.properties.back() == "hidden") f.hidden = true;
    }
  }
  return f;
}

}  // namespace

const char* fieldTypeName(ss_plugin_field_type t) {
  for (const TypeName& n : kTypeNames) {
    if (n.type == t) return n.name;
  }
  return "unknown";
}

bool parseFieldTypeName(std::string_view name, ss_plugin_field_type& out) {
  for (const TypeName& n : kTypeNames) {
    if (name == n.name) {
      out = n.type;
      return true;
    }
  }
  return false;
}

std::vector<FieldDescriptor> parseFieldSchema(std::string_view text, const std::string& who) {
  json::value v = parseJson(text, who, "get_fields");
  if (!v.is_array()) throw PluginError(who + ": get_fields must return a JSON array");
  const json::array& a = v.as_array();
  if (a.empty()) throw PluginError(who + ": get_fields returned an empty list of fields");
  std::vector<FieldDescriptor> fields;
  fields.reserve(a.size());
  for (size_t i = 0; i < a.size(); ++i) fields.push_back(parseEntry(a[i], i, who + ": get_fields"));
  return fields;
}

std::vector<std::string> parseStringList(std::string_view text, const std::string& who,
                                         const char* what) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  json::value v = parseJson(text, who, what);
  if (!v.is_array()) throw PluginError(who + ": " + what + " must return a JSON array");
  for (const json::value& e : v.as_array()) {
    if (!e.is_string()) throw PluginError(who + ": " + what + " must return strings only");
    if (!e.as_string().empty()) out.emplace_back(e.as_string());
  }
  return out;
}

}  // namespace bulkhead
