#include "supervisor/runner_cgroup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

namespace bulkhead {
namespace {

struct Hierarchy {
  std::string mount;  // where it is mounted
  std::string self;   // the supervisor's cgroup in it, "/..."
};

// Where the v1 hierarchy holding `controller`, or the v2 one (controller
// ""), is mounted, with the supervisor's cgroup in it. Empty when absent.
Hierarchy findHierarchy(const std::string& controller) {
  Hierarchy h;
  std::ifstream mounts("/proc/self/mounts");
  std::string dev, dir, type, opts, rest;
  while (mounts >> dev >> dir >> type >> opts && std::getline(mounts, rest)) {
    if (controller.empty() ? type == "cgroup2" : type == "cgroup") {
      if (!controller.empty()) {
        bool has = false;
        std::stringstream o(opts);
        for (std::string opt; std::getline(o, opt, ',');) has |= opt == controller;
        if (!has) continue;
      }
      h.mount = dir;
      break;
    }
  }
  if (h.mount.empty()) return h;
  std::ifstream self("/proc/self/cgroup");
  for (std::string line; std::getline(self, line);) {
    const size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    const std::string list = line.substr(a + 1, b - a - 1);
    bool match = controller.empty() ? list.empty() : false;
    std::stringstream l(list);
    for (std::string c; !controller.empty() && std::getline(l, c, ',');) match |= c == controller;
    if (match) {
      h.self = line.substr(b + 1);
      if (h.self == "/") h.self.clear();
      return h;
    }
  }
  h.mount.clear();
  return h;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes `value` to a cgroup file; "" or what failed.
std::string writeFile(const std::string& path, const std::string& value) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return path + ": " + std::strerror(errno);
  if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size())) {
    return path + ": " + std::strerror(errno);
  }
  return "";
}

// The value after `key ` in a flat-keyed cgroup file.
uint64_t keyed(const std::string& path, const std::string& key) {
  std::stringstream in(readFile(path));
  std::string k;
  uint64_t v = 0;
  while (in >> k >> v) {
    if (k == key) return v;
  }
  return 0;
}

bool hasWord(const std::string& text, const std::string& word) {
  std::stringstream in(text);
  for (std::string w; in >> w;) {
    if (w == word) return true;
  }
  return false;
}

struct Setting {
  std::string file;
  std::string value;
};

constexpr const char* kControllers[] = {"pids", "memory", "cpu"};

// Where runner cgroups go in the v2 hierarchy: the supervisor's cgroup as
// found at the first runner, and which controllers its children get.
struct V2Root {
  std::string dir;      // empty: no cgroup v2
  std::string enabled;  // its cgroup.subtree_control
};

// True when the supervisor is the only process in cgroup `dir`.
bool aloneIn(const std::string& dir) {
  std::stringstream procs(readFile(dir + "/cgroup.procs"));
  bool self = false;
  for (long pid = 0; procs >> pid;) {
    if (pid != ::getpid()) return false;
    self = true;
  }
  return self;
}

// cgroup v2 gives a child a controller only through its parent's
// subtree_control, and a cgroup with processes in it cannot enable one
// there (the "no internal processes" rule; the root is exempt). Under
// systemd's Delegate=yes, or as a container's init, the supervisor is
// alone in a cgroup that has the controllers: it then moves itself into
// a leaf, bulkhead-supervisor, and enables them for the runners' cgroups.
// It never moves when other processes share its cgroup (a login session),
// since it would only be moving itself out of their way for nothing.
V2Root findV2Root() {
  const Hierarchy v2 = findHierarchy("");
  if (v2.mount.empty()) return {};
  V2Root r{v2.mount + v2.self, ""};
  const std::string available = readFile(r.dir + "/cgroup.controllers");
  const std::string control = r.dir + "/cgroup.subtree_control";
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool refused = false;
    for (const char* c : kControllers) {
      if (hasWord(available, c) && !hasWord(readFile(control), c)) {
        refused |= !writeFile(control, std::string("+") + c).empty();
      }
    }
    if (!refused || attempt == 1 || !aloneIn(r.dir)) break;
    const std::string leaf = r.dir + "/bulkhead-supervisor";
    if ((::mkdir(leaf.c_str(), 0755) != 0 && errno != EEXIST) ||
        !writeFile(leaf + "/cgroup.procs", std::to_string(::getpid())).empty()) {
      break;
    }
  }
  r.enabled = readFile(control);
  return r;
}

const V2Root& v2Root() {
  static const V2Root root = findV2Root();
  return root;
}

}  // namespace

RunnerCgroup& RunnerCgroup::operator=(RunnerCgroup&& o) noexcept {
  if (this != &o) {
    removeAll();
    dirs_ = std::move(o.dirs_);
    join_ = std::move(o.join_);
    layers_ = std::move(o.layers_);
    memoryDir_ = std::move(o.memoryDir_);
    memoryV2_ = o.memoryV2_;
    o.dirs_.clear();
  }
  return *this;
}

