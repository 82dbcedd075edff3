// falco.yaml's `rules:` selection applied to loaded rule sets, and the
// wildcard it matches rule names with.
#include "engine/rule_selection.h"

#include <gtest/gtest.h>

#include <vector>

#include "engine/rule_set.h"
#include "engine/rules_loader.h"
#include "tests/engine/test_support.h"

namespace bulkhead {
namespace {

TEST(MatchesWildcard, StarIsTheOnlyWildcard) {
  EXPECT_TRUE(matchesWildcard("Read sensitive file", "Read sensitive file"));
  EXPECT_FALSE(matchesWildcard("Read sensitive file", "Read sensitive files"));
  EXPECT_TRUE(matchesWildcard("*", ""));
  EXPECT_TRUE(matchesWildcard("*", "anything"));
  EXPECT_TRUE(matchesWildcard("**", "anything"));
  EXPECT_TRUE(matchesWildcard("Read*", "Read sensitive file"));
  EXPECT_TRUE(matchesWildcard("*file", "Read sensitive file"));
  EXPECT_TRUE(matchesWildcard("*sensitive*", "Read sensitive file"));
  EXPECT_TRUE(matchesWildcard("R*s*e", "Read sensitive file"));
  EXPECT_FALSE(matchesWildcard("*sensitive", "Read sensitive file"));
  EXPECT_FALSE(matchesWildcard("read*", "Read sensitive file")) << "case matters";
  EXPECT_FALSE(matchesWildcard("Rea?", "Read")) << "? is literal";
  EXPECT_TRUE(matchesWildcard("Rea?", "Rea?"));
  EXPECT_FALSE(matchesWildcard("", "x"));
  EXPECT_TRUE(matchesWildcard("a*a*a", "aaa"));
  EXPECT_FALSE(matchesWildcard("a*a*a", "aa"));
}

const char* kRules = R"(
- rule: Big number
  desc: d
  condition: t.num > 100
  output: big %t.num
  priority: NOTICE
  source: test
  tags: [numbers, size]
- rule: Named
  desc: d
  condition: t.str startswith adm
  output: named %t.str
  priority: CRITICAL
  source: test
  tags: [names]
- rule: Off by default
  desc: d
  condition: t.num = 1
  output: one
  priority: INFO
  source: test
  enabled: false
)";

struct Loaded {
  LoadResult result;
  std::vector<bool> enabled() const {
    std::vector<bool> out;
    for (const CompiledRule& r : result.forSource("test")->rules()) out.push_back(r.enabled);
    return out;
  }
};

Loaded load(const std::vector<RuleSelection>& selection) {
  std::vector<PluginInfo> plugins{test::testPlugin()};
  std::vector<RulesText> files{{"r.yaml", kRules}};
  Loaded l{loadRules(files, plugins)};
  EXPECT_TRUE(l.result.ok());
  applyRuleSelection(l.result.ruleSets, selection);
  return l;
}

TEST(RuleSelection, NothingSelectedKeepsTheFilesChoice) {
  Loaded l = load({});
  EXPECT_EQ(l.enabled(), (std::vector<bool>{true, true, false}));
  EXPECT_EQ(enabledRuleCount(l.result.ruleSets), 2u);
}

TEST(RuleSelection, ByTagAndByNameInOrder) {
  EXPECT_EQ(load({{false, "", "numbers"}}).enabled(), (std::vector<bool>{false, true, false}));
  EXPECT_EQ(load({{true, "Off*", ""}}).enabled(), (std::vector<bool>{true, true, true}));
  // Falco's "only these": everything off, then the wanted ones on.
  Loaded only = load({{false, "*", ""}, {true, "", "names"}});
  EXPECT_EQ(only.enabled(), (std::vector<bool>{false, true, false}));
  EXPECT_EQ(enabledRuleCount(only.result.ruleSets), 1u);
  // Later entries win.
  EXPECT_EQ(load({{true, "", "names"}, {false, "*", ""}}).enabled(),
            (std::vector<bool>{false, false, false}));
  EXPECT_EQ(enabledRuleCount(load({{false, "*", ""}}).result.ruleSets), 0u);
}

TEST(RuleSelection, AnEntryWithNameAndTagAppliesBoth) {
  EXPECT_EQ(load({{false, "Named", "size"}}).enabled(), (std::vector<bool>{false, false, false}));
}

TEST(RuleSelection, AnUnknownTagOrNameSelectsNothing) {
  EXPECT_EQ(load({{false, "Nope", "nope"}}).enabled(), (std::vector<bool>{true, true, false}));
}

}  // namespace
}  // namespace bulkhead
