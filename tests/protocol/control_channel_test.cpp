// ControlChannel's receive side against a peer that does what the protocol
// never does: descriptors passed with SCM_RIGHTS, oversized frame lengths.
#include "protocol/control_channel.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include <capnp/message.h>
#include <gtest/gtest.h>

#include "protocol/control.capnp.h"
#include "tests/supervisor/proc_inspect.h"

namespace bulkhead {
namespace {

using Clock = ControlChannel::Clock;

struct Pair {
  Pair() {
    int sv[2] = {-1, -1};
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    ours = ControlChannel(UniqueFd(sv[0]));
    peer = UniqueFd(sv[1]);
  }
  ControlChannel ours;
  UniqueFd peer;
};

// Writes `bytes` on `fd` with `fds` attached, as a hostile runner can.
void sendWithFds(int fd, const void* bytes, size_t n, const std::vector<int>& fds) {
  iovec iov{const_cast<void*>(bytes), n};
  std::vector<char> control(CMSG_SPACE(fds.size() * sizeof(int)));
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(fds.size() * sizeof(int));
  std::memcpy(CMSG_DATA(c), fds.data(), fds.size() * sizeof(int));
  ASSERT_EQ(::sendmsg(fd, &msg, 0), static_cast<ssize_t>(n)) << std::strerror(errno);
}

std::vector<capnp::word> okFrame() {
  capnp::MallocMessageBuilder msg;
  msg.initRoot<Reply>().setOk();
  kj::Array<capnp::word> flat = capnp::messageToFlatArray(msg);
  return {flat.begin(), flat.end()};
}

ControlError::Kind receiveError(ControlChannel& ch, std::string* what) {
  try {
    ch.receive(Clock::now() + std::chrono::seconds(5));
  } catch (const ControlError& e) {
    *what = e.what();
    return e.kind();
  }
  *what = "no error";
  return ControlError::Kind::kIo;
}

TEST(ControlChannel, AGoodFrameIsReceived) {
  Pair p;
  const std::vector<capnp::word> frame = okFrame();
  const uint32_t len = static_cast<uint32_t>(frame.size() * sizeof(capnp::word));
  ASSERT_EQ(::write(p.peer.get(), &len, sizeof len), 4);
  ASSERT_EQ(::write(p.peer.get(), frame.data(), len), static_cast<ssize_t>(len));
  ControlMessage m = p.ours.receive(Clock::now() + std::chrono::seconds(5));
  EXPECT_EQ(m.reader->getRoot<Reply>().which(), Reply::OK);
}

TEST(ControlChannel, DescriptorsPassedWithAFrameAreClosedAndTheFrameIsMalformed) {
  Pair p;
  const size_t before = openFdCount();
  const int a = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int b = ::dup(a);
  ASSERT_GE(b, 0);
  const std::vector<capnp::word> frame = okFrame();
  const uint32_t len = static_cast<uint32_t>(frame.size() * sizeof(capnp::word));
  sendWithFds(p.peer.get(), &len, sizeof len, {a, b, a});
  ASSERT_EQ(::write(p.peer.get(), frame.data(), len), static_cast<ssize_t>(len));
  ::close(a);
  ::close(b);
  std::string what;
  EXPECT_EQ(receiveError(p.ours, &what), ControlError::Kind::kMalformed) << what;
  EXPECT_NE(what.find("file descriptors passed: 3"), std::string::npos) << what;
  EXPECT_EQ(openFdCount(), before) << "a passed descriptor stayed open";
}

TEST(ControlChannel, DescriptorsInTheMiddleOfAFrameAreRefusedToo) {
  Pair p;
  const size_t before = openFdCount();
  const std::vector<capnp::word> frame = okFrame();
  const uint32_t len = static_cast<uint32_t>(frame.size() * sizeof(capnp::word));
  ASSERT_EQ(::write(p.peer.get(), &len, sizeof len), 4);
  sendWithFds(p.peer.get(), frame.data(), len, {p.peer.get()});
  std::string what;
  EXPECT_EQ(receiveError(p.ours, &what), ControlError::Kind::kMalformed) << what;
  EXPECT_EQ(openFdCount(), before);
}

TEST(ControlChannel, MoreDescriptorsThanTheBufferHoldsAreNotInstalled) {
  Pair p;
  const size_t before = openFdCount();
  const int a = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const uint32_t len = 8;
  sendWithFds(p.peer.get(), &len, sizeof len, std::vector<int>(200, a));
  ::close(a);
  std::string what;
  EXPECT_EQ(receiveError(p.ours, &what), ControlError::Kind::kMalformed) << what;
  EXPECT_EQ(openFdCount(), before);
}

TEST(ControlChannel, AFrameLongerThanTheBoundIsMalformed) {
  Pair p;
  const uint32_t len = ControlChannel::kMaxFrameBytes + 8;
  ASSERT_EQ(::write(p.peer.get(), &len, sizeof len), 4);
  std::string what;
  EXPECT_EQ(receiveError(p.ours, &what), ControlError::Kind::kMalformed) << what;
}

}  // namespace
}  // namespace bulkhead
