// Landlock in forked children: reads and writes outside the granted paths
// fail with EACCES. Skipped only when the kernel has no Landlock.
#include "sandbox_runner/landlock.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/sandbox_runner/child_process.h"
#include "sandbox_runner/sandbox.h"

namespace bulkhead {
namespace {

namespace fs = std::filesystem;
using testing::ChildResult;
using testing::runInChild;

LandlockRules rules(std::vector<std::string> read, std::vector<std::string> write = {},
                    bool network = false) {
  LandlockRules r;
  r.readPaths = std::move(read);
  r.writePaths = std::move(write);
  r.allowNetwork = network;
  return r;
}

class LandlockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    abi_ = landlockAbiVersion();
    if (abi_ == 0) GTEST_SKIP() << "kernel without Landlock (landlock_create_ruleset failed)";
    std::string tmpl = (fs::temp_directory_path() / "bulkhead-landlock-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    fs::create_directories(root_ / "allowed" / "sub");
    fs::create_directories(root_ / "denied");
    std::ofstream(root_ / "allowed" / "sub" / "a.txt") << "a";
    std::ofstream(root_ / "denied" / "b.txt") << "b";
    std::ofstream(root_ / "single.txt") << "s";
    std::cout << "Landlock ABI " << abi_ << "\n";
  }
  void TearDown() override {
    std::error_code ec;
    if (!root_.empty()) fs::remove_all(root_, ec);
  }
  std::string path(const char* rel) const { return (root_ / rel).string(); }

