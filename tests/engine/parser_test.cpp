#include "engine/parser.h"

#include <gtest/gtest.h>

namespace bulkhead {
namespace {

// Renders the tree with explicit grouping so that tests can state precedence.
std::string show(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kAnd:
    case Expr::Kind::kOr: {
      std::string out = "(";
      for (size_t i = 0; i < e.children.size(); ++i) {
        if (i) out += e.kind == Expr::Kind::kAnd ? " and " : " or ";
        out += show(*e.children[i]);
      }
      return out + ")";
    }
    case Expr::Kind::kNot:
      return "not " + show(*e.children[0]);
    case Expr::Kind::kMacro:
      return "@" + e.name;
    case Expr::Kind::kCheck: {
      std::string out = e.field.text() + " " + std::string(opName(e.op));
      if (e.op == CmpOp::kExists) return out;
      if (e.rhsField && e.rhsField->transformers.empty())
        return out + " val(" + e.rhsField->text() + ")";
      if (e.rhsField) return out + " " + e.rhsField->text();
      if (!e.listName.empty()) return out + " list:" + e.listName;
      if (opTakesList(e.op)) {
        out += " [";
        for (size_t i = 0; i < e.values.size(); ++i) {
          if (i) out += "|";
          out += (e.values[i].quoted ? "'" : "") + e.values[i].text;
        }
        return out + "]";
      }
      return out + " " + (e.values[0].quoted ? "'" : "") + e.values[0].text;
    }
  }
  return "?";
}

std::string p(std::string_view text) { return show(*parseCondition(text)); }

TEST(Parser, EveryOperator) {
  EXPECT_EQ(p("a.b = x"), "a.b = x");
  EXPECT_EQ(p("a.b == x"), "a.b = x");
  EXPECT_EQ(p("a.b != x"), "a.b != x");
  EXPECT_EQ(p("a.b < 1"), "a.b < 1");
  EXPECT_EQ(p("a.b <= 1"), "a.b <= 1");
  EXPECT_EQ(p("a.b > 1"), "a.b > 1");
  EXPECT_EQ(p("a.b >= 1"), "a.b >= 1");
  EXPECT_EQ(p("a.b contains x"), "a.b contains x");
  EXPECT_EQ(p("a.b icontains x"), "a.b icontains x");
  EXPECT_EQ(p("a.b bcontains 0aff"), "a.b bcontains 0aff");
  EXPECT_EQ(p("a.b startswith /x"), "a.b startswith /x");
  EXPECT_EQ(p("a.b bstartswith 00"), "a.b bstartswith 00");
  EXPECT_EQ(p("a.b endswith .sh"), "a.b endswith .sh");
  EXPECT_EQ(p("a.b glob '/tmp/*'"), "a.b glob '/tmp/*");
  EXPECT_EQ(p("a.b iglob '*.EXE'"), "a.b iglob '*.EXE");
  EXPECT_EQ(p("a.b in (x, \"y z\", w)"), "a.b in [x|'y z|w]");
  EXPECT_EQ(p("a.b intersects (x)"), "a.b intersects [x]");
  EXPECT_EQ(p("a.b pmatch (/etc, /usr/bin)"), "a.b pmatch [/etc|/usr/bin]");
  EXPECT_EQ(p("a.b exists"), "a.b exists");
  EXPECT_EQ(p("a.b in ()"), "a.b in []");
  EXPECT_EQ(p("a.b in my_list"), "a.b in list:my_list");
  EXPECT_EQ(p("a.b = val(c.d[1])"), "a.b = val(c.d[1])");
  EXPECT_EQ(p("a.b regex '[a-z]+/x'"), "a.b regex '[a-z]+/x");
  EXPECT_EQ(p("a.b regex x|y"), "a.b regex x|y");
}

TEST(Parser, Transformers) {
  EXPECT_EQ(p("tolower(a.b) = x"), "tolower(a.b) = x");
  EXPECT_EQ(p("toupper(a.b[k]) exists"), "toupper(a.b[k]) exists");
  EXPECT_EQ(p("tolower(basename(a.b)) in (x, y)"), "tolower(basename(a.b)) in [x|y]");
  EXPECT_EQ(p("len( b64( a.b ) ) > 3"), "len(b64(a.b)) > 3");
  EXPECT_EQ(p("a.b = toupper(c.d)"), "a.b = toupper(c.d)");
  EXPECT_EQ(p("tolower(a.b) = tolower(c.d)"), "tolower(a.b) = tolower(c.d)");
  EXPECT_EQ(p("len(a.b)>=len(c.d)"), "len(a.b) >= len(c.d)");
  EXPECT_EQ(p("a.b in tolower(c.d)"), "a.b in tolower(c.d)");
  EXPECT_EQ(p("a.b in val(c.d)"), "a.b in val(c.d)");
  EXPECT_EQ(p("a.b in val"), "a.b in list:val");  // a list may be called val
  EXPECT_EQ(p("not basename(a.b) = x and len(c.d) = 0"),
            "(not basename(a.b) = x and len(c.d) = 0)");
  // Names without '(' stay what they were: macros and values.
  EXPECT_EQ(p("len or tolower"), "(@len or @tolower)");
  EXPECT_EQ(p("a.b = tolower"), "a.b = tolower");
  EXPECT_EQ(p("a.b = 'tolower(c.d)'"), "a.b = 'tolower(c.d)");

  auto e = parseCondition("tolower(\n  basename(a.b)) = x");
  ASSERT_EQ(e->field.transformers.size(), 2u);
  EXPECT_EQ(e->field.transformers[0].kind, Transformer::kBasename);  // innermost first
  EXPECT_EQ(e->field.transformers[0].pos.line, 2u);
  EXPECT_EQ(e->field.transformers[0].pos.column, 3u);
  EXPECT_EQ(e->field.transformers[1].kind, Transformer::kToLower);
  EXPECT_EQ(e->field.pos.column, 12u);
  EXPECT_EQ(e->field.plainText(), "a.b");
}

TEST(Parser, OperatorTableRoundTrips) {
  for (int i = 0; i <= static_cast<int>(CmpOp::kExists); ++i) {
    const auto op = static_cast<CmpOp>(i);
    EXPECT_EQ(parseCmpOp(opName(op)), op) << opName(op);
  }
  EXPECT_EQ(parseCmpOp("=="), CmpOp::kEq);
  EXPECT_EQ(parseCmpOp("regex"), CmpOp::kRegex);
  EXPECT_EQ(parseCmpOp("Regex"), std::nullopt);
  EXPECT_EQ(parseCmpOp("in "), std::nullopt);
  EXPECT_EQ(parseCmpOp(""), std::nullopt);
}

TEST(Parser, LongestSymbolWins) {
  EXPECT_EQ(p("a.b>=1"), "a.b >= 1");
  EXPECT_EQ(p("a.b==1"), "a.b = 1");
  EXPECT_EQ(p("a.b<1"), "a.b < 1");
  // A word operator must end there: `inx` is not `in` followed by x.
  EXPECT_THROW(parseCondition("a.b inx (y)"), ParseError);
  EXPECT_EQ(p("a.b intersects(y)"), "a.b intersects [y]");
}

TEST(Parser, OperatorsWithoutSpaces) {
  EXPECT_EQ(p("ka.verb=get"), "ka.verb = get");
  EXPECT_EQ(p("a.b!=c"), "a.b != c");
  EXPECT_EQ(p("a.b<=3"), "a.b <= 3");
  EXPECT_EQ(p("a.b in(x,y)"), "a.b in [x|y]");
  EXPECT_EQ(p("(a.b=c)"), "a.b = c");
}

TEST(Parser, BareValuesKeepPunctuation) {
  EXPECT_EQ(p("ka.uri startswith /healthz?"), "ka.uri startswith /healthz?");
  EXPECT_EQ(p("ka.user.name=system:anonymous"), "ka.user.name = system:anonymous");
  EXPECT_EQ(p("a.b in (eks:node-manager, docker.io/x/y)"),
            "a.b in [eks:node-manager|docker.io/x/y]");
  EXPECT_EQ(p("a.b = \"\""), "a.b = '");
}

TEST(Parser, FieldArguments) {
  EXPECT_EQ(p("jevt.value[/requestObject/spec/tls] exists"),
            "jevt.value[/requestObject/spec/tls] exists");
  EXPECT_EQ(p("ka.req.pod.containers.image[0] = nginx"), "ka.req.pod.containers.image[0] = nginx");
  EXPECT_EQ(p("ka.uri.param[command] = ls"), "ka.uri.param[command] = ls");
  EXPECT_EQ(p("json.value[\"/a b\"] = x"), "json.value[/a b] = x");
}

TEST(Parser, QuotedEscapes) {
  auto e = parseCondition(R"(a.b = "q\"uo\\te\n")");
  EXPECT_EQ(e->values[0].text, "q\"uo\\te\n");
  e = parseCondition(R"(a.b = 'say "hi"')");
  EXPECT_EQ(e->values[0].text, "say \"hi\"");
  // Two adjacent strings are not one value.
  EXPECT_THROW(parseCondition(R"(a.b = 'it''s')"), ParseError);
}

TEST(Parser, Precedence) {
  EXPECT_EQ(p("a.b exists or c.d exists and e.f exists"),
            "(a.b exists or (c.d exists and e.f exists))");
  EXPECT_EQ(p("not a.b exists and c.d exists"), "(not a.b exists and c.d exists)");
  EXPECT_EQ(p("not (a.b exists and c.d exists)"), "not (a.b exists and c.d exists)");
  EXPECT_EQ(p("m1 and m2 or m3 and not m4"), "((@m1 and @m2) or (@m3 and not @m4))");
  EXPECT_EQ(p("not not m1"), "not not @m1");
  EXPECT_EQ(p("a.b exists and c.d exists and e.f exists"),
            "(a.b exists and c.d exists and e.f exists)");
  EXPECT_EQ(p("(m1 or m2) and m3"), "((@m1 or @m2) and @m3)");
}

TEST(Parser, KeywordsAreWords) {
  // "android" is not "and" + "roid"; "origin" is not "or" + "igin".
  EXPECT_EQ(p("android or origin"), "(@android or @origin)");
  EXPECT_EQ(p("notice"), "@notice");
  EXPECT_EQ(p("a.b = and"), "a.b = and");
}

TEST(Parser, MultiLinePositions) {
  try {
    parseCondition("a.b = c\n  and d.e ~ f");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_EQ(e.pos().line, 2u);
    EXPECT_EQ(e.pos().column, 11u);
  }
}

struct ErrorCase {
  const char* text;
  const char* message;
  uint32_t column;
};

class ParserErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ParserErrors, MessageAndPosition) {
  const ErrorCase& c = GetParam();
  try {
    parseCondition(c.text);
    FAIL() << "parsed: " << c.text;
  } catch (const ParseError& e) {
    EXPECT_EQ(e.detail(), c.message) << c.text;
    EXPECT_EQ(e.pos().column, c.column) << c.text;
  }
}

