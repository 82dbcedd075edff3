// Every rules file in BULKHEAD_SHARED_DATA/falco-rules, loaded with the real
// plugins' schemas: each rule either compiles or its rejection names the
// construct; the k8saudit 0.15.0 and cloudtrail 0.13.0 files must compile
// completely.
#include <gtest/gtest.h>

#include <filesystem>

#include "engine/batch_values.h"
#include "engine/rules_loader.h"
#include "tests/engine/schema_loader.h"
#include "tests/engine/test_support.h"

namespace bulkhead {
namespace {

const std::string kData = BULKHEAD_SHARED_DATA;

std::vector<PluginInfo> realPlugins() {
  std::vector<PluginInfo> out;
  for (const auto& e : std::filesystem::directory_iterator(kData + "/plugin-schemas"))
    out.push_back(test::loadSchema(e.path().string()));
  std::sort(out.begin(), out.end(),
            [](const PluginInfo& a, const PluginInfo& b) { return a.name < b.name; });
  return out;
}

LoadResult load(const std::string& file) {
  static const std::vector<PluginInfo> plugins = realPlugins();
  std::vector<RulesText> files{{file, test::readFile(kData + "/falco-rules/" + file)}};
  return loadRules(files, plugins);
}

std::string dump(const LoadResult& r) {
  std::string out;
  for (const auto& d : r.diagnostics) out += d.toString() + "\n";
  return out;
}

size_t ruleCount(const std::string& file) {
  std::string text = test::readFile(kData + "/falco-rules/" + file);
  size_t n = 0;
  for (size_t at = text.find("\n- rule:"); at != std::string::npos;
       at = text.find("\n- rule:", at + 1))
    ++n;
  return n;
}

TEST(RealRules, SchemasLoad) {
  auto plugins = realPlugins();
  ASSERT_EQ(plugins.size(), 5u);
  FieldCatalog k8s("k8s_audit", plugins);
  EXPECT_NE(k8s.find("ka.user.name"), nullptr);
  EXPECT_NE(k8s.find("jevt.value"), nullptr);  // json serves every source
  EXPECT_EQ(k8s.find("ct.name"), nullptr);
}

TEST(RealRules, K8sAuditCompilesCompletely) {
  const std::string file = "k8s_audit_rules-k8saudit-0.15.0.yaml";
  LoadResult r = load(file);
  EXPECT_TRUE(r.ok()) << dump(r);
  EXPECT_TRUE(r.warnings().empty()) << dump(r);
  const RuleSet* set = r.forSource("k8s_audit");
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->rules().size(), ruleCount(file));
  // Two plugins answer for k8s_audit: k8saudit and json (jevt.*).
  size_t asked = set->conditionPlan().pluginsWithRequests().size();
  EXPECT_EQ(asked, 2u);
}

TEST(RealRules, CloudtrailCompilesCompletely) {
  const std::string file = "aws_cloudtrail_rules-cloudtrail-0.13.0.yaml";
  LoadResult r = load(file);
  EXPECT_TRUE(r.ok()) << dump(r);
  EXPECT_TRUE(r.warnings().empty()) << dump(r);
  const RuleSet* set = r.forSource("aws_cloudtrail");
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->rules().size(), ruleCount(file));
  size_t disabled = 0;
  for (const auto& rule : set->rules()) disabled += !rule.enabled;
  EXPECT_EQ(disabled, 2u);
}

TEST(RealRules, OktaAndDummyCompileCompletely) {
  for (const std::string file : {"okta_rules-okta-0.12.0.yaml", "dummy_rules-head.yaml"}) {
    LoadResult r = load(file);
    EXPECT_TRUE(r.ok()) << file << "\n" << dump(r);
    size_t rules = 0;
    for (const auto& s : r.ruleSets) rules += s.rules().size();
    EXPECT_EQ(rules, ruleCount(file)) << file;
  }
}

