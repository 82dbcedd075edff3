#include "engine/rules_file.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "engine/rule_exceptions.h"

namespace bulkhead {

namespace {

FilePos posOf(const YAML::Node& n) {
  YAML::Mark m = n.Mark();
  FilePos p;
  if (m.line >= 0) p.line = static_cast<uint32_t>(m.line) + 1;
  if (m.column >= 0) p.column = static_cast<uint32_t>(m.column) + 1;
  if (m.pos >= 0) p.offset = static_cast<size_t>(m.pos);
  return p;
}

using ReadError = RulesFileError;

bool isListComp(const std::string& c) {
  std::optional<CmpOp> op = comparisonOp(c);
  return op && opTakesList(*op);
}

std::string kindName(ItemKind k) {
  switch (k) {
    case ItemKind::kRule:
      return "rule";
    case ItemKind::kMacro:
      return "macro";
    case ItemKind::kList:
      return "list";
    case ItemKind::kEngineVersion:
      return "required_engine_version";
    case ItemKind::kPluginVersions:
      return "required_plugin_versions";
  }
  return "item";
}

std::string scalar(const YAML::Node& n, const std::string& key) {
  if (!n.IsScalar()) throw ReadError{posOf(n), "'" + key + "' must be a string"};
  return n.Scalar();
}

bool boolean(const YAML::Node& n, const std::string& key) {
  bool v = false;
  if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v))
    throw ReadError{posOf(n), "'" + key + "' must be true or false"};
  return v;
}

std::vector<std::string> strings(const YAML::Node& n, const std::string& key) {
  std::vector<std::string> out;
  if (n.IsNull()) return out;
  if (!n.IsSequence()) throw ReadError{posOf(n), "'" + key + "' must be a list"};
  for (const auto& item : n) out.push_back(scalar(item, key + " item"));
  return out;
}

ScalarText text(const YAML::Node& n, const std::string& key, const std::string& file) {
  ScalarText t;
  t.text = scalar(n, key);
  // Folded block scalars end with a newline; it is not part of the text.
  while (!t.text.empty() && (t.text.back() == '\n' || t.text.back() == ' ')) t.text.pop_back();
  t.file = file;
  t.pos = posOf(n);
  return t;
}

ExceptionValue exceptionValue(const YAML::Node& n) {
  ExceptionValue v;
  v.pos = posOf(n);
  if (n.IsSequence()) {
    v.inlineList = true;
    v.items = strings(n, "exception value");
  } else {
    v.items.push_back(scalar(n, "exception value"));
  }
  return v;
}

}  // namespace

void checkExceptionValues(const ExceptionDef& e) {
  for (const auto& tuple : e.values) {
    if (tuple.size() != e.fields.size())
      throw RulesFileError{tuple.empty() ? e.pos : tuple[0].pos,
                           "exception '" + e.name + "': a value has " +
                               std::to_string(tuple.size()) + " items for " +
                               std::to_string(e.fields.size()) + " fields"};
    for (size_t i = 0; i < tuple.size(); ++i) {
      if (tuple[i].inlineList && !isListComp(e.comps[i]))
        throw RulesFileError{tuple[i].pos, "exception '" + e.name +
                                               "': a list value needs comparison in, "
                                               "intersects or pmatch, not '" +
                                               e.comps[i] + "'"};
    }
  }
}

