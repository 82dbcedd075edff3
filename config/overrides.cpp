#include "config/overrides.h"

#include <charconv>
#include <variant>
#include <vector>

#include "config/config_error.h"
#include "config/yaml_node_reader.h"

namespace bulkhead {
namespace {

struct AppendTag {};
using PathStep = std::variant<std::string, std::size_t, AppendTag>;

[[noreturn]] void overrideError(std::string_view override, const std::string& message) {
  throw ConfigError("-o '" + std::string(override) + "': " + message +
                    "; write it as -o key.subkey=value (lists: key[0] or key[] to append)");
}

std::vector<PathStep> parseKey(std::string_view override, std::string_view key) {
  std::vector<PathStep> steps;
  std::size_t i = 0;
  while (true) {
    std::size_t start = i;
    while (i < key.size() && key[i] != '.' && key[i] != '[' && key[i] != ']') ++i;
    if (i == start) overrideError(override, "empty key name at offset " + std::to_string(start));
    steps.emplace_back(std::string(key.substr(start, i - start)));
    while (i < key.size() && key[i] == '[') {
      std::size_t close = key.find(']', i);
      if (close == std::string_view::npos) overrideError(override, "missing ']'");
      std::string_view digits = key.substr(i + 1, close - i - 1);
      if (digits.empty()) {
        steps.emplace_back(AppendTag{});
      } else {
        std::size_t index = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
        if (ec != std::errc() || end != digits.data() + digits.size()) {
          overrideError(override, "list index '" + std::string(digits) + "' is not a number");
        }
        steps.emplace_back(index);
      }
      i = close + 1;
    }
    if (i == key.size()) break;
    if (key[i] != '.') overrideError(override, "unexpected '" + std::string(1, key[i]) + "'");
    ++i;
  }
  return steps;
}

// Walks (creating) the path and stores `value` at its end. `node` is taken
// by value on purpose: copying a YAML::Node rebinds the handle, whereas
// assigning to one would overwrite the referenced content.
void setAt(YAML::Node node, const std::vector<PathStep>& steps, std::size_t i,
           const YAML::Node& value, std::string& path, std::string_view override) {
  const PathStep& step = steps[i];
  bool last = i + 1 == steps.size();
  if (const auto* name = std::get_if<std::string>(&step)) {
    if (!node.IsMap() && !node.IsNull()) {
      overrideError(override, "'" + (path.empty() ? std::string("(top level)") : path) + "' is " +
                                  nodeKindName(node) + ", not a map");
    }
    path = joinPath(path, *name);
    // Falco configs are plain maps with string keys; a duplicated key
    // would make the override ambiguous.
    std::size_t matches = 0;
    if (node.IsMap()) {
      for (auto it = node.begin(); it != node.end(); ++it) {
        matches += it->first.IsScalar() && it->first.Scalar() == *name;
      }
    }
    if (matches > 1) overrideError(override, "key '" + path + "' appears twice in the file");
    if (last) {
      node[*name] = value;
      return;
    }
    if (matches == 0) node[*name] = YAML::Node(YAML::NodeType::Null);
    setAt(node[*name], steps, i + 1, value, path, override);
    return;
  }
  if (!node.IsSequence() && !node.IsNull()) {
    overrideError(override, "'" + path + "' is " + nodeKindName(node) + ", not a list");
  }
  std::size_t size = node.IsSequence() ? node.size() : 0;
  std::size_t index = std::holds_alternative<AppendTag>(step) ? size : std::get<std::size_t>(step);
  if (index > size) {
    overrideError(override, "index " + std::to_string(index) + " is past the end of '" + path +
                                "' (" + std::to_string(size) + " elements)");
  }
  path = indexPath(path, index);
  if (index == size) {
    node.push_back(last ? value : YAML::Node(YAML::NodeType::Null));
    if (last) return;
  } else if (last) {
    node[index] = value;
    return;
  }
  setAt(node[index], steps, i + 1, value, path, override);
}

}  // namespace

std::string applyOverride(YAML::Node& root, std::string_view override) {
  std::size_t eq = override.find('=');
  if (eq == std::string_view::npos) overrideError(override, "missing '='");
  std::vector<PathStep> steps = parseKey(override, override.substr(0, eq));
  std::string_view text = override.substr(eq + 1);
  YAML::Node value;
  if (text.empty()) {
    value = YAML::Node(std::string());
  } else {
    try {
      value = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
      overrideError(override, "value is not valid YAML (" + e.msg + ")");
    }
  }
  if (!root.IsMap() && !root.IsNull()) overrideError(override, "the configuration is not a map");
  std::string path;
  setAt(root, steps, 0, value, path, override);
  return path;
}

}  // namespace bulkhead
