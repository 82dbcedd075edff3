#include "isolated_host.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "death_watch.h"
#include "host_suite.h"

namespace bulkhead {

IsolationOptions testIsolation() {
  IsolationOptions o;
  o.runnerPath = std::string(BULKHEAD_BINARY_DIR) + "/bulkhead-runner";
  o.policyDir = std::string(BULKHEAD_BINARY_DIR) + "/policies";
  return o;
}

namespace {

INSTANTIATE_TEST_SUITE_P(Isolated, HostSuite,
                         ::testing::Values(HostKind{"isolated", [](const PluginSpec& s) {
                                                      return std::unique_ptr<PluginHost>(
                                                          std::make_unique<IsolatedHost>(
                                                              s, testIsolation()));
                                                    }}),
                         [](const auto& info) { return info.param.name; });

// ---- the standby runner ----

std::string counterPath() { return std::string(BULKHEAD_TEST_PLUGIN_DIR) + "/libcounter.so"; }

size_t openFdCount() {
  size_t n = 0;
  DIR* d = ::opendir("/proc/self/fd");
  if (d == nullptr) return 0;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(d);
  return n - 1;  // the directory stream's own fd
}

// Processes whose parent is this one, zombies included.
std::vector<pid_t> childPids() {
  std::vector<pid_t> out;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid <= 0) continue;
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!std::getline(in, stat)) continue;
    const size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 1));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == ::getpid()) out.push_back(pid);
  }
  ::closedir(d);
  return out;
}

bool isChild(pid_t pid) {
  for (pid_t p : childPids()) {
    if (p == pid) return true;
  }
  return false;
}

// Calls nextBatch until an event from a runner other than `dead` arrives.
void recoverFrom(IsolatedHost& host, int dead) {
  for (int i = 0; i < 100000; ++i) {
    BatchResult b = host.nextBatch();
    if (!b.events.empty() && host.runnerPid() != dead && host.runnerPid() != -1) return;
  }
  FAIL() << "no event from a new runner; last error: " << host.lastError();
}

class StandbyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spdlog::set_level(spdlog::level::off);  // one crash report per kill
    DeathWatch::instance();  // its epoll fd lives as long as the process
    fdsBefore_ = openFdCount();
    childrenBefore_ = childPids().size();
  }
  void TearDown() override {
    spdlog::set_level(spdlog::level::info);
    EXPECT_EQ(openFdCount(), fdsBefore_) << "file descriptors leaked";
    EXPECT_EQ(childPids().size(), childrenBefore_) << "runner processes left behind";
  }
  size_t fdsBefore_ = 0;
  size_t childrenBefore_ = 0;
};

TEST_F(StandbyTest, TakesOverAfterEachCrashAndLeavesNothingBehind) {
  auto host = std::make_unique<IsolatedHost>(PluginSpec{"counter", counterPath(), ""},
                                             testIsolation());
  host->open("count=0,batch=16");
  for (int crash = 0; crash < 5; ++crash) {
    const int standby = host->standbyPid();
    ASSERT_GT(standby, 0);
    ASSERT_NE(standby, host->runnerPid());
    EXPECT_TRUE(isChild(standby));
    const int dead = host->runnerPid();
    ::kill(dead, SIGKILL);
    recoverFrom(*host, dead);
    EXPECT_EQ(host->runnerPid(), standby) << "the restart did not take the standby";
    EXPECT_NE(host->standbyPid(), standby);
    EXPECT_FALSE(isChild(dead)) << "the dead runner was not reaped";
  }
  EXPECT_EQ(host->counters().crashes, 5u);
  EXPECT_EQ(host->counters().restarts, 5u);
  // The standby is sandboxed exactly like a first start.
  const std::vector<std::string> layers = host->sandboxLayers();
  host.reset();
  auto fresh = std::make_unique<IsolatedHost>(PluginSpec{"counter", counterPath(), ""},
                                              testIsolation());
  EXPECT_EQ(fresh->sandboxLayers(), layers);
}

TEST_F(StandbyTest, OpenParamsWithoutPathsKeepTheStandby) {
  IsolatedHost host(PluginSpec{"counter", counterPath(), ""}, testIsolation());
  host.open("count=0,batch=16");
  const int standby = host.standbyPid();
  ASSERT_GT(standby, 0);
  host.open("count=0,batch=8");
  EXPECT_EQ(host.standbyPid(), standby);
}

// Landlock rules derive from the paths in the open params: a standby set
// up for other paths cannot serve the new capture.
TEST_F(StandbyTest, OpenParamsWithOtherPathsReplaceTheStandby) {
  const std::string dir = ::testing::TempDir();
  std::vector<std::string> files;
  for (const char* name : {"standby-a.jsonl", "standby-b.jsonl"}) {
    files.push_back(dir + "/" + std::to_string(::getpid()) + "-" + name);
    std::ofstream(files.back()) << "{\"n\":1}\n";
  }
  {
    // The serving runner started before any open params were known: only
    // the option lets it read the files.
    IsolationOptions o = testIsolation();
    o.allowRead = {dir};
    IsolatedHost host(PluginSpec{"k8saudit", std::string(BULKHEAD_TEST_PLUGIN_DIR) +
                                                 "/libstandin_k8saudit.so", ""},
                      o);
    host.open(files[0]);
    const int first = host.standbyPid();
    ASSERT_GT(first, 0);
    host.open(files[0]);
    EXPECT_EQ(host.standbyPid(), first);
    host.open(files[1]);
    const int second = host.standbyPid();
    ASSERT_GT(second, 0);
    EXPECT_NE(second, first);
    EXPECT_FALSE(isChild(first)) << "the replaced standby was not reaped";
  }
  for (const std::string& f : files) std::remove(f.c_str());
}

TEST_F(StandbyTest, ADeadStandbyIsNotACrashAndAFreshRunnerTakesOver) {
  IsolatedHost host(PluginSpec{"counter", counterPath(), ""}, testIsolation());
  host.open("count=0,batch=16");
  const int standby = host.standbyPid();
  ASSERT_GT(standby, 0);
  ::kill(standby, SIGKILL);
  const int dead = host.runnerPid();
  ::kill(dead, SIGKILL);
  recoverFrom(host, dead);
  EXPECT_NE(host.runnerPid(), standby);
  EXPECT_EQ(host.counters().crashes, 1u);
  EXPECT_EQ(host.counters().restarts, 1u);
  EXPECT_GT(host.standbyPid(), 0) << "no new standby after the restart";
  EXPECT_FALSE(isChild(standby)) << "the dead standby was not reaped";
}

TEST_F(StandbyTest, CanBeTurnedOff) {
  IsolationOptions o = testIsolation();
  o.standbyRunner = false;
  IsolatedHost host(PluginSpec{"counter", counterPath(), ""}, o);
  host.open("count=0,batch=16");
  EXPECT_EQ(host.standbyPid(), -1);
  EXPECT_EQ(childPids().size(), childrenBefore_ + 1);
  const int dead = host.runnerPid();
  ::kill(dead, SIGKILL);
  recoverFrom(host, dead);
  EXPECT_EQ(host.standbyPid(), -1);
  EXPECT_EQ(host.counters().restarts, 1u);
}

}  // namespace
}  // namespace bulkhead
