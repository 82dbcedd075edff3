#include "config/rules_selection_reader.h"

#include <string>

namespace bulkhead {

std::vector<RuleSelection> readRulesSelection(YamlNodeReader& reader, const YAML::Node& root) {
  std::vector<RuleSelection> out;
  auto list = reader.find(root, "", "rules");
  if (!list || list->value.IsNull()) return out;
  if (!list->value.IsSequence()) {
    reader.fail(list->value, "rules", "must be a list of {enable: ...} or {disable: ...} entries");
  }
  for (std::size_t i = 0; i < list->value.size(); ++i) {
    const YAML::Node entry = list->value[i];
    const std::string path = indexPath("rules", i);
    reader.expectMap(entry, path, false);
    reader.warnUnknownKeys(entry, path, {"enable", "disable"});
    auto enable = reader.find(entry, path, "enable");
    auto disable = reader.find(entry, path, "disable");
    if (enable && disable) {
      reader.fail(entry, path, "sets both enable and disable; use one entry for each");
    }
    if (!enable && !disable) reader.fail(entry, path, "needs an enable or a disable key");
    RuleSelection s;
    s.enable = enable.has_value();
    const YAML::Node& what = enable ? enable->value : disable->value;
    const std::string wpath = joinPath(path, enable ? "enable" : "disable");
    reader.expectMap(what, wpath, false);
    reader.warnUnknownKeys(what, wpath, {"rule", "tag"});
    if (auto e = reader.find(what, wpath, "rule")) {
      s.rule = reader.string(e->value, joinPath(wpath, "rule"));
    }
    if (auto e = reader.find(what, wpath, "tag")) {
      s.tag = reader.string(e->value, joinPath(wpath, "tag"));
    }
    if (s.rule.empty() && s.tag.empty()) {
      reader.warn(what, wpath, "names neither a rule nor a tag; it selects nothing");
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace bulkhead
