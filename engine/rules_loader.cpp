#include "engine/rules_loader.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "engine/rule_exceptions.h"
#include "engine/parser.h"

namespace bulkhead {

namespace {

using Severity = Diagnostic::Severity;

// A condition or output made of one or more YAML scalars joined by spaces
// (appends add segments).
struct Segmented {
  std::vector<ScalarText> parts;

  std::string joined() const {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
      if (i) out += ' ';
      out += parts[i].text;
    }
    return out;
  }
  // The part that holds `offset` of the joined text, and the offset in it.
  std::pair<const ScalarText*, size_t> find(size_t offset) const {
    for (const auto& p : parts) {
      if (offset <= p.text.size()) return {&p, offset};
      offset -= p.text.size() + 1;
    }
    return {parts.empty() ? nullptr : &parts.back(), parts.empty() ? 0 : parts.back().text.size()};
  }
};

struct ListDef {
  std::vector<std::string> items;
};

struct MacroDef {
  Segmented condition;
  std::string file;
  FilePos pos;
};

struct RuleDef {
  std::string name;
  std::string desc;
  Segmented condition;
  Segmented output;
  std::string priority;
  std::string source = "syscall";
  bool enabled = true;
  bool skipIfUnknownFilter = false;
  std::vector<std::string> tags;
  std::vector<ExceptionDef> exceptions;
  std::string file;
  FilePos pos;
};

class Loader {
 public:
  Loader(std::span<const RulesText> files, std::span<const PluginInfo> plugins,
         std::span<const AppendOutput> appends)
      : files_(files), plugins_(plugins), appends_(appends) {}

  LoadResult run() {
    for (const auto& f : files_) {
      fileText_[f.name] = f.text;
      for (auto& item : readRulesFile(f.name, f.text, result_.diagnostics)) collect(item);
    }
    for (const auto& d : checkPluginRequirements(requirements_, plugins_)) add(d);
    parseMacros();
    compileAll();
    return std::move(result_);
  }

 private:
  void add(Diagnostic d) { result_.diagnostics.push_back(std::move(d)); }
  void report(Severity s, const std::string& file, FilePos pos, std::string item,
              std::string message) {
    add(Diagnostic{s, file, pos.line, pos.column, std::move(item), std::move(message)});
  }

  static std::string itemName(const RulesItem& i) {
    const char* k = i.kind == ItemKind::kRule    ? "rule"
                    : i.kind == ItemKind::kMacro ? "macro"
                                                 : "list";
    return std::string(k) + " '" + i.name + "'";
  }

  // --- merging -----------------------------------------------------------

  void collect(RulesItem& item) {
    switch (item.kind) {
      case ItemKind::kEngineVersion:
        checkEngineVersion(item);
        return;
      case ItemKind::kPluginVersions:
        for (auto& r : item.requirements) requirements_.push_back(std::move(r));
        return;
      case ItemKind::kList:
        return collectList(item);
      case ItemKind::kMacro:
        return collectMacro(item);
      case ItemKind::kRule:
        return collectRule(item);
    }
  }

  void checkEngineVersion(const RulesItem& item) {
    const std::string& v = item.engineVersion;
    std::optional<SemVer> want = SemVer::parseStrict(v);
    uint32_t n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (!want && ec == std::errc() && p == v.data() + v.size() && !v.empty())
      want = SemVer{0, n, 0};
    if (!want) {
      report(Severity::kError, item.file, item.pos, "required_engine_version",
             "'" + v + "' is neither a number nor X.Y.Z");
    } else if (kEngineVersion < *want) {
      report(Severity::kError, item.file, item.pos, "required_engine_version",
             "the rules need engine version " + want->str() + ", this engine implements " +
                 kEngineVersion.str());
    }
  }

