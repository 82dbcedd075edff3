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

TEST_F(OutputFormatTest, TransformedFields) {
  Row r{{"t.str", {std::string("/usr/bin/Bash")}},
        {"t.list", {std::string("/a/X"), std::string("y")}},
        {"t.key[/a]", {std::string("aGk=")}},
        {"t.other", {std::string("not base64!")}}};
  EXPECT_EQ(render("%tolower(t.str) %toupper(t.str) %t.str", r),
            "/usr/bin/bash /USR/BIN/BASH /usr/bin/Bash");
  EXPECT_EQ(render("exe=%basename(t.str)!", r), "exe=Bash!");
  EXPECT_EQ(render("%tolower(basename(t.str))sh", r), "bashsh");  // text right after ')'
  EXPECT_EQ(render("%len(t.str)/%len(t.list)/%len(basename(t.str))", r), "13/2/4");
  EXPECT_EQ(render("%toupper(basename(t.list))", r), "(X,Y)");
  EXPECT_EQ(render("%b64(t.key[/a]) %(toupper(b64(t.key[/a])))", r), "hi HI");
  EXPECT_EQ(render("%toupper( t.str )", r), "/USR/BIN/BASH");
  // Text after the last ')' is text, a '[' too (libsinsp reads it so).
  EXPECT_EQ(render("%basename(t.str)[0]", r), "Bash[0]");
  // No value, or one that does not transform: <NA>, as for any field.
  EXPECT_EQ(render("%b64(t.other) %tolower(t.idx[0]) %len(t.list) %len(t.key[/none])",
                   Row{{"t.other", {std::string("?")}}}),
            "<NA> <NA> <NA> <NA>");
}

TEST_F(OutputFormatTest, TransformedPartsAreMarked) {
  RequestPlan plan(plugins_.size());
  OutputFormat f = OutputFormat::compile("%t.str %len(tolower(t.list))", catalog_, plan);
  ASSERT_EQ(f.parts().size(), 3u);
  const OutputPart& plain = f.parts()[0];
  const OutputPart& len = f.parts()[2];
  EXPECT_FALSE(plain.transformed);
  EXPECT_TRUE(len.transformed);
  EXPECT_EQ(len.field.text(), "len(tolower(t.list))");
  EXPECT_EQ(len.type, ValueType::kUint64);
  EXPECT_FALSE(len.isList);
  const OutputPart inner = len.untransformed();
  EXPECT_FALSE(inner.transformed);
  EXPECT_EQ(inner.field.text(), "t.list");
  EXPECT_EQ(inner.type, ValueType::kString);
  EXPECT_TRUE(inner.isList);
  EXPECT_EQ(inner.slot, len.slot);  // one request serves both
  EXPECT_EQ(plan.requests(0).size(), 2u);
}

TEST_F(OutputFormatTest, TransformerErrors) {
  EXPECT_EQ(error("x %tolower(t.num)"),
            "1:4: can't add field transformer: type 'uint64' is not supported by 'tolower' "
            "transformer applied on field 't.num'");
  EXPECT_EQ(error("%basename(len(t.str))"),
            "1:2: can't add field transformer: type 'uint64' is not supported by 'basename' "
            "transformer applied on field 't.str'");
  EXPECT_EQ(error("%foo(t.str)"),
            "1:2: unknown field transformer 'foo': expected one of 'tolower', 'toupper', 'b64', "
            "'basename', 'len'");
  EXPECT_EQ(error("%getopt(t.str, \"a:\")"), "1:2: field transformer 'getopt()' is not supported");
  EXPECT_EQ(error("%val(t.str)"), "1:2: 'val()' belongs on the right-hand side of a comparison");
  EXPECT_EQ(error("%tolower(t.strx)"), "1:10: unknown field 't.strx' in output for source 'test'");
  EXPECT_EQ(error("%tolower(t.str"), "1:15: expected ')' to close tolower(");
  EXPECT_EQ(error("%toupper(tolower(t.str)[0])"),
            "1:24: transformer 'tolower' does not support field arguments");
  EXPECT_EQ(error("%tolower(tolower)"),
            "1:10: expected a field or a nested valid transformer: 'tolower', 'toupper', 'b64', "
            "'basename', 'len'");
  EXPECT_EQ(error("%(tolower(t.str)"), "1:17: expected ')' to close '%(' in output");
  EXPECT_EQ(error("%tolower(t.key)"), "1:10: field 't.key' requires an argument: t.key[<key>]");
  // A space before '(' makes it a field name, which it is not.
  EXPECT_EQ(error("%tolower (t.str)"), "1:1: unknown field 'tolower' in output for source 'test'");
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
