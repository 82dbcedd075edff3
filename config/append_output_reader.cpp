#include "config/append_output_reader.h"

#include <algorithm>

namespace bulkhead {

namespace {

void readMatch(YamlNodeReader& reader, const YAML::Node& entry, const std::string& path,
               AppendOutput& out) {
  auto match = reader.find(entry, path, "match");
  if (!match) return;
  const std::string mpath = joinPath(path, "match");
  reader.expectMap(match->value, mpath);
  reader.warnUnknownKeys(match->value, mpath, {"source", "rule", "tags"});
  if (auto e = reader.find(match->value, mpath, "source")) {
    out.source = reader.string(e->value, joinPath(mpath, "source"));
  }
  if (auto e = reader.find(match->value, mpath, "rule")) {
    out.rule = reader.string(e->value, joinPath(mpath, "rule"));
  }
  if (auto e = reader.find(match->value, mpath, "tags")) {
    out.tags = reader.stringList(e->value, joinPath(mpath, "tags"));
  }
}

void readExtraFields(YamlNodeReader& reader, const YAML::Node& entry, const std::string& path,
                     AppendOutput& out) {
  auto fields = reader.find(entry, path, "extra_fields");
  if (!fields) return;
  const std::string fpath = joinPath(path, "extra_fields");
  if (!fields->value.IsSequence()) {
    reader.fail(fields->value, fpath, "must be a list of field names or {name: format} maps");
  }
  for (std::size_t i = 0; i < fields->value.size(); ++i) {
    const YAML::Node item = fields->value[i];
    const std::string ipath = indexPath(fpath, i);
    AppendOutput::Field f;
    if (item.IsScalar()) {
      f.key = reader.nonEmptyString(item, ipath);
      f.raw = true;
    } else if (item.IsMap() && item.size() == 1) {
      f.key = reader.nonEmptyString(item.begin()->first, ipath);
      f.format = reader.string(item.begin()->second, joinPath(ipath, f.key));
    } else {
      reader.fail(item, ipath, "must be a field name or a map of one name to a format");
    }
    const bool taken = std::any_of(out.extraFields.begin(), out.extraFields.end(),
                                   [&](const AppendOutput::Field& g) { return g.key == f.key; });
    if (taken) reader.fail(item, ipath, "'" + f.key + "' is given twice in this entry");
    out.extraFields.push_back(std::move(f));
  }
}

}  // namespace

std::vector<AppendOutput> readAppendOutput(YamlNodeReader& reader, const YAML::Node& root) {
  std::vector<AppendOutput> out;
  auto list = reader.find(root, "", "append_output");
  if (!list || list->value.IsNull()) return out;
  if (!list->value.IsSequence()) reader.fail(list->value, "append_output", "must be a list");
  for (std::size_t i = 0; i < list->value.size(); ++i) {
    const YAML::Node entry = list->value[i];
    const std::string path = indexPath("append_output", i);
    reader.expectMap(entry, path, false);
    reader.warnUnknownKeys(entry, path,
                           {"match", "extra_output", "extra_fields", "suggested_output"});
    AppendOutput a;
    readMatch(reader, entry, path, a);
    if (auto e = reader.find(entry, path, "extra_output")) {
      a.extraOutput = reader.string(e->value, joinPath(path, "extra_output"));
    }
    readExtraFields(reader, entry, path, a);
    if (auto e = reader.find(entry, path, "suggested_output")) {
      a.suggestedOutput = reader.boolean(e->value, joinPath(path, "suggested_output"));
    }
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace bulkhead
