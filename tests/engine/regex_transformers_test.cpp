// The `regex` operator in conditions: what matches, what does not, lists,
// missing values and the compile errors. (Whole rules: rules_loader_test.cpp.)
#include <gtest/gtest.h>

#include "tests/engine/compiler_fixture.h"

namespace bulkhead {
namespace {

using test::CompilerTest;
using test::Row;

TEST_F(CompilerTest, RegexIsAFullMatch) {
  Row r{{"t.str", {std::string("/usr/bin/Bash")}}};
  EXPECT_TRUE(eval("t.str regex '/usr/bin/[A-Z]ash'", r));
  EXPECT_TRUE(eval("t.str regex '/usr/.*'", r));
  EXPECT_TRUE(eval("t.str regex '.*/B[a-z]+'", r));
  EXPECT_TRUE(eval("t.str regex 'x|/usr/bin/Bash|y'", r));
  EXPECT_TRUE(eval("t.str regex '^/usr/bin/Bash$'", r));
  // Anchored at both ends: a pattern that matches only part of the value
  // does not match, unlike `contains`.
  EXPECT_FALSE(eval("t.str regex 'bin'", r));
  EXPECT_FALSE(eval("t.str regex '/usr/bin'", r));
  EXPECT_FALSE(eval("t.str regex 'bin/Bash'", r));
  EXPECT_FALSE(eval("t.str regex '/usr/bin/bash'", r));  // case-sensitive
  // POSIX classes and bounds work in RE2's POSIX syntax.
  EXPECT_TRUE(eval("t.str regex '/[[:lower:]]{3}/bin/[[:upper:]][a-z]*'", r));
  EXPECT_FALSE(eval("t.str regex '/[[:lower:]]{2}/bin/.*'", r));
  EXPECT_TRUE(eval("not t.str regex 'x'", r));
}

TEST_F(CompilerTest, RegexWithoutAValueIsFalse) {
  EXPECT_FALSE(eval("t.str regex '.*'", Row{}));
  EXPECT_TRUE(eval("not t.str regex '.*'", Row{}));
  EXPECT_TRUE(eval("t.str regex '.*'", Row{{"t.str", {std::string()}}}));
  EXPECT_FALSE(eval("t.str regex '.+'", Row{{"t.str", {std::string()}}}));
}

TEST_F(CompilerTest, RegexIsCompiledOnceWithTheCheck) {
  CompiledFilter f = compile("t.str regex 'a+' or t.other regex 'b+'");
  ASSERT_EQ(f.checks.size(), 2u);
  ASSERT_NE(f.checks[0].regex, nullptr);
  ASSERT_NE(f.checks[1].regex, nullptr);
  EXPECT_NE(f.checks[0].regex, f.checks[1].regex);
  // Copies of a compiled filter share the pattern; evaluation compiles none.
  CompiledFilter copy = f;
  EXPECT_EQ(copy.checks[0].regex, f.checks[0].regex);
  EXPECT_EQ(compile("t.str = x").checks[0].regex, nullptr);
}

TEST_F(CompilerTest, RegexInMacros) {
  defineMacro("is_shell", "t.str regex '/bin/(ba|z|c)?sh'");
  EXPECT_TRUE(eval("is_shell", Row{{"t.str", {std::string("/bin/zsh")}}}));
  EXPECT_TRUE(eval("is_shell", Row{{"t.str", {std::string("/bin/sh")}}}));
  EXPECT_FALSE(eval("is_shell", Row{{"t.str", {std::string("/bin/fish")}}}));
  EXPECT_FALSE(eval("is_shell", Row{{"t.str", {std::string("/usr/bin/bash")}}}));
}

struct ErrorCase {
  const char* cond;
  const char* message;
};

class RegexErrors : public CompilerTest, public ::testing::WithParamInterface<ErrorCase> {};

TEST_P(RegexErrors, Message) { EXPECT_EQ(compileError(GetParam().cond), GetParam().message); }

INSTANTIATE_TEST_SUITE_P(
    All, RegexErrors,
    ::testing::Values(
        // regex
        ErrorCase{"t.str regex '(a'", "1:13: invalid regex pattern: missing ): (a"},
        ErrorCase{"t.str regex '*a'",
                  "1:13: invalid regex pattern: no argument for repetition operator: *"},
        // POSIX syntax: no Perl classes, no \b.
        ErrorCase{"t.str regex '\\d+'",
                  "1:13: invalid regex pattern: invalid escape sequence: \\d"},
        ErrorCase{"t.num = 1 and\n  t.str regex '[z-a]'",
                  "2:15: invalid regex pattern: invalid character class range: z-a"},
        ErrorCase{"t.num regex 1",
                  "1:1: operator 'regex' does not apply to field 't.num' of type uint64"},
        ErrorCase{"t.ip regex x",
                  "1:1: operator 'regex' does not apply to field 't.ip' of type ipaddr"},
        ErrorCase{"t.list regex a",
                  "1:1: field 't.list' is a list: only 'exists', 'in' and 'intersects' "
                  "apply, not 'regex'"},
        ErrorCase{"t.idx[0] regex a",
                  "1:1: field 't.idx[0]' is a list: only 'exists', 'in' and 'intersects' "
                  "apply, not 'regex'"},
        ErrorCase{"t.str regex val(t.other)",
                  "1:17: operator 'regex' does not take a field on its right-hand side"}));

}  // namespace
}  // namespace bulkhead
