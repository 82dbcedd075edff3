// The queue in front of every channel: emit() never waits for a channel, a
// full queue drops and counts, a slow write is reported as an output
// timeout, reopen() keeps its place in the queue, drain() is bounded.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "outputs/alert_outputs.h"
#include "tests/outputs/sample_alert.h"
#include "tests/outputs/wait_until.h"

namespace bulkhead {
namespace {

// A channel whose writes wait until the test opens the gate (or cancel()).
class GatedChannel final : public AlertChannel {
 public:
  WriteResult write(const std::string& line, const Alert& /*alert*/) override {
    std::unique_lock lock(mu_);
    ++entered_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_ || cancelled_; });
    if (cancelled_) return {false, "cancelled"};
    lines_.push_back(line);
    return {};
  }
  WriteResult reopen() override {
    std::lock_guard lock(mu_);
    lines_.emplace_back("<reopen>");
    return {};
  }
  void cancel() override {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    changed_.notify_all();
  }
  std::string_view kind() const override { return "gated"; }
  const std::string& target() const override { return target_; }

  void open() {
    std::lock_guard lock(mu_);
    open_ = true;
    changed_.notify_all();
  }
  // Waits until `n` writes have started.
  bool waitEntered(int n) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, kTestWait, [&] { return entered_ >= n; });
  }
  std::vector<std::string> lines() {
    std::lock_guard lock(mu_);
    return lines_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int entered_ = 0;
  bool open_ = false;
  bool cancelled_ = false;
  std::vector<std::string> lines_;
  const std::string target_ = "gate";
};

struct Fixture {
  explicit Fixture(OutputQueueSettings settings) {
    auto c = std::make_unique<GatedChannel>();
    gate = c.get();
    std::vector<std::unique_ptr<AlertChannel>> channels;
    channels.push_back(std::move(c));
    out = std::make_unique<AlertOutputs>(AlertFormat{}, std::move(channels), settings);
  }
  GatedChannel* gate = nullptr;
  std::unique_ptr<AlertOutputs> out;
};

class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    spdlog::set_default_logger(std::make_shared<spdlog::logger>(
        "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(text_)));
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;
  std::string text() const { return text_.str(); }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> previous_;
};

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The channel is stuck in its first write; emit() goes on returning, the
// queue holds `capacity` alerts and the rest are dropped and counted.
TEST(OutputQueue, AFullQueueDropsAndCountsWithoutBlockingEmit) {
  CapturedLog log;
  Fixture f({.capacity = 2, .timeout = std::chrono::milliseconds(60000)});
  f.out->emit(sampleAlert());
  ASSERT_TRUE(f.gate->waitEntered(1));
  for (int i = 0; i < 9; ++i) f.out->emit(sampleAlert());  // would hang if emit waited
  OutputsSnapshot s = f.out->snapshot();
  EXPECT_EQ(s.emitted, 10u);
  EXPECT_EQ(s.queueCapacity, 2u);
  ASSERT_EQ(s.channels.size(), 1u);
  EXPECT_EQ(s.channels[0].queued, 2u);
  EXPECT_EQ(s.channels[0].dropped, 7u);
  EXPECT_EQ(s.channels[0].written, 0u);

  f.gate->open();
  ASSERT_TRUE(f.out->waitIdle(kTestWait));
  f.out->emit(sampleAlert());  // room again: the streak is summed up
  ASSERT_TRUE(f.out->waitIdle(kTestWait));
  s = f.out->snapshot();
  EXPECT_EQ(s.channels[0].written, 4u);
  EXPECT_EQ(s.channels[0].dropped, 7u);
  EXPECT_EQ(f.out->notWritten(), 7u);
  ASSERT_EQ(f.out->notWrittenByChannel().size(), 1u);
  EXPECT_EQ(f.out->notWrittenByChannel()[0].dropped, 7u);
  EXPECT_EQ(f.out->notWrittenByChannel()[0].notWritten, 7u);
  const std::string text = log.text();
  EXPECT_EQ(count(text, "is full (2 alerts): rule 'r' alert dropped (counted)"), 1u) << text;
  EXPECT_EQ(count(text, "has room again; 7 alerts were dropped while it was full"), 1u) << text;
}

TEST(OutputQueue, ASlowWriteIsReportedAsAnOutputTimeout) {
  CapturedLog log;
  Fixture f({.capacity = 10, .timeout = std::chrono::milliseconds(20)});
  f.out->emit(sampleAlert());
  ASSERT_TRUE(f.gate->waitEntered(1));
  ASSERT_TRUE(waitUntil([&] { return f.out->snapshot().channels[0].timeouts == 1; }));
  f.gate->open();
  ASSERT_TRUE(f.out->waitIdle(kTestWait));
  EXPECT_EQ(f.out->snapshot().channels[0].written, 1u);
  EXPECT_EQ(f.out->snapshot().channels[0].timeouts, 1u);  // once per write, not per check
  EXPECT_NE(log.text().find("gated gate: output timeout"), std::string::npos) << log.text();
}

TEST(OutputQueue, ReopenComesBetweenTheAlertsQueuedBeforeAndAfter) {
  Fixture f({});
  f.out->emit(sampleAlert());
  ASSERT_TRUE(f.gate->waitEntered(1));
  f.out->reopen();
  f.out->emit(sampleAlert());
  f.gate->open();
  ASSERT_TRUE(f.out->waitIdle(kTestWait));
  const std::string line = "22:13:20.123456789: Warning something happened";
  EXPECT_EQ(f.gate->lines(), (std::vector<std::string>{line, "<reopen>", line}));
}

// At exit a stuck channel gets output_timeout, then its queue is abandoned
// (counted) and its write cancelled; drain() returns.
TEST(OutputQueue, DrainAbandonsWhatAStuckChannelCannotWrite) {
  CapturedLog log;
  Fixture f({.capacity = 10, .timeout = std::chrono::milliseconds(50)});
  for (int i = 0; i < 4; ++i) f.out->emit(sampleAlert());
  ASSERT_TRUE(f.gate->waitEntered(1));
  f.out->drain();
  const OutputsSnapshot s = f.out->snapshot();
  EXPECT_EQ(s.channels[0].abandoned, 3u);
  EXPECT_EQ(s.channels[0].failed, 1u);  // the cancelled write
  EXPECT_EQ(s.channels[0].written, 0u);
  f.out->emit(sampleAlert());  // after the drain: counted, not queued
  EXPECT_EQ(f.out->snapshot().channels[0].abandoned, 4u);
  EXPECT_EQ(f.out->notWritten(), 5u);
  EXPECT_NE(log.text().find("3 alerts abandoned (counted)"), std::string::npos) << log.text();
}

// What is queued at exit is written when the channel keeps up.
TEST(OutputQueue, DrainWritesWhatIsQueued) {
  Fixture f({.capacity = 100, .timeout = std::chrono::milliseconds(60000)});
  for (int i = 0; i < 20; ++i) f.out->emit(sampleAlert());
  f.gate->open();
  f.out->drain();
  EXPECT_EQ(f.gate->lines().size(), 20u);
  EXPECT_EQ(f.out->notWritten(), 0u);
}

TEST(OutputQueue, CapacityZeroIsTheDefaultBound) {
  Fixture f({.capacity = 0, .timeout = std::chrono::milliseconds(60000)});
  EXPECT_EQ(f.out->snapshot().queueCapacity, OutputQueueSettings{}.capacity);
  f.gate->open();
}

}  // namespace
}  // namespace bulkhead
