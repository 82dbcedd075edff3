// No input crashes the parser or the loader: mutated conditions and rules
// files give a ParseError or diagnostics, never another exception or a
// sanitizer report. Deterministic (fixed seed) so that a failure reproduces.
#include <gtest/gtest.h>

#include <random>

#include "engine/parser.h"
#include "engine/rules_loader.h"
#include "tests/engine/test_support.h"

namespace bulkhead {
namespace {

const char* kSeeds[] = {
    ("kevt and pod and kcreate and ka.req.pod.containers.privileged intersects (true) and not "
     "ka.req.pod.containers.image.repository in (k8s_audit_privileged_images)"),
    "(jevt.value[/stage] in (k8s_audit_stages))",
    "ka.uri=/healthz or ka.uri startswith /healthz?",
    "json.value[/requestParameters/publicAccessBlock]=\"\" and (a.b = 'x\\'y' or not c.d exists)",
    "t.str = val(t.other) and t.num >= 3 and t.ip in (10.0.0.1, ::1)",
    "tolower(basename(t.str)) regex '(ba|z)?sh' and len(t.list) > 1 and t.str = toupper(t.other)",
    "b64(t.key[/a]) regex \"[[:alpha:]]+[0-9]{2,}\" or not len( toupper(t.idx[0]) ) in (1, 2)",
};

std::string mutate(std::string s, std::mt19937& rng) {
  static const std::string kAlphabet = "()[],=<>!\"'\\ \n\tandornotin.%_/0aZ";
  int edits = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < edits; ++i) {
    size_t at = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 4) {
      case 0:  // insert
        s.insert(at, 1, kAlphabet[rng() % kAlphabet.size()]);
        break;
      case 1:  // delete
        if (at < s.size()) s.erase(at, 1 + rng() % 3);
        break;
      case 2:  // replace
        if (at < s.size()) s[at] = static_cast<char>(rng() % 256);
        break;
      default:  // truncate
        s.resize(at);
    }
  }
  return s;
}

TEST(Robustness, ParserSurvivesMutatedConditions) {
  std::mt19937 rng(12345);
  size_t parsed = 0, rejected = 0;
  for (int i = 0; i < 10000; ++i) {
    std::string text = mutate(kSeeds[rng() % std::size(kSeeds)], rng);
    try {
      parseCondition(text);
      ++parsed;
    } catch (const ParseError& e) {
      EXPECT_LE(e.pos().offset, text.size());
      ++rejected;
    }
  }
  EXPECT_GT(parsed, 0u);
  EXPECT_GT(rejected, 0u);
}

TEST(Robustness, LoaderSurvivesMutatedFiles) {
  const std::string base = R"yaml(
- required_plugin_versions:
  - name: testplug
    version: 1.0.0
    alternatives: [{name: x, version: 0.1.0}]
- list: l
  items: [a, "b c", l2]
- list: l2
  items: []
- macro: m
  condition: t.str in (l) or t.num > 3 or tolower(t.other) regex 'a[bc]+'
- rule: R
  desc: >
    text
  condition: >
    m and not t.flag = true
  output: "%t.str %(t.num) %t.key[/x] %len(basename(t.str))"
  priority: WARNING
  source: test
  exceptions:
    - name: e
      fields: [t.str, t.list]
      comps: [=, intersects]
      values:
        - [a, [x, y]]
- rule: R
  condition: and t.ip = 10.0.0.1
  override:
    condition: append
)yaml";
  std::vector<PluginInfo> plugins{test::testPlugin(), test::anySourcePlugin()};
  std::mt19937 rng(777);
  for (int i = 0; i < 1500; ++i) {
    std::vector<RulesText> files{{"m.yaml", mutate(base, rng)}};
    LoadResult r = loadRules(files, plugins);
    for (const auto& d : r.diagnostics) EXPECT_FALSE(d.message.empty());
  }
}

}  // namespace
}  // namespace bulkhead
