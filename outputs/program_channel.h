// Falco's program_output: each alert a line on the standard input of
// `/bin/sh -c <program>`. With keep_alive one process reads every alert;
// without, a process is started per alert and its end awaited. The program
// inherits bulkhead's stdout and stderr, as in Falco, and no other
// descriptor.
//
// A program that has ended, or whose pipe broke, fails that write (counted)
// and is started again for the next alert. A broken pipe never kills
// bulkhead: main() ignores SIGPIPE, and each write also blocks it in its
// thread and takes back the one it raised. Without keep_alive a non-zero
// exit status also counts the alert as not written.
// Writes wait for the pipe with poll(), so cancel() ends a write to a
// program that stopped reading.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <string_view>

#include "outputs/alert_channel.h"

namespace bulkhead {

class ProgramChannel final : public AlertChannel {
 public:
  // `grace`: how long the end of a process is awaited after its stdin was
  // closed, before it is killed (when closing for good or at a restart);
  // output_timeout. Throws std::system_error when no eventfd can be made.
  ProgramChannel(std::string program, bool keepAlive, std::chrono::milliseconds grace);
  ~ProgramChannel() override;
  ProgramChannel(const ProgramChannel&) = delete;
  ProgramChannel& operator=(const ProgramChannel&) = delete;

  WriteResult write(const std::string& line, const Alert& alert) override;
  // Ends the running process (keep_alive); the next alert starts a new one.
  WriteResult reopen() override;
  void cancel() override;
  std::string_view kind() const override { return "program_output"; }
  const std::string& target() const override { return program_; }

  // The running process, or -1 (for tests).
  pid_t pid() const { return pid_; }

 private:
  WriteResult start();
  WriteResult writeAll(std::string_view data);
  // Closes stdin and waits for the end: up to `limit`, then SIGKILL; with
  // no limit until it ends or cancel(). Returns "" on exit status 0, else
  // how it ended.
  std::string finish(bool bounded);
  bool cancelled() const;

  const std::string program_;
  const bool keepAlive_;
  const std::chrono::milliseconds grace_;
  int cancelFd_ = -1;  // eventfd, readable once cancelled
  pid_t pid_ = -1;
  int pidFd_ = -1;
  int stdin_ = -1;  // write end of the program's stdin, non-blocking
};

}  // namespace bulkhead
