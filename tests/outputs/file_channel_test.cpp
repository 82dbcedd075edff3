// The file channel appends one line per alert, with or without keep_alive,
// and says why when it cannot.
#include "outputs/file_channel.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>

#include "tests/outputs/sample_alert.h"

namespace bulkhead {
namespace {

class FileChannelTest : public ::testing::TestWithParam<bool> {};

TEST_P(FileChannelTest, WritesEveryAlertToTheFile) {
  const std::string path = ::testing::TempDir() + "/channel_alerts_" + std::to_string(GetParam());
  std::remove(path.c_str());
  {
    FileChannel file(path, GetParam());
    for (int i = 0; i < 3; ++i) {
      EXPECT_TRUE(file.write("line " + std::to_string(i), sampleAlert()).written);
    }
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "line 0\nline 1\nline 2\n");
  std::remove(path.c_str());
}

// /dev/full opens, and every write to it fails with ENOSPC.
TEST_P(FileChannelTest, ReportsWhyAFullDiskRefused) {
  FileChannel file("/dev/full", GetParam());
  WriteResult r = file.write("line", sampleAlert());
  EXPECT_FALSE(r.written);
  EXPECT_EQ(r.reason, "No space left on device");
}

INSTANTIATE_TEST_SUITE_P(KeepAlive, FileChannelTest, ::testing::Bool());

TEST(FileChannel, AFileThatCannotBeOpenedFailsAtStartUp) {
  EXPECT_THROW(FileChannel("/nonexistent/dir/alerts.txt", false), std::system_error);
}

}  // namespace
}  // namespace bulkhead
