#include "config/plugins_reader.h"

#include <algorithm>
#include <set>

#include "config/isolation_reader.h"
#include "config/paths.h"
#include "config/yaml_to_json.h"

namespace bulkhead {
namespace {

std::string trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\n\r\f\v";
  std::size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  std::size_t end = text.find_last_not_of(kSpace);
  return std::string(text.substr(begin, end - begin + 1));
}

std::string quoted(std::string_view name) {
  // Appended piece by piece: g++ 12 at -O3 flags "'" + std::string as a
  // -Wrestrict overlap (a false positive) and warnings are errors.
  std::string out;
  out.reserve(name.size() + 2);
  out += '\'';
  out += name;
  out += '\'';
  return out;
}

PluginConfig readPluginEntry(YamlNodeReader& reader, const YAML::Node& node,
                             const std::string& path, const std::string& pluginsDir) {
  if (!node.IsMap()) {
    reader.fail(node, path,
                std::string("expected a plugin entry {name, library_path, init_config, "
                            "open_params}, got ") +
                    nodeKindName(node));
  }
  reader.warnUnknownKeys(node, path, {"name", "library_path", "init_config", "open_params"});
  PluginConfig plugin;
  plugin.location = reader.locate(node, path);

  auto name = reader.find(node, path, "name");
  if (!name) reader.fail(node, path, "plugin entry has no 'name'; add name: <plugin name>");
  std::string namePath = joinPath(path, "name");
  plugin.name = reader.nonEmptyString(name->value, namePath);
  if (hasControlChar(plugin.name)) {
    reader.fail(name->value, namePath, "plugin name contains a control character");
  }
  std::string prefix = "plugin " + quoted(plugin.name) + ": ";

  auto library = reader.find(node, path, "library_path");
  if (!library) {
    reader.fail(node, path, prefix + "no 'library_path'; add library_path: lib<name>.so");
  }
  std::string libraryPath = joinPath(path, "library_path");
  std::string given = reader.string(library->value, libraryPath);
  if (given.empty()) reader.fail(library->value, libraryPath, prefix + "library_path is empty");
  if (hasControlChar(given)) {
    reader.fail(library->value, libraryPath, prefix + "library_path contains a control character");
  }
  auto resolved = resolveInside(pluginsDir, given);
  if (!resolved) {
    reader.fail(library->value, libraryPath,
                prefix + "library_path " + quoted(given) + " leaves the plugins directory " +
                    quoted(pluginsDir) +
                    " it is resolved in; put the library inside that directory (or set "
                    "bulkhead.plugins_dir), or give an absolute path");
  }
  plugin.libraryPath = *resolved;

  if (auto init = reader.find(node, path, "init_config")) {
    std::string initPath = joinPath(path, "init_config");
    const YAML::Node& value = init->value;
    if (value.IsScalar()) {
      plugin.initConfig = value.Scalar();
    } else if (value.IsMap() || value.IsSequence()) {
      try {
        plugin.initConfig = yamlToJson(value);
      } catch (const YamlToJsonError& e) {
        reader.fail(e.node(), initPath,
                    prefix + "cannot turn init_config into JSON: " + e.what() +
                        "; simplify it or give it as a JSON string");
      }
    }
  }
  if (auto open = reader.find(node, path, "open_params")) {
    std::string openPath = joinPath(path, "open_params");
    if (open->value.IsMap() || open->value.IsSequence()) {
      reader.fail(
          open->value, openPath,
          prefix + "open_params must be a string, got " + nodeKindName(open->value) + "; quote it");
    }
    plugin.openParams = trim(reader.string(open->value, openPath));
  }
  return plugin;
}

}  // namespace

