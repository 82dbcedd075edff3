#include <filesystem>
#include <initializer_list>
#include <string_view>

#include "config/append_output_reader.h"
#include "config/config.h"
#include "config/config_files.h"
#include "config/logging_reader.h"
#include "config/outputs_reader.h"
#include "config/metrics_reader.h"
#include "config/overrides.h"
#include "config/paths.h"
#include "config/plugins_reader.h"
#include "config/rules_selection_reader.h"
#include "config/yaml_file.h"
#include "config/yaml_node_reader.h"

namespace bulkhead {
namespace {

constexpr std::string_view kUsedKeys[] = {
    "plugins",
    "load_plugins",
    "rules_files",
    "rules_file",
    "json_output",
    "json_include_output_property",
    "json_include_tags_property",
    "json_include_message_property",
    "json_include_output_fields_property",
    "time_format_iso_8601",
    "stdout_output",
    "file_output",
    "http_output",
    "program_output",
    "syslog_output",
    "buffered_outputs",
    "outputs_queue",
    "output_timeout",
    "priority",
    "rule_matching",
    "append_output",
    "config_files",
    "watch_config_files",
    "bulkhead",
    "log_level",
    "log_stderr",
    "log_syslog",
    "rules",
    "webserver",
    "metrics",
};

// Falco settings bulkhead has no counterpart for. They are reported in one
// warning instead of one each, so a stock falco.yaml stays readable.
constexpr std::string_view kIgnoredFalcoKeys[] = {

    "outputs",
    "grpc_output",
    "grpc",

    "libs_logger",
    "syscall_event_timeouts",
    "syscall_event_drops",
    "syscall_buf_size_preset",
    "syscall_drop_failed_exit",
    "base_syscalls",
    "modern_bpf",
    "metadata_download",
    "static_fields",
    "plugins_hostinfo",
    "engine",
    "falco_libs",
    "container_engines",
    "buffer_format_base64",
    "capture",
};

bool contains(std::span<const std::string_view> list, std::string_view key) {
  for (std::string_view item : list) {
    if (item == key) return true;
  }
  return false;
}

void checkTopLevelKeys(YamlNodeReader& reader, const YAML::Node& root) {
  std::string ignored;
  for (auto it = root.begin(); it != root.end(); ++it) {
    YAML::Node key = it->first;
    if (!key.IsScalar()) {
      reader.warn(key, "", "ignoring a top-level key that is not a plain string");
      continue;
    }
    const std::string& name = key.Scalar();
    if (contains(kUsedKeys, name)) continue;
    if (contains(kIgnoredFalcoKeys, name)) {
      if (!ignored.empty()) ignored += ", ";
      ignored += name + " (" + reader.locate(key, name) + ")";
      continue;
    }
    reader.warn(key, name, "unknown key, ignored (misspelled?)");
  }
  if (!ignored.empty()) {
    reader.warn(YAML::Node(YAML::NodeType::Undefined), "",
                "Falco settings that bulkhead does not implement are ignored: " + ignored);
  }
}

void readBool(YamlNodeReader& reader, const YAML::Node& map, std::string_view path,
              std::string_view key, bool& field) {
  if (auto e = reader.find(map, path, key)) field = reader.boolean(e->value, joinPath(path, key));
}

void readRulesFiles(YamlNodeReader& reader, const YAML::Node& root, const std::string& baseDir,
                    Config& config) {
  auto plural = reader.find(root, "", "rules_files");
  auto singular = reader.find(root, "", "rules_file");
  if (plural && singular) {
    reader.fail(singular->key, "rules_file",
                "both rules_file and rules_files are set (rules_files at " +
                    reader.locate(plural->key, "rules_files") + "); keep only rules_files");
  }
  auto entry = plural ? plural : singular;
  if (!entry) return;
  std::string path = plural ? "rules_files" : "rules_file";
  std::vector<std::string> files = reader.stringList(entry->value, path);
  for (std::size_t i = 0; i < files.size(); ++i) {
    const YAML::Node item = entry->value.IsSequence() ? entry->value[i] : entry->value;
    std::string itemPath = entry->value.IsSequence() ? indexPath(path, i) : path;
    if (files[i].empty()) reader.fail(item, itemPath, "empty rules file path; remove it");
    if (hasControlChar(files[i])) {
      reader.fail(item, itemPath, "rules file path contains a control character");
    }
    config.rulesFiles.push_back(absoluteUnder(baseDir, files[i]));
  }
}

void readRuleMatching(YamlNodeReader& reader, const YAML::Node& root, Config& config) {
  auto e = reader.find(root, "", "rule_matching");
  if (!e) return;
  std::string text = reader.string(e->value, "rule_matching");
  if (text == "first") {
    config.ruleMatching = RuleMatching::kFirst;
  } else if (text == "all") {
    config.ruleMatching = RuleMatching::kAll;
  } else {
    reader.fail(e->value, "rule_matching",
                "'" + text + "' is not a rule matching mode; use first or all");
  }
}

void readOutputs(YamlNodeReader& reader, const YAML::Node& root, const std::string& baseDir,
                 OutputsConfig& outputs) {
  readBool(reader, root, "", "json_output", outputs.jsonOutput);
  readBool(reader, root, "", "json_include_output_property", outputs.jsonIncludeOutputProperty);
  readBool(reader, root, "", "json_include_tags_property", outputs.jsonIncludeTagsProperty);
  readBool(reader, root, "", "json_include_message_property", outputs.jsonIncludeMessageProperty);
  readBool(reader, root, "", "json_include_output_fields_property",
           outputs.jsonIncludeOutputFieldsProperty);
  readBool(reader, root, "", "time_format_iso_8601", outputs.timeFormatIso8601);

  if (auto e = reader.find(root, "", "priority")) {
    std::string text = reader.string(e->value, "priority");
    auto priority = parsePriority(text);
    if (!priority) {
      reader.fail(e->value, "priority",
                  "'" + text +
                      "' is not a priority; use one of emergency, alert, critical, error, "
                      "warning, notice, informational (info), debug");
    }
    outputs.minimumPriority = *priority;
  }

  readOutputChannels(reader, root, baseDir, outputs);
}

// bulkhead.plugins_dir and bulkhead.runner_path; defaults and per-plugin
// settings are read by applyIsolation() once the plugins are known.
YAML::Node readBulkheadPaths(YamlNodeReader& reader, const YAML::Node& root,
                             const std::string& baseDir, Config& config) {
  config.pluginsDir = baseDir;
  auto section = reader.find(root, "", "bulkhead");
  if (!section || section->value.IsNull()) return YAML::Node(YAML::NodeType::Undefined);
  const YAML::Node& bulkhead = section->value;
  reader.expectMap(bulkhead, "bulkhead");
  reader.warnUnknownKeys(bulkhead, "bulkhead",
                         {"plugins_dir", "runner_path", "defaults", "plugins"});
  if (auto e = reader.find(bulkhead, "bulkhead", "plugins_dir")) {
    std::string dir = reader.nonEmptyString(e->value, "bulkhead.plugins_dir");
    if (hasControlChar(dir)) {
      reader.fail(e->value, "bulkhead.plugins_dir", "path contains a control character");
    }
    config.pluginsDir = absoluteUnder(baseDir, dir);
  }
  if (auto e = reader.find(bulkhead, "bulkhead", "runner_path")) {
    std::string runner = reader.string(e->value, "bulkhead.runner_path");
    if (hasControlChar(runner)) {
      reader.fail(e->value, "bulkhead.runner_path", "path contains a control character");
    }
    if (!runner.empty()) config.runnerPath = absoluteUnder(baseDir, runner);
  }
  return bulkhead;
}

}  // namespace

Config loadConfig(const std::string& path, std::span<const std::string> overrides) {
  Config config;
  std::error_code ec;
  std::filesystem::path cwd = std::filesystem::current_path(ec);
  config.path = absoluteUnder(ec ? "/" : cwd.string(), path);
  const std::string baseDir = parentDir(config.path);

  YAML::Node root = parseYamlFile(config.path);
  if (root.IsNull()) {
    throw ConfigError(config.path +
                      ": the configuration file is empty; expected a map of settings such as "
                      "'plugins:' and 'rules_files:'");
  }
  YamlNodeReader reader(config.path);
  if (!root.IsMap()) {
    reader.fail(
        root, "",
        std::string("expected a map of settings at the top level, got ") + nodeKindName(root));
  }
  config.configFiles.push_back(config.path);
  for (std::string& f : mergeConfigFiles(reader, root, baseDir)) {
    config.configFiles.push_back(std::move(f));
  }
  for (const std::string& override : overrides) {
    std::string setPath = applyOverride(root, override);
    reader.setOrigin(setPath, ValueOrigin{"-o '" + override + "'", false});
  }

  checkTopLevelKeys(reader, root);
  readRulesFiles(reader, root, baseDir, config);
  readOutputs(reader, root, baseDir, config.outputs);
  readRuleMatching(reader, root, config);
  readBool(reader, root, "", "watch_config_files", config.watchConfigFiles);
  config.appendOutput = readAppendOutput(reader, root);
  config.rulesSelection = readRulesSelection(reader, root);
  config.logging = readLogging(reader, root);
  config.dump = YAML::Dump(root);
  config.webserver = readWebserver(reader, root, baseDir);
  config.metrics = readMetrics(reader, root, baseDir);
  YAML::Node bulkhead = readBulkheadPaths(reader, root, baseDir, config);
  config.plugins =
      selectLoadedPlugins(reader, root, readPluginEntries(reader, root, config.pluginsDir));
  applyIsolation(reader, bulkhead, config.plugins);
  config.warnings = reader.takeWarnings();
  return config;
}

}  // namespace bulkhead
