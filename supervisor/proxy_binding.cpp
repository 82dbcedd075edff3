#include "supervisor/proxy_binding.h"

#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "config/isolation_reader.h"
#include "config/yaml_node_reader.h"

namespace bulkhead {

namespace {

[[noreturn]] void bad(const std::string& path, const YAML::Node& at, const std::string& why) {
  const YAML::Mark m = at.Mark();
  throw std::runtime_error(path + (m.is_null() ? "" : ":" + std::to_string(m.line + 1)) + ": " +
                           why + " (run `bulkhead wrap` again to rewrite it)");
}

YAML::Node child(const std::string& path, const YAML::Node& map, const char* key) {
  YAML::Node n = map[key];
  if (!n) bad(path, map, std::string("no '") + key + "' key");
  return n;
}

std::string text(const std::string& path, const YAML::Node& map, const char* key) {
  const YAML::Node n = child(path, map, key);
  if (!n.IsScalar()) bad(path, n, std::string("'") + key + "' is not a string");
  return n.as<std::string>();
}

uint32_t number(const std::string& path, const YAML::Node& map, const char* key) {
  const YAML::Node n = child(path, map, key);
  try {
    return n.as<uint32_t>();
  } catch (const YAML::Exception&) {
    bad(path, n, std::string("'") + key + "' is not a 32-bit unsigned number");
  }
}

std::vector<std::string> list(const std::string& path, const YAML::Node& map, const char* key) {
  const YAML::Node n = child(path, map, key);
  if (!n.IsSequence()) bad(path, n, std::string("'") + key + "' is not a list");
  std::vector<std::string> out;
  for (const YAML::Node& e : n) {
    if (!e.IsScalar()) bad(path, e, std::string("'") + key + "' holds a non-string");
    out.push_back(e.as<std::string>());
  }
  return out;
}

void emitList(YAML::Emitter& out, const char* key, const std::vector<std::string>& v) {
  out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const std::string& s : v) out << s;
  out << YAML::EndSeq;
}

}  // namespace

std::string bindingPathFor(const std::string& proxyPath) { return proxyPath + ".bulkhead.yaml"; }

