#include "engine/version_check.h"

#include <gtest/gtest.h>

namespace bulkhead {
namespace {

TEST(SemVer, Parse) {
  EXPECT_EQ(SemVer::parseStrict("1.2.3"), (SemVer{1, 2, 3}));
  EXPECT_EQ(SemVer::parseStrict("0.15.0")->str(), "0.15.0");
  for (const char* bad : {"", "1", "1.2", "1.2.", "1.2.3.4", "a.b.c", "1.2.3-rc1", " 1.2.3", "-1.2.3"})
    EXPECT_FALSE(SemVer::parseStrict(bad)) << bad;
}

TEST(SemVer, Compatibility) {
  SemVer loaded{0, 15, 0};
  EXPECT_TRUE(isCompatible(loaded, SemVer{0, 7, 0}));
  EXPECT_TRUE(isCompatible(loaded, SemVer{0, 15, 0}));
  EXPECT_FALSE(isCompatible(loaded, SemVer{0, 15, 1}));
  EXPECT_FALSE(isCompatible(loaded, SemVer{0, 18, 0}));
  EXPECT_FALSE(isCompatible(SemVer{1, 0, 0}, SemVer{0, 7, 0}));  // major differs
  EXPECT_TRUE(isCompatible(SemVer{1, 3, 0}, SemVer{1, 2, 9}));
}

PluginInfo plugin(std::string name, std::string version) {
  PluginInfo p;
  p.name = std::move(name);
  p.version = std::move(version);
  return p;
}

PluginRequirement req(std::vector<PluginRequirement::Alternative> names) {
  PluginRequirement r;
  r.names = std::move(names);
  r.file = "f.yaml";
  r.line = 3;
  r.column = 5;
  return r;
}

TEST(PluginRequirements, FirstLoadedAlternativeDecides) {
  std::vector<PluginInfo> loaded{plugin("k8saudit-eks", "0.3.0"), plugin("json", "0.7.3")};
  std::vector<PluginRequirement> reqs{
      req({{"k8saudit", "0.7.0"}, {"k8saudit-eks", "0.4.0"}, {"json", "0.1.0"}})};
  auto errs = checkPluginRequirements(reqs, loaded);
  ASSERT_EQ(errs.size(), 1u);  // eks decides and fails, although json would pass
  EXPECT_EQ(errs[0].toString(),
            "f.yaml:3:5: error: required_plugin_versions: plugin 'k8saudit-eks' version 0.3.0 is "
            "loaded but the rules require a version compatible with 0.4.0 (same major, at least "
            "that version)");
  reqs = {req({{"k8saudit", "0.7.0"}, {"k8saudit-eks", "0.3.0"}})};
  EXPECT_TRUE(checkPluginRequirements(reqs, loaded).empty());
}

TEST(PluginRequirements, EveryEntryIsChecked) {
  std::vector<PluginInfo> loaded{plugin("json", "0.7.3")};
  std::vector<PluginRequirement> reqs{req({{"json", "0.7.0"}}), req({{"json", "0.8.0"}}),
                                      req({{"okta", "0.1.0"}})};
  auto errs = checkPluginRequirements(reqs, loaded);
  ASSERT_EQ(errs.size(), 2u);
  EXPECT_NE(errs[0].message.find("compatible with 0.8.0"), std::string::npos);
  EXPECT_EQ(errs[1].message, "plugin requirement not satisfied, must load one of: okta (>= 0.1.0)");
}

TEST(PluginRequirements, UnparsableLoadedVersionFails) {
  std::vector<PluginInfo> loaded{plugin("json", "latest")};
  std::vector<PluginRequirement> reqs{req({{"json", "0.7.0"}})};
  EXPECT_EQ(checkPluginRequirements(reqs, loaded).size(), 1u);
}

}  // namespace
}  // namespace bulkhead