  // Checks the append/override form of an item; false when it is unusable.
  bool checkOverride(const RulesItem& item, const std::set<std::string>& appendable,
                     const std::set<std::string>& replaceable, bool exists) {
    if (item.overrides.empty() && !item.append) return true;
    if (!exists) {
      report(Severity::kError, item.file, item.pos, itemName(item),
             std::string(item.append ? "has 'append: true'" : "has 'override'") +
                 " but no earlier definition exists");
      return false;
    }
    if (item.append) {
      for (const auto& k : item.keys) {
        if (k != "append" && !appendable.count(k)) {
          report(Severity::kError, item.file, item.pos, itemName(item),
                 "'" + k + "' cannot be appended");
          return false;
        }
      }
      return true;
    }
    for (const auto& [k, how] : item.overrides) {
      const auto& allowed = how == "append" ? appendable : replaceable;
      if (!allowed.count(k)) {
        report(Severity::kError, item.file, item.pos, itemName(item),
               "'" + k + "' cannot be " + (how == "append" ? "appended" : "replaced"));
        return false;
      }
      if (std::find(item.keys.begin(), item.keys.end(), k) == item.keys.end()) {
        report(Severity::kError, item.file, item.pos, itemName(item),
               "override lists '" + k + "' but the item gives no value for it");
        return false;
      }
    }
    for (const auto& k : item.keys) {
      if (k != "override" && !item.overrides.count(k)) {
        report(Severity::kError, item.file, item.pos, itemName(item),
               "'" + k + "' is not listed in 'override'");
        return false;
      }
    }
    return true;
  }

  bool appends(const RulesItem& item, const std::string& key) const {
    if (item.append) return true;
    auto it = item.overrides.find(key);
    return it != item.overrides.end() && it->second == "append";
  }

  void collectList(const RulesItem& item) {
    bool exists = lists_.count(item.name) > 0;
    if (!checkOverride(item, {"items"}, {"items"}, exists)) return;
    if (!item.items) {
      if (!item.append && item.overrides.empty())
        report(Severity::kError, item.file, item.pos, itemName(item), "missing 'items'");
      return;
    }
    if (!exists || !appends(item, "items")) {
      if (!exists) listOrder_.push_back(item.name);
      lists_[item.name].items = *item.items;
      return;
    }
    auto& items = lists_[item.name].items;
    items.insert(items.end(), item.items->begin(), item.items->end());
  }

  void collectMacro(const RulesItem& item) {
    bool exists = macros_.count(item.name) > 0;
    if (!checkOverride(item, {"condition"}, {"condition"}, exists)) return;
    if (!item.condition) {
      report(Severity::kError, item.file, item.pos, itemName(item), "missing 'condition'");
      return;
    }
    if (exists && appends(item, "condition")) {
      macros_[item.name].condition.parts.push_back(*item.condition);
      return;
    }
    MacroDef& m = macros_[item.name];
    m.condition.parts = {*item.condition};
    m.file = item.file;
    m.pos = item.pos;
  }

  RuleDef* findRule(const std::string& name) {
    for (auto& r : rules_) {
      if (r.name == name) return &r;
    }
    return nullptr;
  }

  void mergeExceptions(const RulesItem& item, RuleDef& rule, bool append) {
    if (!append) {
      rule.exceptions = *item.exceptions;
      return;
    }
    for (const auto& e : *item.exceptions) {
      auto it = std::find_if(rule.exceptions.begin(), rule.exceptions.end(),
                             [&](const ExceptionDef& x) { return x.name == e.name; });
      if (it == rule.exceptions.end()) {
        rule.exceptions.push_back(e);
        continue;
      }
      if (!e.fields.empty() && e.fields != it->fields) {
        report(Severity::kError, item.file, e.pos, itemName(item),
               "exception '" + e.name + "' is appended with different fields");
        continue;
      }
      ExceptionDef merged = *it;
      merged.values.insert(merged.values.end(), e.values.begin(), e.values.end());
      try {
        checkExceptionValues(merged);
      } catch (const RulesFileError& err) {
        report(Severity::kError, item.file, err.pos, itemName(item), err.message);
        continue;
      }
      *it = std::move(merged);
    }
  }