ProxyBinding readBinding(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw std::runtime_error(path + ": cannot be read; a proxy library is bound to its plugin by "
                             "this file, which `bulkhead wrap` writes beside it");
  } catch (const YAML::ParserException& e) {
    throw std::runtime_error(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (!root.IsMap()) bad(path, root, "not a map");
  ProxyBinding b;
  b.path = path;
  b.libraryPath = text(path, root, "library");
  b.runnerPath = text(path, root, "runner");
  b.policyDir = text(path, root, "policies");
  b.isolation = root["isolation"];
  if (b.isolation && !b.isolation.IsNull() && !b.isolation.IsMap()) {
    bad(path, b.isolation, "'isolation' is not a map");
  }
  const YAML::Node p = child(path, root, "plugin");
  if (!p.IsMap()) bad(path, p, "'plugin' is not a map");
  PluginInfo& i = b.info;
  i.libraryPath = b.libraryPath;
  i.name = text(path, p, "name");
  i.version = text(path, p, "version");
  i.requiredApiVersion = text(path, p, "required_api_version");
  i.description = text(path, p, "description");
  i.contact = text(path, p, "contact");
  i.capabilities = number(path, p, "capabilities");
  i.id = number(path, p, "id");
  i.eventSource = text(path, p, "event_source");
  i.fieldsJson = text(path, p, "fields");
  i.extractEventSources = list(path, p, "extract_event_sources");
  i.parseEventSources = list(path, p, "parse_event_sources");
  i.asyncEvents = list(path, p, "async_events");
  i.asyncEventSources = list(path, p, "async_event_sources");
  i.initSchema = text(path, p, "init_schema");
  b.exports = list(path, root, "exports");
  return b;
}

IsolationConfig bindingIsolation(const ProxyBinding& b) {
  if (!b.isolation || b.isolation.IsNull()) return IsolationConfig{};
  YamlNodeReader reader(b.path);
  return readIsolation(reader, b.isolation, "isolation", IsolationConfig{});
}

void writeBinding(const ProxyBinding& b) {
  const PluginInfo& i = b.info;
  YAML::Emitter out;
  out << YAML::Comment("Binds the proxy library beside it to the plugin it runs sandboxed.\n"
                       "Written by `bulkhead wrap`; edit `isolation` (the keys of falco.yaml's\n"
                       "bulkhead.plugins.<name>), wrap again for anything else.");
  out << YAML::BeginMap;
  out << YAML::Key << "library" << YAML::Value << b.libraryPath;
  out << YAML::Key << "runner" << YAML::Value << b.runnerPath;
  out << YAML::Key << "policies" << YAML::Value << b.policyDir;
  out << YAML::Key << "isolation" << YAML::Value;
  if (b.isolation && !b.isolation.IsNull()) {
    out << b.isolation;
  } else {
    out << YAML::BeginMap << YAML::EndMap;
  }
  out << YAML::Key << "plugin" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted << i.name;
  out << YAML::Key << "version" << YAML::Value << YAML::DoubleQuoted << i.version;
  out << YAML::Key << "required_api_version" << YAML::Value << YAML::DoubleQuoted
      << i.requiredApiVersion;
  out << YAML::Key << "description" << YAML::Value << YAML::DoubleQuoted << i.description;
  out << YAML::Key << "contact" << YAML::Value << YAML::DoubleQuoted << i.contact;
  out << YAML::Key << "capabilities" << YAML::Value << i.capabilities;
  out << YAML::Key << "id" << YAML::Value << i.id;
  out << YAML::Key << "event_source" << YAML::Value << YAML::DoubleQuoted << i.eventSource;
  out << YAML::Key << "fields" << YAML::Value << YAML::DoubleQuoted << i.fieldsJson;
  emitList(out, "extract_event_sources", i.extractEventSources);
  emitList(out, "parse_event_sources", i.parseEventSources);
  emitList(out, "async_events", i.asyncEvents);
  emitList(out, "async_event_sources", i.asyncEventSources);
  out << YAML::Key << "init_schema" << YAML::Value << YAML::DoubleQuoted << i.initSchema;
  out << YAML::EndMap;
  emitList(out, "exports", b.exports);
  out << YAML::EndMap;
  if (!out.good()) throw std::runtime_error(b.path + ": " + out.GetLastError());
  const std::string tmp = b.path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << out.c_str() << '\n';
    if (!f.flush()) throw std::runtime_error(tmp + ": cannot be written");
  }
  if (std::rename(tmp.c_str(), b.path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error(b.path + ": cannot be written");
  }
}

std::string helloMismatch(const PluginInfo& recorded, const PluginInfo& hello) {
  auto differs = [](const char* what, const std::string& was, const std::string& now) {
    return std::string(what) + " is now '" + now + "', was '" + was + "'";
  };
  if (hello.name != recorded.name) return differs("name", recorded.name, hello.name);
  if (hello.version != recorded.version) return differs("version", recorded.version, hello.version);
  if (hello.requiredApiVersion != recorded.requiredApiVersion) {
    return differs("required API version", recorded.requiredApiVersion, hello.requiredApiVersion);
  }
  if (hello.capabilities != recorded.capabilities) {
    return differs("capabilities", std::to_string(recorded.capabilities),
                   std::to_string(hello.capabilities));
  }
  if (hello.id != recorded.id) {
    return differs("event source id", std::to_string(recorded.id), std::to_string(hello.id));
  }
  if (hello.eventSource != recorded.eventSource) {
    return differs("event source", recorded.eventSource, hello.eventSource);
  }
  if (hello.fieldsJson != recorded.fieldsJson) return "its fields changed";
  if (hello.extractEventSources != recorded.extractEventSources ||
      hello.parseEventSources != recorded.parseEventSources ||
      hello.asyncEvents != recorded.asyncEvents ||
      hello.asyncEventSources != recorded.asyncEventSources) {
    return "its extraction, parsing or async event sources changed";
  }
  if (hello.initSchema != recorded.initSchema) return "its init schema changed";
  return "";
}

}  // namespace bulkhead
