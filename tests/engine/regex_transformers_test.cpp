// The `regex` operator and the field transformers in conditions: what
// matches, what does not, lists, missing values and the compile errors.
// (Outputs: output_format_test.cpp; whole rules: rules_loader_test.cpp.)
#include <gtest/gtest.h>

#include "engine/transformers.h"
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

TEST_F(CompilerTest, RegexInMacrosAndOnTransformedFields) {
  defineMacro("is_shell", "basename(t.str) regex '(ba|z|c)?sh'");
  EXPECT_TRUE(eval("is_shell", Row{{"t.str", {std::string("/bin/zsh")}}}));
  EXPECT_TRUE(eval("is_shell", Row{{"t.str", {std::string("/bin/sh")}}}));
  EXPECT_FALSE(eval("is_shell", Row{{"t.str", {std::string("/bin/fish")}}}));
  EXPECT_FALSE(eval("is_shell", Row{{"t.str", {std::string("/bash/x")}}}));
  EXPECT_TRUE(
      eval("tolower(t.str) regex '/usr/bin/bash'", Row{{"t.str", {std::string("/USR/bin/BASH")}}}));
}

TEST_F(CompilerTest, ToLowerAndToUpper) {
  Row r{{"t.str", {std::string("/usr/bin/Bash")}}, {"t.other", {std::string("/USR/BIN/BASH")}}};
  EXPECT_TRUE(eval("tolower(t.str) = /usr/bin/bash", r));
  EXPECT_FALSE(eval("tolower(t.str) = /usr/bin/Bash", r));
  EXPECT_TRUE(eval("toupper(t.str) = /USR/BIN/BASH", r));
  EXPECT_FALSE(eval("t.str = /usr/bin/bash", r));  // the value itself is not changed
  EXPECT_TRUE(eval("t.str = /usr/bin/Bash and tolower(t.str) startswith /usr/bin/b", r));
  EXPECT_TRUE(eval("tolower(t.str) in (a, /usr/bin/bash)", r));
  EXPECT_TRUE(eval("tolower(t.other) = tolower(t.str)", r));
  EXPECT_TRUE(eval("t.other = toupper(t.str)", r));
  EXPECT_FALSE(eval("t.other = val(t.str)", r));
  // ASCII letters only, as tolower(3) in the C locale: UTF-8 bytes stay.
  Row utf8{{"t.str", {std::string("\xc3\x84RGER \xc3\xa4rger")}}};
  EXPECT_TRUE(eval("tolower(t.str) = \"\xc3\x84rger \xc3\xa4rger\"", utf8));
  EXPECT_TRUE(eval("toupper(t.str) = \"\xc3\x84RGER \xc3\xa4RGER\"", utf8));
}

TEST_F(CompilerTest, Basename) {
  auto base = [&](const std::string& path, const std::string& cond) {
    return eval(cond, Row{{"t.str", {path}}});
  };
  EXPECT_TRUE(base("/usr/bin/cat", "basename(t.str) = cat"));
  EXPECT_TRUE(base("cat", "basename(t.str) = cat"));
  EXPECT_TRUE(base("/usr/bin/", "basename(t.str) = ''"));  // not "bin", unlike basename(1)
  EXPECT_TRUE(base("/", "basename(t.str) = ''"));
  EXPECT_TRUE(base("a/b/c", "basename(t.str) = c and len(basename(t.str)) = 1"));
  EXPECT_FALSE(base("/usr/bin/cat", "basename(t.str) = /usr/bin/cat"));
}

TEST_F(CompilerTest, Base64) {
  auto b64 = [&](const std::string& text, const std::string& cond) {
    return eval(cond, Row{{"t.str", {text}}});
  };
  EXPECT_TRUE(b64("aGVsbG8=", "b64(t.str) = hello"));
  EXPECT_TRUE(b64("aGVsbG8", "b64(t.str) = hello"));  // padding is optional
  EXPECT_TRUE(b64("aGk=", "b64(t.str) = hi"));
  EXPECT_TRUE(b64("L2Jpbi9zaA==", "basename(b64(t.str)) = sh"));
  EXPECT_TRUE(b64("", "b64(t.str) = ''"));
  EXPECT_FALSE(b64("aGVsbG8=", "b64(t.str) = 'aGVsbG8='"));
  // A value that does not decode leaves the field without one: every check
  // on it is false, `!=` included.
  for (const char* bad : {"aGVsbG8*", "aGVsbG8===", "a", "=", "aGk=x", "aGl="}) {
    EXPECT_FALSE(b64(bad, "b64(t.str) exists")) << bad;
    EXPECT_FALSE(b64(bad, "b64(t.str) != x")) << bad;
    EXPECT_TRUE(b64(bad, "t.str exists and not b64(t.str) exists")) << bad;
  }
}