  void collectRule(const RulesItem& item) {
    RuleDef* existing = findRule(item.name);
    static const std::set<std::string> kAppendable = {"condition", "output", "desc", "tags",
                                                      "exceptions"};
    static const std::set<std::string> kReplaceable = {
        "condition", "output",        "desc",
        "priority",  "tags",          "exceptions",
        "enabled",   "warn_evttypes", "skip-if-unknown-filter"};
    bool onlyEnabled = item.keys.size() == 1 && item.keys[0] == "enabled";
    if (onlyEnabled && !item.append && item.overrides.empty()) {
      if (!existing) {
        report(Severity::kError, item.file, item.pos, itemName(item),
               "sets 'enabled' but no earlier definition exists");
      } else {
        existing->enabled = *item.enabled;
      }
      return;
    }
    if (!checkOverride(item, kAppendable, kReplaceable, existing != nullptr)) return;
    if (item.append || !item.overrides.empty()) {
      RuleDef& r = *existing;
      auto apply = [&](const std::string& key, auto&& onAppend, auto&& onReplace) {
        if (std::find(item.keys.begin(), item.keys.end(), key) == item.keys.end()) return;
        if (appends(item, key)) {
          onAppend();
        } else {
          onReplace();
        }
      };
      apply(
          "condition", [&] { r.condition.parts.push_back(*item.condition); },
          [&] { r.condition.parts = {*item.condition}; });
      apply(
          "output", [&] { r.output.parts.push_back(*item.output); },
          [&] { r.output.parts = {*item.output}; });
      apply(
          "desc", [&] { r.desc += " " + *item.desc; }, [&] { r.desc = *item.desc; });
      apply(
          "tags", [&] { r.tags.insert(r.tags.end(), item.tags->begin(), item.tags->end()); },
          [&] { r.tags = *item.tags; });
      apply(
          "exceptions", [&] { mergeExceptions(item, r, true); },
          [&] { mergeExceptions(item, r, false); });
      if (item.priority) r.priority = *item.priority;
      if (item.enabled) r.enabled = *item.enabled;
      if (item.skipIfUnknownFilter) r.skipIfUnknownFilter = *item.skipIfUnknownFilter;
      return;
    }
    for (const char* key : {"condition", "output", "desc", "priority"}) {
      if (std::find(item.keys.begin(), item.keys.end(), key) == item.keys.end()) {
        report(Severity::kError, item.file, item.pos, itemName(item),
               std::string("missing '") + key + "'");
        return;
      }
    }
    RuleDef r;
    r.name = item.name;
    r.desc = *item.desc;
    r.condition.parts = {*item.condition};
    r.output.parts = {*item.output};
    r.priority = *item.priority;
    if (item.source) r.source = *item.source;
    if (item.enabled) r.enabled = *item.enabled;
    if (item.skipIfUnknownFilter) r.skipIfUnknownFilter = *item.skipIfUnknownFilter;
    if (item.tags) r.tags = *item.tags;
    if (item.exceptions) r.exceptions = *item.exceptions;
    r.file = item.file;
    r.pos = item.pos;
    for (const auto& e : r.exceptions) {
      if (e.fields.empty()) {
        report(Severity::kError, item.file, e.pos, itemName(item),
               "exception '" + e.name + "' has no 'fields'");
        return;
      }
    }
    if (existing) {
      *existing = std::move(r);
    } else {
      rules_.push_back(std::move(r));
    }
  }

  // --- compiling ---------------------------------------------------------

  FilePos locate(const Segmented& s, size_t offset) const {
    auto [part, local] = s.find(offset);
    if (!part) return {};
    auto it = fileText_.find(part->file);
    if (it == fileText_.end()) return part->pos;
    return locateInScalar(it->second, *part, local);
  }
  std::string fileOf(const Segmented& s, size_t offset) const {
    auto [part, local] = s.find(offset);
    return part ? part->file : std::string();
  }

  void parseMacros() {
    for (auto& [name, m] : macros_) {
      try {
        macroAsts_[name] = parseCondition(m.condition.joined());
      } catch (const ParseError& e) {
        report(Severity::kError, fileOf(m.condition, e.pos().offset),
               locate(m.condition, e.pos().offset), "macro '" + name + "'",
               "invalid condition: " + e.detail());
      }
    }
    for (const auto& [name, ast] : macroAsts_) defs_.macros[name] = ast.get();
    for (const auto& [name, l] : lists_) defs_.lists[name] = l.items;
  }

  // Reports a compile error at its place: in the rule's condition, in a
  // macro's condition, or in the output.
  void reportCompileError(const RuleDef& r, const CompileError& e, const Segmented& where,
                          const std::string& what) {
    std::string item = "rule '" + r.name + "'";
    const std::string& ctx = e.context();
    if (ctx.rfind("macro '", 0) == 0) {
      std::string macro = ctx.substr(7, ctx.size() - 8);
      const MacroDef& m = macros_.at(macro);
      report(Severity::kError, fileOf(m.condition, e.pos().offset),
             locate(m.condition, e.pos().offset), item, "in macro '" + macro + "': " + e.detail());
      return;
    }
    report(Severity::kError, fileOf(where, e.pos().offset), locate(where, e.pos().offset), item,
           what + e.detail());
  }

