// Parsing of the JSON a plugin returns from its metadata functions
// (plugin-abi.md §5). In isolated mode this text comes from an untrusted
// runner: the parser bounds depth and size and never trusts a type.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "plugin_api/plugin_info.h"

namespace bulkhead {

// Largest metadata document accepted (the real k8saudit field list is ~20 KiB).
inline constexpr size_t kMaxMetadataJsonBytes = 4 << 20;

// Parses plugin_get_fields output. `who` prefixes every error ("plugin 'x'
// (/path/libx.so)"). Throws PluginError naming the entry and the key.
std::vector<FieldDescriptor> parseFieldSchema(std::string_view json, const std::string& who);

// Parses a JSON array of strings (event sources, async event names). An
// empty text means an empty list; empty strings in the array are skipped.
// `what` names the function for errors ("get_extract_event_sources").
std::vector<std::string> parseStringList(std::string_view json, const std::string& who,
                                         const char* what);

// The ABI name of a field type ("uint64", ...) and back.
const char* fieldTypeName(ss_plugin_field_type t);
bool parseFieldTypeName(std::string_view name, ss_plugin_field_type& out);

}  // namespace bulkhead
