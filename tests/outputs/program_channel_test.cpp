// program_output with real programs through /bin/sh: every alert a line on
// their stdin, kept alive or one process per alert; a program that ends
// early is counted and started again, and never takes the process down.
#include "outputs/program_channel.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "outputs/alert_outputs.h"
#include "tests/outputs/sample_alert.h"
#include "tests/outputs/wait_until.h"

namespace bulkhead {
namespace {

constexpr std::chrono::milliseconds kGrace(10000);

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = ::testing::TempDir() + "/program-XXXXXX";
    dir_ = ::mkdtemp(pattern.data()) != nullptr ? pattern : "";
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string file(const std::string& name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
};

std::string readAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A process that has ended but is not reaped yet is a zombie: its pipe's
// read end is closed.
bool isZombieOrGone(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return true;
  const size_t paren = stat.rfind(')');
  return paren == std::string::npos || stat.substr(paren + 2, 1) == "Z";
}

class ProgramKeepAlive : public ::testing::TestWithParam<bool> {};

TEST_P(ProgramKeepAlive, EveryAlertIsALineOnTheProgramsStdin) {
  ScratchDir dir;
  const std::string out = dir.file("out");
  {
    std::vector<std::unique_ptr<AlertChannel>> channels;
    channels.push_back(std::make_unique<ProgramChannel>("cat >> '" + out + "'", GetParam(), kGrace));
    AlertOutputs outputs(AlertFormat{}, std::move(channels));
    for (int i = 0; i < 3; ++i) outputs.emit(sampleAlert());
    outputs.drain();
    EXPECT_EQ(outputs.notWritten(), 0u);
  }
  const std::string line = "22:13:20.123456789: Warning something happened\n";
  EXPECT_EQ(readAll(out), line + line + line);
}

INSTANTIATE_TEST_SUITE_P(KeepAlive, ProgramKeepAlive, ::testing::Bool());

// With keep_alive one process reads every alert; without, one per alert.
TEST(ProgramChannel, KeepAliveUsesOneProcess) {
  ScratchDir dir;
  const std::string pids = dir.file("pids");
  for (bool keepAlive : {true, false}) {
    std::remove(pids.c_str());
    {
      ProgramChannel ch("while read -r l; do echo $$ >> '" + pids + "'; done", keepAlive, kGrace);
      for (int i = 0; i < 3; ++i) EXPECT_TRUE(ch.write("x", sampleAlert()).written);
    }
    std::stringstream lines(readAll(pids));
    std::vector<std::string> seen;
    for (std::string l; std::getline(lines, l);) seen.push_back(l);
    ASSERT_EQ(seen.size(), 3u) << keepAlive;
    if (keepAlive) {
      EXPECT_TRUE(seen[0] == seen[1] && seen[1] == seen[2]);
    } else {
      EXPECT_TRUE(seen[0] != seen[1] && seen[1] != seen[2] && seen[0] != seen[2]);
    }
  }
}

// The program reads one line and exits. The next write finds the pipe
// broken: not written, counted, no SIGPIPE (this test process does not
// ignore it); the write after starts the program again.
TEST(ProgramChannel, AProgramThatEndsIsCountedAndStartedAgain) {
  ASSERT_NE(::signal(SIGPIPE, SIG_DFL), SIG_ERR);
  ScratchDir dir;
  const std::string out = dir.file("out");
  ProgramChannel ch("read -r l; echo \"$l\" >> '" + out + "'", true, kGrace);
  EXPECT_TRUE(ch.write("one", sampleAlert()).written);
  const pid_t first = ch.pid();
  ASSERT_GT(first, 0);
  ASSERT_TRUE(waitUntil([&] { return isZombieOrGone(first); }));
  const WriteResult lost = ch.write("two", sampleAlert());
  EXPECT_FALSE(lost.written);
  EXPECT_NE(lost.reason.find("Broken pipe"), std::string::npos) << lost.reason;
  EXPECT_NE(lost.reason.find("the program ended"), std::string::npos) << lost.reason;
  EXPECT_TRUE(ch.write("three", sampleAlert()).written);
  EXPECT_NE(ch.pid(), first);
  ASSERT_TRUE(waitUntil([&] { return readAll(out) == "one\nthree\n"; })) << readAll(out);
}

// A descriptor without close-on-exec in this process does not reach the
// program: it sees stdin, stdout and stderr only.
TEST(ProgramChannel, TheProgramGetsNoOtherDescriptor) {
  ScratchDir dir;
  const std::string out = dir.file("fds");
  const int leaky = ::fcntl(STDERR_FILENO, F_DUPFD, 100);  // no O_CLOEXEC
  ASSERT_GE(leaky, 100);
  {
    ProgramChannel ch("cat > /dev/null; ls /proc/self/fd > '" + out + "'", false, kGrace);
    EXPECT_TRUE(ch.write("x", sampleAlert()).written);
  }
  ::close(leaky);
  // ls itself opens one descriptor to read the folder.
  std::stringstream lines(readAll(out));
  std::vector<std::string> fds;
  for (std::string l; std::getline(lines, l);) fds.push_back(l);
  EXPECT_LE(fds.size(), 4u) << readAll(out);
  for (const std::string& fd : fds) EXPECT_NE(fd, std::to_string(leaky));
}

TEST(ProgramChannel, ANonZeroExitStatusCountsTheAlert) {
  ProgramChannel ch("cat > /dev/null; exit 3", false, kGrace);
  const WriteResult r = ch.write("x", sampleAlert());
  EXPECT_FALSE(r.written);
  EXPECT_EQ(r.reason, "the program ended with exit status 3");
}

// A program that never reads: once the pipe is full the write waits, and
// drain() at exit cancels it within output_timeout.
TEST(ProgramChannel, AProgramThatStopsReadingIsCancelledAtExit) {
  std::vector<std::unique_ptr<AlertChannel>> channels;
  channels.push_back(std::make_unique<ProgramChannel>("exec sleep 600", true, kGrace));
  AlertOutputs outputs(AlertFormat{},
                       std::move(channels), {.capacity = 100, .timeout = std::chrono::milliseconds(100)});
  Alert big = sampleAlert();
  big.output = std::string(200000, 'x');  // more than a pipe holds
  outputs.emit(big);
  outputs.emit(big);
  ASSERT_TRUE(waitUntil([&] { return outputs.snapshot().channels[0].queued == 1; }));
  outputs.drain();
  const ChannelCounters c = outputs.snapshot().channels[0];
  EXPECT_EQ(c.written, 0u);
  EXPECT_EQ(c.failed, 1u);
  EXPECT_EQ(c.abandoned, 1u);
}

}  // namespace
}  // namespace bulkhead
