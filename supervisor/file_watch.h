// watch_config_files: calls back when any watched file changes. A write,
// a rename onto it, its creation or its removal counts, and for a watched
// directory the same of any entry in it. Editors save in several steps
// (write a temporary, rename it over, touch), so the callback runs once the
// paths have been quiet for `settle`, not once per kernel event.
//
// inotify watches each file's directory rather than the file itself, so a
// file replaced by rename (vim, kubectl's ConfigMap symlink swap) is still
// seen; a directory that does not exist yet is not watched (logged once).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "shm_ring/unique_fd.h"

namespace bulkhead {

class FileWatch {
 public:
  // Starts watching at once; `onChange` runs on the watch's own thread.
  // Throws std::system_error when inotify cannot be set up.
  FileWatch(const std::vector<std::string>& paths, std::function<void()> onChange,
            std::chrono::milliseconds settle = std::chrono::milliseconds(250));
  ~FileWatch();
  FileWatch(const FileWatch&) = delete;
  FileWatch& operator=(const FileWatch&) = delete;

 private:
  void run();
  bool matches(int wd, const char* name) const;

  struct Watch {
    int wd = -1;
    std::string dir;
    std::vector<std::string> names;  // empty: every entry of `dir`
  };
  UniqueFd inotify_;
  UniqueFd wake_;  // eventfd: the destructor's stop
  std::vector<Watch> watches_;
  std::function<void()> onChange_;
  std::chrono::milliseconds settle_;
  std::thread thread_;
};

}  // namespace bulkhead
