#include "outputs/syslog_channel.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <system_error>

namespace bulkhead {

namespace {

constexpr int kUserFacility = 1 << 3;  // LOG_USER

std::string errnoText(const std::string& what, int err) { return what + ": " + std::strerror(err); }

// "Mmm dd hh:mm:ss" in local time, the RFC 3164 stamp syslog(3) writes.
std::string timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char text[32] = {};
  std::strftime(text, sizeof text, "%b %e %T", &local);
  return text;
}

}  // namespace

int syslogPri(Priority priority) { return kUserFacility | static_cast<int>(priority); }

SyslogChannel::SyslogChannel(std::string socketPath, std::string ident)
    : path_(std::move(socketPath)), ident_(std::move(ident)) {
  cancelFd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (cancelFd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  (void)connectSocket();  // failures are reported by the first write
}

SyslogChannel::~SyslogChannel() {
  closeSocket();
  ::close(cancelFd_);
}

void SyslogChannel::closeSocket() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void SyslogChannel::cancel() {
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(cancelFd_, &one, sizeof one);
}

WriteResult SyslogChannel::connectSocket() {
  closeSocket();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path_.size() >= sizeof addr.sun_path) return {false, "socket path too long"};
  std::memcpy(addr.sun_path, path_.data(), path_.size());
  int err = 0;
  for (int type : {SOCK_DGRAM, SOCK_STREAM}) {
    fd_ = ::socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) return {false, errnoText("socket", errno)};
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) {
      stream_ = type == SOCK_STREAM;
      return {};
    }
    err = errno;
    closeSocket();
    if (err != EPROTOTYPE) break;
  }
  return {false, errnoText("cannot connect to " + path_, err)};
}

WriteResult SyslogChannel::sendAll(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      // A datagram goes whole or not at all.
      data.remove_prefix(stream_ ? static_cast<std::size_t>(n) : data.size());
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return {false, errnoText("sending to " + path_, errno)};
    pollfd p[2] = {{fd_, POLLOUT, 0}, {cancelFd_, POLLIN, 0}};
    if (::poll(p, 2, -1) < 0 && errno != EINTR) return {false, errnoText("poll", errno)};
    if ((p[1].revents & POLLIN) != 0) return {false, "cancelled at exit"};
  }
  return {};
}

WriteResult SyslogChannel::write(const std::string& line, const Alert& alert) {
  std::string message = "<" + std::to_string(syslogPri(alert.priority)) + ">" + timestamp() + " " +
                        ident_ + "[" + std::to_string(::getpid()) + "]: " + line;
  if (fd_ < 0) {
    if (WriteResult r = connectSocket(); !r.written) return r;
  }
  if (stream_) message += '\0';
  WriteResult r = sendAll(message);
  if (r.written || r.reason == "cancelled at exit") return r;
  // The daemon restarted (its socket is a new one): connect and send once more.
  if (WriteResult c = connectSocket(); !c.written) return {false, r.reason + "; " + c.reason};
  if (stream_ && message.back() != '\0') message += '\0';
  return sendAll(message);
}

WriteResult SyslogChannel::reopen() { return connectSocket(); }

}  // namespace bulkhead
