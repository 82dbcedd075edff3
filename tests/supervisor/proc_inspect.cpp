#include "tests/supervisor/proc_inspect.h"

#include <dirent.h>
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace bulkhead {

std::optional<ProcStat> readProcStat(const std::string& path) {
  std::ifstream in(path);
  std::string stat;
  if (!std::getline(in, stat)) return std::nullopt;
  // "pid (comm) S ppid ...": comm may hold spaces and parentheses.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(stat.substr(close + 1));
  ProcStat s;
  if (!(rest >> s.state >> s.ppid)) return std::nullopt;
  return s;
}

std::vector<std::pair<pid_t, char>> childProcesses(pid_t parent) {
  std::vector<std::pair<pid_t, char>> out;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid <= 0) continue;
    const auto s = readProcStat("/proc/" + std::to_string(pid) + "/stat");
    if (s && s->ppid == parent) out.emplace_back(pid, s->state);
  }
  ::closedir(d);
  return out;
}

size_t openFdCount() {
  size_t n = 0;
  DIR* d = ::opendir("/proc/self/fd");
  if (d == nullptr) return 0;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(d);
  return n - 1;  // the directory stream's own fd
}

size_t threadCount() {
  size_t n = 0;
  DIR* d = ::opendir("/proc/self/task");
  if (d == nullptr) return 0;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(d);
  return n;
}

bool stopAndWait(pid_t pid) {
  if (::kill(pid, SIGSTOP) != 0) return false;
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  for (int attempt = 0; attempt < 5000; ++attempt) {
    DIR* d = ::opendir(tasks.c_str());
    if (d == nullptr) return false;
    bool allStopped = true;
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] == '.') continue;
      const auto s = readProcStat(tasks + "/" + e->d_name + "/stat");
      if (s && s->state != 'T') allStopped = false;
    }
    ::closedir(d);
    if (allStopped) return true;
    ::usleep(200);
  }
  return false;
}

}  // namespace bulkhead
