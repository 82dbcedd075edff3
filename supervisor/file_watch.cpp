#include "supervisor/file_watch.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>

#include <spdlog/spdlog.h>

namespace bulkhead {
namespace {

constexpr uint32_t kChangeMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE |
                                 IN_DELETE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;

}  // namespace

FileWatch::FileWatch(const std::vector<std::string>& paths, std::function<void()> onChange,
                     std::chrono::milliseconds settle)
    : onChange_(std::move(onChange)), settle_(settle) {
  inotify_.reset(sysCall("inotify_init1", [] { return ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK); }));
  wake_.reset(sysCall("eventfd", [] { return ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }));
  for (const std::string& path : paths) {
    std::error_code ec;
    const bool isDir = std::filesystem::is_directory(path, ec);
    const std::filesystem::path p(path);
    const std::string dir = isDir ? path : p.parent_path().string();
    const int wd = ::inotify_add_watch(inotify_.get(), dir.c_str(), kChangeMask);
    if (wd < 0) {
      spdlog::warn("watch_config_files: cannot watch '{}': {}", dir, std::strerror(errno));
      continue;
    }
    auto it = std::find_if(watches_.begin(), watches_.end(), [&](const Watch& w) { return w.wd == wd; });
    if (it == watches_.end()) it = watches_.insert(watches_.end(), Watch{wd, dir, {}});
    if (isDir) {
      it->names.clear();
      it->names.push_back("");  // every entry
    } else if (std::find(it->names.begin(), it->names.end(), "") == it->names.end()) {
      it->names.push_back(p.filename().string());
    }
  }
  thread_ = std::thread([this] { run(); });
}

FileWatch::~FileWatch() {
  const uint64_t one = 1;
  (void)!::write(wake_.get(), &one, sizeof one);
  thread_.join();
}

bool FileWatch::matches(int wd, const char* name) const {
  for (const Watch& w : watches_) {
    if (w.wd != wd) continue;
    for (const std::string& n : w.names) {
      if (n.empty() || n == name) return true;
    }
  }
  return false;
}

void FileWatch::run() {
  using Clock = std::chrono::steady_clock;
  bool pending = false;
  Clock::time_point due{};
  alignas(struct inotify_event) char buf[8192];
  for (;;) {
    int timeout = -1;
    if (pending) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(due - Clock::now());
      timeout = static_cast<int>(std::max<int64_t>(0, left.count()));
    }
    pollfd fds[2] = {{inotify_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
    const int n = ::poll(fds, 2, timeout);
    if (n < 0 && errno != EINTR) {
      spdlog::error("watch_config_files: poll: {}; no longer watching", std::strerror(errno));
      return;
    }
    if (fds[1].revents != 0) return;
    if (n > 0 && (fds[0].revents & POLLIN) != 0) {
      for (;;) {
        const ssize_t len = ::read(inotify_.get(), buf, sizeof buf);
        if (len <= 0) break;
        for (ssize_t off = 0; off < len;) {
          const auto* ev = reinterpret_cast<const struct inotify_event*>(buf + off);
          const char* name = ev->len > 0 ? ev->name : "";
          if ((ev->mask & IN_Q_OVERFLOW) != 0 || matches(ev->wd, name)) {
            pending = true;
            due = Clock::now() + settle_;
          }
          off += static_cast<ssize_t>(sizeof(struct inotify_event) + ev->len);
        }
      }
    }
    if (pending && Clock::now() >= due) {
      pending = false;
      onChange_();
    }
  }
}

}  // namespace bulkhead
