// The interpreted falco.yaml: plugins to load (in load order), rules files,
// output settings and per-plugin isolation. A plain value type; loadConfig()
// is its only producer and has no side effects beyond reading files and
// logging warnings through spdlog.
//
// Keys read, with Falco's semantics unless noted (config/README.md lists
// every key and default):
//   plugins: [{name, library_path, init_config, open_params}]
//   load_plugins: absent -> every plugins entry in list order;
//                 present -> only those names, in load_plugins order.
//   rules_files | rules_file, priority, rule_matching, json_output,
//   json_include_output_property, json_include_tags_property,
//   json_include_message_property, json_include_output_fields_property,
//   time_format_iso_8601, append_output,
//   stdout_output.enabled, file_output.{enabled, keep_alive, filename},
//   config_files (merged with Falco's append strategy),
//   webserver.*, metrics.* (see WebserverConfig, MetricsConfig),
//   bulkhead.{plugins_dir, runner_path, defaults, plugins.<name>}.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "config/config_error.h"
#include "config/isolation_config.h"
#include "engine/append_output.h"
#include "engine/priority.h"
#include "engine/rule_matching.h"

namespace bulkhead {

struct PluginConfig {
  std::string name;
  // Absolute and lexically normalised. A relative library_path was resolved
  // under Config::pluginsDir and may not leave it.
  std::string libraryPath;
  // Passed to plugin_init: the string as written, or a YAML map/sequence
  // serialised as JSON. Empty when absent.
  std::string initConfig;
  // Passed to plugin_open, with surrounding whitespace trimmed.
  std::string openParams;
  IsolationConfig isolation;
  // Where the plugins entry was written ("file:line:column"), for later
  // load-time errors that name the plugin.
  std::string location;
};

struct FileOutputConfig {
  bool enabled = false;
  bool keepAlive = false;
  std::string filename;  // absolute; required when enabled
};

struct OutputsConfig {
  bool jsonOutput = false;
  bool jsonIncludeOutputProperty = true;
  bool jsonIncludeTagsProperty = true;
  bool jsonIncludeMessageProperty = false;
  bool jsonIncludeOutputFieldsProperty = true;
  bool timeFormatIso8601 = false;
  bool stdoutEnabled = true;
  FileOutputConfig file;
  // Rules less severe than this are not loaded.
  Priority minimumPriority = Priority::kDebug;
};

// webserver: (Falco 0.44's keys and defaults; config/webserver_reader.h).
// Falco's shipped falco.yaml enables it; without the section bulkhead opens
// no port.
struct WebserverConfig {
  bool enabled = false;
  uint32_t threadiness = 0;  // 0: one thread per CPU
  uint16_t listenPort = 8765;
  std::string listenAddress = "0.0.0.0";
  std::string healthzEndpoint = "/healthz";  // k8s_healthz_endpoint
  bool prometheusMetricsEnabled = false;     // /metrics, when metrics.enabled too
  bool sslEnabled = false;
  // One PEM file with the certificate and its private key, as Falco reads it.
  std::string sslCertificate = "/etc/falco/falco.pem";
};

// metrics: (Falco 0.44's keys and defaults; config/metrics_reader.h).
struct MetricsConfig {
  bool enabled = false;
  uint64_t intervalMs = uint64_t{3600} * 1000;  // interval: 1h
  bool outputRule = true;
  std::string outputFile;  // absolute; empty: none
  bool rulesCountersEnabled = true;
  bool resourceUtilizationEnabled = true;
  bool stateCountersEnabled = true;
  bool pluginsMetricsEnabled = true;
  bool convertMemoryToMb = true;
  bool includeEmptyValues = false;
};

struct Config {
  std::string path;        // the main config file, absolute
  std::string pluginsDir;  // absolute; base of relative library_path values
  // bulkhead.runner_path, absolute; empty means "bulkhead-runner next to
  // the bulkhead binary", which only the caller knows.
  std::string runnerPath;
  std::vector<PluginConfig> plugins;    // in load order
  std::vector<std::string> rulesFiles;  // absolute, in the order given
  OutputsConfig outputs;
  // append_output: extra output and fields for the rules each entry matches.
  std::vector<AppendOutput> appendOutput;
  // rule_matching: which of the rules matching one event alert.
  RuleMatching ruleMatching = RuleMatching::kFirst;
  WebserverConfig webserver;
  MetricsConfig metrics;
  // Every warning raised while loading, also logged through spdlog.
  std::vector<std::string> warnings;
};

// Reads `path`, merges its config_files, applies `overrides` ("-o
// key=value", dotted paths, see applyOverride()) and interprets the result.
// Throws ConfigError naming file:line:column, the key or plugin, and what to
// change. Never crashes on malformed input.
Config loadConfig(const std::string& path, std::span<const std::string> overrides = {});

}  // namespace bulkhead
