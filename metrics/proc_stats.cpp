#include "metrics/proc_stats.h"

#include <time.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace bulkhead {

std::optional<ProcUsage> readProcUsage(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid);
  std::ifstream stat(dir + "/stat");
  std::string line;
  if (!stat || !std::getline(stat, line)) return std::nullopt;
  // The command name is in parentheses and may hold spaces or ')': the
  // fields that follow start after the last ')'.
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 1));
  // Fields 3.. of proc(5): state is 3, utime 14, stime 15, starttime 22.
  std::string field;
  uint64_t utime = 0;
  uint64_t stime = 0;
  uint64_t start = 0;
  for (int i = 3; i <= 22 && rest >> field; ++i) {
    uint64_t* into = i == 14 ? &utime : i == 15 ? &stime : i == 22 ? &start : nullptr;
    if (into != nullptr) std::from_chars(field.data(), field.data() + field.size(), *into);
  }
  std::ifstream statm(dir + "/statm");
  uint64_t sizePages = 0;
  uint64_t residentPages = 0;
  if (!(statm >> sizePages >> residentPages)) return std::nullopt;
  const long tick = sysconf(_SC_CLK_TCK);
  const long page = sysconf(_SC_PAGESIZE);
  if (tick <= 0 || page <= 0) return std::nullopt;
  ProcUsage u;
  u.cpuSeconds = static_cast<double>(utime + stime) / static_cast<double>(tick);
  timespec now{};
  clock_gettime(CLOCK_BOOTTIME, &now);
  const double up = static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
  u.ageSeconds = up - static_cast<double>(start) / static_cast<double>(tick);
  u.rssBytes = residentPages * static_cast<uint64_t>(page);
  u.vszBytes = sizePages * static_cast<uint64_t>(page);
  return u;
}

uint64_t hostBootNs() {
  std::ifstream stat("/proc/stat");
  std::string key;
  uint64_t value = 0;
  while (stat >> key) {
    if (key == "btime" && stat >> value) return value * 1'000'000'000ULL;
    stat.ignore(1 << 20, '\n');
  }
  return 0;
}

uint32_t onlineCpus() {
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<uint32_t>(n) : 0;
}

}  // namespace bulkhead
