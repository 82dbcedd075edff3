// Every rules file in BULKHEAD_SHARED_DATA/falco-rules, loaded with the real
// plugins' schemas: each rule either compiles or its rejection names the
// construct; the k8saudit 0.15.0 and cloudtrail 0.13.0 files must compile
// completely.
#include <gtest/gtest.h>

#include <filesystem>

#include "engine/rules_loader.h"
#include "schema_loader.h"

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
  for (size_t at = text.find("\n- rule:"); at != std::string::npos; at = text.find("\n- rule:", at + 1)) ++n;
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
