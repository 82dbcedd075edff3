#include "engine/output_format.h"

#include <gtest/gtest.h>

#include "engine/batch_values.h"
#include "tests/engine/test_support.h"

namespace bulkhead {
namespace {

using test::Row;

class OutputFormatTest : public ::testing::Test {
 protected:
  OutputFormatTest()
      : plugins_{test::testPlugin(), test::anySourcePlugin()}, catalog_("test", plugins_) {}

  std::string render(std::string_view format, const Row& row, uint64_t ts = 0,
                     uint64_t firstTs = 0) {
    RequestPlan plan(plugins_.size());
    OutputFormat f = OutputFormat::compile(format, catalog_, plan);
    auto ev = test::pluginEvent(ts, 999, "x");
    EventRef ref{reinterpret_cast<const ss_plugin_event*>(ev.data()), 7};
    std::vector<ExtractResults> res;
    for (size_t p = 0; p < plugins_.size(); ++p)
      res.push_back(test::extractRows(plan, p, plugins_[p], {row}));
    std::vector<const ExtractResults*> ptrs{&res[0], &res[1]};
    BatchValues values(plan, std::span(&ref, 1), "test", plugins_, ptrs, {}, firstTs);
    return f.render(values, 0);
  }

  std::string error(std::string_view format) {
    RequestPlan plan(plugins_.size());
    try {
      OutputFormat::compile(format, catalog_, plan);
    } catch (const CompileError& e) {
      return e.what();
    }
    return "compiled";
  }

  std::vector<PluginInfo> plugins_;
  FieldCatalog catalog_;
};

TEST_F(OutputFormatTest, SubstitutesFields) {
  Row r{{"t.str", {std::string("bash")}}, {"t.num", {uint64_t{12}}}};
  EXPECT_EQ(render("proc=%t.str n=%t.num", r), "proc=bash n=12");
  EXPECT_EQ(render("%(t.str)%(t.num)", r), "bash12");
  EXPECT_EQ(render("no fields at all", r), "no fields at all");
  EXPECT_EQ(render("", r), "");
}

TEST_F(OutputFormatTest, FieldNameEndsAtLongestKnownName) {
  Row r{{"t.str", {std::string("a")}}, {"t.num", {uint64_t{1}}}};
  EXPECT_EQ(render("%t.str/%t.num", r), "a/1");
  EXPECT_EQ(render("(%t.str, %t.num)", r), "(a, 1)");
  EXPECT_EQ(render("%t.str.", r), "a.");
  EXPECT_EQ(render("%t.strange", r), "aange");  // t.str, then the text "ange"
}

TEST_F(OutputFormatTest, AbsentValuesAndTypes) {
  Row r{{"t.flag", {uint64_t{0}}},
        {"t.ip", {test::ip4(10, 0, 0, 1)}},
        {"t.list", {std::string("x"), std::string("y")}},
        {"t.key[/a]", {std::string("v")}}};
  EXPECT_EQ(render("%t.str|%t.flag|%t.ip|%t.list|%t.key[/a]|%t.key[/b]", r),
            "<NA>|false|10.0.0.1|(x,y)|v|<NA>");
}

TEST_F(OutputFormatTest, EngineFields) {
  EXPECT_EQ(render("%evt.num %evt.source %evt.pluginname %evt.time.iso8601 %evt.plugininfo", Row{},
                   86400000000001ULL),
            "7 test testplug 1970-01-02T00:00:00.000000001+0000 <NA>");
}

// Falco's texts: nanosecond parts zero-padded to nine digits, relative
// times from the source's first event, local time shifted by the offset.
TEST_F(OutputFormatTest, EngineTimeFieldsAsFalcoPrintsThem) {
  const uint64_t ts = 86400000000001ULL + 3600ULL * 1000000000ULL;  // 1970-01-02 01:00:00.000000001
  EXPECT_EQ(render("%evt.rawtime %evt.rawtime.s %evt.rawtime.ns", Row{}, ts),
            "90000000000001 90000 000000001");
  EXPECT_EQ(render("%evt.reltime %evt.reltime.s %evt.reltime.ns", Row{}, ts, ts - 2000000123ULL),
            "2000000123 2 000000123");
  setDisplayUtcOffset(-3600);
  EXPECT_EQ(render("%evt.time %evt.time.s %evt.datetime.s %evt.time.iso8601", Row{}, ts),
            "00:00:00.000000001 00:00:00 1970-01-02 00:00:00 1970-01-02T01:00:00.000000001+0000");
  setDisplayUtcOffset(0);
  setEngineHostname("node-7");
  EXPECT_EQ(render("%evt.hostname", Row{}), "node-7");
  setEngineHostname("");
  EXPECT_EQ(render("%evt.hostname", Row{}), "<NA>");
}

TEST_F(OutputFormatTest, PercentWithoutField) {
  EXPECT_EQ(render("100% sure %", Row{}), "100% sure %");
}

TEST_F(OutputFormatTest, Errors) {
  EXPECT_EQ(error("x=%t.nope"), "1:3: unknown field 't.nope' in output for source 'test'");
  EXPECT_EQ(error("%(t.str"), "1:8: expected ')' to close '%(' in output");
  EXPECT_EQ(error("%t.key"), "1:1: field 't.key' requires an argument: t.key[<key>]");
  EXPECT_EQ(error("%t.key[x"), "1:8: unterminated field argument: expected ']'");
  EXPECT_EQ(error("%t.str[x]"), "1:1: field 't.str' does not take an argument");
}

}  // namespace
}  // namespace bulkhead
