// YamlNodeReader: typed access to a parsed YAML tree that knows where every
// value came from, so each error and warning names "file:line:column" (or
// the -o override that set it) and the dotted key path.
//
// Where a value came from is tracked by key path, not by node: yaml-cpp
// gives nodes built in code (by overrides or merges) a 0:0 mark that cannot
// be told from a real one, while their key path is always known.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bulkhead {

// Where a subtree came from: a file (marks are meaningful) or an override.
struct ValueOrigin {
  std::string label;  // file path, or "-o 'key=value'"
  bool hasMarks = true;
};

struct MapEntry {
  YAML::Node key;
  YAML::Node value;
};

class YamlNodeReader {
 public:
  explicit YamlNodeReader(std::string mainFile);

  // Values at `pathPrefix` and below came from `origin`. The longest
  // matching prefix wins; later calls for the same prefix replace earlier.
  void setOrigin(const std::string& pathPrefix, ValueOrigin origin);

  // "file:line:column" for a node at `path` (1-based), or the override.
  std::string locate(const YAML::Node& node, std::string_view path) const;

  // Throws ConfigError "<location>: <path>: <message>".
  [[noreturn]] void fail(const YAML::Node& node, std::string_view path,
                         std::string_view message) const;
  // Records (and logs) "<location>: <path>: <message>".
  void warn(const YAML::Node& node, std::string_view path, std::string_view message);
  // Records (and logs) an already located warning.
  void warnText(std::string text);
  std::vector<std::string> takeWarnings() { return std::move(warnings_); }

  // Finds `key` in a map node. Throws when the key appears twice, since
  // yaml-cpp would silently pick one of them.
  std::optional<MapEntry> find(const YAML::Node& map, std::string_view path,
                               std::string_view key) const;
  // Fails unless `node` is a map (a null node counts as an empty map when
  // nullIsEmpty).
  void expectMap(const YAML::Node& node, std::string_view path, bool nullIsEmpty = true) const;
  // Warns about each key of `map` not in `known`.
  void warnUnknownKeys(const YAML::Node& map, std::string_view path,
                       std::initializer_list<std::string_view> known);

  std::string string(const YAML::Node& node, std::string_view path) const;
  std::string nonEmptyString(const YAML::Node& node, std::string_view path) const;
  bool boolean(const YAML::Node& node, std::string_view path) const;
  std::uint64_t unsignedInt(const YAML::Node& node, std::string_view path, std::uint64_t min,
                            std::uint64_t max) const;
  // A string or a sequence of strings.
  std::vector<std::string> stringList(const YAML::Node& node, std::string_view path) const;

  const std::string& mainFile() const { return mainFile_; }

 private:
  const ValueOrigin& originOf(std::string_view path) const;

  std::string mainFile_;
  ValueOrigin mainOrigin_;
  std::vector<std::pair<std::string, ValueOrigin>> origins_;
  std::vector<std::string> warnings_;
};

// "map", "sequence", "string", "null": for messages.
const char* nodeKindName(const YAML::Node& node);
// Joins a key path: joinPath("a", "b") == "a.b"; joinPath("", "b") == "b".
std::string joinPath(std::string_view parent, std::string_view key);
std::string indexPath(std::string_view parent, std::size_t index);

}  // namespace bulkhead
