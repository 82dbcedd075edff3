#include "config/config_files.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "config/paths.h"
#include "config/yaml_file.h"

namespace bulkhead {
namespace {

enum class MergeStrategy { kAppend, kOverride, kAddOnly };

struct Include {
  std::string path;
  MergeStrategy strategy = MergeStrategy::kAppend;
  YAML::Node node;  // the config_files entry, for error locations
  std::string entryPath;
};

Include readEntry(YamlNodeReader& reader, const YAML::Node& item, const std::string& path,
                  const std::string& baseDir) {
  Include include;
  include.node.reset(item);
  include.entryPath = path;
  std::string given;
  if (item.IsMap()) {
    reader.warnUnknownKeys(item, path, {"path", "strategy"});
    auto p = reader.find(item, path, "path");
    if (!p) reader.fail(item, path, "config_files entry has no 'path'; add path: <file or dir>");
    given = reader.nonEmptyString(p->value, joinPath(path, "path"));
    if (auto s = reader.find(item, path, "strategy")) {
      std::string strategyPath = joinPath(path, "strategy");
      std::string name = reader.string(s->value, strategyPath);
      if (name == "append") {
        include.strategy = MergeStrategy::kAppend;
      } else if (name == "override") {
        include.strategy = MergeStrategy::kOverride;
      } else if (name == "add-only") {
        include.strategy = MergeStrategy::kAddOnly;
      } else {
        reader.fail(s->value, strategyPath,
                    "'" + name + "' is not a merge strategy; use append, override or add-only");
      }
    }
  } else {
    given = reader.nonEmptyString(item, path);
  }
  if (hasControlChar(given)) reader.fail(item, path, "path contains a control character");
  include.path = absoluteUnder(baseDir, given);
  return include;
}

void mergeFile(YamlNodeReader& reader, YAML::Node& root, const std::string& file,
               MergeStrategy strategy) {
  YAML::Node included = parseYamlFile(file);
  if (included.IsNull()) return;
  if (!included.IsMap()) {
    YamlNodeReader local(file);
    local.fail(
        included, "",
        std::string("expected a map of settings at the top level, got ") + nodeKindName(included));
  }
  ValueOrigin origin{file, true};
  std::vector<std::string> seen;
  for (auto it = included.begin(); it != included.end(); ++it) {
    YAML::Node key = it->first;
    if (!key.IsScalar()) {
      YamlNodeReader(file).fail(key, "", "top-level keys must be plain strings");
    }
    const std::string& name = key.Scalar();
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      YamlNodeReader(file).fail(key, name, "key given twice; remove one of them");
    }
    seen.push_back(name);
    if (name == "config_files") {
      YamlNodeReader nested(file);
      reader.warnText(nested.locate(key, name) +
                      ": config_files: ignored in an included file; list the file in the main "
                      "configuration instead");
      continue;
    }
    auto existing = reader.find(root, "", name);
    YAML::Node value = it->second;
    if (strategy == MergeStrategy::kAddOnly && existing) continue;
    if (strategy == MergeStrategy::kAppend && existing && existing->value.IsSequence() &&
        value.IsSequence()) {
      YAML::Node target = existing->value;
      std::size_t index = target.size();
      for (auto v = value.begin(); v != value.end(); ++v, ++index) {
        target.push_back(*v);
        reader.setOrigin(indexPath(name, index), origin);
      }
      continue;
    }
    root[name] = value;
    reader.setOrigin(name, origin);
  }
}

}  // namespace

std::vector<std::string> mergeConfigFiles(YamlNodeReader& reader, YAML::Node& root,
                                          const std::string& baseDir) {
  auto entry = reader.find(root, "", "config_files");
  if (!entry || entry->value.IsNull()) return {};
  const YAML::Node& list = entry->value;
  std::vector<Include> includes;
  if (list.IsSequence()) {
    std::size_t i = 0;
    for (auto it = list.begin(); it != list.end(); ++it, ++i) {
      includes.push_back(readEntry(reader, *it, indexPath("config_files", i), baseDir));
    }
  } else if (list.IsScalar()) {
    includes.push_back(readEntry(reader, list, "config_files", baseDir));
  } else {
    reader.fail(list, "config_files",
                std::string("expected a list of files or directories, got ") + nodeKindName(list));
  }

  std::vector<std::string> named;
  for (const Include& include : includes) {
    named.push_back(include.path);
    std::error_code ec;
    auto status = std::filesystem::status(include.path, ec);
    if (ec || !std::filesystem::exists(status)) {
      reader.warn(include.node, include.entryPath,
                  "'" + include.path + "' does not exist; skipped");
      continue;
    }
    if (include.path == reader.mainFile()) {
      reader.fail(include.node, include.entryPath, "includes the main configuration file itself");
    }
    if (!std::filesystem::is_directory(status)) {
      mergeFile(reader, root, include.path, include.strategy);
      continue;
    }
    std::vector<std::string> files;
    for (std::filesystem::directory_iterator it(include.path, ec), end; !ec && it != end;
         it.increment(ec)) {
      std::error_code typeEc;
      if (it->is_regular_file(typeEc)) files.push_back(it->path().string());
    }
    if (ec) {
      reader.fail(include.node, include.entryPath,
                  "cannot list directory '" + include.path + "': " + ec.message());
    }
    std::sort(files.begin(), files.end());
    for (const std::string& file : files) {
      if (file != reader.mainFile()) mergeFile(reader, root, file, include.strategy);
    }
  }
  return named;
}

}  // namespace bulkhead