  static bool appendMatches(const AppendOutput& a, const RuleDef& r) {
    if (!a.source.empty() && a.source != r.source) return false;
    if (!a.rule.empty() && a.rule != r.name) return false;
    return std::all_of(a.tags.begin(), a.tags.end(), [&](const std::string& t) {
      return std::find(r.tags.begin(), r.tags.end(), t) != r.tags.end();
    });
  }

  // "name_with_underscores=%name" for each field of the source a plugin
  // marks as suggested, in plugin and field order, as Falco lists them.
  std::string suggestedOutput(const FieldCatalog& catalog) const {
    std::string out;
    for (size_t p = 0; p < plugins_.size(); ++p) {
      for (const FieldDescriptor& d : plugins_[p].fields) {
        const FieldInfo* f = catalog.find(d.name);
        if (!d.addOutput || f == nullptr || f->plugin != static_cast<int32_t>(p)) continue;
        std::string key = d.name;
        std::replace(key.begin(), key.end(), '.', '_');
        out += " " + key + "=%" + d.name;
      }
    }
    return out;
  }

  // append_output: the matching entries' extra output goes after the
  // rule's own, their extra fields beside it. A format that does not
  // compile is the rule's error, named as coming from append_output.
  bool applyAppends(const RuleDef& r, const FieldCatalog& catalog, RequestPlan& plan,
                    CompiledRule& out) {
    std::string extra;
    std::map<std::string, std::pair<std::string, bool>> fields;
    for (const AppendOutput& a : appends_) {
      if (!appendMatches(a, r)) continue;
      if (!a.extraOutput.empty()) extra += " " + a.extraOutput;
      if (a.suggestedOutput) extra += suggestedOutput(catalog);
      for (const AppendOutput::Field& f : a.extraFields) {
        if (!f.raw && f.format.empty()) continue;  // Falco skips an empty format
        fields[f.key] = {f.raw ? "%" + f.key : f.format, f.raw};
      }
    }
    const std::string item = "rule '" + r.name + "'";
    try {
      if (!extra.empty()) out.output = OutputFormat::compile(r.output.joined() + extra, catalog, plan);
    } catch (const CompileError& e) {
      report(Severity::kError, r.file, r.pos, item,
             "in append_output's extra_output '" + extra.substr(1) + "': " + e.detail());
      return false;
    }
    for (const auto& [key, value] : fields) {
      try {
        out.extraFields.push_back({key, OutputFormat::compile(value.first, catalog, plan), value.second});
      } catch (const CompileError& e) {
        report(Severity::kError, r.file, r.pos, item,
               "in append_output's extra_fields '" + key + "': " + e.detail());
        return false;
      }
    }
    return true;
  }

