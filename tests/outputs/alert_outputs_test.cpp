// Alerts that cannot be written are counted, never dropped silently.
#include "outputs/alert_outputs.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "outputs/file_channel.h"
#include "tests/outputs/sample_alert.h"

namespace bulkhead {
namespace {

// Generous: the machine may be loaded. Waits end as soon as the state is there.
constexpr std::chrono::seconds kWait(30);

// Records what it was given; refuses the writes it is told to. Read
// `lines` only once the outputs are idle (waitIdle), which orders it after
// the worker's writes.
class FakeChannel final : public AlertChannel {
 public:
  explicit FakeChannel(std::string target) : target_(std::move(target)) {}
  WriteResult write(const std::string& line, const Alert& /*alert*/) override {
    lines.push_back(line);
    if (refuse) return {false, "refused"};
    return {};
  }
  WriteResult reopen() override {
    lines.emplace_back("<reopen>");
    return {};
  }
  std::string_view kind() const override { return "fake"; }
  const std::string& target() const override { return target_; }

  std::vector<std::string> lines;
  std::atomic<bool> refuse{false};

 private:
  std::string target_;
};

std::vector<std::unique_ptr<AlertChannel>> channelsOf(std::unique_ptr<FakeChannel> a,
                                                      std::unique_ptr<FakeChannel> b) {
  std::vector<std::unique_ptr<AlertChannel>> channels;
  channels.push_back(std::move(a));
  channels.push_back(std::move(b));
  return channels;
}

class AlertFile : public ::testing::TestWithParam<bool> {};

TEST_P(AlertFile, WritesEveryAlertToTheFile) {
  const std::string path = ::testing::TempDir() + "/alerts_" + std::to_string(GetParam());
  std::remove(path.c_str());
  {
    std::vector<std::unique_ptr<AlertChannel>> channels;
    channels.push_back(std::make_unique<FileChannel>(path, GetParam()));
    AlertOutputs out(AlertFormat{}, std::move(channels));
    for (int i = 0; i < 3; ++i) out.emit(sampleAlert());
    ASSERT_TRUE(out.waitIdle(kWait));
    EXPECT_EQ(out.emitted(), 3u);
    EXPECT_EQ(out.notWritten(), 0u);
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(),
            "22:13:20.123456789: Warning something happened\n"
            "22:13:20.123456789: Warning something happened\n"
            "22:13:20.123456789: Warning something happened\n");
  std::remove(path.c_str());
}

// /dev/full opens, and every write to it fails with ENOSPC.
TEST_P(AlertFile, CountsAlertsAFullDiskRefused) {
  std::vector<std::unique_ptr<AlertChannel>> channels;
  channels.push_back(std::make_unique<FileChannel>("/dev/full", GetParam()));
  AlertOutputs out(AlertFormat{}, std::move(channels));
  for (int i = 0; i < 5; ++i) out.emit(sampleAlert());
  ASSERT_TRUE(out.waitIdle(kWait));
  EXPECT_EQ(out.emitted(), 5u);
  EXPECT_EQ(out.notWritten(), 5u);
  ASSERT_EQ(out.notWrittenByChannel().size(), 1u);
  EXPECT_EQ(out.notWrittenByChannel()[0].target, "/dev/full");
  EXPECT_EQ(out.notWrittenByChannel()[0].notWritten, 5u);
}

INSTANTIATE_TEST_SUITE_P(KeepAlive, AlertFile, ::testing::Bool());

TEST(AlertOutputs, EveryChannelGetsTheSameLine) {
  auto a = std::make_unique<FakeChannel>("a");
  auto b = std::make_unique<FakeChannel>("b");
  FakeChannel& first = *a;
  FakeChannel& second = *b;
  AlertOutputs out(AlertFormat{}, channelsOf(std::move(a), std::move(b)));
  out.emit(sampleAlert());
  ASSERT_TRUE(out.waitIdle(kWait));
  const std::vector<std::string> expected = {
      "22:13:20.123456789: Warning something happened"};
  EXPECT_EQ(first.lines, expected);
  EXPECT_EQ(second.lines, expected);
  EXPECT_EQ(out.emitted(), 1u);
  EXPECT_EQ(out.notWritten(), 0u);
  EXPECT_TRUE(out.notWrittenByChannel().empty());
}

// A channel that refuses does not keep the alert from the others, and its
// count resumes where it was after it recovers.
TEST(AlertOutputs, CountsEachChannelsRefusals) {
  auto a = std::make_unique<FakeChannel>("a");
  auto b = std::make_unique<FakeChannel>("b");
  FakeChannel& first = *a;
  FakeChannel& second = *b;
  AlertOutputs out(AlertFormat{}, channelsOf(std::move(a), std::move(b)));
  first.refuse = true;
  out.emit(sampleAlert());
  out.emit(sampleAlert());
  ASSERT_TRUE(out.waitIdle(kWait));
  first.refuse = false;
  out.emit(sampleAlert());
  ASSERT_TRUE(out.waitIdle(kWait));
  first.refuse = true;
  out.emit(sampleAlert());
  ASSERT_TRUE(out.waitIdle(kWait));
  EXPECT_EQ(second.lines.size(), 4u);
  EXPECT_EQ(out.emitted(), 4u);
  EXPECT_EQ(out.notWritten(), 3u);
  ASSERT_EQ(out.notWrittenByChannel().size(), 1u);
  EXPECT_EQ(out.notWrittenByChannel()[0].target, "a");
  EXPECT_EQ(out.notWrittenByChannel()[0].notWritten, 3u);
}

// One error per failure streak, not one per alert: a full disk under an
// alert storm must not also flood the log.
TEST(AlertOutputs, LogsAFailureStreakOnceAndItsEnd) {
  std::ostringstream log;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log)));
  {
    auto a = std::make_unique<FakeChannel>("a");
    FakeChannel& channel = *a;
    std::vector<std::unique_ptr<AlertChannel>> channels;
    channels.push_back(std::move(a));
    AlertOutputs out(AlertFormat{}, std::move(channels));
    channel.refuse = true;
    for (int i = 0; i < 3; ++i) out.emit(sampleAlert());
    ASSERT_TRUE(out.waitIdle(kWait));
    channel.refuse = false;
    out.emit(sampleAlert());
  }
  spdlog::set_default_logger(previous);
  const std::string text = log.str();
  EXPECT_NE(text.find("cannot write fake a: refused; rule 'r' alert not written (counted)"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("cannot write", text.find("cannot write") + 1), std::string::npos) << text;
  EXPECT_NE(text.find("fake a is writable again"), std::string::npos) << text;
}

}  // namespace
}  // namespace bulkhead
