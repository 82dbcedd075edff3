// The rule for what runners print, without processes: every line prefixed
// and visible, long lines cut, rates bounded, drops counted and summarised.
// The clock is passed in, so nothing here sleeps.
#include "supervisor/runner_output.h"

#include <fcntl.h>
#include <unistd.h>

#include <mutex>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace bulkhead {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using std::chrono::milliseconds;
using Clock = OutputLimiter::Clock;

struct Collected {
  std::vector<std::string> lines;
  OutputLimiter::Emit emit() {
    return [this](const std::string& l) { lines.push_back(l); };
  }
};

TEST(OutputLimiter, PrefixesAndMakesVisible) {
  Collected c;
  OutputLimiter l("p\n1", {}, c.emit());
  l.line("hello \x1b[31mred\r", Clock::now());
  EXPECT_THAT(c.lines, ElementsAre("plugin 'p\\n1' output: hello \\x1b[31mred\\r"));
}

TEST(OutputLimiter, CutsLongLines) {
  Collected c;
  OutputLimits limits;
  limits.maxLineBytes = 8;
  OutputLimiter l("p", limits, c.emit());
  l.line("0123456789abcdef", Clock::now());
  EXPECT_THAT(c.lines, ElementsAre("plugin 'p' output: 01234567 ...(line cut at 8 bytes)"));
  EXPECT_EQ(l.counts().cutLines, 1u);
}

TEST(OutputLimiter, DropsOverTheLineRateAndSummarisesOnce) {
  Collected c;
  OutputLimits limits;
  limits.linesPerSecond = 3;
  limits.summaryInterval = milliseconds(1000);
  OutputLimiter l("p", limits, c.emit());
  const auto t0 = Clock::now();
  for (int i = 0; i < 10; ++i) l.line("x", t0);
  EXPECT_EQ(c.lines.size(), 3u);
  EXPECT_EQ(l.counts().droppedLines, 7u);
  l.flushSummary(t0 + milliseconds(999));
  EXPECT_EQ(c.lines.size(), 3u) << "no summary before the interval";
  l.flushSummary(t0 + milliseconds(1000));
  ASSERT_EQ(c.lines.size(), 4u);
  EXPECT_THAT(c.lines.back(), HasSubstr("plugin 'p': 7 lines (14 bytes) of its output dropped"));
  l.flushSummary(t0 + milliseconds(5000), true);
  EXPECT_EQ(c.lines.size(), 4u) << "said once";
  // The rate refills with time.
  l.line("y", t0 + milliseconds(1000));
  EXPECT_EQ(c.lines.size(), 5u);
  EXPECT_EQ(l.counts().lines, 4u);
}

TEST(OutputLimiter, DropsOverTheByteRate) {
  Collected c;
  OutputLimits limits;
  limits.bytesPerSecond = 100;
  OutputLimiter l("p", limits, c.emit());
  const auto t0 = Clock::now();
  l.line(std::string(60, 'a'), t0);
  l.line(std::string(60, 'b'), t0);
  EXPECT_EQ(c.lines.size(), 1u);
  EXPECT_EQ(l.counts().droppedBytes, 61u);
}

// The reader on a real pipe: lines split across writes, a line without
// its newline at EOF, and nothing lost on the way.
TEST(RunnerOutput, ReadsLinesFromAPipeUntilEof) {
  std::mutex mu;
  std::vector<std::string> lines;
  {
    RunnerOutput out({}, [&](const std::string& l) {
      std::lock_guard lock(mu);
      lines.push_back(l);
    });
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    out.add(UniqueFd(fds[0]), "p");
    const std::string text = "one\ntw";
    ASSERT_EQ(::write(fds[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
    ASSERT_EQ(::write(fds[1], "o\nthree", 7), 7);
    ::close(fds[1]);
  }  // the destructor drains what is left
  EXPECT_THAT(lines, ElementsAre("plugin 'p' output: one", "plugin 'p' output: two",
                                 "plugin 'p' output: three"));
}

}  // namespace
}  // namespace bulkhead
