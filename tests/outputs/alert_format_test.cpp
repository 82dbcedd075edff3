// Falco's two alert formats, byte for byte.
#include "outputs/alert_format.h"

#include <gtest/gtest.h>

#include "tests/outputs/sample_alert.h"

namespace bulkhead {
namespace {

Alert alertWithFields() {
  Alert a = sampleAlert();
  a.tags = {"t1", "t2"};
  a.fields = {{"counter.seq", "7", true}, {"jsonx.value[/none]", "", false}};
  return a;
}

TEST(AlertFormat, TextIsTimePriorityOutput) {
  EXPECT_EQ(formatAlertText(sampleAlert()),
            "2023-11-14T22:13:20.123456789Z: Warning something happened");
}

TEST(AlertFormat, JsonCarriesFieldsTagsAndHostname) {
  AlertFormat f;
  f.json = true;
  f.hostname = "h";
  EXPECT_EQ(formatAlert(alertWithFields(), f),
            R"({"hostname":"h","output":"something happened",)"
            R"("output_fields":{"counter.seq":"7","jsonx.value[/none]":null},)"
            R"("priority":"Warning","rule":"r","source":"counter","tags":["t1","t2"],)"
            R"("time":"2023-11-14T22:13:20.123456789Z"})");
}

TEST(AlertFormat, JsonLeavesOutOutputAndTagsWhenAsked) {
  AlertFormat f;
  f.includeOutput = false;
  f.includeTags = false;
  EXPECT_EQ(formatAlertJson(alertWithFields(), f),
            R"({"hostname":"","output_fields":{"counter.seq":"7","jsonx.value[/none]":null},)"
            R"("priority":"Warning","rule":"r","source":"counter",)"
            R"("time":"2023-11-14T22:13:20.123456789Z"})");
}

}  // namespace
}  // namespace bulkhead
