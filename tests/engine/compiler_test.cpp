#include "engine/compiler.h"

#include <gtest/gtest.h>

#include "engine/evaluator.h"
#include "tests/engine/compiler_fixture.h"

namespace bulkhead {
namespace {

using test::CompilerTest;
using test::Row;

TEST_F(CompilerTest, StringOperators) {
  Row r{{"t.str", {std::string("/usr/bin/Bash")}}};
  EXPECT_TRUE(eval("t.str = /usr/bin/Bash", r));
  EXPECT_TRUE(eval("t.str == \"/usr/bin/Bash\"", r));
  EXPECT_FALSE(eval("t.str = /usr/bin/bash", r));
  EXPECT_TRUE(eval("t.str != /usr/bin/bash", r));
  EXPECT_TRUE(eval("t.str contains bin/B", r));
  EXPECT_FALSE(eval("t.str contains bin/b", r));
  EXPECT_TRUE(eval("t.str icontains BIN/b", r));
  EXPECT_TRUE(eval("t.str startswith /usr/", r));
  EXPECT_FALSE(eval("t.str startswith usr", r));
  EXPECT_TRUE(eval("t.str endswith Bash", r));
  EXPECT_TRUE(eval("t.str glob '/usr/*/B?sh'", r));
  EXPECT_TRUE(eval("t.str glob '/usr/bin/[A-C]ash'", r));
  EXPECT_FALSE(eval("t.str glob '/usr/bin/[!B]ash'", r));
  EXPECT_FALSE(eval("t.str glob '/usr/*/bash'", r));
  EXPECT_TRUE(eval("t.str iglob '/USR/*/bash'", r));
  EXPECT_TRUE(eval("t.str in (a, /usr/bin/Bash, b)", r));
  EXPECT_FALSE(eval("t.str in (a, b)", r));
  EXPECT_FALSE(eval("t.str in ()", r));
  EXPECT_TRUE(eval("t.str intersects (/usr/bin/Bash)", r));
  EXPECT_TRUE(eval("t.str pmatch (/etc, /usr/bin)", r));
  EXPECT_FALSE(eval("t.str pmatch (/usr/bi)", r));
  EXPECT_TRUE(eval("t.str pmatch (/)", r));
  EXPECT_TRUE(eval("t.str bcontains 2f42", r));  // "/B"
  EXPECT_TRUE(eval("t.str bstartswith 2f757372", r));
  EXPECT_FALSE(eval("t.str bstartswith 2f42", r));
  EXPECT_TRUE(eval("t.str exists", r));
}

TEST_F(CompilerTest, NumericAndTimeOperators) {
  Row r{{"t.num", {uint64_t{10}}}, {"t.rel", {uint64_t{5000}}}, {"t.abs", {uint64_t{1000000}}}};
  EXPECT_TRUE(eval("t.num = 10", r));
  EXPECT_TRUE(eval("t.num != 11", r));
  EXPECT_TRUE(eval("t.num < 11", r));
  EXPECT_FALSE(eval("t.num < 10", r));
  EXPECT_TRUE(eval("t.num <= 10", r));
  EXPECT_TRUE(eval("t.num > 9", r));
  EXPECT_FALSE(eval("t.num > 10", r));
  EXPECT_TRUE(eval("t.num >= 10", r));
  EXPECT_TRUE(eval("t.num in (1, 10)", r));
  EXPECT_TRUE(eval("t.num intersects (10)", r));
  EXPECT_TRUE(eval("t.rel > 4999 and t.rel < 5001", r));
  EXPECT_TRUE(eval("t.abs >= 1000000", r));
}

TEST_F(CompilerTest, BoolAndAddresses) {
  Row r{{"t.flag", {uint64_t{1}}},
        {"t.ip", {test::ip4(10, 1, 2, 3)}},
        {"t.net", {test::ip4(192, 168, 7, 9)}}};
  EXPECT_TRUE(eval("t.flag = true", r));
  EXPECT_FALSE(eval("t.flag = false", r));
  EXPECT_TRUE(eval("t.flag in (true)", r));
  EXPECT_TRUE(eval("t.ip = 10.1.2.3", r));
  EXPECT_TRUE(eval("t.ip != 10.1.2.4", r));
  EXPECT_TRUE(eval("t.ip in (::1, 10.1.2.3)", r));
  EXPECT_TRUE(eval("t.net = 192.168.0.0/16", r));
  EXPECT_FALSE(eval("t.net = 192.168.8.0/24", r));
  EXPECT_TRUE(eval("t.net != 10.0.0.0/8", r));
  EXPECT_TRUE(eval("t.net in (10.0.0.0/8, 192.168.7.0/28)", r));
  EXPECT_TRUE(eval("t.net = 192.168.7.9", r));
}

TEST_F(CompilerTest, ListFields) {
  Row r{{"t.list", {std::string("a"), std::string("b")}}, {"t.numlist", {uint64_t{3}}}};
  EXPECT_TRUE(eval("t.list in (a, b, c)", r));  // every value is in the set
  EXPECT_FALSE(eval("t.list in (a, c)", r));
  EXPECT_TRUE(eval("t.list intersects (b, z)", r));  // at least one is
  EXPECT_FALSE(eval("t.list intersects (z)", r));
  EXPECT_TRUE(eval("t.list exists", r));
  EXPECT_TRUE(eval("t.numlist in (3)", r));
  EXPECT_FALSE(eval("t.list in (a, b)", Row{}));  // no values: false, not vacuous truth
}

TEST_F(CompilerTest, MissingValuesAreFalse) {
  EXPECT_FALSE(eval("t.str = x", Row{}));
  EXPECT_FALSE(eval("t.str != x", Row{}));
  EXPECT_FALSE(eval("t.str exists", Row{}));
  EXPECT_TRUE(eval("not t.str exists", Row{}));
  EXPECT_TRUE(eval("not t.str = x", Row{}));
}

TEST_F(CompilerTest, ShortCircuit) {
  Row r{{"t.num", {uint64_t{2}}}, {"t.str", {std::string("x")}}};
  std::vector<uint32_t> reads;
  EXPECT_FALSE(eval("t.num = 1 and t.str = x", r, &reads));
  EXPECT_EQ(reads.size(), 1u);
  EXPECT_TRUE(eval("t.num = 2 or t.str = x", r, &reads));
  EXPECT_EQ(reads.size(), 1u);
  EXPECT_TRUE(eval("t.num = 1 or t.str = x", r, &reads));
  EXPECT_EQ(reads.size(), 2u);
}

TEST_F(CompilerTest, FieldArguments) {
  Row r{{"t.idx[1]", {std::string("nginx")}},
        {"t.key[/a/b]", {std::string("v")}},
        {"t.div[3]", {uint64_t{1}}}};
  EXPECT_TRUE(eval("t.idx[1] in (nginx)", r));
  ASSERT_EQ(plan_.requests(0).size(), 1u);
  EXPECT_TRUE(plan_.requests(0)[0].argPresent);
  EXPECT_EQ(plan_.requests(0)[0].argIndex, 1u);
  EXPECT_EQ(plan_.requests(0)[0].argKey, "1");
  EXPECT_TRUE(eval("t.key[/a/b] = v", r));
  EXPECT_EQ(plan_.requests(0)[0].argKey, "/a/b");
  EXPECT_TRUE(eval("t.div[3] = 1", r));
  EXPECT_TRUE(eval("any.value[/x] exists", Row{}) == false);
  EXPECT_EQ(plan_.pluginsWithRequests(), std::vector<size_t>{1});
}

TEST_F(CompilerTest, RequestsAreDeduplicated) {
  compile(
      "t.str = a or t.str = b or t.idx[0] in (x) or t.idx[0] in (y) or t.idx[1] in (z) or t.num > "
      "1");
  EXPECT_EQ(plan_.requests(0).size(), 4u);  // t.str, t.idx[0], t.idx[1], t.num
  EXPECT_EQ(plan_.slots().size(), 4u);
}

TEST_F(CompilerTest, FieldToField) {
  Row r{{"t.str", {std::string("abc")}}, {"t.other", {std::string("ab")}}};
  EXPECT_FALSE(eval("t.str = val(t.other)", r));
  EXPECT_TRUE(eval("t.str startswith val(t.other)", r));
  EXPECT_TRUE(eval("t.str != val(t.other)", r));
  EXPECT_FALSE(eval("t.str = val(t.other)", Row{{"t.str", {std::string("abc")}}}));
  EXPECT_TRUE(eval("evt.num > val(evt.num) or evt.num = val(evt.num)", Row{}));
}

TEST_F(CompilerTest, EngineFields) {
  EXPECT_TRUE(eval("evt.num = 42", Row{}));
  EXPECT_TRUE(eval("evt.source = test", Row{}));
  EXPECT_TRUE(eval("evt.pluginname = testplug", Row{}));
  EXPECT_TRUE(eval("evt.rawtime = 1700000000123456789", Row{}));
  EXPECT_TRUE(eval("evt.time = \"22:13:20.123456789\"", Row{}));
  EXPECT_TRUE(eval("evt.datetime = \"2023-11-14 22:13:20.123456789\"", Row{}));
  EXPECT_TRUE(eval("evt.is_async = false", Row{}));
  EXPECT_FALSE(eval("evt.asynctype exists", Row{}));
  EXPECT_FALSE(eval("evt.plugininfo exists", Row{}));
}

TEST_F(CompilerTest, MacrosAndLists) {
  defs_.lists["inner"] = {"b", "c"};
  defs_.lists["outer"] = {"a", "inner"};
  defineMacro("is_b", "t.str in (outer) and not t.str = a");
  defineMacro("wrapper", "(is_b)");
  Row b{{"t.str", {std::string("b")}}};
  Row a{{"t.str", {std::string("a")}}};
  EXPECT_TRUE(eval("wrapper", b));
  EXPECT_FALSE(eval("wrapper", a));
  EXPECT_TRUE(eval("t.str in outer", a));
  EXPECT_TRUE(eval("t.str in (\"x\", inner)", b));
  EXPECT_FALSE(eval("t.str in (\"inner\")", b));  // quoted: a value, not a list
  EXPECT_EQ(expandList(defs_, "outer"), (std::vector<std::string>{"a", "b", "c"}));
}

struct CompileErrorCase {
  const char* cond;
  const char* message;
};

class CompilerErrors : public CompilerTest,
                       public ::testing::WithParamInterface<CompileErrorCase> {};

TEST_P(CompilerErrors, Message) {
  defs_.lists["lst"] = {"a"};
  defs_.lists["loop1"] = {"loop2"};
  defs_.lists["loop2"] = {"loop1"};
  defineMacro("self", "t.num = 1 and self");
  defineMacro("bad", "t.num = x");
  EXPECT_EQ(compileError(GetParam().cond), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    All, CompilerErrors,
    ::testing::Values(
        CompileErrorCase{"t.nope = 1", "1:1: unknown field 't.nope' for source 'test'"},
        CompileErrorCase{"t.num = abc",
                         "1:9: type mismatch: field 't.num' compared with 'abc' is not an "
                         "unsigned integer, as a uint64 field needs"},
        CompileErrorCase{"t.num = -1",
                         "1:9: type mismatch: field 't.num' compared with '-1' is not an "
                         "unsigned integer, as a uint64 field needs"},
        CompileErrorCase{"t.flag = yes",
                         "1:10: type mismatch: field 't.flag' compared with 'yes' is not a bool "
                         "(true or false)"},
        CompileErrorCase{"t.ip = 300.1.1.1",
                         "1:8: type mismatch: field 't.ip' compared with '300.1.1.1' is not an IP "
                         "address"},
        CompileErrorCase{"t.net = 10.0.0.0/33",
                         "1:9: type mismatch: field 't.net' compared with '10.0.0.0/33' has an "
                         "invalid prefix length"},
        CompileErrorCase{"t.str bcontains xyz",
                         "1:17: type mismatch: field 't.str' compared with 'xyz' is not a hex "
                         "byte string (odd number of digits)"},
        CompileErrorCase{"t.num contains 1",
                         "1:1: operator 'contains' does not apply to field 't.num' of type uint64"},
        CompileErrorCase{"t.str < x",
                         "1:1: operator '<' does not apply to field 't.str' of type string"},
        CompileErrorCase{"t.flag > 0",
                         "1:1: operator '>' does not apply to field 't.flag' of type bool"},
        CompileErrorCase{"t.ip pmatch (/a)",
                         "1:1: operator 'pmatch' does not apply to field 't.ip' of type ipaddr"},
        CompileErrorCase{"t.list = a",
                         "1:1: field 't.list' is a list: only 'exists', 'in' and 'intersects' "
                         "apply, not '='"},
        CompileErrorCase{"t.list pmatch (/a)",
                         "1:1: field 't.list' is a list: only 'exists', 'in' and 'intersects' "
                         "apply, not 'pmatch'"},
        CompileErrorCase{"t.str[x] = a", "1:1: field 't.str' does not take an argument"},
        CompileErrorCase{"t.div = 1", "1:1: field 't.div' requires an argument: t.div[<index>]"},
        CompileErrorCase{"t.key = 1", "1:1: field 't.key' requires an argument: t.key[<key>]"},
        CompileErrorCase{"t.idx[01] in (a)", "1:1: field 't.idx' takes a numeric index, not '01'"},
        CompileErrorCase{"t.idx[x] in (a)", "1:1: field 't.idx' takes a numeric index, not 'x'"},
        CompileErrorCase{"t.idx[0] = a",
                         "1:1: field 't.idx[0]' is a list: only 'exists', 'in' and 'intersects' "
                         "apply, not '='"},
        CompileErrorCase{"t.key[] = a", "1:1: field 't.key' has an empty argument"},
        CompileErrorCase{"nomacro", "1:1: undefined macro 'nomacro'"},
        CompileErrorCase{"lst", "1:1: 'lst' is a list, not a macro; use it as 'field in (lst)'"},
        CompileErrorCase{"self", "macro 'self': 1:15: macro 'self' refers to itself"},
        CompileErrorCase{"t.num = 1 and bad",
                         "macro 'bad': 1:9: type mismatch: field 't.num' compared with 'x' is "
                         "not an unsigned integer, as a uint64 field needs"},
        CompileErrorCase{"t.str in nolist", "1:1: undefined list 'nolist'"},
        CompileErrorCase{"t.str in (loop1)", "1:11: list 'loop1' refers to itself"},
        CompileErrorCase{"t.str = val(t.num)",
                         "1:13: type mismatch: field 't.str' (string) compared with field "
                         "'t.num' (uint64)"},
        CompileErrorCase{"t.str = val(t.list)",
                         "1:13: list fields cannot be compared with another field"},
        CompileErrorCase{"t.net = val(t.net)",
                         "1:13: ipnet fields cannot be compared with another field"},
        CompileErrorCase{"t.str bcontains val(t.other)",
                         "1:21: operator 'bcontains' does not take a field on its right-hand "
                         "side"},
        CompileErrorCase{"t.str = val(t.gone)", "1:13: unknown field 't.gone' for source 'test'"}));

TEST(FieldCatalog, SourcesAndOverlap) {
  auto plug = test::testPlugin();
  PluginInfo other = test::anySourcePlugin();
  other.extractEventSources = {"elsewhere"};
  std::vector<PluginInfo> plugins{plug, other};
  FieldCatalog forTest("test", plugins);
  EXPECT_NE(forTest.find("t.str"), nullptr);
  EXPECT_EQ(forTest.find("any.value"), nullptr);
  FieldCatalog forElsewhere("elsewhere", plugins);
  EXPECT_EQ(forElsewhere.find("t.str"), nullptr);
  EXPECT_NE(forElsewhere.find("any.value"), nullptr);
  EXPECT_NE(forElsewhere.find("evt.num"), nullptr);
  EXPECT_EQ(providedSources(plugins), std::vector<std::string>{"test"});

  PluginInfo clash = test::anySourcePlugin();
  clash.name = "clash";
  clash.fields = {test::field("t.str", FTYPE_STRING)};
  std::vector<PluginInfo> clashing{plug, clash};
  try {
    FieldCatalog bad("test", clashing);
    FAIL();
  } catch (const CatalogError& e) {
    EXPECT_STREQ(e.what(),
                 "plugin 'clash': field 't.str' for source 'test' is already defined by plugin "
                 "'testplug'");
  }
  clash.fields = {test::field("evt.num", FTYPE_UINT64)};
  std::vector<PluginInfo> engineClash{clash};
  EXPECT_THROW(FieldCatalog("x", engineClash), CatalogError);
}

TEST(Glob, Patterns) {
  EXPECT_TRUE(globMatch("*", "", false));
  EXPECT_TRUE(globMatch("a*b*c", "aXXbYYc", false));
  EXPECT_FALSE(globMatch("a*b*c", "aXXbYY", false));
  EXPECT_TRUE(globMatch("\\*", "*", false));
  EXPECT_FALSE(globMatch("\\*", "x", false));
  EXPECT_TRUE(globMatch("[", "[", false));
  EXPECT_TRUE(globMatch("[]]", "]", false));
  EXPECT_TRUE(globMatch("x[^a]", "xb", false));
  EXPECT_TRUE(pathPrefixMatch("/etc/", "/etc/passwd"));
  EXPECT_FALSE(pathPrefixMatch("/etc", "/etcetera"));
}

}  // namespace
}  // namespace bulkhead
