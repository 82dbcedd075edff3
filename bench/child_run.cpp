#include "bench/child_run.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>

#include "shm_ring/unique_fd.h"

namespace bulkhead {
namespace {

// The ppid field of /proc/<pid>/stat; the command name before it is in
// parentheses and may itself hold spaces or ')', so parse from the last ')'.
int parentOf(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return -1;
  const size_t close = stat.rfind(')');
  if (close == std::string::npos || close + 4 >= stat.size()) return -1;
  // ") S 1234 ..." : state, then ppid.
  return std::atoi(stat.c_str() + close + 4);
}

// utime + stime of /proc/<pid>/stat, fields 14 and 15, in clock ticks.
uint64_t cpuTicks(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return 0;
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string f;
  uint64_t utime = 0, stime = 0;
  // After ")": state(3) ppid(4) ... utime(14) stime(15).
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::strtoull(f.c_str(), nullptr, 10);
    if (i == 15) stime = std::strtoull(f.c_str(), nullptr, 10);
  }
  return utime + stime;
}

uint64_t hwmKib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

// Follows the direct children of `parent` until told to stop. The children
// are found by scanning /proc (this kernel has no /proc/<pid>/task/*/children),
// which is done only until all expected ones are seen; after that only
// their status files are read.
class ChildSampler {
 public:
  ChildSampler(int parent, int expected) : parent_(parent), expected_(expected) {
    if (expected_ > 0) thread_ = std::thread([this] { loop(); });
  }
  ~ChildSampler() { stop(); }

  void stop() {
    stopping_.store(true, std::memory_order_relaxed);
    if (thread_.joinable()) thread_.join();
  }
  uint64_t sumKib() const {
    uint64_t sum = 0;
    for (const auto& [pid, kib] : peaks_) sum += kib;
    return sum;
  }
  int seen() const { return static_cast<int>(peaks_.size()); }
  double cpuSeconds() const {
    uint64_t ticks = 0;
    for (const auto& [pid, t] : ticks_) ticks += t;
    return seconds(ticks);
  }
  double ownCpuSeconds() const { return seconds(ownTicks_); }

 private:
  static double seconds(uint64_t ticks) {
    return static_cast<double>(ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }
  void scan() {
    DIR* d = ::opendir("/proc");
    if (d == nullptr) return;
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
      const int pid = std::atoi(e->d_name);
      if (peaks_.count(pid) == 0 && parentOf(e->d_name) == parent_) peaks_[pid] = 0;
    }
    ::closedir(d);
  }
  void loop() {
    while (!stopping_.load(std::memory_order_relaxed)) {
      if (static_cast<int>(peaks_.size()) < expected_) scan();
      // VmHWM and CPU time only grow; a child that has exited reads as 0
      // and keeps its last sample.
      ownTicks_ = std::max(ownTicks_, cpuTicks(parent_));
      for (auto& [pid, kib] : peaks_) {
        kib = std::max(kib, hwmKib(pid));
        ticks_[pid] = std::max(ticks_[pid], cpuTicks(pid));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  const int parent_;
  const int expected_;
  std::atomic<bool> stopping_{false};
  // Written by the thread; read after stop().
  std::map<int, uint64_t> peaks_;
  std::map<int, uint64_t> ticks_;
  uint64_t ownTicks_ = 0;
  std::thread thread_;
};

UniqueFd openFile(const std::string& path, int flags) {
  return UniqueFd(sysCall(("open " + path).c_str(),
                          [&] { return ::open(path.c_str(), flags | O_CLOEXEC, 0644); }));
}

}  // namespace

std::string ChildRun::describe() const {
  if (!exited) return "killed by signal " + std::to_string(signal);
  return "exited with code " + std::to_string(exitCode);
}

ChildRun runChild(const std::vector<std::string>& argv, const std::string& stdoutPath,
                  const std::string& stderrPath, int expectedChildren) {
  // Everything the child needs exists before fork: between fork and exec
  // only async-signal-safe calls.
  UniqueFd in = openFile("/dev/null", O_RDONLY);
  UniqueFd out = openFile(stdoutPath, O_WRONLY | O_CREAT | O_TRUNC);
  UniqueFd err = openFile(stderrPath, O_WRONLY | O_CREAT | O_TRUNC);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0) {
    if (::dup2(in.get(), 0) < 0 || ::dup2(out.get(), 1) < 0 || ::dup2(err.get(), 2) < 0) {
      ::_exit(126);
    }
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ChildSampler sampler(pid, expectedChildren);
  int status = 0;
  rusage ru{};
  sysCall("wait4", [&] { return ::wait4(pid, &status, 0, &ru); });
  ChildRun r;
  r.wallSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  sampler.stop();
  r.exited = WIFEXITED(status);
  r.exitCode = r.exited ? WEXITSTATUS(status) : -1;
  r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  r.cpuSeconds = seconds(ru.ru_utime) + seconds(ru.ru_stime);
  r.maxRssKib = static_cast<uint64_t>(ru.ru_maxrss);  // Linux reports KiB
  r.childrenHwmKib = sampler.sumKib();
  r.childrenSeen = sampler.seen();
  r.childrenCpuSeconds = sampler.cpuSeconds();
  r.ownCpuSeconds = sampler.ownCpuSeconds();
  return r;
}

}  // namespace bulkhead