std::vector<PluginConfig> readPluginEntries(YamlNodeReader& reader, const YAML::Node& root,
                                            const std::string& pluginsDir) {
  std::vector<PluginConfig> out;
  auto plugins = reader.find(root, "", "plugins");
  if (!plugins || plugins->value.IsNull()) return out;
  if (!plugins->value.IsSequence()) {
    reader.fail(plugins->value, "plugins",
                std::string("expected a list of plugin entries (- name: ...), got ") +
                    nodeKindName(plugins->value));
  }
  std::size_t i = 0;
  for (auto it = plugins->value.begin(); it != plugins->value.end(); ++it, ++i) {
    std::string path = indexPath("plugins", i);
    PluginConfig plugin = readPluginEntry(reader, *it, path, pluginsDir);
    for (const PluginConfig& earlier : out) {
      if (earlier.name == plugin.name) {
        reader.fail(*it, path,
                    "plugin name " + quoted(plugin.name) + " is already used by the entry at " +
                        earlier.location + "; plugin names must be unique, rename or remove one");
      }
    }
    out.push_back(std::move(plugin));
  }
  return out;
}

std::vector<PluginConfig> selectLoadedPlugins(YamlNodeReader& reader, const YAML::Node& root,
                                              std::vector<PluginConfig> entries) {
  auto load = reader.find(root, "", "load_plugins");
  if (!load) return entries;
  const YAML::Node& list = load->value;
  std::vector<PluginConfig> out;
  if (list.IsNull()) {
    reader.warn(list, "load_plugins", "empty value: no plugin is loaded; write [] to say so");
    return out;
  }
  if (!list.IsSequence()) {
    reader.fail(list, "load_plugins",
                std::string("expected a list of plugin names such as [k8saudit, json], got ") +
                    nodeKindName(list));
  }
  std::set<std::string> seen;
  std::size_t i = 0;
  for (auto it = list.begin(); it != list.end(); ++it, ++i) {
    std::string path = indexPath("load_plugins", i);
    if (!it->IsScalar()) {
      reader.fail(*it, path, std::string("expected a plugin name, got ") + nodeKindName(*it));
    }
    std::string name = it->Scalar();
    if (!seen.insert(name).second) {
      reader.warn(*it, path, "plugin " + quoted(name) + " is listed twice; loaded once");
      continue;
    }
    auto found = std::find_if(entries.begin(), entries.end(),
                              [&](const PluginConfig& p) { return p.name == name; });
    if (found == entries.end()) {
      reader.fail(*it, path,
                  "cannot load plugin " + quoted(name) +
                      ": plugin config not found for given name; add a plugins entry named " +
                      quoted(name) + " or remove it from load_plugins");
    }
    out.push_back(*found);
  }
  return out;
}

void applyIsolation(YamlNodeReader& reader, const YAML::Node& bulkhead,
                    std::vector<PluginConfig>& plugins) {
  IsolationConfig defaults;
  YAML::Node perPlugin(YAML::NodeType::Undefined);
  if (bulkhead.IsMap()) {
    if (auto d = reader.find(bulkhead, "bulkhead", "defaults")) {
      defaults = readIsolation(reader, d->value, "bulkhead.defaults", defaults);
    }
    if (auto p = reader.find(bulkhead, "bulkhead", "plugins")) {
      reader.expectMap(p->value, "bulkhead.plugins");
      if (p->value.IsMap()) perPlugin.reset(p->value);
    }
  }
  for (PluginConfig& plugin : plugins) plugin.isolation = defaults;
  if (!perPlugin.IsDefined()) return;

  std::set<std::string> seen;
  for (auto it = perPlugin.begin(); it != perPlugin.end(); ++it) {
    YAML::Node key = it->first;
    if (!key.IsScalar()) {
      reader.fail(key, "bulkhead.plugins",
                  "expected a plugin name as key, got " + std::string(nodeKindName(key)));
    }
    const std::string& name = key.Scalar();
    std::string path = joinPath("bulkhead.plugins", name);
    if (!seen.insert(name).second) {
      reader.fail(key, path, "settings for plugin " + quoted(name) + " given twice; merge them");
    }
    // Settings of plugins that are not loaded are still checked, so a
    // mistake shows before the plugin is enabled.
    IsolationConfig settings = readIsolation(reader, it->second, path, defaults);
    bool used = false;
    for (PluginConfig& plugin : plugins) {
      if (plugin.name == name) {
        plugin.isolation = settings;
        used = true;
      }
    }
    if (!used) {
      reader.warn(key, path,
                  "no loaded plugin is named " + quoted(name) +
                      "; these settings are unused (check the name against plugins and "
                      "load_plugins)");
    }
  }
}

}  // namespace bulkhead
