// What binds a copy of the proxy library to the plugin it runs: a YAML
// file beside it, `<proxy>.bulkhead.yaml`, written by `bulkhead wrap`.
//
// Falco asks a plugin for its name, fields and sources before plugin_init,
// with no state and no config; the proxy answers those from here without
// running the plugin. plugin_init then starts the runner, whose hello must
// agree with what was recorded, so a plugin replaced after wrapping is
// refused instead of described wrongly.
#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/isolation_config.h"
#include "plugin_api/plugin_info.h"

namespace bulkhead {

struct ProxyBinding {
  std::string path;         // this file, for messages
  std::string libraryPath;  // the wrapped plugin, absolute
  std::string runnerPath;   // bulkhead-runner
  std::string policyDir;    // the seccomp profiles
  // The keys of falco.yaml's `bulkhead.plugins.<name>`, as given to
  // `bulkhead wrap --settings`; null for the defaults.
  YAML::Node isolation;
  PluginInfo info;          // the hello of the wrapping run, static parts
  // The plugin_* functions the proxy copy exports: those of the plugin
  // that the proxy forwards.
  std::vector<std::string> exports;
};

// The file a proxy library at `proxyPath` is bound by.
std::string bindingPathFor(const std::string& proxyPath);

// Throws std::runtime_error naming the file (and line) at fault.
ProxyBinding readBinding(const std::string& path);
// The isolation settings the binding holds, read as falco.yaml's are.
// Throws ConfigError naming the file and line.
IsolationConfig bindingIsolation(const ProxyBinding& b);
// Writes `b` to b.path (through a temporary file and a rename).
void writeBinding(const ProxyBinding& b);

// "" when the runner's `hello` describes the plugin `recorded` describes;
// else what differs, for the init error.
std::string helloMismatch(const PluginInfo& recorded, const PluginInfo& hello);

}  // namespace bulkhead