TEST_F(CompilerTest, Len) {
  Row r{{"t.str", {std::string("/usr/bin/Bash")}},
        {"t.list", {std::string("a"), std::string("bb"), std::string("ccc")}},
        {"t.num", {uint64_t{13}}}};
  EXPECT_TRUE(eval("len(t.str) = 13", r));
  EXPECT_TRUE(eval("len(t.str) > 12 and len(t.str) < 14", r));
  EXPECT_FALSE(eval("len(t.str) = 12", r));
  EXPECT_TRUE(eval("len(t.list) = 3", r));  // a list's length is its number of values
  EXPECT_TRUE(eval("len(t.list) in (1, 3)", r));
  EXPECT_TRUE(eval("len(t.str) = val(t.num)", r));
  EXPECT_TRUE(eval("t.num = len(t.str)", r));
  EXPECT_TRUE(eval("len(t.str) = len(t.str) and len(t.list) < len(t.str)", r));
  EXPECT_TRUE(eval("len(t.idx[0]) = 1", Row{{"t.idx[0]", {std::string("only")}}}));
  EXPECT_TRUE(eval("len(t.str) = 0", Row{{"t.str", {std::string()}}}));
  // A string's length ends at a NUL byte, as strnlen's does in libsinsp.
  EXPECT_TRUE(eval("len(t.str) = 2", Row{{"t.str", {std::string("ab\0cd", 5)}}}));
}

TEST_F(CompilerTest, TransformedListsKeepTheirValues) {
  Row r{{"t.list", {std::string("/bin/A"), std::string("/x/B")}}};
  EXPECT_TRUE(eval("tolower(basename(t.list)) in (a, b)", r));
  EXPECT_FALSE(eval("tolower(t.list) in (a, b)", r));
  EXPECT_TRUE(eval("basename(t.list) intersects (B)", r));
  EXPECT_FALSE(eval("basename(t.list) intersects (/x/B)", r));
  EXPECT_TRUE(eval("len(basename(t.list)) = 2", r));
  EXPECT_TRUE(eval("toupper(t.list) exists", r));
}

TEST_F(CompilerTest, TransformedFieldsWithoutAValue) {
  // No value stays no value: not an empty string, and len() is not 0.
  for (const char* cond : {"tolower(t.str) = ''", "tolower(t.str) != x", "toupper(t.str) exists",
                           "basename(t.str) = ''", "b64(t.str) = ''", "len(t.str) = 0",
                           "len(t.list) = 0", "len(t.list) exists", "t.num = len(t.str)",
                           "len(t.str) = val(t.num)", "tolower(t.other) = tolower(t.str)"}) {
    EXPECT_FALSE(eval(cond, Row{{"t.num", {uint64_t{0}}}, {"t.other", {std::string("x")}}}))
        << cond;
  }
  EXPECT_TRUE(eval("not len(t.list) exists", Row{}));
}

struct ErrorCase {
  const char* cond;
  const char* message;
};

class RegexAndTransformerErrors : public CompilerTest,
                                  public ::testing::WithParamInterface<ErrorCase> {};

