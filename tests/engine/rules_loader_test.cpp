#include "engine/rules_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/batch_values.h"
#include "engine/evaluator.h"
#include "tests/engine/test_support.h"

namespace bulkhead {
namespace {

using test::Row;

class RulesLoaderTest : public ::testing::Test {
 protected:
  RulesLoaderTest() : plugins_{test::testPlugin(), test::anySourcePlugin()} {}

  LoadResult load(std::vector<RulesText> files) { return loadRules(files, plugins_); }
  LoadResult load(const std::string& text) { return load({{"r.yaml", text}}); }

  static std::string dump(const LoadResult& r) {
    std::string out;
    for (const auto& d : r.diagnostics) out += d.toString() + "\n";
    return out;
  }
  static std::string firstError(const LoadResult& r) {
    auto e = r.errors();
    return e.empty() ? "no error" : e[0].toString();
  }

  // Evaluates rule `name` of source "test" for one event with `row`.
  bool matches(const LoadResult& r, const std::string& name, const Row& row) {
    const RuleSet* set = r.forSource("test");
    EXPECT_NE(set, nullptr);
    if (!set) return false;
    auto ev = test::pluginEvent(1, 999, "x");
    EventRef ref{reinterpret_cast<const ss_plugin_event*>(ev.data()), 1};
    std::vector<ExtractResults> res;
    for (size_t p = 0; p < plugins_.size(); ++p)
      res.push_back(test::extractRows(set->conditionPlan(), p, plugins_[p], {row}));
    std::vector<const ExtractResults*> ptrs{&res[0], &res[1]};
    BatchValues values(set->conditionPlan(), std::span(&ref, 1), "test", plugins_, ptrs);
    for (const auto& rule : set->rules()) {
      if (rule.name == name) return evaluate(rule.condition, values, 0);
    }
    ADD_FAILURE() << "no rule " << name;
    return false;
  }

