#include "plugin_api/plugin_library.h"

#include <gtest/gtest.h>

#include "plugin_api/plugin_set.h"
#include "tests/plugin_api/host_suite.h"

namespace bulkhead {
namespace {

std::string loadError(const std::string& plugin) {
  try {
    PluginLibrary::load(testPluginPath(plugin));
  } catch (const PluginError& e) {
    return e.what();
  }
  return "";
}

TEST(PluginLibrary, LoadsAndReadsInfo) {
  auto lib = PluginLibrary::load(testPluginPath("jsonx"));
  EXPECT_EQ(lib->info().name, "jsonx");
  EXPECT_TRUE(lib->info().has(CAP_EXTRACTION));
  EXPECT_FALSE(lib->info().has(CAP_SOURCING));
  EXPECT_TRUE(lib->info().extractEventSources.empty()) << "jsonx extracts from every source";
  EXPECT_TRUE(lib->info().fields[0].arg.required);
}

TEST(PluginLibrary, MissingFile) {
  EXPECT_NE(loadError("no_such_plugin").find("cannot load plugin library " +
                                             testPluginPath("no_such_plugin")),
            std::string::npos);
}

TEST(PluginLibrary, MissingRequiredSymbol) {
  EXPECT_EQ(loadError("broken_missing_symbol"),
            "plugin library " + testPluginPath("broken_missing_symbol") +
                " does not export the required symbol plugin_get_contact: it is not a Falco "
                "plugin, or it is broken");
}

TEST(PluginLibrary, ApiMajorMismatch) {
  EXPECT_EQ(loadError("broken_api_major"),
            "plugin library " + testPluginPath("broken_api_major") +
                " requires plugin API 2.0.0, but bulkhead implements 3.12.0 (the major versions "
                "differ)");
}

TEST(PluginLibrary, ApiMinorTooNew) {
  EXPECT_EQ(loadError("broken_api_minor"),
            "plugin library " + testPluginPath("broken_api_minor") +
                " requires plugin API 3.99.0, but bulkhead implements 3.12.0 (the plugin needs a "
                "newer minor version)");
}

TEST(PluginLibrary, MalformedFieldJson) {
  std::string e = loadError("broken_fields_json");
  EXPECT_NE(e.find("plugin 'broken_fields_json' (" + testPluginPath("broken_fields_json") +
                   "): get_fields returned malformed JSON"),
            std::string::npos)
      << e;
}

TEST(PluginLibrary, BrokenCapability) {
  EXPECT_EQ(loadError("broken_caps"),
            "plugin 'broken_caps' (" + testPluginPath("broken_caps") +
                ") is broken: plugin_extract_fields is exported without plugin_get_fields");
}

// The duplicate fixtures load alone; the set check rejects them beside counter.
std::string setError(const std::string& other) {
  auto counter = PluginLibrary::load(testPluginPath("counter"));
  auto dup = PluginLibrary::load(testPluginPath(other));
  std::vector<LoadedPlugin> set = {{"counter", &counter->info()}, {other, &dup->info()}};
  try {
    checkPluginSet(set);
  } catch (const PluginError& e) {
    return e.what();
  }
  return "";
}

TEST(PluginLibrary, DuplicateSourceRejectedInASet) {
  EXPECT_NE(setError("dup_source").find("both provide the event source 'counter'"),
            std::string::npos);
}

TEST(PluginLibrary, DuplicateFieldRejectedInASet) {
  EXPECT_NE(setError("dup_field").find("field 'counter.seq' of event source 'counter' is exported "
                                       "by both"),
            std::string::npos);
}

TEST(PluginLibrary, DuplicateIdRejectedInASet) {
  EXPECT_NE(setError("dup_id").find("has the same plugin id 999"), std::string::npos);
}

}  // namespace
}  // namespace bulkhead
