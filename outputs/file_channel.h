// Falco's file_output: alerts appended to a file, one per line.
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
  FileChannel(std::string path, bool keepAlive);
  ~FileChannel() override;
  FileChannel(const FileChannel&) = delete;
  FileChannel& operator=(const FileChannel&) = delete;

  // Not written when open, write or flush failed; the reason is errno's.
  WriteResult write(const std::string& line, const Alert& alert) override;
  std::string_view kind() const override { return "alert file"; }
  const std::string& target() const override { return path_; }

 private:
  bool append(const std::string& line);

  std::string path_;
  std::FILE* file_ = nullptr;  // open while keepAlive
};

}  // namespace bulkhead
