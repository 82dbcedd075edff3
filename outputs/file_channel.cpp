#include "outputs/file_channel.h"

#include <cerrno>
#include <cstring>
#include <system_error>

namespace bulkhead {

namespace {

// errno is the only account of why stdio failed; it is cleared first so a
// stale value is not blamed, and restored after for the caller.
template <typename F>
WriteResult withErrno(F&& step) {
  const int savedErrno = errno;
  errno = 0;
  WriteResult result;
  if (!step()) {
    result.written = false;
    result.reason = errno != 0 ? std::strerror(errno) : "write failed";
  }
  errno = savedErrno;
  return result;
}

}  // namespace

FileChannel::FileChannel(std::string path, bool keepAlive, bool buffered)
    : path_(std::move(path)), keepAlive_(keepAlive), buffered_(buffered) {
  // Opened once up front even without keep_alive, so a bad path fails at
  // start-up instead of at the first alert.
  file_ = std::fopen(path_.c_str(), "ae");
  if (file_ == nullptr) {
    throw std::system_error(errno, std::generic_category(), "cannot open alert file " + path_);
  }
  if (!keepAlive) {
    std::fclose(file_);
    file_ = nullptr;
  }
}

FileChannel::~FileChannel() {
  if (file_ != nullptr) std::fclose(file_);
}

WriteResult FileChannel::write(const std::string& line, const Alert& /*alert*/) {
  return withErrno([&] { return append(line); });
}

void FileChannel::idle() {
  if (file_ != nullptr && buffered_) {
    std::fflush(file_);
    std::clearerr(file_);
  }
}

WriteResult FileChannel::reopen() {
  if (!keepAlive_) return {};
  return withErrno([&] {
    bool ok = true;
    if (file_ != nullptr) ok = std::fclose(file_) == 0;
    file_ = std::fopen(path_.c_str(), "ae");
    return file_ != nullptr && ok;
  });
}

bool FileChannel::append(const std::string& line) {
  std::FILE* f = file_ != nullptr ? file_ : std::fopen(path_.c_str(), "ae");
  if (f == nullptr) return false;
  bool ok =
      std::fwrite(line.data(), 1, line.size(), f) == line.size() && std::fputc('\n', f) != EOF;
  if (f != file_) {
    ok = std::fclose(f) == 0 && ok;
  } else {
    if (!buffered_) ok = std::fflush(f) == 0 && ok;
    // A failed stream stays failed; clear it so a later write may succeed
    // (a full disk that frees up).
    std::clearerr(f);
  }
  return ok;
}

}  // namespace bulkhead
