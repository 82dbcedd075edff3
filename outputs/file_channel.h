// Falco's file_output: alerts appended to a file, one per line.
// With buffered_outputs the held file is flushed when the channel's queue
// runs empty (and on reopen and close) instead of after every alert.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "outputs/alert_channel.h"

namespace bulkhead {

class FileChannel final : public AlertChannel {
 public:
  // keepAlive (file_output.keep_alive): hold the file open between alerts;
  // otherwise it is opened and closed per alert, so a rotated file is
  // picked up. Throws std::system_error when the file cannot be opened.
  FileChannel(std::string path, bool keepAlive, bool buffered = false);
  ~FileChannel() override;
  FileChannel(const FileChannel&) = delete;
  FileChannel& operator=(const FileChannel&) = delete;

  // Not written when open, write or flush failed; the reason is errno's.
  WriteResult write(const std::string& line, const Alert& alert) override;
  void idle() override;
  // With keep_alive, closes the file and opens its path again (after
  // logrotate renamed it, the new file at the path); without, every alert
  // opens the path anyway.
  WriteResult reopen() override;
  std::string_view kind() const override { return "alert file"; }
  const std::string& target() const override { return path_; }

 private:
  bool append(const std::string& line);

  std::string path_;
  bool keepAlive_;
  bool buffered_;
  std::FILE* file_ = nullptr;  // open while keepAlive
};

}  // namespace bulkhead
