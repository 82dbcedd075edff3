#include "config/yaml_node_reader.h"

#include <spdlog/spdlog.h>

#include <charconv>

#include "config/config_error.h"

namespace bulkhead {

const char* nodeKindName(const YAML::Node& node) {
  if (!node.IsDefined()) return "nothing";
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Scalar:
      return "a string";
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

std::string joinPath(std::string_view parent, std::string_view key) {
  std::string out(parent);
  if (!out.empty()) out += '.';
  out += key;
  return out;
}

std::string indexPath(std::string_view parent, std::size_t index) {
  std::string out(parent);
  out += '[';
  out += std::to_string(index);
  out += ']';
  return out;
}

YamlNodeReader::YamlNodeReader(std::string mainFile)
    : mainFile_(std::move(mainFile)), mainOrigin_{mainFile_, true} {}

void YamlNodeReader::setOrigin(const std::string& pathPrefix, ValueOrigin origin) {
  // Whatever was recorded below this prefix was replaced along with it.
  std::erase_if(origins_, [&](const auto& entry) {
    const std::string& prefix = entry.first;
    return prefix.size() > pathPrefix.size() &&
           prefix.compare(0, pathPrefix.size(), pathPrefix) == 0 &&
           (prefix[pathPrefix.size()] == '.' || prefix[pathPrefix.size()] == '[');
  });
  for (auto& [prefix, existing] : origins_) {
    if (prefix == pathPrefix) {
      existing = std::move(origin);
      return;
    }
  }
  origins_.emplace_back(pathPrefix, std::move(origin));
}

const ValueOrigin& YamlNodeReader::originOf(std::string_view path) const {
  const ValueOrigin* best = &mainOrigin_;
  std::size_t bestLength = 0;
  for (const auto& [prefix, origin] : origins_) {
    bool covers = path.substr(0, prefix.size()) == prefix &&
                  (path.size() == prefix.size() || path[prefix.size()] == '.' ||
                   path[prefix.size()] == '[' || prefix.empty());
    if (covers && (prefix.size() > bestLength || best == &mainOrigin_)) {
      best = &origin;
      bestLength = prefix.size();
    }
  }
  return *best;
}

std::string YamlNodeReader::locate(const YAML::Node& node, std::string_view path) const {
  const ValueOrigin& origin = originOf(path);
  if (!origin.hasMarks) return origin.label;
  std::string out = origin.label;
  if (node.IsDefined()) {
    YAML::Mark mark = node.Mark();
    if (!mark.is_null() && mark.line >= 0 && mark.column >= 0) {
      out += ':' + std::to_string(mark.line + 1) + ':' + std::to_string(mark.column + 1);
    }
  }
  return out;
}

void YamlNodeReader::fail(const YAML::Node& node, std::string_view path,
                          std::string_view message) const {
  std::string text = locate(node, path);
  text += ": ";
  if (!path.empty()) {
    text += path;
    text += ": ";
  }
  text += message;
  throw ConfigError(text);
}

void YamlNodeReader::warn(const YAML::Node& node, std::string_view path, std::string_view message) {
  std::string text = locate(node, path);
  text += ": ";
  if (!path.empty()) {
    text += path;
    text += ": ";
  }
  text += message;
  warnText(std::move(text));
}

void YamlNodeReader::warnText(std::string text) {
  spdlog::warn("{}", text);
  warnings_.push_back(std::move(text));
}

std::optional<MapEntry> YamlNodeReader::find(const YAML::Node& map, std::string_view path,
                                             std::string_view key) const {
  if (!map.IsMap()) return std::nullopt;
  std::optional<MapEntry> found;
  for (auto it = map.begin(); it != map.end(); ++it) {
    YAML::Node k = it->first;
    if (!k.IsScalar() || k.Scalar() != key) continue;
    if (found) {
      fail(k, joinPath(path, key),
           "key given twice (first at line " + std::to_string(found->key.Mark().line + 1) +
               "); remove one of them");
    }
    found = MapEntry{k, it->second};
  }
  return found;
}

void YamlNodeReader::expectMap(const YAML::Node& node, std::string_view path,
                               bool nullIsEmpty) const {
  if (node.IsMap() || (nullIsEmpty && node.IsNull())) return;
  fail(node, path, std::string("expected a map of settings, got ") + nodeKindName(node));
}

void YamlNodeReader::warnUnknownKeys(const YAML::Node& map, std::string_view path,
                                     std::initializer_list<std::string_view> known) {
  if (!map.IsMap()) return;
  for (auto it = map.begin(); it != map.end(); ++it) {
    YAML::Node k = it->first;
    if (!k.IsScalar()) {
      warn(k, path, "ignoring a key that is not a plain string");
      continue;
    }
    bool isKnown = false;
    for (std::string_view name : known) isKnown = isKnown || name == k.Scalar();
    if (!isKnown) {
      warn(k, joinPath(path, k.Scalar()), "unknown key, ignored (misspelled?)");
    }
  }
}

std::string YamlNodeReader::string(const YAML::Node& node, std::string_view path) const {
  if (node.IsNull()) return {};
  if (!node.IsScalar()) {
    fail(node, path, std::string("expected a string, got ") + nodeKindName(node));
  }
  return node.Scalar();
}

std::string YamlNodeReader::nonEmptyString(const YAML::Node& node, std::string_view path) const {
  std::string value = string(node, path);
  if (value.empty()) fail(node, path, "must not be empty");
  return value;
}

bool YamlNodeReader::boolean(const YAML::Node& node, std::string_view path) const {
  bool value = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
    std::string got = node.IsScalar() ? "'" + node.Scalar() + "'" : nodeKindName(node);
    fail(node, path, "expected true or false, got " + got);
  }
  return value;
}

std::uint64_t YamlNodeReader::unsignedInt(const YAML::Node& node, std::string_view path,
                                          std::uint64_t min, std::uint64_t max) const {
  std::string range =
      "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  if (!node.IsScalar()) fail(node, path, range + ", got " + nodeKindName(node));
  const std::string& text = node.Scalar();
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    fail(node, path, range + ", got '" + text + "'");
  }
  return value;
}

std::vector<std::string> YamlNodeReader::stringList(const YAML::Node& node,
                                                    std::string_view path) const {
  std::vector<std::string> out;
  if (node.IsNull()) return out;
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
    return out;
  }
  if (!node.IsSequence()) {
    fail(node, path,
         std::string("expected a string or a list of strings, got ") + nodeKindName(node));
  }
  std::size_t i = 0;
  for (auto it = node.begin(); it != node.end(); ++it, ++i) {
    std::string itemPath = indexPath(path, i);
    if (!it->IsScalar()) {
      fail(*it, itemPath, std::string("expected a string, got ") + nodeKindName(*it));
    }
    out.push_back(it->Scalar());
  }
  return out;
}

}  // namespace bulkhead
