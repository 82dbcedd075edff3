// The file channel appends one line per alert, with or without keep_alive,
// and says why when it cannot.
#include "outputs/file_channel.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>
#include <vector>

#include "outputs/alert_outputs.h"
#include "tests/outputs/sample_alert.h"
#include "tests/outputs/wait_until.h"

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

std::string readAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// logrotate renames the file, then SIGUSR1 asks for reopen(): the alerts
// before it are in the renamed file, the ones after in a new file at the
// path, none lost or written twice.
TEST_P(FileChannelTest, ReopenAfterRenameStartsANewFile) {
  const std::string path = ::testing::TempDir() + "/rotated_" + std::to_string(GetParam());
  std::remove(path.c_str());
  std::remove((path + ".1").c_str());
  {
    std::vector<std::unique_ptr<AlertChannel>> channels;
    channels.push_back(std::make_unique<FileChannel>(path, GetParam()));
    AlertOutputs out(AlertFormat{}, std::move(channels));
    out.emit(sampleAlert());
    out.emit(sampleAlert());
    ASSERT_TRUE(out.waitIdle(kTestWait));
    ASSERT_EQ(std::rename(path.c_str(), (path + ".1").c_str()), 0);
    out.reopen();
    out.emit(sampleAlert());
    out.drain();
    EXPECT_EQ(out.notWritten(), 0u);
  }
  const std::string line = "22:13:20.123456789: Warning something happened\n";
  EXPECT_EQ(readAll(path + ".1"), line + line);
  EXPECT_EQ(readAll(path), line);
  std::remove(path.c_str());
  std::remove((path + ".1").c_str());
}

// buffered_outputs: lines may wait in the buffer, but are out once the
// queue has run empty, and certainly at close.
TEST(FileChannel, BufferedWritesAreOutWhenTheQueueRunsEmpty) {
  const std::string path = ::testing::TempDir() + "/buffered_alerts";
  std::remove(path.c_str());
  {
    std::vector<std::unique_ptr<AlertChannel>> channels;
    channels.push_back(std::make_unique<FileChannel>(path, true, true));
    AlertOutputs out(AlertFormat{}, std::move(channels));
    for (int i = 0; i < 3; ++i) out.emit(sampleAlert());
    ASSERT_TRUE(out.waitIdle(kTestWait));
    const std::string line = "22:13:20.123456789: Warning something happened\n";
    EXPECT_EQ(readAll(path), line + line + line);
  }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace bulkhead