INSTANTIATE_TEST_SUITE_P(
    All, ParserErrors,
    ::testing::Values(
        ErrorCase{"", "empty condition", 1}, ErrorCase{"   ", "empty condition", 4},
        ErrorCase{"a.b = c )", "unbalanced ')'", 9},
        ErrorCase{"a.b = c d.e", "expected 'and', 'or' or the end of the condition, found 'd.e'",
                  9},
        ErrorCase{"a.b = c and", "unexpected end of condition: expected a field, a macro or '('",
                  12},
        ErrorCase{"(a.b = c", "expected ')' to close the '(' at column 1", 9},
        ErrorCase{"foo (x)", "unexpected '(' after 'foo'", 5},
        ErrorCase{"foo(x)",
                  "unknown field transformer 'foo': expected one of 'tolower', 'toupper', 'b64', "
                  "'basename', 'len'",
                  1},
        ErrorCase{"tolower (a.b) = x",
                  "unexpected '(' after 'tolower': a field transformer takes no space before its "
                  "'('",
                  9},
        ErrorCase{"join(\",\", a.b) = x", "field transformer 'join()' is not supported", 1},
        ErrorCase{"a.b = concat(c.d, e.f)", "field transformer 'concat()' is not supported", 7},
        ErrorCase{"tolower(a.b", "expected ')' to close tolower(", 12},
        ErrorCase{"tolower(len(a.b) = 1", "expected ')' to close tolower(", 18},
        ErrorCase{"tolower(a.b, c.d) = x", "field transformer 'tolower()' takes one field", 12},
        ErrorCase{"tolower(x(a.b)) = y",
                  "unknown field transformer 'x': expected one of 'tolower', 'toupper', 'b64', "
                  "'basename', 'len'",
                  9},
        ErrorCase{"tolower(x) = y",
                  "expected a field or a nested valid transformer: 'tolower', 'toupper', 'b64', "
                  "'basename', 'len'",
                  9},
        ErrorCase{"tolower(1) = y",
                  "expected a field or a nested valid transformer: 'tolower', 'toupper', 'b64', "
                  "'basename', 'len'",
                  9},
        ErrorCase{"tolower() = y",
                  "expected a field or a nested valid transformer: 'tolower', 'toupper', 'b64', "
                  "'basename', 'len'",
                  9},
        ErrorCase{"tolower(a.b)[0] = y", "transformer 'tolower' does not support field arguments",
                  13},
        ErrorCase{"val(a.b) = y", "'val()' belongs on the right-hand side of a comparison", 1},
        ErrorCase{"tolower(val(a.b)) = y", "'val()' belongs on the right-hand side of a comparison",
                  9},
        ErrorCase{"a.b = val(tolower(c.d))", "expected a field name inside val()", 11},
        ErrorCase{"tolower(a.b)", "expected an operator after field 'tolower(a.b)'", 13},
        ErrorCase{"a.b regex", "expected a value after operator 'regex'", 10},
        ErrorCase{"a.b regex (x, y)", "operator 'regex' takes one value, not a list", 11},
        ErrorCase{"and a.b exists", "expected a field, a macro or '(' before 'and'", 1},
        ErrorCase{"()", "unexpected ')': expected a field, a macro or '('", 2},
        ErrorCase{"= x", "expected a field, a macro or '(', found '= x'", 1},
        ErrorCase{"a.b", "expected an operator after field 'a.b'", 4},
        ErrorCase{"a.b foo", "expected an operator after field 'a.b', found 'foo'", 5},
        ErrorCase{"a.b = anyof (x)", "operator modifiers 'anyof'/'allof' are not supported", 5},
        ErrorCase{"a.b = val x", "expected '(' after 'val'", 11},
        ErrorCase{"a.b = val(x)", "expected a field name inside val()", 11},
        ErrorCase{"a.b = val(c.d", "expected ')' to close val(", 14},
        ErrorCase{"a.b = toupper(c.d", "expected ')' to close toupper(", 18},
        ErrorCase{"a.b = (x)", "operator '=' takes one value, not a list", 7},
        ErrorCase{"a.b =", "expected a value after operator '='", 6},
        ErrorCase{"a.b in x.y", "operator 'in' expects a list: '(' or a list name", 8},
        ErrorCase{"a.b in (x", "unterminated list: expected ')'", 8},
        ErrorCase{"a.b in (x,", "unterminated list: expected ')'", 8},
        ErrorCase{"a.b in (x, = )", "expected a list item, found '='", 12},
        ErrorCase{"a.b in (x y)", "expected ',' or ')' in list, found 'y'", 11},
        ErrorCase{"a.b = \"abc", "unterminated quoted string", 7},
        ErrorCase{"a.b[x = y", "unterminated field argument: expected ']'", 5},
        ErrorCase{"a.b['x' = y", "expected ']' after the field argument", 8}));

}  // namespace
}  // namespace bulkhead
