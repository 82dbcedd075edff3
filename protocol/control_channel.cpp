#include "protocol/control_channel.h"

#include <cerrno>
#include <cstring>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace bulkhead {

namespace {

int msUntil(ControlChannel::Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - ControlChannel::Clock::now());
  if (left.count() <= 0) return 0;
  return left.count() > 60'000 ? 60'000 : static_cast<int>(left.count()) + 1;
}

// Closes every descriptor an SCM_RIGHTS message carried; returns how many.
size_t closePassedFds(msghdr& msg) {
  size_t closed = 0;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < n; ++i) {
      int fd = -1;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      ::close(fd);
      ++closed;
    }
  }
  return closed;
}

// recv() with room for ancillary data: the protocol carries none, so any
// (descriptors passed with SCM_RIGHTS, credentials) is a malformed frame.
// The descriptors are closed at once; the kernel drops those that did not
// fit the buffer (MSG_CTRUNC) without installing them. MSG_CMSG_CLOEXEC:
// none leaks into a process started meanwhile.
ssize_t receiveBytes(int fd, char* out, size_t n) {
  iovec iov{out, n};
  alignas(cmsghdr) char control[CMSG_SPACE(16 * sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  const ssize_t got = ::recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  if (got >= 0 && (msg.msg_controllen > 0 || (msg.msg_flags & MSG_CTRUNC) != 0)) {
    const size_t fds = closePassedFds(msg);
    throw ControlError(ControlError::Kind::kMalformed,
                       "control frame with ancillary data (file descriptors passed: " +
                           std::to_string(fds) + ", closed)");
  }
  return got;
}

}  // namespace

void ControlChannel::send(capnp::MessageBuilder& message) {
  kj::Array<capnp::word> flat = capnp::messageToFlatArray(message);
  kj::ArrayPtr<const kj::byte> bytes = flat.asBytes();
  if (bytes.size() > kMaxFrameBytes) {
    throw ControlError(ControlError::Kind::kIo, "control message too large to send");
  }
  uint32_t len = static_cast<uint32_t>(bytes.size());
  const kj::byte* parts[2] = {reinterpret_cast<const kj::byte*>(&len), bytes.begin()};
  size_t sizes[2] = {sizeof(len), bytes.size()};
  for (int p = 0; p < 2; ++p) {
    size_t done = 0;
    while (done < sizes[p]) {
      // MSG_NOSIGNAL: a dead runner must cost an EPIPE, not a SIGPIPE.
      ssize_t n = ::send(fd_.get(), parts[p] + done, sizes[p] - done, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        throw ControlError(errno == EPIPE || errno == ECONNRESET ? ControlError::Kind::kPeerGone
                                                                   : ControlError::Kind::kIo,
                           std::string("control send: ") + std::strerror(errno));
      }
      done += static_cast<size_t>(n);
    }
  }
}

void ControlChannel::readExactly(void* buf, size_t n, Clock::time_point deadline, int peerPidfd) {
  auto* out = static_cast<char*>(buf);
  size_t done = 0;
  while (done < n) {
    pollfd fds[2] = {{fd_.get(), POLLIN, 0}, {peerPidfd, POLLIN, 0}};
    int r = ::poll(fds, peerPidfd >= 0 ? 2 : 1, msUntil(deadline));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw ControlError(ControlError::Kind::kIo, std::string("control poll: ") +
                                                               std::strerror(errno));
    if (r == 0) {
      if (Clock::now() >= deadline) {
        throw ControlError(ControlError::Kind::kTimeout, "control reply deadline passed");
      }
      continue;
    }
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
      // Only the pidfd fired: the peer is dead and wrote nothing more.
      throw ControlError(ControlError::Kind::kPeerGone, "runner died");
    }
    ssize_t got = receiveBytes(fd_.get(), out + done, n - done);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got < 0) {
      throw ControlError(ControlError::Kind::kPeerGone, std::string("control recv: ") +
                                                            std::strerror(errno));
    }
    if (got == 0) throw ControlError(ControlError::Kind::kPeerGone, "runner closed its channel");
    done += static_cast<size_t>(got);
  }
}

ControlMessage ControlChannel::receive(Clock::time_point deadline, int peerPidfd) {
  uint32_t len = 0;
  readExactly(&len, sizeof(len), deadline, peerPidfd);
  if (len == 0 || len % sizeof(capnp::word) != 0 || len > kMaxFrameBytes) {
    throw ControlError(ControlError::Kind::kMalformed,
                       "control frame of " + std::to_string(len) + " bytes");
  }
  // kj::heapArray of words: 8-byte aligned, as the reader requires.
  auto words = kj::heapArray<capnp::word>(len / sizeof(capnp::word));
  readExactly(words.begin(), len, deadline, peerPidfd);
  return decodeControlMessage(std::move(words));
}

ControlMessage decodeControlMessage(kj::Array<capnp::word> words) {
  ControlMessage m;
  m.words = std::move(words);
  capnp::ReaderOptions options;
  options.traversalLimitInWords = m.words.size() * 4;
  options.nestingLimit = 16;
  try {
    m.reader = std::make_unique<capnp::FlatArrayMessageReader>(m.words.asPtr(), options);
  } catch (const kj::Exception& e) {
    throw ControlError(ControlError::Kind::kMalformed,
                       std::string("malformed control message: ") + e.getDescription().cStr());
  }
  return m;
}

}  // namespace bulkhead
