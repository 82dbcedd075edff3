// Serialises a YAML subtree (init_config given as a map or sequence) to the
// JSON text a plugin's init() expects.
//
// Scalars: a quoted YAML scalar ('x' or "x") is always a JSON string. A
// plain scalar becomes null (~, null, empty), a number when yaml-cpp reads
// it as one (JSON-shaped numbers are copied verbatim; 0x1F, 0o17, .5 and
// the like are rewritten in JSON form; .inf/.nan stay strings, JSON has no
// such numbers), a bool when yaml-cpp reads it as one (true/false and the
// YAML 1.1 spellings yes/no/on/off/y/n, as Falco does), else a string.
// Map keys are always JSON strings. Strings are escaped per RFC 8259; bytes
// that are not valid UTF-8 are escaped as \u00XX so the output is still
// valid JSON.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace bulkhead {

struct YamlToJsonLimits {
  // Bounds alias fan-out ("billion laughs") and self-referencing anchors.
  std::size_t maxDepth = 64;
  std::size_t maxOutputBytes = 1u << 20;
};

// Throws YamlToJsonError on a non-scalar map key, a duplicate key, or when
// a limit is exceeded; `node` then is the offending node.
std::string yamlToJson(const YAML::Node& node, const YamlToJsonLimits& limits = {});

class YamlToJsonError : public std::runtime_error {
 public:
  YamlToJsonError(const std::string& message, YAML::Node node)
      : std::runtime_error(message), node_(node) {}
  const YAML::Node& node() const { return node_; }

 private:
  YAML::Node node_;
};

// Appends `text` to `out` as a quoted JSON string.
void appendJsonString(std::string& out, std::string_view text);

}  // namespace bulkhead