RunnerCgroup::~RunnerCgroup() { removeAll(); }

void RunnerCgroup::removeAll() noexcept {
  join_.clear();
  // Pairs of (shared parent, this runner's cgroup). A v1 cgroup whose
  // last task has just been reaped can be busy for a moment; the parent
  // stays while other runners' cgroups are in it.
  for (size_t i = 0; i + 1 < dirs_.size(); i += 2) {
    for (int tries = 0; tries < 50 && ::rmdir(dirs_[i + 1].c_str()) != 0 && errno == EBUSY;
         ++tries) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ::rmdir(dirs_[i].c_str());
  }
  dirs_.clear();
}

RunnerCgroup RunnerCgroup::create(const std::string& name, const CgroupLimits& limits) {
  RunnerCgroup cg;
  const std::string base = "bulkhead-" + std::to_string(::getpid());
  struct Controller {
    const char* name;
    bool wanted;
    std::string detail;            // what the limit is, for the report
    std::vector<Setting> v1, v2;   // files to write
  };
  const std::string quota = std::to_string(limits.cpuPercent * 1000);
  Controller controllers[] = {
      {"pids", limits.processes != 0, "pids.max=" + std::to_string(limits.processes),
       {{"pids.max", std::to_string(limits.processes)}},
       {{"pids.max", std::to_string(limits.processes)}}},
      {"memory", limits.memoryMb != 0, std::to_string(limits.memoryMb) + " MiB",
       {{"memory.limit_in_bytes", std::to_string(limits.memoryMb << 20)}},
       {{"memory.max", std::to_string(limits.memoryMb << 20)}, {"memory.swap.max", "0"}}},
      {"cpu", limits.cpuPercent != 0, std::to_string(limits.cpuPercent) + "% of one CPU",
       {{"cpu.cfs_period_us", "100000"}, {"cpu.cfs_quota_us", quota}},
       {{"cpu.max", quota + " 100000"}}},
  };
  for (Controller& c : controllers) {
    const std::string layer = std::string("cgroup-") + c.name;
    if (!c.wanted) {
      cg.layers_.push_back(layer + ": not requested: the limit is 0");
      continue;
    }
    const V2Root& v2 = v2Root();  // found (and set up) at the first limit asked for
    const bool useV2 = hasWord(v2.enabled, c.name);
    const Hierarchy h = useV2 ? Hierarchy{} : findHierarchy(c.name);
    if (!useV2 && h.mount.empty()) {
      cg.layers_.push_back(layer + ": unavailable: no cgroup v2 delegation nor v1 hierarchy with it");
      continue;
    }
    const std::string parent = (useV2 ? v2.dir : h.mount + h.self) + "/" + base;
    const std::string dir = parent + "/" + name;
    std::string error;
    if (::mkdir(parent.c_str(), 0755) != 0 && errno != EEXIST) {
      error = parent + ": " + std::strerror(errno);
    } else {
      if (useV2) error = writeFile(parent + "/cgroup.subtree_control", std::string("+") + c.name);
      if (error.empty() && ::mkdir(dir.c_str(), 0755) != 0 && !(useV2 && errno == EEXIST)) {
        error = dir + ": " + std::strerror(errno);
      }
    }
    if (error.empty()) {
      cg.dirs_.push_back(parent);
      cg.dirs_.push_back(dir);
      for (const Setting& s : useV2 ? c.v2 : c.v1) {
        const std::string e = writeFile(dir + "/" + s.file, s.value);
        // memory.swap.max is absent where swap accounting is off; harmless.
        if (!e.empty() && s.file != "memory.swap.max") error = e;
      }
    }
    UniqueFd procs;
    if (error.empty()) {
      procs.reset(::open((dir + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC));
      if (!procs) error = dir + "/cgroup.procs: " + std::strerror(errno);
    }
    if (!error.empty()) {
      cg.layers_.push_back(layer + ": unavailable: " + error);
      continue;
    }
    cg.join_.push_back(std::move(procs));
    cg.layers_.push_back(layer + ": applied: " + (useV2 ? "v2 " : "v1 ") + c.detail);
    if (std::string(c.name) == "memory") {
      cg.memoryDir_ = dir;
      cg.memoryV2_ = useV2;
    }
  }
  return cg;
}

std::vector<int> RunnerCgroup::joinFds() const {
  std::vector<int> fds;
  for (const UniqueFd& fd : join_) fds.push_back(fd.get());
  return fds;
}

uint64_t RunnerCgroup::oomKills() const {
  if (memoryDir_.empty()) return 0;
  return keyed(memoryDir_ + (memoryV2_ ? "/memory.events" : "/memory.oom_control"), "oom_kill");
}

}  // namespace bulkhead
