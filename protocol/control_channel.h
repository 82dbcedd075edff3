// One end of the control socketpair. Messages are Cap'n Proto flat arrays
// framed by a 32-bit byte length. Receiving is bounded three ways: a
// deadline, the peer's death (its pidfd turns readable), and size limits
// (frame bytes, traversal words, nesting), so a hostile or dead runner can
// neither stall nor crash the supervisor. The protocol passes no ancillary
// data: descriptors sent with SCM_RIGHTS are closed on arrival and the frame
// is malformed (seccomp cannot look inside sendmsg's msghdr to stop them).
#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/array.h>

#include "shm_ring/unique_fd.h"

namespace bulkhead {

// The channel failed: timeout, peer gone, or a malformed message.
class ControlError : public std::runtime_error {
 public:
  enum class Kind { kTimeout, kPeerGone, kMalformed, kIo };
  ControlError(Kind k, const std::string& what) : std::runtime_error(what), kind_(k) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// A received message; the reader points into `words`.
struct ControlMessage {
  kj::Array<capnp::word> words;
  std::unique_ptr<capnp::FlatArrayMessageReader> reader;
};

// A frame's words as a message reader, with the limits every frame from a
// runner gets (traversal, nesting); throws ControlError (malformed). For
// receive() and the fuzz target of the replies.
ControlMessage decodeControlMessage(kj::Array<capnp::word> words);

class ControlChannel {
 public:
  static constexpr uint32_t kMaxFrameBytes = 8u << 20;
  using Clock = std::chrono::steady_clock;

  ControlChannel() = default;
  explicit ControlChannel(UniqueFd fd) : fd_(std::move(fd)) {}

  void send(capnp::MessageBuilder& message);
  // Waits until `deadline` for one whole message. `peerPidfd` (or -1): give
  // up as soon as the peer process has died.
  ControlMessage receive(Clock::time_point deadline, int peerPidfd = -1);

  int fd() const { return fd_.get(); }
  explicit operator bool() const { return static_cast<bool>(fd_); }

 private:
  void readExactly(void* buf, size_t n, Clock::time_point deadline, int peerPidfd);

  UniqueFd fd_;
};

}  // namespace bulkhead