  std::vector<PluginInfo> plugins_;
};

const char* kBase = R"(
- list: shells
  items: [bash, sh]
- macro: is_shell
  condition: t.str in (shells)
- rule: Shell
  desc: a shell
  condition: is_shell
  output: shell %t.str
  priority: WARNING
  source: test
  tags: [a]
)";

TEST_F(RulesLoaderTest, BasicRule) {
  LoadResult r = load(kBase);
  ASSERT_TRUE(r.ok()) << dump(r);
  const RuleSet* set = r.forSource("test");
  ASSERT_NE(set, nullptr);
  ASSERT_EQ(set->rules().size(), 1u);
  const CompiledRule& rule = set->rules()[0];
  EXPECT_EQ(rule.name, "Shell");
  EXPECT_EQ(rule.description, "a shell");
  EXPECT_EQ(rule.priority, Priority::kWarning);
  EXPECT_EQ(rule.tags, std::vector<std::string>{"a"});
  EXPECT_EQ(rule.line, 6u);
  EXPECT_TRUE(matches(r, "Shell", Row{{"t.str", {std::string("sh")}}}));
  EXPECT_FALSE(matches(r, "Shell", Row{{"t.str", {std::string("zsh")}}}));
}

TEST_F(RulesLoaderTest, LaterFilesOverrideAndAppend) {
  LoadResult r = load({{"base.yaml", kBase}, {"local.yaml", R"(
- list: shells
  items: [zsh]
  append: true
- macro: is_shell
  condition: or t.str = fish
  append: true
)"}});
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_TRUE(matches(r, "Shell", Row{{"t.str", {std::string("zsh")}}}));
  EXPECT_TRUE(matches(r, "Shell", Row{{"t.str", {std::string("fish")}}}));
  EXPECT_TRUE(matches(r, "Shell", Row{{"t.str", {std::string("bash")}}}));

  r = load({{"base.yaml", kBase}, {"local.yaml", R"(
- list: shells
  items: [csh]
)"}});
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_TRUE(matches(r, "Shell", Row{{"t.str", {std::string("csh")}}}));
  EXPECT_FALSE(matches(r, "Shell", Row{{"t.str", {std::string("bash")}}}));
}

TEST_F(RulesLoaderTest, OverrideForms) {
  LoadResult r = load({{"base.yaml", kBase}, {"local.yaml", R"(
- rule: Shell
  condition: and t.num > 5
  output: (n=%t.num)
  priority: ERROR
  override:
    condition: append
    output: append
    priority: replace
- list: shells
  items: [ksh]
  override:
    items: replace
)"}});
  ASSERT_TRUE(r.ok()) << dump(r);
  const CompiledRule& rule = r.forSource("test")->rules()[0];
  EXPECT_EQ(rule.priority, Priority::kError);
  EXPECT_TRUE(matches(r, "Shell", Row{{"t.str", {std::string("ksh")}}, {"t.num", {uint64_t{6}}}}));
  EXPECT_FALSE(matches(r, "Shell", Row{{"t.str", {std::string("ksh")}}, {"t.num", {uint64_t{5}}}}));
  EXPECT_FALSE(matches(r, "Shell", Row{{"t.str", {std::string("sh")}}, {"t.num", {uint64_t{6}}}}));
  ASSERT_EQ(rule.output.parts().size(), 5u);  // "shell ", t.str, " (n=", t.num, ")"
}

TEST_F(RulesLoaderTest, EnabledToggleAndDisabledRules) {
  LoadResult r = load({{"base.yaml", kBase}, {"local.yaml", R"(
- rule: Shell
  enabled: false
)"}});
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_FALSE(r.forSource("test")->rules()[0].enabled);
  std::vector<Match> out;
  auto ev = test::pluginEvent(1, 999, "x");
  EventRef ref{reinterpret_cast<const ss_plugin_event*>(ev.data()), 1};
  const RuleSet& set = *r.forSource("test");
  auto res =
      test::extractRows(set.conditionPlan(), 0, plugins_[0], {Row{{"t.str", {std::string("sh")}}}});
  std::vector<const ExtractResults*> ptrs{&res, nullptr};
  BatchValues values(set.conditionPlan(), std::span(&ref, 1), "test", plugins_, ptrs);
  set.evaluate(values, 1, out);
  EXPECT_TRUE(out.empty());
}

TEST_F(RulesLoaderTest, Exceptions) {
  LoadResult r = load(R"(
- list: trusted
  items: [good1, good2]
- rule: Ex
  desc: d
  condition: t.num > 0
  output: o
  priority: INFO
  source: test
  exceptions:
    - name: tuple
      fields: [t.str, t.other]
      comps: [=, startswith]
      values:
        - [a, /tmp]
        - [b, /var]
    - name: single
      fields: t.str
      values: [trusted, c]
    - name: listvalue
      fields: [t.str, t.num]
      comps: [in, =]
      values:
        - [[x, y], 7]
    - name: empty
      fields: [t.str]
)");
  ASSERT_TRUE(r.ok()) << dump(r);
  auto row = [](std::string s, std::string o, uint64_t n) {
    return Row{{"t.str", {s}}, {"t.other", {o}}, {"t.num", {n}}};
  };
  EXPECT_TRUE(matches(r, "Ex", row("z", "/x", 1)));
  EXPECT_FALSE(matches(r, "Ex", row("a", "/tmp/f", 1)));  // tuple 1
  EXPECT_TRUE(matches(r, "Ex", row("a", "/var/f", 1)));   // a pairs with /tmp only
  EXPECT_FALSE(matches(r, "Ex", row("b", "/var/f", 1)));  // tuple 2
  EXPECT_FALSE(matches(r, "Ex", row("good2", "/x", 1)));  // single, via list
  EXPECT_FALSE(matches(r, "Ex", row("c", "/x", 1)));
  EXPECT_FALSE(matches(r, "Ex", row("y", "/x", 7)));  // inline list value
  EXPECT_TRUE(matches(r, "Ex", row("y", "/x", 8)));

  // Appending values to an existing exception.
  r = load({{"a.yaml", R"(
- rule: Ex
  desc: d
  condition: t.num > 0
  output: o
  priority: INFO
  source: test
  exceptions:
    - name: names
      fields: [t.str]
      values: [[a]]
)"},
            {"b.yaml", R"(
- rule: Ex
  exceptions:
    - name: names
      values: [[b]]
  append: true
)"}});
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_FALSE(matches(r, "Ex", Row{{"t.str", {std::string("b")}}, {"t.num", {uint64_t{1}}}}));
  EXPECT_TRUE(matches(r, "Ex", Row{{"t.str", {std::string("c")}}, {"t.num", {uint64_t{1}}}}));
}

TEST_F(RulesLoaderTest, UnknownSourceIsOneWarning) {
  LoadResult r = load(R"(
- rule: Sys
  desc: d
  condition: proc.name = bash
  output: o
  priority: INFO
- rule: Other
  desc: d
  condition: x.y = 1
  output: o
  priority: INFO
  source: elsewhere
)");
  EXPECT_TRUE(r.ok()) << dump(r);
  ASSERT_EQ(r.warnings().size(), 2u);
  EXPECT_EQ(r.warnings()[0].toString(),
            "r.yaml:2:3: warning: rule 'Sys': unknown source 'syscall' (no loaded plugin provides "
            "it), rule skipped");
  EXPECT_EQ(r.warnings()[1].item, "rule 'Other'");
  EXPECT_TRUE(r.forSource("test")->rules().empty());
}

TEST_F(RulesLoaderTest, SkipIfUnknownFilter) {
  LoadResult r = load(R"(
- rule: Maybe
  desc: d
  condition: t.missing = 1
  output: o
  priority: INFO
  source: test
  skip-if-unknown-filter: true
)");
  EXPECT_TRUE(r.ok()) << dump(r);
  ASSERT_EQ(r.warnings().size(), 1u);
  EXPECT_NE(r.warnings()[0].message.find("skip-if-unknown-filter"), std::string::npos);
}

TEST_F(RulesLoaderTest, RegexAndTransformers) {
  LoadResult r = load(R"yaml(
- macro: shell_binary
  condition: basename(t.str) regex '(ba|z)?sh'
- rule: Shell
  desc: d
  condition: shell_binary and tolower(t.other) != root
  output: "%toupper(basename(t.str)) by %t.other (%len(t.list) tags)"
  priority: INFO
  source: test
  exceptions:
    - name: vendor
      fields: [t.str]
      comps: [regex]
      values: [['/opt/[a-z]+/bin/.*']]
    - name: admin_short_paths
      fields: [toupper(t.other), len(t.str)]
      comps: [=, <]
      values: [[ADMIN, 9]]
)yaml");
  ASSERT_TRUE(r.ok()) << dump(r);
  auto row = [](const std::string& path, const std::string& user) {
    return Row{{"t.str", {path}}, {"t.other", {user}}};
  };
  EXPECT_TRUE(matches(r, "Shell", row("/bin/bash", "alice")));
  EXPECT_TRUE(matches(r, "Shell", row("/usr/bin/zsh", "alice")));
  EXPECT_TRUE(matches(r, "Shell", row("/opt/X/bin/sh", "alice")));  // not [a-z]+
  EXPECT_FALSE(matches(r, "Shell", row("/bin/fish", "alice")));
  EXPECT_FALSE(matches(r, "Shell", row("/bin/bash", "Root")));
  EXPECT_FALSE(matches(r, "Shell", row("/opt/acme/bin/sh", "alice")));  // vendor
  EXPECT_FALSE(matches(r, "Shell", row("/bin/sh", "Admin")));           // admin_short_paths
  EXPECT_TRUE(matches(r, "Shell", row("/usr/bin/zsh", "admin")));       // 12 is not < 9
  const CompiledRule& rule = r.forSource("test")->rules()[0];
  ASSERT_EQ(rule.condition.checks.size(), 5u);
  EXPECT_NE(rule.condition.checks[0].regex, nullptr);  // compiled with the rule
  EXPECT_NE(rule.condition.checks[2].regex, nullptr);
  std::vector<std::string> transformed;
  for (const OutputPart& p : rule.output.parts()) {
    if (p.transformed) transformed.push_back(p.field.text());
  }
  EXPECT_EQ(transformed, (std::vector<std::string>{"toupper(basename(t.str))", "len(t.list)"}));
}

TEST_F(RulesLoaderTest, TransformersAndSkipIfUnknownFilter) {
  LoadResult r = load(R"(
- rule: Maybe
  desc: d
  condition: tolower(t.missing) = x
  output: o
  priority: INFO
  source: test
  skip-if-unknown-filter: true
)");
  EXPECT_TRUE(r.ok()) << dump(r);
  ASSERT_EQ(r.warnings().size(), 1u);
  EXPECT_EQ(r.warnings()[0].toString(),
            "r.yaml:2:3: warning: rule 'Maybe': skipped (skip-if-unknown-filter): unknown field "
            "'t.missing' for source 'test'");
}

TEST_F(RulesLoaderTest, Versions) {
  EXPECT_TRUE(load("- required_engine_version: 15\n").ok());
  EXPECT_TRUE(load("- required_engine_version: 0.40.0\n").ok());
  EXPECT_EQ(firstError(load("- required_engine_version: 99\n")),
            "r.yaml:1:3: error: required_engine_version: the rules need engine version 0.99.0, "
            "this engine implements 0.50.0");
  EXPECT_EQ(firstError(load("- required_engine_version: abc\n")),
            "r.yaml:1:3: error: required_engine_version: 'abc' is neither a number nor X.Y.Z");
  EXPECT_TRUE(load("- required_plugin_versions:\n  - name: testplug\n    version: 1.0.0\n").ok());
  EXPECT_EQ(firstError(load(R"(
- required_plugin_versions:
  - name: testplug
    version: 1.3.0
)")),
            "r.yaml:3:5: error: required_plugin_versions: plugin 'testplug' version 1.2.3 is "
            "loaded but the rules require a version compatible with 1.3.0 (same major, at least "
            "that version)");
  // Merged across files: every entry must hold.
  LoadResult two =
      load({{"a.yaml", "- required_plugin_versions:\n  - {name: testplug, version: 1.0.0}\n"},
            {"b.yaml", "- required_plugin_versions:\n  - {name: testplug, version: 2.0.0}\n"}});
  ASSERT_EQ(two.errors().size(), 1u);
  EXPECT_EQ(two.errors()[0].file, "b.yaml");
}

// A valid rule of source "test", for cases that add to it.
#define kRuleR \
  "- rule: R\n  desc: d\n  condition: t.num=1\n  output: o\n  priority: INFO\n  source: test\n"

struct LoadErrorCase {
  const char* yaml;
  const char* error;
};

class RulesLoaderErrors : public RulesLoaderTest,
                          public ::testing::WithParamInterface<LoadErrorCase> {};

TEST_P(RulesLoaderErrors, Message) {
  EXPECT_EQ(firstError(load(GetParam().yaml)), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    All, RulesLoaderErrors,
    ::testing::Values(
        LoadErrorCase{"- rule: [",
                      "r.yaml:1:1: error: invalid YAML: end of sequence flow not found"},
        LoadErrorCase{"- list: a\n  items: [x]\n,  items: []\n- list: b\n  items: [y]\n",
                      "r.yaml:3:1: error: invalid YAML: unexpected content that does not belong "
                      "to any item"},
        LoadErrorCase{"- list: l\n", "r.yaml:1:3: error: list 'l': missing 'items'"},
        LoadErrorCase{"- macro: m\n", "r.yaml:1:3: error: macro 'm': missing 'condition'"},
        LoadErrorCase{"- 42\n", "r.yaml:1:3: error: each top-level item must be a mapping"},
        LoadErrorCase{"- rule: \"\"\n", "r.yaml:1:9: error: rule '': rule name is empty"},
        LoadErrorCase{kRuleR "  exceptions: 3\n",
                      "r.yaml:7:15: error: rule 'R': 'exceptions' must be a list"},
        LoadErrorCase{kRuleR "  exceptions:\n    - fields: [t.str]\n",
                      "r.yaml:8:7: error: rule 'R': an exception needs a 'name'"},
        LoadErrorCase{kRuleR "  exceptions:\n    - name: e\n      fields: [t.str]\n      why: x\n",
                      "r.yaml:10:7: error: rule 'R': unsupported exception property 'why'"},
        LoadErrorCase{kRuleR
                      "  exceptions:\n    - name: e\n      fields: [t.str]\n      comps: in\n",
                      "r.yaml:10:14: error: rule 'R': exception 'e': 'comps' must be a list when "
                      "'fields' is a list"},
        LoadErrorCase{
            kRuleR "  exceptions:\n    - name: e\n      fields: [t.str, t.num]\n      comps: [=]\n",
            "r.yaml:10:14: error: rule 'R': exception 'e': 'fields' and 'comps' differ "
            "in length"},
        LoadErrorCase{kRuleR
                      "  exceptions:\n    - name: e\n      fields: [t.str]\n      values: [a]\n",
                      "r.yaml:10:16: error: rule 'R': exception 'e': each value must be a list "
                      "with one item per field"},
        LoadErrorCase{kRuleR "  exceptions:\n    - name: e\n",
                      "r.yaml:8:7: error: rule 'R': exception 'e' has no 'fields'"},
        LoadErrorCase{kRuleR
                      "- rule: R\n  exceptions:\n    - name: e2\n      fields: [t.num]\n      "
                      "values: [[1]]\n  append: true\n- rule: R\n  exceptions:\n    - name: e2\n   "
                      "   fields: [t.str]\n      values: [[a]]\n  append: true\n",
                      "r.yaml:15:7: error: rule 'R': exception 'e2' is appended with different "
                      "fields"},
        LoadErrorCase{kRuleR
                      "- rule: R\n  desc: x\n  override:\n    desc: replace\n    output: append\n",
                      "r.yaml:7:3: error: rule 'R': override lists 'output' but the item gives "
                      "no value for it"},
        LoadErrorCase{"- required_plugin_versions: {name: x}\n",
                      "r.yaml:1:29: error: required_plugin_versions must be a list"},
        LoadErrorCase{"- required_plugin_versions:\n  - name: x\n",
                      "r.yaml:2:5: error: a plugin requirement needs 'name' and 'version'"},
        LoadErrorCase{"- required_plugin_versions:\n  - name: x\n    version: 1.0.0\n    "
                      "alternatives: [{name: x, version: 2.0.0}]\n",
                      "r.yaml:4:20: error: plugin 'x' is listed twice in one requirement"},
        LoadErrorCase{"- required_plugin_versions:\n  - name: x\n    version: 1.0.0\n    url: y\n",
                      "r.yaml:4:5: error: unsupported plugin requirement property 'url'"},
        LoadErrorCase{kRuleR "  exceptions:\n    - name: e\n      values: [[a]]\n",
                      "r.yaml:8:7: error: rule 'R': exception 'e' has no 'fields'"},
        LoadErrorCase{kRuleR "- rule: R\n  exceptions:\n    - name: new\n      values: [[a]]\n"
                             "  append: true\n",
                      "r.yaml:9:7: error: rule 'R': exception 'new': has values but no 'fields' "
                      "to compare them with"},
        LoadErrorCase{"rule: x\n", "r.yaml:1:1: error: a rules file must be a list of items"},
        LoadErrorCase{"- foo: bar\n",
                      "r.yaml:1:3: error: unsupported top-level item 'foo' (expected rule, macro, "
                      "list, required_engine_version or required_plugin_versions)"},
        LoadErrorCase{"- rule: R\n  desc: d\n  condition: t.num=1\n  output: o\n  priority: INFO\n"
                      "  source: test\n  capture: true\n",
                      "r.yaml:7:3: error: rule 'R': unsupported rule property 'capture'"},
        LoadErrorCase{"- macro: m\n  condition: t.num=1\n  source: test\n",
                      "r.yaml:3:3: error: macro 'm': unsupported macro property 'source'"},
        LoadErrorCase{"- rule: R\n  desc: d\n  condition: t.num=1\n  priority: INFO\n",
                      "r.yaml:1:3: error: rule 'R': missing 'output'"},
        LoadErrorCase{"- rule: R\n  desc: d\n  condition: t.num=1\n  output: o\n  priority: LOUD\n"
                      "  source: test\n",
                      "r.yaml:1:3: error: rule 'R': unknown priority 'LOUD' (expected emergency, "
                      "alert, critical, error, warning, notice, informational, info or debug)"},
        LoadErrorCase{"- rule: R\n  desc: d\n  condition: t.num = 1 and\n    t.bad = 2\n"
                      "  output: o\n  priority: INFO\n  source: test\n",
                      "r.yaml:4:5: error: rule 'R': unknown field 't.bad' for source 'test'"},
        LoadErrorCase{"- rule: R\n  desc: d\n  condition: >\n    t.num = 1 and\n    (t.str = \n"
                      "  output: o\n  priority: INFO\n  source: test\n",
                      "r.yaml:5:13: error: rule 'R': invalid condition: expected a value after "
                      "operator '='"},
        LoadErrorCase{"- rule: R\n  desc: d\n  condition: t.num = 1\n  output: value %t.nope\n"
                      "  priority: INFO\n  source: test\n",
                      "r.yaml:4:17: error: rule 'R': in output: unknown field 't.nope' in output "
                      "for source 'test'"},
        LoadErrorCase{"- macro: m\n  condition: t.num = x\n- rule: R\n  desc: d\n  condition: m\n"
                      "  output: o\n  priority: INFO\n  source: test\n",
                      "r.yaml:2:22: error: rule 'R': in macro 'm': type mismatch: field 't.num' "
                      "compared with 'x' is not an unsigned integer, as a uint64 field needs"},
        LoadErrorCase{"- macro: m\n  condition: (t.num = 1\n",
                      "r.yaml:2:24: error: macro 'm': invalid condition: expected ')' to close the "
                      "'(' at column 1"},
        LoadErrorCase{"- list: l\n  items: [a]\n  append: true\n",
                      "r.yaml:1:3: error: list 'l': has 'append: true' but no earlier definition "
                      "exists"},
        LoadErrorCase{"- rule: R\n  enabled: false\n",
                      "r.yaml:1:3: error: rule 'R': sets 'enabled' but no earlier definition "
                      "exists"},
        LoadErrorCase{
            "- list: l\n  items: [a]\n- list: l\n  items: [b]\n  override:\n    items: merge\n",
            "r.yaml:6:12: error: list 'l': override of 'items' must be 'append' or "
            "'replace', not 'merge'"},
        LoadErrorCase{
            "- list: l\n  items: [a]\n- list: l\n  items: [b]\n  append: true\n  override:\n"
            "    items: append\n",
            "r.yaml:3:3: error: list 'l': 'append' and 'override' cannot be used "
            "together"},
        LoadErrorCase{"- macro: m\n  condition: t.num=1\n- macro: m\n  condition: t.num=2\n"
                      "  override:\n    items: replace\n",
                      "r.yaml:3:3: error: macro 'm': 'items' cannot be replaced"},
        LoadErrorCase{"- rule: R\n  desc: d\n  condition: t.num=1\n  output: o\n  priority: INFO\n"
                      "  source: test\n- rule: R\n  priority: ERROR\n  desc: x\n  override:\n"
                      "    priority: replace\n",
                      "r.yaml:7:3: error: rule 'R': 'desc' is not listed in 'override'"},
        LoadErrorCase{"- rule: R\n  desc: d\n  condition: t.num=1\n  output: o\n  priority: INFO\n"
                      "  source: test\n- rule: R\n  source: other\n  append: true\n",
                      "r.yaml:7:3: error: rule 'R': 'source' cannot be appended"},
        LoadErrorCase{"- rule: R\n  desc: d\n  condition: t.num=1\n  output: o\n  priority: INFO\n"
                      "  source: test\n  enabled: maybe\n",
                      "r.yaml:7:12: error: rule 'R': 'enabled' must be true or false"},
        LoadErrorCase{"- rule: R\n  desc: d\n  condition: t.num=1\n  output: o\n  priority: INFO\n"
                      "  source: test\n  exceptions:\n    - name: e\n      fields: [t.str, t.num]\n"
                      "      values: [[a]]\n",
                      "r.yaml:10:17: error: rule 'R': exception 'e': a value has 1 items for 2 "
                      "fields"},
        LoadErrorCase{"- rule: R\n  desc: d\n  condition: t.num=1\n  output: o\n  priority: INFO\n"
                      "  source: test\n  exceptions:\n    - name: e\n      fields: [t.str]\n"
                      "      comps: [matches]\n      values: [[a]]\n",
                      "r.yaml:10:14: error: rule 'R': exception 'e': unsupported comparison "
                      "'matches'"},
        LoadErrorCase{"- rule: R\n  desc: d\n  condition: t.num=1\n  output: o\n  priority: INFO\n"
                      "  source: test\n  exceptions:\n    - name: e\n      fields: [t.str]\n"
                      "      comps: [regex]\n      values: [['(']]\n",
                      "r.yaml:8:7: error: rule 'R': exception 'e': invalid regex pattern: "
                      "missing ): ("},
        LoadErrorCase{"- rule: R\n  desc: d\n  condition: t.num=1\n  output: o\n  priority: INFO\n"
                      "  source: test\n  exceptions:\n    - name: e\n      fields: [len(t.num)]\n"
                      "      values: [[1]]\n",
                      "r.yaml:8:7: error: rule 'R': exception 'e': can't add field transformer: "
                      "type 'uint64' is not supported by 'len' transformer applied on field "
                      "'t.num'"},
        LoadErrorCase{
            "- rule: R\n  desc: d\n  condition: t.num=1\n  output: o\n  priority: INFO\n"
            "  source: test\n  exceptions:\n    - name: e\n      fields: [tolower t.str]\n"
            "      values: [[a]]\n",
            "r.yaml:8:7: error: rule 'R': exception 'e': 'tolower t.str' is not a "
            "field"},
        LoadErrorCase{"- rule: R\n  desc: d\n  condition: t.str regex '(a'\n  output: o\n"
                      "  priority: INFO\n  source: test\n",
                      "r.yaml:3:26: error: rule 'R': invalid regex pattern: missing ): (a"},
        LoadErrorCase{"- macro: m\n  condition: t.str regex '*a'\n- rule: R\n  desc: d\n"
                      "  condition: m\n  output: o\n  priority: INFO\n  source: test\n",
                      "r.yaml:2:26: error: rule 'R': in macro 'm': invalid regex pattern: no "
                      "argument for repetition operator: *"},
        LoadErrorCase{"- rule: R\n  desc: d\n  condition: t.num regex x\n  output: o\n"
                      "  priority: INFO\n  source: test\n",
                      "r.yaml:3:14: error: rule 'R': operator 'regex' does not apply to field "
                      "'t.num' of type uint64"},
        LoadErrorCase{"- rule: R\n  desc: d\n  condition: foo(t.str) = x\n  output: o\n"
                      "  priority: INFO\n  source: test\n",
                      "r.yaml:3:14: error: rule 'R': invalid condition: unknown field transformer "
                      "'foo': expected one of 'tolower', 'toupper', 'b64', 'basename', 'len'"},
        LoadErrorCase{"- rule: R\n  desc: d\n  condition: t.num = 1 and len(t.num) > 1\n"
                      "  output: o\n  priority: INFO\n  source: test\n",
                      "r.yaml:3:28: error: rule 'R': can't add field transformer: type 'uint64' "
                      "is not supported by 'len' transformer applied on field 't.num'"},
        LoadErrorCase{"- rule: R\n  desc: d\n  condition: t.num = 1\n"
                      "  output: \"x %tolower(t.num)\"\n  priority: INFO\n  source: test\n",
                      "r.yaml:4:15: error: rule 'R': in output: can't add field transformer: type "
                      "'uint64' is not supported by 'tolower' transformer applied on field "
                      "'t.num'"},
        LoadErrorCase{"- rule: R\n  desc: d\n  condition: t.num = 1\n"
                      "  output: \"%toupper(t.str\"\n  priority: INFO\n  source: test\n",
                      "r.yaml:4:26: error: rule 'R': in output: expected ')' to close toupper("},
        // `exists` is a condition operator but takes no value to compare with.
        LoadErrorCase{"- rule: R\n  desc: d\n  condition: t.num=1\n  output: o\n  priority: INFO\n"
                      "  source: test\n  exceptions:\n    - name: e\n      fields: [t.str]\n"
                      "      comps: [exists]\n      values: [[a]]\n",
                      "r.yaml:10:14: error: rule 'R': exception 'e': unsupported comparison "
                      "'exists'"},
        LoadErrorCase{"- rule: R\n  desc: d\n  condition: t.num=1\n  output: o\n  priority: INFO\n"
                      "  source: test\n  exceptions:\n    - name: e\n      fields: [t.num]\n"
                      "      values: [[abc]]\n",
                      "r.yaml:8:7: error: rule 'R': exception 'e': type mismatch: field 't.num' "
                      "compared with 'abc' is not an unsigned integer, as a uint64 field needs"},
        LoadErrorCase{"- rule: R\n  desc: d\n  condition: t.num=1\n  output: o\n  priority: INFO\n"
                      "  source: test\n  exceptions:\n    - name: e\n      fields: [t.num]\n"
                      "      values: [[[1, 2]]]\n",
                      "r.yaml:10:17: error: rule 'R': exception 'e': a list value needs "
                      "comparison in, intersects or pmatch, not '='"},
        LoadErrorCase{"- rule: R\n  desc: d\n  condition: t.num=1\n  output: o\n  priority: INFO\n"
                      "  source: test\n  exceptions:\n    - name: e\n      fields: [not a field]\n"
                      "      values: [[a]]\n",
                      "r.yaml:8:7: error: rule 'R': exception 'e': 'not a field' is not a field"},
        LoadErrorCase{"- required_plugin_versions:\n  - name: x\n    version: 1.0\n",
                      "r.yaml:3:14: error: plugin 'x': version '1.0' is not X.Y.Z"},
        LoadErrorCase{"- required_plugin_versions:\n  - name: nothere\n    version: 1.0.0\n"
                      "    alternatives:\n      - name: alsonot\n        version: 2.0.0\n",
                      "r.yaml:2:5: error: required_plugin_versions: plugin requirement not "
                      "satisfied, must load one of: nothere (>= 1.0.0), alsonot (>= 2.0.0)"}));

}  // namespace
}  // namespace bulkhead

namespace bulkhead {
namespace {

std::string firstErrorText(const LoadResult& r) {
  auto e = r.errors();
  return e.empty() ? "no error" : e[0].toString();
}

// The output format as written back: literals, and fields as %name[arg].
std::string formatText(const OutputFormat& f) {
  std::string out;
  for (const OutputPart& p : f.parts()) out += p.isField ? "%" + p.field.text() : p.literal;
  return out;
}

constexpr const char* kTwoRules = R"(
- rule: A
  desc: d
  condition: t.str = a
  output: rule a %t.str
  priority: WARNING
  source: test
  tags: [x, y]
- rule: B
  desc: d
  condition: t.str = b
  output: rule b
  priority: NOTICE
  source: test
  tags: [y]
)";

class AppendOutputTest : public ::testing::Test {
 protected:
  LoadResult load(std::vector<AppendOutput> appends) {
    appends_ = std::move(appends);
    const std::vector<RulesText> files = {{"r.yaml", kTwoRules}};
    return loadRules(files, plugins_, appends_);
  }
  const CompiledRule& rule(const LoadResult& r, const std::string& name) {
    for (const CompiledRule& c : r.forSource("test")->rules()) {
      if (c.name == name) return c;
    }
    throw std::runtime_error("no rule " + name);
  }
  std::vector<PluginInfo> plugins_{test::testPlugin()};
  std::vector<AppendOutput> appends_;
};

TEST_F(AppendOutputTest, EntriesApplyInOrderToTheRulesTheyMatch) {
  AppendOutput all;
  all.extraOutput = "n=%t.num";
  AppendOutput tagged;
  tagged.tags = {"x", "y"};  // only A has both
  tagged.extraOutput = "(xy)";
  AppendOutput named;
  named.rule = "B";
  named.source = "test";
  named.extraOutput = "only b";
  AppendOutput elsewhere;
  elsewhere.source = "other";
  elsewhere.extraOutput = "never";
  LoadResult r = load({all, tagged, named, elsewhere});
  ASSERT_TRUE(r.ok()) << firstErrorText(r);
  EXPECT_EQ(formatText(rule(r, "A").output), "rule a %t.str n=%t.num (xy)");
  EXPECT_EQ(formatText(rule(r, "B").output), "rule b n=%t.num only b");
}

TEST_F(AppendOutputTest, ExtraFieldsAreKeptApartFromTheOutput) {
  AppendOutput a;
  a.extraFields = {{"t.num", "", true}, {"label", "n=%t.num", false}, {"empty", "", false}};
  AppendOutput later;
  later.rule = "A";
  later.extraFields = {{"label", "again %t.str", false}};
  LoadResult r = load({a, later});
  ASSERT_TRUE(r.ok()) << firstErrorText(r);
  const CompiledRule& ra = rule(r, "A");
  EXPECT_EQ(formatText(ra.output), "rule a %t.str");
  ASSERT_EQ(ra.extraFields.size(), 2u);  // sorted by key; the empty format is dropped
  EXPECT_EQ(ra.extraFields[0].key, "label");
  EXPECT_EQ(formatText(ra.extraFields[0].format), "again %t.str");  // the later entry wins
  EXPECT_FALSE(ra.extraFields[0].raw);
  EXPECT_EQ(ra.extraFields[1].key, "t.num");
  EXPECT_TRUE(ra.extraFields[1].raw);
  EXPECT_EQ(formatText(rule(r, "B").extraFields[0].format), "n=%t.num");
}

TEST_F(AppendOutputTest, SuggestedOutputAddsTheFieldsPluginsMark) {
  plugins_[0].fields[1].addOutput = true;  // t.num
  AppendOutput a;
  a.suggestedOutput = true;
  LoadResult r = load({a});
  ASSERT_TRUE(r.ok()) << firstErrorText(r);
  EXPECT_EQ(formatText(rule(r, "B").output), "rule b t_num=%t.num");
}

TEST_F(AppendOutputTest, AnUnknownFieldIsTheRulesErrorNamingAppendOutput) {
  AppendOutput a;
  a.extraOutput = "x=%t.nosuch";
  LoadResult r = load({a});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(firstErrorText(r), ::testing::HasSubstr("rule 'A'"));
  EXPECT_THAT(firstErrorText(r), ::testing::HasSubstr("in append_output's extra_output 'x=%t.nosuch'"));
  AppendOutput f;
  f.extraFields = {{"bad", "%t.nosuch", false}};
  LoadResult r2 = load({f});
  ASSERT_FALSE(r2.ok());
  EXPECT_THAT(firstErrorText(r2), ::testing::HasSubstr("in append_output's extra_fields 'bad'"));
}

}  // namespace
}  // namespace bulkhead