namespace {

ExceptionDef exception(const YAML::Node& n) {
  static const std::set<std::string> kKeys = {"name", "fields", "comps", "values"};
  if (!n.IsMap()) throw ReadError{posOf(n), "an exception must be a mapping"};
  ExceptionDef e;
  e.pos = posOf(n);
  for (const auto& kv : n) {
    auto key = kv.first.Scalar();
    if (!kKeys.count(key))
      throw ReadError{posOf(kv.first), "unsupported exception property '" + key + "'"};
  }
  if (!n["name"]) throw ReadError{posOf(n), "an exception needs a 'name'"};
  e.name = scalar(n["name"], "name");
  const YAML::Node fields = n["fields"];
  if (fields) {
    if (fields.IsScalar()) {
      e.tupleForm = false;
      e.fields.push_back(fields.Scalar());
    } else {
      e.fields = strings(fields, "fields");
    }
  }
  const YAML::Node comps = n["comps"];
  if (comps) {
    if (comps.IsScalar()) {
      if (e.tupleForm)
        throw ReadError{posOf(comps), "exception '" + e.name +
                                          "': 'comps' must be a list when 'fields' is a list"};
      e.comps.push_back(comps.Scalar());
    } else {
      e.comps = strings(comps, "comps");
    }
  }
  if (e.comps.empty()) e.comps.assign(e.fields.size(), e.tupleForm ? "=" : "in");
  if (e.comps.size() != e.fields.size())
    throw ReadError{posOf(comps),
                    "exception '" + e.name + "': 'fields' and 'comps' differ in length"};
  for (const auto& c : e.comps) {
    if (!comparisonOp(c))
      throw ReadError{posOf(comps),
                      "exception '" + e.name + "': unsupported comparison '" + c + "'"};
  }
  const YAML::Node values = n["values"];
  if (values && !values.IsNull()) {
    if (!values.IsSequence())
      throw ReadError{posOf(values), "exception '" + e.name + "': 'values' must be a list"};
    for (const auto& v : values) {
      if (!e.tupleForm || (e.fields.empty() && !v.IsSequence())) {
        e.values.push_back({exceptionValue(v)});
        continue;
      }
      if (!v.IsSequence())
        throw ReadError{posOf(v), "exception '" + e.name +
                                      "': each value must be a list with one item per field"};
      std::vector<ExceptionValue> tuple;
      for (const auto& item : v) tuple.push_back(exceptionValue(item));
      e.values.push_back(std::move(tuple));
    }
  }
  // Without fields (values appended to an exception defined earlier) the
  // shape is checked when the values are merged.
  if (!e.fields.empty()) checkExceptionValues(e);
  return e;
}

std::vector<PluginRequirement> requirements(const YAML::Node& n, const std::string& file) {
  if (!n.IsSequence()) throw ReadError{posOf(n), "required_plugin_versions must be a list"};
  std::vector<PluginRequirement> out;
  auto entry = [](const YAML::Node& e, std::vector<PluginRequirement::Alternative>& names) {
    if (!e.IsMap() || !e["name"] || !e["version"])
      throw ReadError{posOf(e), "a plugin requirement needs 'name' and 'version'"};
    PluginRequirement::Alternative a{scalar(e["name"], "name"), scalar(e["version"], "version")};
    if (!SemVer::parseStrict(a.version))
      throw ReadError{posOf(e["version"]),
                      "plugin '" + a.name + "': version '" + a.version + "' is not X.Y.Z"};
    for (const auto& other : names) {
      if (other.name == a.name)
        throw ReadError{posOf(e), "plugin '" + a.name + "' is listed twice in one requirement"};
    }
    names.push_back(std::move(a));
  };
  for (const auto& e : n) {
    PluginRequirement req;
    req.file = file;
    req.line = posOf(e).line;
    req.column = posOf(e).column;
    entry(e, req.names);
    if (e.IsMap()) {
      for (const auto& kv : e) {
        auto key = kv.first.Scalar();
        if (key != "name" && key != "version" && key != "alternatives")
          throw ReadError{posOf(kv.first), "unsupported plugin requirement property '" + key + "'"};
      }
      if (const YAML::Node alts = e["alternatives"]) {
        if (!alts.IsSequence()) throw ReadError{posOf(alts), "'alternatives' must be a list"};
        for (const auto& a : alts) entry(a, req.names);
      }
    }
    out.push_back(std::move(req));
  }
  return out;
}

RulesItem readItem(const YAML::Node& n, const std::string& file) {
  if (!n.IsMap()) throw ReadError{posOf(n), "each top-level item must be a mapping"};
  RulesItem item;
  item.file = file;
  item.pos = posOf(n);
  static const std::pair<const char*, ItemKind> kKinds[] = {
      {"rule", ItemKind::kRule},
      {"macro", ItemKind::kMacro},
      {"list", ItemKind::kList},
      {"required_engine_version", ItemKind::kEngineVersion},
      {"required_plugin_versions", ItemKind::kPluginVersions}};
  bool found = false;
  for (const auto& [key, kind] : kKinds) {
    if (n[key]) {
      item.kind = kind;
      found = true;
      break;
    }
  }
  if (!found) {
    std::string first = n.begin() != n.end() ? n.begin()->first.Scalar() : "";
    throw ReadError{posOf(n), "unsupported top-level item '" + first +
                                  "' (expected rule, macro, list, required_engine_version or "
                                  "required_plugin_versions)"};
  }
  if (item.kind == ItemKind::kEngineVersion) {
    item.engineVersion = scalar(n["required_engine_version"], "required_engine_version");
    return item;
  }
  if (item.kind == ItemKind::kPluginVersions) {
    item.requirements = requirements(n["required_plugin_versions"], file);
    return item;
  }

  std::string kind = kindName(item.kind);
  item.name = scalar(n[kind], kind);
  if (item.name.empty()) throw ReadError{posOf(n[kind]), kind + " name is empty"};
  static const std::set<std::string> kRuleKeys = {
      "rule",         "desc", "condition",  "output", "priority", "source",
      "enabled",      "tags", "exceptions", "append", "override", "skip-if-unknown-filter",
      "warn_evttypes"};
  static const std::set<std::string> kMacroKeys = {"macro", "condition", "append", "override"};
  static const std::set<std::string> kListKeys = {"list", "items", "append", "override"};
  const auto& allowed = item.kind == ItemKind::kRule    ? kRuleKeys
                        : item.kind == ItemKind::kMacro ? kMacroKeys
                                                        : kListKeys;
  for (const auto& kv : n) {
    auto key = kv.first.Scalar();
    if (!allowed.count(key))
      throw ReadError{posOf(kv.first), "unsupported " + kind + " property '" + key + "'"};
    if (key != kind) item.keys.push_back(key);
    const YAML::Node& v = kv.second;
    if (key == "desc") item.desc = scalar(v, key);
    if (key == "condition") item.condition = text(v, key, file);
    if (key == "output") item.output = text(v, key, file);
    if (key == "priority") item.priority = scalar(v, key);
    if (key == "source") item.source = scalar(v, key);
    if (key == "enabled") item.enabled = boolean(v, key);
    if (key == "skip-if-unknown-filter") item.skipIfUnknownFilter = boolean(v, key);
    if (key == "warn_evttypes") boolean(v, key);  // only meaningful for syscall rules
    if (key == "tags") item.tags = strings(v, key);
    if (key == "items") item.items = strings(v, key);
    if (key == "append") item.append = boolean(v, key);
    if (key == "exceptions") {
      if (!v.IsSequence() && !v.IsNull()) throw ReadError{posOf(v), "'exceptions' must be a list"};
      std::vector<ExceptionDef> list;
      for (const auto& e : v) list.push_back(exception(e));
      item.exceptions = std::move(list);
    }
    if (key == "override") {
      if (!v.IsMap()) throw ReadError{posOf(v), "'override' must be a mapping"};
      for (const auto& o : v) {
        std::string how = scalar(o.second, "override");
        if (how != "append" && how != "replace")
          throw ReadError{posOf(o.second), "override of '" + o.first.Scalar() +
                                               "' must be 'append' or 'replace', not '" + how +
                                               "'"};
        item.overrides[o.first.Scalar()] = how;
      }
    }
  }
  if (item.append && !item.overrides.empty())
    throw ReadError{item.pos, "'append' and 'override' cannot be used together"};
  return item;
}

// yaml-cpp 0.7 stops a document silently at some stray tokens (a line
// starting with ',' after a block sequence) and then reports an endless
// series of empty documents at that same place: LoadAll never returns and
// Load quietly drops the rest of the file. Walking the documents once with
// this handler first finds that place, so the file is rejected instead.
class StuckDocumentFinder : public YAML::EventHandler {
 public:
  // Returns the mark where parsing stops making progress, if it does.
  static std::optional<YAML::Mark> find(const std::string& text) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    StuckDocumentFinder f;
    std::optional<size_t> lastNull;
    // Every real document consumes at least one byte, so more documents
    // than bytes means no progress.
    for (size_t docs = 0; docs <= text.size() + 1; ++docs) {
      f.events_ = 0;
      f.nullAt_.reset();
      if (!parser.HandleNextDocument(f)) return std::nullopt;
      if (f.events_ == 1 && f.nullAt_) {
        if (lastNull && *lastNull == static_cast<size_t>(f.nullMark_.pos)) return f.nullMark_;
        lastNull = static_cast<size_t>(f.nullMark_.pos);
      } else {
        lastNull.reset();
      }
    }
    return f.nullMark_;
  }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override {
    ++events_;
    nullAt_ = static_cast<size_t>(m.pos);
    nullMark_ = m;
  }
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { ++events_; }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {
    ++events_;
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    ++events_;
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    ++events_;
  }
  void OnMapEnd() override {}

