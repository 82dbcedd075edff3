// Alerts that cannot be written are counted, never dropped silently.
#include "alert_output.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace bulkhead {
namespace {

Alert sampleAlert() {
  Alert a;
  a.timeNs = 1700000000123456789ull;
  a.priority = Priority::kWarning;
  a.rule = "r";
  a.source = "counter";
  a.output = "something happened";
  return a;
}

class AlertFile : public ::testing::TestWithParam<bool> {};

TEST_P(AlertFile, WritesEveryAlertToTheFile) {
  const std::string path = ::testing::TempDir() + "/alerts_" + std::to_string(GetParam());
  std::remove(path.c_str());
  {
    AlertOutputOptions o;
    o.toStdout = false;
    o.file = path;
    o.keepAlive = GetParam();
    AlertOutput out(o);
    for (int i = 0; i < 3; ++i) out.emit(sampleAlert());
    EXPECT_EQ(out.emitted(), 3u);
    EXPECT_EQ(out.notWritten(), 0u);
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(),
                            "2023-11-14T22:13:20.123456789Z: Warning something happened\n"
                            "2023-11-14T22:13:20.123456789Z: Warning something happened\n"
                            "2023-11-14T22:13:20.123456789Z: Warning something happened\n");
  std::remove(path.c_str());
}

// /dev/full opens, and every write to it fails with ENOSPC.
TEST_P(AlertFile, CountsAlertsAFullDiskRefused) {
  AlertOutputOptions o;
  o.toStdout = false;
  o.file = "/dev/full";
  o.keepAlive = GetParam();
  AlertOutput out(o);
  for (int i = 0; i < 5; ++i) out.emit(sampleAlert());
  EXPECT_EQ(out.emitted(), 5u);
  EXPECT_EQ(out.notWritten(), 5u);
}

INSTANTIATE_TEST_SUITE_P(KeepAlive, AlertFile, ::testing::Bool());

}  // namespace
}  // namespace bulkhead
