// Falco's syslog_output: one message per alert to the local syslog daemon,
// at the level of the rule's priority (Falco's priorities are syslog's
// levels: emergency 0 ... debug 7) and the user facility, as syslog(3)
// would send it: "<PRI>Mmm dd hh:mm:ss bulkhead[pid]: <alert line>".
//
// Written to the socket directly rather than through syslog(3), so that a
// test can own the socket, a write can be cancelled, and a failure is seen
// and counted (syslog(3) drops silently). A datagram socket is preferred,
// a stream socket (NUL-terminated messages) is the fallback, as glibc does.
// A daemon that is not there, or restarted, is connected to again at the
// next alert.
#pragma once

#include <string>
#include <string_view>

#include "outputs/alert_channel.h"

namespace bulkhead {

inline constexpr const char* kSyslogSocket = "/dev/log";

class SyslogChannel final : public AlertChannel {
 public:
  // Does not fail when the daemon is not there: its writes fail (counted)
  // until it is. Throws std::system_error when no eventfd can be made.
  explicit SyslogChannel(std::string socketPath = kSyslogSocket, std::string ident = "bulkhead");
  ~SyslogChannel() override;
  SyslogChannel(const SyslogChannel&) = delete;
  SyslogChannel& operator=(const SyslogChannel&) = delete;

  WriteResult write(const std::string& line, const Alert& alert) override;
  WriteResult reopen() override;
  void cancel() override;
  std::string_view kind() const override { return "syslog_output"; }
  const std::string& target() const override { return path_; }

 private:
  WriteResult connectSocket();
  WriteResult sendAll(std::string_view data);
  void closeSocket();

  const std::string path_;
  const std::string ident_;
  int fd_ = -1;
  bool stream_ = false;
  int cancelFd_ = -1;
};

// The syslog PRI of an alert: the user facility (1) and the priority's level.
int syslogPri(Priority priority);

}  // namespace bulkhead
