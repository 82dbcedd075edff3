// The progress line and the -M deadline, without the binary.
#include "supervisor/run_progress.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace bulkhead {
namespace {

TEST(ProgressLine, RatesPerSourceAlertsAndRestartsInTotal) {
  ProgressBoard board({"counter", "fault"});
  board.publish(0, {1200, 0});
  board.publish(1, {10, 3});
  const std::string line = progressLine(board, {{200, 0}, {10, 1}}, 2.0, 96);
  EXPECT_EQ(line, "bulkhead: counter 500 ev/s, fault 0 ev/s; alerts 96; restarts 3");
}

TEST(ProgressLine, ASourceNameIsMadeVisible) {
  ProgressBoard board({"evil\n12:00:00 forged"});
  EXPECT_EQ(progressLine(board, {}, 1.0, 0).find('\n'), std::string::npos);
}

TEST(ProgressReporter, WritesLinesWhileEnabled) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::FILE* out = ::fdopen(fds[1], "w");
  ASSERT_NE(out, nullptr);
  ProgressBoard board({"counter"});
  board.publish(0, {5, 0});
  std::string got;
  {
    ProgressReporter reporter(
        board, [] { return uint64_t{7}; }, std::chrono::milliseconds(20), out, true);
    // Event-driven: wait for the first whole line, with a generous bound.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (got.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd p{fds[0], POLLIN, 0};
      if (::poll(&p, 1, 1000) == 1) {
        char buf[256];
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n > 0) got.append(buf, static_cast<size_t>(n));
      }
    }
  }
  std::fclose(out);
  ::close(fds[0]);
  EXPECT_EQ(got.rfind("bulkhead: counter ", 0), 0u) << got;
  EXPECT_NE(got.find("; alerts 7; restarts 0\n"), std::string::npos) << got;
}

TEST(ProgressReporter, DisabledWritesNothing) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::FILE* out = ::fdopen(fds[1], "w");
  ProgressBoard board({"counter"});
  {
    ProgressReporter reporter(
        board, [] { return uint64_t{0}; }, std::chrono::milliseconds(1), out, false);
  }
  std::fclose(out);
  char c;
  EXPECT_EQ(::read(fds[0], &c, 1), 0) << "the pipe has only its end";
  ::close(fds[0]);
}

TEST(StopAfter, SetsTheFlagOnceTheTimeHasPassed) {
  std::atomic<bool> stop{false};
  StopAfter timer(std::chrono::seconds(1), stop);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!stop.load() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(stop.load());
}

TEST(StopAfter, DestroyedEarlyLeavesTheFlagAlone) {
  std::atomic<bool> stop{false};
  { StopAfter timer(std::chrono::hours(1), stop); }
  EXPECT_FALSE(stop.load());
  { StopAfter none(std::chrono::seconds(0), stop); }
  EXPECT_FALSE(stop.load());
}

}  // namespace
}  // namespace bulkhead
