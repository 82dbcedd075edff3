// Falco's two alert formats, byte for byte (the lines below are the shapes
// Falco 0.44.1 writes for plugin events).
#include "outputs/alert_format.h"

#include <gtest/gtest.h>

#include "engine/batch_values.h"
#include "outputs/json_text.h"
#include "tests/outputs/sample_alert.h"

namespace bulkhead {
namespace {

Alert::Field field(std::string name, std::string value, bool present,
                   ValueType type = ValueType::kString, std::vector<std::string> items = {}) {
  Alert::Field f;
  f.name = std::move(name);
  f.value = std::move(value);
  f.present = present;
  f.type = type;
  f.isList = !items.empty();
  f.items = std::move(items);
  return f;
}

Alert alertWithFields() {
  Alert a = sampleAlert();
  a.tags = {"t2", "t1", "t2"};
  Alert::Field seq = field("counter.seq", "7", true, ValueType::kUint64);
  Alert::Field none = field("jsonx.value[/none]", "", false);
  Alert::Field list = field("k.images", "(a,b)", true, ValueType::kString, {"a", "b"});
  Alert::Field flag = field("k.flag", "true", true, ValueType::kBool);
  a.fields = {seq, none, list, flag, seq};
  return a;
}

AlertFormat jsonFormat() {
  AlertFormat f;
  f.json = true;
  f.hostname = "h";
  return f;
}

// 1700000000.123456789 is 22:13:20 UTC.
TEST(AlertFormat, TextIsLocalTimePriorityOutput) {
  EXPECT_EQ(formatAlertText(sampleAlert(), {}), "22:13:20.123456789: Warning something happened");
  setDisplayUtcOffset(3600);
  EXPECT_EQ(formatAlertText(sampleAlert(), {}), "23:13:20.123456789: Warning something happened");
  setDisplayUtcOffset(0);
}

TEST(AlertFormat, TextWithIso8601Time) {
  AlertFormat f;
  f.timeIso8601 = true;
  EXPECT_EQ(formatAlertText(sampleAlert(), f),
            "2023-11-14T22:13:20.123456789+0000: Warning something happened");
}

// A field value cannot add a line to text output or reach the terminal;
// tabs stay as Falco prints them, and JSON keeps the raw text JSON-escaped.
TEST(AlertFormat, TextLineShowsControlBytesVisibly) {
  Alert a = sampleAlert();
  a.output = "user=x\n22:13:20.000000000: Critical forged\x1b[31m\tend";
  EXPECT_EQ(formatAlert(a, {}),
            "22:13:20.123456789: Warning user=x\\n22:13:20.000000000: Critical "
            "forged\\x1b[31m\tend");
  const std::string json = formatAlert(a, jsonFormat());
  EXPECT_NE(json.find(R"(user=x\n22:13:20.000000000: Critical forged\u001b[31m\tend)"),
            std::string::npos)
      << json;
}

TEST(AlertFormat, JsonKeysSortedFieldsTypedTagsSortedUnique) {
  EXPECT_EQ(formatAlert(alertWithFields(), jsonFormat()),
            R"({"hostname":"h","output":"22:13:20.123456789: Warning something happened",)"
            R"("output_fields":{"counter.seq":7,"evt.time":1700000000123456789,)"
            R"("jsonx.value[/none]":null,"k.flag":true,"k.images":["a","b"]},)"
            R"("priority":"Warning","rule":"r","source":"counter","tags":["t1","t2"],)"
            R"("time":"2023-11-14T22:13:20.123456789Z"})");
}

// `%toupper(ka.verb) %len(k.images)`: libsinsp leaves the transformed
// fields out of output_fields; the plain fields they wrap are there.
TEST(AlertFormat, JsonOutputFieldsSkipTransformedFields) {
  Alert a = sampleAlert();
  Alert::Field verb = field("ka.verb", "get", true);
  Alert::Field upper = field("toupper(ka.verb)", "GET", true);
  upper.transformed = true;
  Alert::Field images = field("k.images", "(a,b)", true, ValueType::kString, {"a", "b"});
  Alert::Field len = field("len(k.images)", "2", true, ValueType::kUint64);
  len.transformed = true;
  a.fields = {verb, upper, images, len};
  AlertFormat f = jsonFormat();
  f.includeOutput = false;
  f.includeTags = false;
  EXPECT_EQ(formatAlertJson(a, f),
            R"({"hostname":"h","output_fields":{"evt.time":1700000000123456789,)"
            R"("k.images":["a","b"],"ka.verb":"get"},)"
            R"("priority":"Warning","rule":"r","source":"counter",)"
            R"("time":"2023-11-14T22:13:20.123456789Z"})");
  // The text format is the rendered output alone, transformed or not.
  EXPECT_EQ(formatAlertText(a, {}), "22:13:20.123456789: Warning something happened");
}

TEST(AlertFormat, JsonMessageAndIsoTimeField) {
  AlertFormat f = jsonFormat();
  f.includeMessage = true;
  f.timeIso8601 = true;
  f.includeTags = false;
  Alert a = sampleAlert();
  EXPECT_EQ(formatAlertJson(a, f),
            R"({"hostname":"h","message":"something happened",)"
            R"("output":"2023-11-14T22:13:20.123456789+0000: Warning something happened",)"
            R"("output_fields":{"evt.time.iso8601":1700000000123456789},)"
            R"("priority":"Warning","rule":"r","source":"counter",)"
            R"("time":"2023-11-14T22:13:20.123456789Z"})");
}

TEST(AlertFormat, JsonOutputFieldTimeIsTheRawTimestamp) {
  Alert a = sampleAlert();
  a.fields = {field("evt.time", "22:13:20.123456789", true),
              field("evt.datetime.s", "2023-11-14 22:13:20", true),
              field("evt.reltime", "000001102", true, ValueType::kRelTime)};
  AlertFormat f = jsonFormat();
  f.timeIso8601 = true;
  f.includeOutput = false;
  f.includeTags = false;
  EXPECT_EQ(formatAlertJson(a, f),
            R"({"hostname":"h","output_fields":{"evt.datetime.s":1700000000123456789,)"
            R"("evt.reltime":1102,"evt.time":1700000000123456789,)"
            R"("evt.time.iso8601":1700000000123456789},)"
            R"("priority":"Warning","rule":"r","source":"counter",)"
            R"("time":"2023-11-14T22:13:20.123456789Z"})");
}

TEST(AlertFormat, JsonLeavesOutWhatIsNotAskedFor) {
  AlertFormat f;
  f.includeOutput = false;
  f.includeTags = false;
  f.includeOutputFields = false;
  EXPECT_EQ(formatAlertJson(alertWithFields(), f),
            R"({"hostname":"","priority":"Warning","rule":"r","source":"counter",)"
            R"("time":"2023-11-14T22:13:20.123456789Z"})");
}

TEST(AlertFormat, ExtraFieldsGoToOutputFieldsOnlyAndWinOverTheRest) {
  Alert a = sampleAlert();
  a.fields = {field("k.user", "bob", true)};
  a.extraFields = {field("k.user", "from append_output", true), field("n", "3", true, ValueType::kUint64)};
  AlertFormat f = jsonFormat();
  f.includeTags = false;
  EXPECT_EQ(formatAlertJson(a, f),
            R"({"hostname":"h","output":"22:13:20.123456789: Warning something happened",)"
            R"("output_fields":{"evt.time":1700000000123456789,"k.user":"from append_output","n":3},)"
            R"("priority":"Warning","rule":"r","source":"counter",)"
            R"("time":"2023-11-14T22:13:20.123456789Z"})");
  EXPECT_EQ(formatAlertText(a, f), "22:13:20.123456789: Warning something happened");
}

std::string asJson(std::string_view s) {
  std::string out;
  appendJsonText(out, s);
  return out;
}

TEST(JsonText, EscapesWhatJsonRequiresOnly) {
  EXPECT_EQ(asJson("a\"b\\c/d"), R"("a\"b\\c/d")");
  EXPECT_EQ(asJson("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(asJson(std::string("\x1b[31m\x01\x7f", 7)), "\"\\u001b[31m\\u0001\x7f\"");
  EXPECT_EQ(asJson(std::string("nul\0x", 5)), R"("nul\u0000x")");
  EXPECT_EQ(asJson("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
}

TEST(JsonText, InvalidUtf8BecomesOneReplacementPerBrokenSequence) {
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(asJson("\xFF"), "\"" + r + "\"");
  EXPECT_EQ(asJson("\xE2\x82" "a"), "\"" + r + "a\"");  // truncated, then 'a' kept
  EXPECT_EQ(asJson("\xC0\xAF"), "\"" + r + r + "\"");   // overlong: both bytes invalid
  EXPECT_EQ(asJson("\xED\xA0\x80"), "\"" + r + r + r + "\"");  // surrogate
  EXPECT_EQ(asJson("x\xF0\x9F\x98"), "\"x" + r + "\"");  // cut at the end
}

}  // namespace
}  // namespace bulkhead
