#include "supervisor/info_commands.h"

#include <spdlog/spdlog.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "config/paths.h"
#include "config/yaml_to_json.h"
#include "engine/field_catalog.h"
#include "engine/priority.h"
#include "engine/version_check.h"
#include "plugin_api/field_schema.h"
#include "plugin_api/plugin_set.h"
#include "plugin_api/version.h"
#include "plugin_api/visible_text.h"

#ifndef BULKHEAD_VERSION
#error "BULKHEAD_VERSION is set by supervisor/CMakeLists.txt"
#endif

namespace bulkhead {

namespace {

std::string shown(const std::string& s) { return visibleText(s, kShownTextBytes); }

std::string quoted(std::string_view s) {
  std::string out;
  appendJsonString(out, s);
  return out;
}

// Builds one JSON object key by key; values are already JSON text.
class JsonObject {
 public:
  JsonObject& raw(std::string_view key, std::string_view json) {
    text_ += (text_.empty() ? "{" : ",") + quoted(key) + ":" + std::string(json);
    return *this;
  }
  JsonObject& str(std::string_view key, std::string_view value) { return raw(key, quoted(value)); }
  std::string done() const { return text_.empty() ? "{}" : text_ + "}"; }

 private:
  std::string text_;
};

std::string stringArray(std::span<const std::string> items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i == 0 ? "" : ",") + quoted(items[i]);
  return out + "]";
}

std::string readWhole(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Falco's wrap of a rule description: words joined by spaces, a line
// break before a word that would pass `lineLen`, continuation lines
// indented by `indent` columns; every word keeps its trailing space.
std::string wrapText(const std::string& in, size_t indent, size_t lineLen) {
  std::istringstream words(in);
  std::string out;
  std::string word;
  size_t len = 0;
  while (words >> word) {
    if (len + word.size() + 1 <= lineLen - indent) {
      len += word.size() + 1;
    } else {
      out += "\n" + std::string(indent, ' ');
      len = word.size() + 1;
    }
    out += word + " ";
  }
  return out;
}

void twoColumns(const std::string& left, const std::string& right) {
  std::printf("%-50s %s\n", left.c_str(), right.c_str());
}

std::string fieldName(const FieldDescriptor& f) {
  return f.name + (f.arg.required ? (f.arg.isIndex ? "[index]" : "[key]") : "");
}

std::string typeName(const FieldDescriptor& f) {
  std::string t = fieldTypeName(f.type);
  return f.isList ? "LIST(" + t + ")" : t;
}

// The sources a plugin's fields serve, among those loaded.
std::vector<std::string> fieldSources(const PluginInfo& info,
                                      const std::vector<std::string>& loaded) {
  std::vector<std::string> out;
  for (const std::string& s : loaded) {
    if (servesSource(info.extractEventSources, s) || info.eventSource == s) out.push_back(s);
  }
  return out;
}

void printTextClass(const PluginInfo& info, const std::vector<std::string>& sources) {
  std::string list;
  for (const std::string& s : sources) list += (list.empty() ? "" : ", ") + shown(s);
  if (info.extractEventSources.empty()) list = "all sources";
  std::printf("Field Class: %s (%s)\n\n", shown(info.name).c_str(), list.c_str());
  for (const FieldDescriptor& f : info.fields) {
    if (f.hidden) continue;
    std::printf("%-30s %s\n", shown(fieldName(f)).c_str(), shown(f.description).c_str());
  }
  std::printf("\n");
}

void printMarkdownClass(const PluginInfo& info, const std::vector<std::string>& sources) {
  std::printf("## Field Class: %s\n\n", shown(info.name).c_str());
  if (!info.description.empty()) std::printf("%s\n\n", shown(info.description).c_str());
  if (!sources.empty()) {
    std::printf("Event Sources: ");
    for (const std::string& s : sources) std::printf("%s ", shown(s).c_str());
    std::printf("\n\n");
  }
  std::printf("Name | Type | Description\n:----|:-----|:-----------\n");
  for (const FieldDescriptor& f : info.fields) {
    if (f.hidden) continue;
    std::printf("`%s` | %s | %s\n", shown(fieldName(f)).c_str(), typeName(f).c_str(),
                shown(f.description).c_str());
  }
  std::printf("\n");
}

std::string jsonClass(const PluginInfo& info, const std::vector<std::string>& sources) {
  std::string fields = "[";
  for (const FieldDescriptor& f : info.fields) {
    if (f.hidden) continue;
    fields += (fields.size() == 1 ? "" : ",") + JsonObject()
                                                    .str("name", fieldName(f))
                                                    .str("type", typeName(f))
                                                    .str("desc", f.description)
                                                    .done();
  }
  return JsonObject()
      .str("name", info.name)
      .str("desc", info.description)
      .raw("event_sources", stringArray(sources))
      .raw("fields", fields + "]")
      .done();
}

std::string ruleJson(const CompiledRule& r) {
  return JsonObject()
      .raw("info", JsonObject()
                       .str("name", r.name)
                       .str("condition", r.conditionText)
                       .str("priority", priorityName(r.priority))
                       .str("output", r.outputText)
                       .str("description", r.description)
                       .str("source", r.source)
                       .raw("enabled", r.enabled ? "true" : "false")
                       .raw("tags", stringArray(r.tags))
                       .done())
      .done();
}

}  // namespace

void printVersion(bool json) {
  if (json) {
    std::printf("%s\n", versionJson({}).c_str());
    return;
  }
  std::printf("bulkhead version: %s\n", BULKHEAD_VERSION);
  std::printf("Plugin API:    %s\n", frameworkApiVersion().str().c_str());
  std::printf("Engine:        %s\n", kEngineVersion.str().c_str());
}

std::string versionJson(std::span<const PluginInfo> plugins) {
  JsonObject versions;
  for (const PluginInfo& p : plugins) versions.str(p.name, p.version);
  JsonObject o;
  o.str("bulkhead_version", BULKHEAD_VERSION)
      .str("plugin_api_version", frameworkApiVersion().str())
      .str("engine_version", std::to_string(kEngineVersion.minor))
      .str("engine_version_semver", kEngineVersion.str());
  if (!plugins.empty()) o.raw("plugin_versions", versions.done());
  return o.done();
}

void printSupport(const Config& config, const std::string& cmdline,
                  std::span<const RulesText> rules, std::span<const PluginInfo> plugins) {
  struct utsname u {};
  if (::uname(&u) != 0) {
    throw std::runtime_error(std::string("Could not get system info: ") + std::strerror(errno));
  }
  const std::string system = JsonObject()
                                 .str("sysname", u.sysname)
                                 .str("nodename", u.nodename)
                                 .str("release", u.release)
                                 .str("version", u.version)
                                 .str("machine", u.machine)
                                 .done();
  std::string files = "[";
  for (const RulesText& r : rules) {
    const std::string variant = JsonObject().str("content", readWhole(r.name)).done();
    files += (files.size() == 1 ? "" : ",") +
             JsonObject().str("name", r.name).raw("variants", "[" + variant + "]").done();
  }
  std::printf("%s\n", JsonObject()
                          .raw("system_info", system)
                          .str("version", BULKHEAD_VERSION)
                          .raw("engine_info", versionJson(plugins))
                          .str("cmdline", cmdline)
                          .str("config", config.dump)
                          .raw("rules_files", files + "]")
                          .done()
                          .c_str());
}

void listFields(std::span<const PluginInfo> plugins, const std::string& source, bool namesOnly,
                ListFormat format) {
  const std::vector<std::string> loaded = providedSources(plugins);
  if (!source.empty() && std::find(loaded.begin(), loaded.end(), source) == loaded.end()) {
    throw std::runtime_error("Value for --list must be a valid source type");
  }
  std::vector<std::string> names;
  std::string classes;
  for (const PluginInfo& info : plugins) {
    if (info.fields.empty()) continue;
    if (!source.empty() && !servesSource(info.extractEventSources, source)) continue;
    std::vector<std::string> sources = fieldSources(info, loaded);
    if (!source.empty()) sources = {source};
    if (namesOnly) {
      for (const FieldDescriptor& f : info.fields) {
        if (!f.hidden) names.push_back(fieldName(f));
      }
    } else if (format == ListFormat::kText) {
      printTextClass(info, sources);
    } else if (format == ListFormat::kMarkdown) {
      printMarkdownClass(info, sources);
    } else {
      classes += (classes.empty() ? "" : ",") + jsonClass(info, sources);
    }
  }
  if (format == ListFormat::kJson) {
    if (namesOnly) {
      std::printf("{\"fieldnames\":%s}\n", stringArray(names).c_str());
    } else {
      std::printf("{\"fieldclasses\":[%s]}\n", classes.c_str());
    }
  } else {
    for (const std::string& n : names) std::printf("%s\n", shown(n).c_str());
  }
}

void describeRules(const LoadResult& rules, std::span<const RulesText> files,
                   const std::optional<std::string>& rule, bool json) {
  // In the order the rules files define them, as Falco lists them.
  std::map<std::string, size_t> fileOrder;
  for (size_t i = 0; i < files.size(); ++i) fileOrder.emplace(files[i].name, i);
  std::vector<const CompiledRule*> all;
  for (const RuleSet& set : rules.ruleSets) {
    for (const CompiledRule& r : set.rules()) all.push_back(&r);
  }
  std::stable_sort(all.begin(), all.end(), [&](const CompiledRule* a, const CompiledRule* b) {
    return std::pair(fileOrder[a->file], a->line) < std::pair(fileOrder[b->file], b->line);
  });
  if (rule) {
    auto it = std::find_if(all.begin(), all.end(),
                           [&](const CompiledRule* r) { return r->name == *rule; });
    if (it == all.end()) throw std::runtime_error("Rule \"" + *rule + "\" is not loaded");
    all = {*it};
  }
  if (json) {
    std::string out = "[";
    for (const CompiledRule* r : all) out += (out.size() == 1 ? "" : ",") + ruleJson(*r);
    std::printf("{\"rules\":%s]}\n", out.c_str());
    return;
  }
  twoColumns("Rule", "Description");
  twoColumns("----", "-----------");
  for (const CompiledRule* r : all) {
    twoColumns(shown(r->name), wrapText(shown(r->description), 51, 110) + "\n");
  }
}

void printPluginInfo(const PluginInfo& info) {
  std::printf("Name: %s\nDescription: %s\nContact: %s\nVersion: %s\nCapabilities: \n",
              shown(info.name).c_str(), shown(info.description).c_str(),
              shown(info.contact).c_str(), shown(info.version).c_str());
  if (info.has(CAP_SOURCING)) {
    std::printf("  - Event Sourcing (ID=%u, source='%s')\n", info.id,
                shown(info.eventSource).c_str());
  }
  if (info.has(CAP_EXTRACTION)) std::printf("  - Field Extraction\n");
  if (info.has(CAP_PARSING)) std::printf("  - Event Parsing\n");
  if (info.has(CAP_ASYNC)) std::printf("  - Async Events\n");
  if (info.has(CAP_CAPTURE_LISTENING)) std::printf("  - Capture Listening\n");
  std::printf("\n");
  if (info.initSchema.empty()) {
    std::printf(
        "Init config schema type: Not available, plugin does not implement the init config "
        "schema functionality\n\n\n");
  } else {
    std::printf("Init config schema type: JSON\n%s\n\n", shown(info.initSchema).c_str());
  }
  if (info.has(CAP_SOURCING)) {
    std::printf(
        "No suggested open params available: bulkhead does not ask plugins for them "
        "(list_open_params)\n\n");
  }
}

const PluginConfig& findPluginForInfo(const Config& config, const std::string& nameOrPath) {
  const std::string asPath = absoluteUnder(config.pluginsDir, nameOrPath);
  for (const PluginConfig& p : config.plugins) {
    if (p.name == nameOrPath || p.libraryPath == nameOrPath || p.libraryPath == asPath) return p;
  }
  throw std::runtime_error("can't find plugin and print its info: " + nameOrPath);
}

void printPageSize() {
  const long size = ::sysconf(_SC_PAGESIZE);
  if (size <= 0) throw std::runtime_error("Unable to get the system page size");
  spdlog::info("Your system page size is: {} bytes", size);
}

}  // namespace bulkhead
