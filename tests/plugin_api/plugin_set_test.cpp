#include "plugin_api/plugin_set.h"

#include <gtest/gtest.h>

namespace bulkhead {
namespace {

FieldDescriptor field(const std::string& name) {
  FieldDescriptor f;
  f.name = name;
  return f;
}

PluginInfo source(std::string name, uint32_t id, std::string src,
                  std::vector<std::string> fields = {}) {
  PluginInfo i;
  i.name = std::move(name);
  i.libraryPath = "/p/lib" + i.name + ".so";
  i.capabilities = CAP_SOURCING;
  i.id = id;
  i.eventSource = src;
  i.extractEventSources = {src};  // as the library reads it: its own source
  for (auto& f : fields) {
    i.capabilities |= CAP_EXTRACTION;
    i.fields.push_back(field(f));
  }
  return i;
}

PluginInfo extractor(std::string name, std::vector<std::string> sources,
                     std::vector<std::string> fields) {
  PluginInfo i;
  i.name = std::move(name);
  i.libraryPath = "/p/lib" + i.name + ".so";
  i.capabilities = CAP_EXTRACTION;
  i.extractEventSources = std::move(sources);
  for (auto& f : fields) i.fields.push_back(field(f));
  return i;
}

std::string errorOf(const std::vector<PluginInfo>& infos) {
  std::vector<LoadedPlugin> set;
  for (const auto& i : infos) set.push_back({i.name, &i});
  try {
    checkPluginSet(set);
  } catch (const PluginError& e) {
    return e.what();
  }
  return "";
}

TEST(PluginSet, AcceptsAValidSet) {
  std::vector<PluginInfo> infos = {source("counter", 999, "counter", {"counter.seq"}),
                                   extractor("jsonx", {}, {"jsonx.value"})};
  EXPECT_EQ(errorOf(infos), "");
}

TEST(PluginSet, OneSourcingPluginPerSource) {
  EXPECT_EQ(errorOf({source("a", 1, "s"), source("b", 2, "s")}),
            "plugin 'b' (/p/libb.so) and plugin 'a' (/p/liba.so) both provide the event source "
            "'s': load only one sourcing plugin per source");
}

TEST(PluginSet, UniqueIds) {
  EXPECT_EQ(errorOf({source("a", 5, "s"), source("b", 5, "t")}),
            "plugin 'b' (/p/libb.so) has the same plugin id 5 as plugin 'a' (/p/liba.so): plugin "
            "ids must be unique");
}

TEST(PluginSet, UniqueNames) {
  EXPECT_EQ(errorOf({extractor("a", {}, {"x"}), extractor("a", {}, {"y"})}),
            "plugin 'a' (/p/liba.so) has the same name as plugin 'a' (/p/liba.so): plugin names "
            "must be unique");
}

TEST(PluginSet, FieldsUniquePerSource) {
  EXPECT_EQ(errorOf({source("a", 1, "s", {"a.x"}), extractor("b", {"s"}, {"a.x"})}),
            "field 'a.x' of event source 's' is exported by both plugin 'a' (/p/liba.so) and "
            "plugin 'b' (/p/libb.so): field names must be unique per source");
  // Same field name on different sources is fine.
  EXPECT_EQ(errorOf({source("a", 1, "s", {"x.f"}), source("b", 2, "t", {"x.f"})}), "");
  // An extractor for all sources collides with every source's fields.
  EXPECT_NE(errorOf({source("a", 1, "s", {"a.x"}), extractor("b", {}, {"a.x"})}), "");
}

TEST(PluginSet, ReservedSourceNames) {
  EXPECT_EQ(errorOf({source("a", 1, "internal")}),
            "plugin 'a' (/p/liba.so) declares the reserved event source 'internal'");
}

TEST(PluginSet, SourcingEntryMustBeNamedAfterThePlugin) {
  PluginInfo i = source("counter", 1, "s");
  std::vector<LoadedPlugin> set = {{"my-counter", &i}};
  EXPECT_THROW(checkPluginSet(set), PluginError);
}

TEST(PluginSet, WarnsAboutAnUnusedExtractor) {
  PluginInfo s = source("a", 1, "s");
  PluginInfo e = extractor("b", {"other"}, {"b.x"});
  std::vector<LoadedPlugin> set = {{"a", &s}, {"b", &e}};
  auto warnings = checkPluginSet(set);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "plugin 'b' (/p/libb.so) is loaded but serves none of the loaded event "
                         "sources");
}

TEST(PluginSet, ServesSource) {
  EXPECT_TRUE(servesSource({}, "s"));  // empty: every source
  EXPECT_TRUE(servesSource({"t", "s"}, "s"));
  EXPECT_FALSE(servesSource({"t"}, "s"));
}

TEST(PluginSet, AttachesToSourceByEachCapabilitysOwnList) {
  PluginInfo e = extractor("e", {"s"}, {"e.x"});
  EXPECT_TRUE(attachesToSource(e, "s"));
  EXPECT_FALSE(attachesToSource(e, "t"));

  // A source list counts only with its capability: parse sources alone
  // do not make an extractor a parser.
  e.parseEventSources = {"t"};
  EXPECT_FALSE(attachesToSource(e, "t"));
  e.capabilities |= CAP_PARSING;
  EXPECT_TRUE(attachesToSource(e, "t"));

  PluginInfo a;
  a.name = "a";
  a.capabilities = CAP_ASYNC;
  a.asyncEventSources = {"u"};
  EXPECT_TRUE(attachesToSource(a, "u"));
  EXPECT_FALSE(attachesToSource(a, "s"));
  a.asyncEventSources = {};
  EXPECT_TRUE(attachesToSource(a, "s"));
}

TEST(PluginSet, SourcingPluginAttachesToNoOtherSource) {
  PluginInfo s = source("a", 1, "s", {"a.x"});
  s.extractEventSources = {};  // would otherwise match every source
  s.capabilities |= CAP_PARSING | CAP_ASYNC;
  EXPECT_FALSE(attachesToSource(s, "t"));
  EXPECT_FALSE(attachesToSource(s, "s"));
}

TEST(PluginSet, NoWarningForAnExtractorOfALoadedSource) {
  PluginInfo s = source("a", 1, "s");
  PluginInfo e = extractor("b", {"s"}, {"b.x"});
  std::vector<LoadedPlugin> set = {{"a", &s}, {"b", &e}};
  EXPECT_TRUE(checkPluginSet(set).empty());
}

}  // namespace
}  // namespace bulkhead
