#include "config/yaml_to_json.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace bulkhead {
namespace {

std::string convert(const std::string& yaml) { return yamlToJson(YAML::Load(yaml)); }

// Every output must be JSON a real parser accepts.
boost::json::value parsed(const std::string& json) {
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = 1000;
  boost::json::value v = boost::json::parse(json, ec, {}, options);
  EXPECT_FALSE(ec) << json << ": " << ec.message();
  return v;
}

TEST(YamlToJson, NestedMapsAndSequencesKeepOrder) {
  std::string json = convert("b: {c: [1, 2, {d: x}]}\na: []\ne: {}\n");
  EXPECT_EQ(json, R"({"b":{"c":[1,2,{"d":"x"}]},"a":[],"e":{}})");
  parsed(json);
}

TEST(YamlToJson, TopLevelSequence) {
  EXPECT_EQ(convert("- a\n- 1\n- [true]\n"), R"(["a",1,[true]])");
}

TEST(YamlToJson, PlainNumbersStayNumbers) {
  EXPECT_EQ(convert("[0, -3, 42, 1.5, -0.25, 1e3, 2.5E-7, 12345678901234567890123]"),
            "[0,-3,42,1.5,-0.25,1e3,2.5E-7,12345678901234567890123]");
}

TEST(YamlToJson, NonJsonNumberSpellingsAreRewritten) {
  // yaml-cpp reads these as numbers; JSON has no hex, octal, leading '+',
  // bare '.5' or trailing '.'.
  std::string json = convert("[0x1F, +5, .5, 1., 017]");
  EXPECT_EQ(json, "[31,5,0.5,1,15]");
  parsed(json);
}

TEST(YamlToJson, InfinityAndNanStayStrings) {
  std::string json = convert("[.inf, -.inf, .nan]");
  EXPECT_EQ(json, R"([".inf","-.inf",".nan"])");
  parsed(json);
}

TEST(YamlToJson, BoolsAndNulls) {
  EXPECT_EQ(
      convert("{a: true, b: false, c: True, d: FALSE, e: ~, f: null, g: , h: yes, i: off}"),
      R"({"a":true,"b":false,"c":true,"d":false,"e":null,"f":null,"g":null,"h":true,"i":false})");
}

TEST(YamlToJson, QuotedScalarsStayStrings) {
  EXPECT_EQ(convert(R"({a: "42", b: '1.5', c: "true", d: 'null', e: "", f: '0x1F'})"),
            R"({"a":"42","b":"1.5","c":"true","d":"null","e":"","f":"0x1F"})");
}

TEST(YamlToJson, ExplicitlyTaggedScalarsAreStrings) {
  EXPECT_EQ(convert("{a: !!str 42}"), R"({"a":"42"})");
}

TEST(YamlToJson, PlainWordsAndBlockScalarsAreStrings) {
  EXPECT_EQ(convert("a: hello world\nb: |\n  line1\n  line2\n"),
            R"({"a":"hello world","b":"line1\nline2\n"})");
}

TEST(YamlToJson, SpecialCharactersAreEscaped) {
  std::string json = convert(R"({"q\"k": "a\"b\\c/d\te\r\n\b\f\x01\x1f"})");
  EXPECT_EQ(json, R"({"q\"k":"a\"b\\c/d\te\r\n\b\f\u0001\u001f"})");
  auto v = parsed(json);
  EXPECT_EQ(v.as_object().at("q\"k").as_string(), "a\"b\\c/d\te\r\n\b\f\x01\x1f");
}

TEST(YamlToJson, Utf8PassesThroughAndInvalidBytesAreEscaped) {
  std::string valid = convert("{k: \"h\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"}");
  EXPECT_EQ(valid, "{\"k\":\"h\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"}");
  parsed(valid);

  std::string out;
  appendJsonString(out,
                   "a\xFF"
                   "b\xC0\xAF"
                   "c\xED\xA0\x80"
                   "d\xE2\x82");
  EXPECT_EQ(out, R"("a\u00ffb\u00c0\u00afc\u00ed\u00a0\u0080d\u00e2\u0082")");
  parsed(out);
}

TEST(YamlToJson, NumericKeysBecomeStrings) {
  EXPECT_EQ(convert("{1: a, true: b}"), R"({"1":"a","true":"b"})");
}

TEST(YamlToJson, AliasesAreExpanded) {
  EXPECT_EQ(convert("base: &b {x: 1}\ncopy: *b\n"), R"({"base":{"x":1},"copy":{"x":1}})");
}

TEST(YamlToJson, ComplexKeyIsRejectedWithItsNode) {
  YAML::Node node = YAML::Load("a: 1\n? [x, y]\n: 2\n");
  try {
    yamlToJson(node);
    FAIL() << "expected YamlToJsonError";
  } catch (const YamlToJsonError& e) {
    EXPECT_NE(std::string(e.what()).find("map key must be a string"), std::string::npos);
    EXPECT_EQ(e.node().Mark().line, 1);
  }
}

TEST(YamlToJson, DuplicateKeyIsRejected) { EXPECT_THROW(convert("{a: 1, a: 2}"), YamlToJsonError); }

TEST(YamlToJson, AliasFanOutIsBounded) {
  std::string yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'j'; ++c) {
    yaml += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) yaml += std::string(i ? ", *" : "*") + prev;
    yaml += "]\n";
    prev = c;
  }
  YamlToJsonLimits limits;
  EXPECT_EQ(limits.maxOutputBytes, 1u << 20);
  limits.maxOutputBytes = 64 << 10;
  try {
    yamlToJson(YAML::Load(yaml), limits);
    FAIL() << "expected YamlToJsonError";
  } catch (const YamlToJsonError& e) {
    EXPECT_EQ(std::string(e.what()),
              "JSON form is larger than 65536 bytes (anchors and aliases expand)");
  }
}

TEST(YamlToJson, DepthIsBounded) {
  std::string deep(100, '[');
  deep += std::string(100, ']');
  EXPECT_THROW(convert(deep), YamlToJsonError);
  std::string ok(60, '[');
  ok += std::string(60, ']');
  EXPECT_NO_THROW(parsed(convert(ok)));
}

}  // namespace
}  // namespace bulkhead