// A privileged pod creation, as the k8saudit and json plugins would extract
// it, goes through the real rules: the privileged-pod rule fires (and the
// image exception list keeps a trusted image quiet), with Falco's output.
TEST(RealRules, K8sPrivilegedPodMatches) {
  auto plugins = realPlugins();
  std::vector<RulesText> files{
      {"k8s.yaml", test::readFile(kData + "/falco-rules/k8s_audit_rules-k8saudit-0.15.0.yaml")}};
  LoadResult r = loadRules(files, plugins);
  ASSERT_TRUE(r.ok()) << dump(r);
  const RuleSet& set = *r.forSource("k8s_audit");
  size_t k8s = 0, json = 0;
  for (size_t p = 0; p < plugins.size(); ++p) {
    if (plugins[p].name == "k8saudit") k8s = p;
    if (plugins[p].name == "json") json = p;
  }
  auto podCreate = [](std::string repo) {
    return test::Row{
        {"ka.verb", {std::string("create")}},
        {"ka.target.resource", {std::string("pods")}},
        {"ka.user.name", {std::string("alice")}},
        {"ka.target.namespace", {std::string("default")}},
        {"ka.resp.name", {std::string("web")}},
        {"ka.req.pod.containers.privileged", {std::string("false"), std::string("true")}},
        {"ka.req.pod.containers.image.repository", {repo, repo}},
        {"ka.req.pod.containers.image", {repo + ":1", repo + ":1"}}};
  };
  test::Row stage{{"jevt.value[/stage]", {std::string("ResponseComplete")}},
                  {"jevt.rawtime", {std::string("1700000000")}}};
  std::vector<test::Row> k8sRows{podCreate("nginx"), podCreate("docker.io/falcosecurity/falco")};
  std::vector<test::Row> jsonRows{stage, stage};
  std::vector<std::vector<char>> bufs{test::pluginEvent(1, 1, "{}"), test::pluginEvent(2, 1, "{}")};
  std::vector<EventRef> events{{reinterpret_cast<const ss_plugin_event*>(bufs[0].data()), 1},
                               {reinterpret_cast<const ss_plugin_event*>(bufs[1].data()), 2}};
  auto valuesFor = [&](const RequestPlan& plan, std::vector<ExtractResults>& store) {
    store.clear();
    for (size_t p = 0; p < plugins.size(); ++p) {
      const auto& rows = p == k8s ? k8sRows : p == json ? jsonRows : std::vector<test::Row>(2);
      store.push_back(test::extractRows(plan, p, plugins[p], rows));
    }
  };
  std::vector<ExtractResults> condStore, outStore;
  valuesFor(set.conditionPlan(), condStore);
  std::vector<const ExtractResults*> cond;
  for (auto& x : condStore) cond.push_back(&x);
  BatchValues values(set.conditionPlan(), events, "k8s_audit", plugins, cond);
  std::vector<Match> matches;
  set.evaluate(values, events.size(), matches);
  std::vector<std::string> fired;
  for (const auto& m : matches)
    fired.push_back(std::to_string(m.event) + ":" + set.rules()[m.rule].name);
  EXPECT_NE(std::find(fired.begin(), fired.end(), "0:Create Privileged Pod"), fired.end());
  EXPECT_EQ(std::find(fired.begin(), fired.end(), "1:Create Privileged Pod"), fired.end());
  EXPECT_NE(std::find(fired.begin(), fired.end(), "0:Disallowed K8s User"), fired.end());

  valuesFor(set.outputPlan(), outStore);
  std::vector<const ExtractResults*> out;
  for (auto& x : outStore) out.push_back(&x);
  BatchValues outValues(set.outputPlan(), events, "k8s_audit", plugins, out);
  for (const auto& m : matches) {
    if (m.event == 0 && set.rules()[m.rule].name == "Create Privileged Pod") {
      EXPECT_EQ(set.renderOutput(m.rule, outValues, 0),
                "Pod started with privileged container (user=alice pod=web resource=pods "
                "ns=default images=(nginx:1,nginx:1))");
      EXPECT_EQ(set.rules()[m.rule].priority, Priority::kWarning);
    }
  }
}

// The head k8s_audit rules ask for k8saudit >= 0.18.0 and use fields that
// 0.15.0 lacks: both are reported by name, nothing is silently dropped.
TEST(RealRules, K8sAuditHeadNamesWhatIsMissing) {
  LoadResult r = load("k8s_audit_rules-head.yaml");
  std::string all = dump(r);
  EXPECT_NE(all.find("plugin 'k8saudit' version 0.15.0 is loaded but the rules require a version "
                     "compatible with 0.18.0"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("unknown field 'ka.req.pod.initContainers.privileged'"), std::string::npos)
      << all;
  for (const auto& d : r.errors()) {
    EXPECT_GT(d.line, 0u) << d.toString();
    bool named = d.message.find("unknown field") != std::string::npos ||
                 d.message.find("version") != std::string::npos;
    EXPECT_TRUE(named) << d.toString();
  }
}

// No plugin here provides gcp_auditlog or github: the requirement fails by
// name and each rule is skipped with one warning.
TEST(RealRules, SourcesWithoutPluginAreSkipped) {
  for (const std::string file : {"gcp_auditlog_rules-head.yaml", "github_rules-head.yaml"}) {
    LoadResult r = load(file);
    ASSERT_EQ(r.errors().size(), 1u) << dump(r);
    EXPECT_NE(r.errors()[0].message.find("plugin requirement not satisfied, must load one of:"),
              std::string::npos);
    EXPECT_EQ(r.warnings().size(), ruleCount(file)) << dump(r);
    for (const auto& w : r.warnings()) {
      EXPECT_NE(w.message.find("unknown source"), std::string::npos) << w.toString();
      EXPECT_EQ(w.item.rfind("rule '", 0), 0u);
    }
  }
}

}  // namespace
}  // namespace bulkhead