TEST_P(RegexAndTransformerErrors, Message) {
  EXPECT_EQ(compileError(GetParam().cond), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    All, RegexAndTransformerErrors,
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
                  "1:17: operator 'regex' does not take a field on its right-hand side"},
        ErrorCase{"len(t.str) regex 1",
                  "1:1: operator 'regex' does not apply to field 'len(t.str)' of type "
                  "uint64"},
        // transformers on types they do not take: libsinsp's wording
        ErrorCase{"tolower(t.num) = x",
                  "1:1: can't add field transformer: type 'uint64' is not supported by "
                  "'tolower' transformer applied on field 't.num'"},
        ErrorCase{"toupper(t.flag) = x",
                  "1:1: can't add field transformer: type 'bool' is not supported by "
                  "'toupper' transformer applied on field 't.flag'"},
        ErrorCase{"t.str = x or b64(t.ip) exists",
                  "1:14: can't add field transformer: type 'ipaddr' is not supported by "
                  "'b64' transformer applied on field 't.ip'"},
        ErrorCase{"len(t.abs) > 1",
                  "1:1: can't add field transformer: type 'abstime' is not supported by "
                  "'len' transformer applied on field 't.abs'"},
        ErrorCase{"basename(len(t.str)) = x",
                  "1:1: can't add field transformer: type 'uint64' is not supported by "
                  "'basename' transformer applied on field 't.str'"},
        ErrorCase{"len(tolower(t.numlist)) = 1",
                  "1:5: can't add field transformer: type 'uint64' is not supported by "
                  "'tolower' transformer applied on list field 't.numlist'"},
        ErrorCase{"t.str = tolower(t.key[/a]) or tolower(t.num) = x",
                  "1:31: can't add field transformer: type 'uint64' is not supported by "
                  "'tolower' transformer applied on field 't.num'"},
        ErrorCase{"t.str = x and tolower(t.div[1]) = y",
                  "1:15: can't add field transformer: type 'uint64' is not supported by "
                  "'tolower' transformer applied on field 't.div[1]'"},
        ErrorCase{"tolower(t.nope) = x", "1:9: unknown field 't.nope' for source 'test'"},
        ErrorCase{"tolower(t.key) = x", "1:9: field 't.key' requires an argument: t.key[<key>]"},
        // what the transformed type allows
        ErrorCase{"len(t.str) = abc",
                  "1:14: type mismatch: field 'len(t.str)' compared with 'abc' is not an "
                  "unsigned integer, as a uint64 field needs"},
        ErrorCase{"len(t.list) contains 1",
                  "1:1: operator 'contains' does not apply to field 'len(t.list)' of type "
                  "uint64"},
        ErrorCase{"tolower(t.list) = a",
                  "1:1: field 'tolower(t.list)' is a list: only 'exists', 'in' and "
                  "'intersects' apply, not '='"},
        ErrorCase{"t.str = len(t.other)",
                  "1:13: type mismatch: field 't.str' (string) compared with field "
                  "'len(t.other)' (uint64)"},
        ErrorCase{"t.str = tolower(t.list)",
                  "1:17: list fields cannot be compared with another field"},
        ErrorCase{"t.str in tolower(t.other)",
                  "1:18: operator 'in' does not take a field on its right-hand side"},
        ErrorCase{"t.str pmatch val(t.other)",
                  "1:18: operator 'pmatch' does not take a field on its right-hand side"},
        ErrorCase{"t.str = tolower(t.gone)", "1:17: unknown field 't.gone' for source 'test'"},
        ErrorCase{"t.str = toupper(t.num)",
                  "1:9: can't add field transformer: type 'uint64' is not supported by "
                  "'toupper' transformer applied on field 't.num'"}));

TEST(Base64, DecodesAsLibsinspDoes) {
  std::string out;
  EXPECT_TRUE(decodeBase64("", out));
  EXPECT_EQ(out, "");
  EXPECT_TRUE(decodeBase64("Zm9vYmFy", out));
  EXPECT_EQ(out, "foobar");
  EXPECT_TRUE(decodeBase64("Zm9vYg==", out));
  EXPECT_EQ(out, "foob");
  EXPECT_TRUE(decodeBase64("Zm9vYg=", out));
  EXPECT_EQ(out, "foob");
  EXPECT_TRUE(decodeBase64("Zm9vYg", out));
  EXPECT_EQ(out, "foob");
  EXPECT_TRUE(decodeBase64("Zm9vYmE", out));
  EXPECT_EQ(out, "fooba");
  EXPECT_TRUE(decodeBase64("+/+/", out));
  EXPECT_EQ(out, "\xfb\xff\xbf");
  EXPECT_TRUE(decodeBase64("AAA=", out));
  EXPECT_EQ(out, std::string(2, '\0'));
  EXPECT_FALSE(decodeBase64("Zm9vY", out));     // 6 bits over: no byte
  EXPECT_FALSE(decodeBase64("Zm9vYh==", out));  // the bits after the last byte are not zero
  EXPECT_FALSE(decodeBase64("Zm9v-_==", out));  // not the URL alphabet
  EXPECT_FALSE(decodeBase64("Zm 9v", out));
  EXPECT_FALSE(decodeBase64("Zm9vYg===", out));
  EXPECT_FALSE(decodeBase64("==", out));
}

TEST(Transformers, Shapes) {
  const FieldShape str{ValueType::kString, false}, list{ValueType::kString, true},
      num{ValueType::kUint64, false}, bytes{ValueType::kBytes, false};
  EXPECT_EQ(transformedShape(Transformer::kToLower, list), list);
  EXPECT_EQ(transformedShape(Transformer::kBasename, str), str);
  EXPECT_EQ(transformedShape(Transformer::kB64, bytes), bytes);
  EXPECT_EQ(transformedShape(Transformer::kToUpper, bytes), std::nullopt);
  EXPECT_EQ(transformedShape(Transformer::kLen, bytes), num);
  EXPECT_EQ(transformedShape(Transformer::kLen, list), num);
  EXPECT_EQ(transformedShape(Transformer::kLen, (FieldShape{ValueType::kIpAddr, true})), num);
  EXPECT_EQ(transformedShape(Transformer::kLen, num), std::nullopt);
  EXPECT_EQ(parseTransformer("b64"), Transformer::kB64);
  EXPECT_EQ(parseTransformer("val"), std::nullopt);
  for (std::string_view name : transformerNames())
    EXPECT_EQ(transformerName(parseTransformer(name).value()), name);
}

}  // namespace
}  // namespace bulkhead
