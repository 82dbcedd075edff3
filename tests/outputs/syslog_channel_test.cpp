// syslog_output into a datagram socket the test owns: the <PRI> carries the
// user facility and the rule's priority as a syslog level; a daemon that is
// not there is counted and connected to once it is.
#include "outputs/syslog_channel.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "tests/outputs/sample_alert.h"

namespace bulkhead {
namespace {

// A syslog daemon's socket: AF_UNIX, datagrams, bound at `path`.
class FakeSyslogd {
 public:
  explicit FakeSyslogd(std::string path) : path_(std::move(path)) {
    std::remove(path_.c_str());
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path_.data(), path_.size());
    bound_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~FakeSyslogd() {
    if (fd_ >= 0) ::close(fd_);
    std::remove(path_.c_str());
  }
  FakeSyslogd(const FakeSyslogd&) = delete;
  FakeSyslogd& operator=(const FakeSyslogd&) = delete;

  bool bound() const { return bound_; }
  // The next datagram, or nothing within a generous bound.
  std::optional<std::string> receive() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 30000) != 1) return std::nullopt;
    char buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<size_t>(n));
  }

 private:
  std::string path_;
  int fd_ = -1;
  bool bound_ = false;
};

std::string socketPath(const char* name) { return ::testing::TempDir() + "/" + name; }

TEST(SyslogChannel, SendsOneMessagePerAlertAtThePrioritysLevel) {
  FakeSyslogd daemon(socketPath("syslog.sock"));
  ASSERT_TRUE(daemon.bound());
  SyslogChannel ch(socketPath("syslog.sock"));
  Alert warning = sampleAlert();  // Warning: level 4
  ASSERT_TRUE(ch.write("line one", warning).written);
  Alert critical = sampleAlert();
  critical.priority = Priority::kCritical;  // level 2
  ASSERT_TRUE(ch.write("line two", critical).written);

  const std::string tail = "bulkhead[" + std::to_string(::getpid()) + "]: ";
  const std::optional<std::string> first = daemon.receive();
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->starts_with("<12>")) << *first;
  EXPECT_TRUE(first->ends_with(tail + "line one")) << *first;
  // "<12>Mmm dd hh:mm:ss ": the stamp syslog(3) writes.
  EXPECT_EQ(first->size(), 4 + 16 + tail.size() + 8) << *first;
  const std::optional<std::string> second = daemon.receive();
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->starts_with("<10>")) << *second;
  EXPECT_TRUE(second->ends_with(tail + "line two")) << *second;
}

TEST(SyslogChannel, PriorityMapsToSyslogLevels) {
  EXPECT_EQ(syslogPri(Priority::kEmergency), 8);
  EXPECT_EQ(syslogPri(Priority::kError), 11);
  EXPECT_EQ(syslogPri(Priority::kInformational), 14);
  EXPECT_EQ(syslogPri(Priority::kDebug), 15);
}

TEST(SyslogChannel, AMissingDaemonIsCountedThenConnectedTo) {
  const std::string path = socketPath("late.sock");
  std::remove(path.c_str());
  SyslogChannel ch(path);
  const WriteResult lost = ch.write("early", sampleAlert());
  EXPECT_FALSE(lost.written);
  EXPECT_NE(lost.reason.find("cannot connect to " + path), std::string::npos) << lost.reason;

  FakeSyslogd daemon(path);
  ASSERT_TRUE(daemon.bound());
  ASSERT_TRUE(ch.write("late", sampleAlert()).written);
  const std::optional<std::string> got = daemon.receive();
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->ends_with("]: late")) << *got;
}

// A daemon restarted with a new socket at the same path.
TEST(SyslogChannel, ARestartedDaemonIsConnectedToAgain) {
  const std::string path = socketPath("restart.sock");
  auto daemon = std::make_unique<FakeSyslogd>(path);
  ASSERT_TRUE(daemon->bound());
  SyslogChannel ch(path);
  ASSERT_TRUE(ch.write("before", sampleAlert()).written);
  daemon.reset();  // the old socket goes first, as when a daemon stops
  daemon = std::make_unique<FakeSyslogd>(path);
  ASSERT_TRUE(daemon->bound());
  const WriteResult r = ch.write("after", sampleAlert());
  ASSERT_TRUE(r.written) << r.reason;
  const std::optional<std::string> got = daemon->receive();
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->ends_with("]: after")) << *got;
}

}  // namespace
}  // namespace bulkhead
