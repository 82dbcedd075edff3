// What a plugin says about itself: the info functions, its capabilities and
// its field schema, parsed and checked at load time.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "plugin_api/plugin_api.h"

namespace bulkhead {

// A load-time error. The message names the library path and the plugin, and
// says what to change.
class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FieldArg {
  bool required = false;
  bool isIndex = false;
  bool isKey = false;
};

struct FieldDescriptor {
  std::string name;
  ss_plugin_field_type type = FTYPE_STRING;
  bool isList = false;
  FieldArg arg;
  std::string display;
  std::string description;
  std::vector<std::string> properties;
  bool hidden = false;     // "hidden" in properties
  bool addOutput = false;  // 3.8
};

struct PluginInfo {
  std::string libraryPath;
  std::string name;
  std::string description;
  std::string contact;
  std::string version;
  std::string requiredApiVersion;
  uint32_t capabilities = CAP_NONE;  // ss_plugin_caps bits

  // Sourcing.
  uint32_t id = 0;
  std::string eventSource;

  // Extraction.
  std::vector<FieldDescriptor> fields;
  std::string fieldsJson;  // as the plugin returned it
  std::vector<std::string> extractEventSources;  // empty: all sources
  std::vector<uint16_t> extractEventTypes;       // after init; see plugin-abi §5

  // Parsing.
  std::vector<std::string> parseEventSources;
  std::vector<uint16_t> parseEventTypes;

  // Async.
  std::vector<std::string> asyncEvents;
  std::vector<std::string> asyncEventSources;

  std::string initSchema;  // JSON Schema text, empty when none

  bool has(ss_plugin_caps c) const { return (capabilities & c) != 0; }
};

}  // namespace bulkhead