  int abi_ = 0;
  fs::path root_;
};

TEST_F(LandlockTest, ReadsLimitedToGrantedPaths) {
  const std::string allowed = path("allowed"), a = path("allowed/sub/a.txt"),
                    b = path("denied/b.txt"), single = path("single.txt");
  ChildResult r = runInChild([&] {
    LayerStatus s = applyLandlock(rules({allowed, single}));
    testing::childLog("%s: %s\n", s.layer.c_str(), s.detail.c_str());
    CHILD_CHECK(s.state == LayerState::kApplied || s.state == LayerState::kPartial, 1);
    int fd = ::open(a.c_str(), O_RDONLY | O_CLOEXEC);
    CHILD_CHECK(fd >= 0, 2);
    CHILD_CHECK(::open(single.c_str(), O_RDONLY | O_CLOEXEC) >= 0, 3);
    errno = 0;
    CHILD_CHECK(::open(b.c_str(), O_RDONLY | O_CLOEXEC) == -1 && errno == EACCES, 4);
    errno = 0;
    CHILD_CHECK(::open("/etc/hostname", O_RDONLY | O_CLOEXEC) == -1 && errno == EACCES, 5);
    return 0;
  });
  EXPECT_TRUE(r.succeeded()) << r;
  std::cout << r.output;
}

TEST_F(LandlockTest, WritesOutsideListedPathsFail) {
  const std::string allowed = path("allowed"), a = path("allowed/sub/a.txt"),
                    created = path("allowed/new.txt"), b = path("denied/b.txt"),
                    createdDenied = path("denied/new.txt");
  ChildResult r = runInChild([&] {
    LayerStatus s = applyLandlock(rules({}, {allowed}));
    CHILD_CHECK(s.state == LayerState::kApplied || s.state == LayerState::kPartial, 1);
    CHILD_CHECK(::open(a.c_str(), O_WRONLY | O_CLOEXEC) >= 0, 2);
    CHILD_CHECK(::open(created.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600) >= 0, 3);
    errno = 0;
    CHILD_CHECK(::open(b.c_str(), O_WRONLY | O_CLOEXEC) == -1 && errno == EACCES, 4);
    errno = 0;
    CHILD_CHECK(::open(createdDenied.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600) == -1 &&
                    errno == EACCES,
                5);
    errno = 0;
    CHILD_CHECK(::unlink(b.c_str()) == -1 && errno == EACCES, 6);
    return 0;
  });
  EXPECT_TRUE(r.succeeded()) << r;
  EXPECT_FALSE(fs::exists(root_ / "denied" / "new.txt"));
  EXPECT_TRUE(fs::exists(root_ / "denied" / "b.txt"));
}

TEST_F(LandlockTest, ExecDeniedEvenFromReadablePaths) {
  ChildResult r = runInChild([] {
    LayerStatus s = applyLandlock(rules({"/bin", "/usr", "/lib", "/lib64"}));
    CHILD_CHECK(s.state == LayerState::kApplied || s.state == LayerState::kPartial, 1);
    char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
    errno = 0;
    ::execve("/bin/true", argv, nullptr);
    CHILD_CHECK(errno == EACCES, 2);
    return 0;
  });
  EXPECT_TRUE(r.succeeded()) << r;
}

TEST_F(LandlockTest, SignalsToOutsideProcessesRefused) {
  if (abi_ < 6) GTEST_SKIP() << "signal scoping needs Landlock ABI 6, kernel has " << abi_;
  ChildResult r = runInChild([] {
    CHILD_CHECK(::kill(::getppid(), 0) == 0, 1);
    LayerStatus s = applyLandlock(rules({}));
    CHILD_CHECK(s.state == LayerState::kApplied, 2);
    errno = 0;
    CHILD_CHECK(::kill(::getppid(), 0) == -1 && errno == EPERM, 3);
    CHILD_CHECK(::kill(::getpid(), 0) == 0, 4);
    return 0;
  });
  EXPECT_TRUE(r.succeeded()) << r;
}

TEST_F(LandlockTest, TcpConnectRefusedWithoutNetwork) {
  if (abi_ < 4) GTEST_SKIP() << "TCP rules need Landlock ABI 4, kernel has " << abi_;
  ChildResult r = runInChild([] {
    LayerStatus s = applyLandlock(rules({}));
    CHILD_CHECK(s.state == LayerState::kApplied || s.state == LayerState::kPartial, 1);
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CHILD_CHECK(fd >= 0, 2);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(9);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    errno = 0;
    CHILD_CHECK(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == -1, 3);
    CHILD_CHECK(errno == EACCES, 4);
    return 0;
  });
  EXPECT_TRUE(r.succeeded()) << r;
}

TEST_F(LandlockTest, MissingPathsAreReportedNotFatal) {
  ChildResult r = runInChild([] {
    LayerStatus s = applyLandlock(rules({"/nonexistent/bulkhead"}));
    CHILD_CHECK(s.state == LayerState::kApplied || s.state == LayerState::kPartial, 1);
    CHILD_CHECK(s.detail.find("/nonexistent/bulkhead") != std::string::npos, 2);
    return 0;
  });
  EXPECT_TRUE(r.succeeded()) << r;
}

TEST_F(LandlockTest, PluginInputFromOpenParamsIsReadable) {
  const std::string a = path("allowed/sub/a.txt"), b = path("denied/b.txt");
  Policy policy;  // no paths of its own
  const std::string openParams = "file://" + a;
  const std::string initConfig = R"({"maxEventSize": 100, "dirs": [")" + path("allowed") + R"("]})";
  LandlockRules forPlugin =
      landlockRulesFor(policy, BULKHEAD_TINY_PLUGIN_PATH, {openParams, initConfig});
  ChildResult r = runInChild([&] {
    LayerStatus s = applyLandlock(forPlugin);
    CHILD_CHECK(s.state == LayerState::kApplied || s.state == LayerState::kPartial, 1);
    CHILD_CHECK(::open(a.c_str(), O_RDONLY | O_CLOEXEC) >= 0, 2);
    CHILD_CHECK(::open(BULKHEAD_TINY_PLUGIN_PATH, O_RDONLY | O_CLOEXEC) >= 0, 3);
    errno = 0;
    CHILD_CHECK(::open(b.c_str(), O_RDONLY | O_CLOEXEC) == -1 && errno == EACCES, 4);
    return 0;
  });
  EXPECT_TRUE(r.succeeded()) << r;
}

}  // namespace
}  // namespace bulkhead
