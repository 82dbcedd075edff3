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
//   time_format_iso_8601, append_output, rules (selection), log_level,
//   log_stderr, log_syslog,
//   stdout_output.enabled, file_output.{enabled, keep_alive, filename},
//   http_output, program_output, syslog_output, buffered_outputs,
//   outputs_queue.capacity, output_timeout (config/outputs_reader.h),
//   config_files (merged with Falco's append strategy), watch_config_files,
//   webserver.*, metrics.* (see WebserverConfig, MetricsConfig),
//   bulkhead.{plugins_dir, runner_path, defaults, plugins.<name>}.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "config/config_error.h"
#include "config/isolation_config.h"
#include "config/logging_reader.h"
#include "engine/append_output.h"
#include "engine/priority.h"
#include "engine/rule_selection.h"
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

// http_output: one POST per alert (Falco 0.44's keys and defaults).
struct HttpOutputConfig {
  bool enabled = false;
  std::string url;  // required when enabled
  std::string userAgent = "falcosecurity/falco";
  bool insecure = false;
  std::string caCert;
  std::string caBundle;
  std::string caPath = "/etc/ssl/certs";
  bool mtls = false;
  std::string clientCert = "/etc/ssl/certs/client.crt";
  std::string clientKey = "/etc/ssl/certs/client.key";
  bool echo = false;
  bool compressUploads = false;
  bool keepAlive = false;
  uint32_t maxConsecutiveTimeouts = 5;
};

// program_output: each alert a line on the stdin of `/bin/sh -c program`.
struct ProgramOutputConfig {
  bool enabled = false;
  bool keepAlive = false;
  std::string program;  // required when enabled
};

// syslog_output: one message per alert to the local syslog socket.
struct SyslogOutputConfig {
  bool enabled = false;
};

// outputs_queue.capacity of 0 (Falco's "unbounded") and an absent key both
// mean this bound: a queue behind a dead receiver must not grow until the
// process is killed for its memory.
inline constexpr uint64_t kDefaultOutputsQueueCapacity = 10000;

struct OutputsConfig {
  bool jsonOutput = false;
  bool jsonIncludeOutputProperty = true;
  bool jsonIncludeTagsProperty = true;
  bool jsonIncludeMessageProperty = false;
  bool jsonIncludeOutputFieldsProperty = true;
  bool timeFormatIso8601 = false;
  bool stdoutEnabled = true;
  FileOutputConfig file;
  HttpOutputConfig http;
  ProgramOutputConfig program;
  SyslogOutputConfig syslog;
  bool buffered = false;  // buffered_outputs
  uint64_t queueCapacity = kDefaultOutputsQueueCapacity;  // per channel, in alerts
  uint32_t timeoutMs = 2000;                              // output_timeout
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
  bool operator==(const WebserverConfig&) const = default;
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
  bool operator==(const MetricsConfig&) const = default;
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
  // The main config file and every path its config_files names, absolute.
  std::vector<std::string> configFiles;
  // watch_config_files: a change to configFiles or the rules files reloads
  // (as SIGHUP does).
  bool watchConfigFiles = true;
  // rules: enable/disable by name pattern or tag, applied after loading.
  std::vector<RuleSelection> rulesSelection;
  // log_level, log_stderr, log_syslog.
  LoggingConfig logging;
  // The configuration as read (config_files merged, -o applied), as YAML
  // text: what --support prints.
  std::string dump;
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