 private:
  size_t events_ = 0;
  std::optional<size_t> nullAt_;
  YAML::Mark nullMark_;
};

}  // namespace

std::vector<RulesItem> readRulesFile(const std::string& file, std::string_view text,
                                     std::vector<Diagnostic>& diags) {
  std::vector<RulesItem> out;
  auto error = [&](FilePos pos, std::string item, std::string message) {
    diags.push_back(Diagnostic{Diagnostic::Severity::kError, file, pos.line, pos.column,
                               std::move(item), std::move(message)});
  };
  std::vector<YAML::Node> docs;
  try {
    std::string owned(text);
    if (auto stuck = StuckDocumentFinder::find(owned)) {
      error(FilePos{static_cast<uint32_t>(stuck->line) + 1,
                    static_cast<uint32_t>(stuck->column) + 1, static_cast<size_t>(stuck->pos)},
            "", "invalid YAML: unexpected content that does not belong to any item");
      return out;
    }
    docs = YAML::LoadAll(owned);
  } catch (const YAML::Exception& e) {
    FilePos pos;
    pos.line = e.mark.line >= 0 ? static_cast<uint32_t>(e.mark.line) + 1 : 0;
    pos.column = e.mark.column >= 0 ? static_cast<uint32_t>(e.mark.column) + 1 : 0;
    error(pos, "", "invalid YAML: " + e.msg);
    return out;
  }
  for (const auto& doc : docs) {
    if (doc.IsNull()) continue;
    if (!doc.IsSequence()) {
      error(posOf(doc), "", "a rules file must be a list of items");
      continue;
    }
    for (const auto& node : doc) {
      try {
        out.push_back(readItem(node, file));
      } catch (const ReadError& e) {
        std::string what;
        for (const char* k : {"rule", "macro", "list"}) {
          if (node.IsMap() && node[k] && node[k].IsScalar())
            what = std::string(k) + " '" + node[k].Scalar() + "'";
        }
        error(e.pos, what, e.message);
      } catch (const YAML::Exception& e) {
        error(posOf(node), "", std::string("invalid item: ") + e.what());
      }
    }
  }
  return out;
}

