// What the informational flags print, in Falco 0.44's layout where Falco
// has the flag: --version, --support, --list (text, markdown, json, -N),
// -L/-l, --plugin-info, --page-size. Each writes to stdout and returns;
// a request that cannot be answered throws std::runtime_error with the
// message Falco gives.
//
// Text a plugin or a rules file supplies is made visible
// (plugin_api/visible_text.h) before it reaches a text listing; JSON
// output carries it escaped, as Falco's JSON does.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "config/config.h"
#include "engine/rules_loader.h"
#include "plugin_api/plugin_info.h"
#include "supervisor/command_line.h"

namespace bulkhead {

// --version. Falco's lines, except: "bulkhead version:" stands where
// "Falco version:" does, and there are no "Libs version:" and "Driver:"
// lines (bulkhead uses no falcosecurity/libs and no kernel driver). With
// json_output, one JSON object (versionJson).
void printVersion(bool json);

// Falco's versions object: bulkhead_version, plugin_api_version,
// engine_version (the minor, as Falco gives it), engine_version_semver,
// plugin_versions {name: version} of `plugins`.
std::string versionJson(std::span<const PluginInfo> plugins);

// --support: one JSON object with Falco's keys: system_info (uname),
// version, engine_info (versionJson), cmdline, config (the configuration
// as read, YAML text), rules_files [{name, variants: [{content}]}].
void printSupport(const Config& config, const std::string& cmdline,
                  std::span<const RulesText> rules, std::span<const PluginInfo> plugins);

// --list [source]: the fields of every plugin that extracts for `source`
// ("" for every source). Throws "Value for --list must be a valid source
// type" when no loaded plugin provides `source`.
void listFields(std::span<const PluginInfo> plugins, const std::string& source, bool namesOnly,
                ListFormat format);

// -L (rule empty) and -l <rule>: Falco's two columns of rule name and
// description, or with json_output {"rules": [{"info": {...}}]} (Falco
// adds "details", macros and lists, which bulkhead does not describe).
// Throws "Rule \"x\" is not loaded" for an unknown rule.
void describeRules(const LoadResult& rules, std::span<const RulesText> files,
                   const std::optional<std::string>& rule, bool json);

// --plugin-info: name, description, contact, version, capabilities, the
// init config schema. Suggested open params are not asked for: the runner
// protocol does not carry list_open_params, so the line says so.
void printPluginInfo(const PluginInfo& info);

// The plugin --plugin-info names: by name or by library_path (as written
// under plugins_dir, or absolute). Throws Falco's "can't find plugin and
// print its info: x".
const PluginConfig& findPluginForInfo(const Config& config, const std::string& nameOrPath);

// --page-size, as Falco logs it.
void printPageSize();

}  // namespace bulkhead