  void compileRule(const RuleDef& r, const FieldCatalog& catalog, RuleSet& set) {
    std::string item = "rule '" + r.name + "'";
    auto priority = parsePriority(r.priority);
    if (!priority) {
      report(Severity::kError, r.file, r.pos, item,
             "unknown priority '" + r.priority +
                 "' (expected emergency, alert, critical, error, warning, notice, "
                 "informational, info or debug)");
      return;
    }
    ExprPtr cond;
    try {
      cond = parseCondition(r.condition.joined());
    } catch (const ParseError& e) {
      report(Severity::kError, fileOf(r.condition, e.pos().offset),
             locate(r.condition, e.pos().offset), item, "invalid condition: " + e.detail());
      return;
    }
    std::vector<ExprPtr> terms;
    terms.push_back(std::move(cond));
    for (const auto& e : r.exceptions) {
      ExprPtr ex;
      try {
        ex = exceptionExpr(e);
        if (ex) {
          // Checked alone first, so that an error points at the exception.
          RequestPlan scratch(plugins_.size());
          compileCondition(*ex, defs_, catalog, scratch);
        }
      } catch (const CompileError& err) {
        if (err.unknownField() && r.skipIfUnknownFilter) {
          report(Severity::kWarning, r.file, e.pos, item,
                 "skipped (skip-if-unknown-filter): exception '" + e.name + "': " + err.detail());
          return;
        }
        report(Severity::kError, r.file, e.pos, item,
               "exception '" + e.name + "': " + err.detail());
        return;
      } catch (const std::runtime_error& err) {
        report(Severity::kError, r.file, e.pos, item, "exception '" + e.name + "': " + err.what());
        return;
      }
      if (!ex) continue;
      std::vector<ExprPtr> one;
      one.push_back(std::move(ex));
      terms.push_back(makeNode(Expr::Kind::kNot, {}, std::move(one)));
    }
    ExprPtr full =
        terms.size() == 1 ? std::move(terms[0]) : makeNode(Expr::Kind::kAnd, {}, std::move(terms));

    RequestPlan condPlan = set.conditionPlan();
    RequestPlan outPlan = set.outputPlan();
    CompiledRule out;
    try {
      out.condition = compileCondition(*full, defs_, catalog, condPlan);
    } catch (const CompileError& e) {
      if (e.unknownField() && r.skipIfUnknownFilter) {
        report(Severity::kWarning, r.file, r.pos, item,
               "skipped (skip-if-unknown-filter): " + e.detail());
        return;
      }
      reportCompileError(r, e, r.condition, "");
      return;
    }
    try {
      out.output = OutputFormat::compile(r.output.joined(), catalog, outPlan);
    } catch (const CompileError& e) {
      reportCompileError(r, e, r.output, "in output: ");
      return;
    }
    if (!applyAppends(r, catalog, outPlan, out)) return;
    out.name = r.name;
    out.description = r.desc;
    out.conditionText = r.condition.joined();
    out.outputText = r.output.joined();
    out.source = r.source;
    out.priority = *priority;
    out.tags = r.tags;
    out.enabled = r.enabled;
    out.file = r.file;
    out.line = r.pos.line;
    set.conditionPlan() = std::move(condPlan);
    set.outputPlan() = std::move(outPlan);
    set.add(std::move(out));
  }

  void compileAll() {
    std::vector<std::string> sources = providedSources(plugins_);
    for (const auto& r : rules_) {
      if (std::find(sources.begin(), sources.end(), r.source) == sources.end())
        report(Severity::kWarning, r.file, r.pos, "rule '" + r.name + "'",
               "unknown source '" + r.source + "' (no loaded plugin provides it), rule skipped");
    }
    for (const auto& source : sources) {
      std::optional<FieldCatalog> catalog;
      try {
        catalog.emplace(source, plugins_);
      } catch (const CatalogError& e) {
        add(Diagnostic{Severity::kError, "", 0, 0, "source '" + source + "'", e.what()});
        continue;
      }
      RuleSet set(source, plugins_.size());
      for (const auto& r : rules_) {
        if (r.source == source) compileRule(r, *catalog, set);
      }
      result_.ruleSets.push_back(std::move(set));
    }
  }

  std::span<const RulesText> files_;
  std::span<const PluginInfo> plugins_;
  std::span<const AppendOutput> appends_;
  LoadResult result_;
  std::map<std::string, std::string> fileText_;
  std::vector<PluginRequirement> requirements_;
  std::map<std::string, ListDef> lists_;
  std::vector<std::string> listOrder_;
  std::map<std::string, MacroDef> macros_;
  std::map<std::string, ExprPtr> macroAsts_;
  std::vector<RuleDef> rules_;
  Definitions defs_;
};

}  // namespace

bool LoadResult::ok() const {
  return std::none_of(diagnostics.begin(), diagnostics.end(),
                      [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

std::vector<Diagnostic> LoadResult::errors() const {
  std::vector<Diagnostic> out;
  for (const auto& d : diagnostics) {
    if (d.severity == Severity::kError) out.push_back(d);
  }
  return out;
}

std::vector<Diagnostic> LoadResult::warnings() const {
  std::vector<Diagnostic> out;
  for (const auto& d : diagnostics) {
    if (d.severity == Severity::kWarning) out.push_back(d);
  }
  return out;
}

const RuleSet* LoadResult::forSource(std::string_view source) const {
  for (const auto& s : ruleSets) {
    if (s.source() == source) return &s;
  }
  return nullptr;
}

LoadResult loadRules(std::span<const RulesText> files, std::span<const PluginInfo> plugins,
                     std::span<const AppendOutput> appends) {
  return Loader(files, plugins, appends).run();
}

}  // namespace bulkhead
