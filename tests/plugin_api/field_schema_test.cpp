#include "plugin_api/field_schema.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace bulkhead {
namespace {

std::string errorOf(std::string_view json) {
  try {
    parseFieldSchema(json, "plugin 'p' (/x/libp.so)");
  } catch (const PluginError& e) {
    return e.what();
  }
  return "";
}

TEST(FieldSchema, ParsesEveryAttribute) {
  auto fields = parseFieldSchema(R"([
    {"name": "a.num", "type": "uint64", "desc": "a number"},
    {"name": "a.list", "type": "string", "isList": true, "desc": "d", "display": "List",
     "arg": {"isRequired": true, "isIndex": true}, "properties": ["hidden", "info"],
     "addOutput": true, "unknownKey": 1},
    {"name": "a.ip", "type": "ipaddr", "desc": "d", "arg": {"isKey": true}},
    {"name": "a.net", "type": "ipnet", "desc": "d"},
    {"name": "a.t", "type": "abstime", "desc": "d"},
    {"name": "a.r", "type": "reltime", "desc": "d"},
    {"name": "a.b", "type": "bool", "desc": "d", "properties": null, "arg": null}
  ])", "p");
  ASSERT_EQ(fields.size(), 7u);
  EXPECT_EQ(fields[0].type, FTYPE_UINT64);
  EXPECT_FALSE(fields[0].isList);
  EXPECT_EQ(fields[1].type, FTYPE_STRING);
  EXPECT_TRUE(fields[1].isList);
  EXPECT_TRUE(fields[1].arg.required);
  EXPECT_TRUE(fields[1].arg.isIndex);
  EXPECT_FALSE(fields[1].arg.isKey);
  EXPECT_TRUE(fields[1].hidden);
  EXPECT_TRUE(fields[1].addOutput);
  EXPECT_EQ(fields[1].display, "List");
  EXPECT_EQ(fields[1].properties.size(), 2u);
  EXPECT_TRUE(fields[2].arg.isKey);
  EXPECT_EQ(fields[2].type, FTYPE_IPADDR);
  EXPECT_EQ(fields[3].type, FTYPE_IPNET);
  EXPECT_EQ(fields[4].type, FTYPE_ABSTIME);
  EXPECT_EQ(fields[5].type, FTYPE_RELTIME);
  EXPECT_EQ(fields[6].type, FTYPE_BOOL);
}

TEST(FieldSchema, ErrorsNameThePluginTheEntryAndTheKey) {
  EXPECT_EQ(errorOf("[{"), "plugin 'p' (/x/libp.so): get_fields returned malformed JSON: "
                           "incomplete JSON");
  EXPECT_EQ(errorOf("{}"), "plugin 'p' (/x/libp.so): get_fields must return a JSON array");
  EXPECT_EQ(errorOf("[]"), "plugin 'p' (/x/libp.so): get_fields returned an empty list of fields");
  EXPECT_EQ(errorOf("[1]"), "plugin 'p' (/x/libp.so): get_fields: field #0 is not a JSON object");
  EXPECT_EQ(errorOf(R"([{"type": "string", "desc": "d"}])"),
            "plugin 'p' (/x/libp.so): get_fields: field #0: 'name' is required");
  EXPECT_EQ(errorOf(R"([{"name": "", "type": "string", "desc": "d"}])"),
            "plugin 'p' (/x/libp.so): get_fields: field #0: 'name' must not be empty");
  EXPECT_EQ(errorOf(R"([{"name": "x", "type": "int", "desc": "d"}])"),
            "plugin 'p' (/x/libp.so): get_fields: field #0 ('x'): 'type' is 'int', expected one "
            "of string, uint64, reltime, abstime, bool, ipaddr, ipnet");
  EXPECT_EQ(errorOf(R"([{"name": "x", "type": "string"}])"),
            "plugin 'p' (/x/libp.so): get_fields: field #0 ('x'): 'desc' is required");
  EXPECT_EQ(errorOf(R"([{"name": "x", "type": "string", "desc": "d", "isList": "yes"}])"),
            "plugin 'p' (/x/libp.so): get_fields: field #0 ('x'): 'isList' must be a boolean");
  EXPECT_EQ(errorOf(R"([{"name": "x", "type": "string", "desc": "d",
                         "arg": {"isRequired": true}}])"),
            "plugin 'p' (/x/libp.so): get_fields: field #0 ('x') arg: 'isRequired' is set but "
            "neither isIndex nor isKey is: no argument is accepted");
  EXPECT_EQ(errorOf(R"([{"name": "x", "type": "string", "desc": "d", "properties": [1]}])"),
            "plugin 'p' (/x/libp.so): get_fields: field #0 ('x'): 'properties' must be an array "
            "of strings");
}

TEST(FieldSchema, HostileInputNeverCrashes) {
  std::string deep(10000, '[');
  EXPECT_NE(errorOf(deep), "");
  std::string huge(kMaxMetadataJsonBytes + 1, ' ');
  EXPECT_NE(errorOf(huge).find("more than the limit"), std::string::npos);
  EXPECT_NE(errorOf(std::string("[\0]", 3)), "");
}

TEST(StringList, EmptyTextIsEmptyListAndEmptyNamesAreSkipped) {
  EXPECT_TRUE(parseStringList("", "p", "f").empty());
  auto l = parseStringList(R"(["a", "", "b"])", "p", "f");
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[1], "b");
  EXPECT_THROW(parseStringList(R"({"a":1})", "p", "f"), PluginError);
  EXPECT_THROW(parseStringList(R"([1])", "p", "f"), PluginError);
}

// The exact get_fields output of real plugins parses, field for field.
TEST(FieldSchema, RealPluginSchemas) {
  const std::filesystem::path dir = std::filesystem::path(BULKHEAD_SHARED_DATA) / "plugin-schemas";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "no test data at " << dir;
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    auto doc = boost::json::parse(ss.str()).as_object();
    std::string fieldsJson = boost::json::serialize(doc.at("fields"));
    auto fields = parseFieldSchema(fieldsJson, entry.path().string());
    const auto& expected = doc.at("fields").as_array();
    ASSERT_EQ(fields.size(), expected.size()) << entry.path();
    for (size_t i = 0; i < fields.size(); ++i) {
      EXPECT_EQ(fields[i].name, expected[i].at("name").as_string().c_str());
      EXPECT_STREQ(fieldTypeName(fields[i].type), expected[i].at("type").as_string().c_str());
    }
    ++files;
  }
  EXPECT_EQ(files, 5);
}

}  // namespace
}  // namespace bulkhead