FilePos locateInScalar(std::string_view fileText, const ScalarText& scalar, size_t offset) {
  auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  size_t j = scalar.pos.offset;
  if (j >= fileText.size()) return scalar.pos;
  char first = fileText[j];
  if (first == '>' || first == '|') {
    while (j < fileText.size() && fileText[j] != '\n') ++j;
  } else if (first == '"' || first == '\'') {
    ++j;
  }
  const std::string& t = scalar.text;
  for (size_t i = 0; i < offset && i < t.size(); ++i) {
    char c = t[i];
    if (isSpace(c)) {
      while (j < fileText.size() && isSpace(fileText[j])) ++j;
      continue;
    }
    while (j < fileText.size() && isSpace(fileText[j])) ++j;
    if (j >= fileText.size() || fileText[j] != c) return scalar.pos;
    ++j;
  }
  if (offset < t.size()) {
    while (j < fileText.size() && isSpace(fileText[j])) ++j;
  }
  FilePos out;
  out.offset = j;
  out.line = 1;
  size_t lineStart = 0;
  for (size_t k = 0; k < j && k < fileText.size(); ++k) {
    if (fileText[k] == '\n') {
      ++out.line;
      lineStart = k + 1;
    }
  }
  out.column = static_cast<uint32_t>(j - lineStart) + 1;
  return out;
}

}  // namespace bulkhead
