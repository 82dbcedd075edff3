// RunnerCgroup: one cgroup per runner, so the limits that rlimits cannot
// give per process are applied per runner and no runner shares a pool with
// its neighbours:
//
//   pids     pids.max = limits.processes (RLIMIT_NPROC would count every
//            process of the runners' shared uid together)
//   memory   limits.memory_mb: v2 memory.max, v1 memory.limit_in_bytes;
//            an OOM kill inside it is reported as the memory limit
//   cpu      limits.cpu_percent of one CPU: v2 cpu.max, v1 cfs quota
//
// cgroup v2 is used where the supervisor's own cgroup has the controller
// (delegated); otherwise the v1 hierarchy of that controller. A v2 cgroup
// with processes cannot pass controllers on, so a supervisor that is alone
// in its cgroup (systemd's Delegate=yes, a container's init) first moves
// itself into a leaf, bulkhead-supervisor, beside the runners' cgroups. The runner
// joins before exec (ChildProcess::forkExec writes "0" to each
// cgroup.procs it was given), so the runner and all its threads are inside
// before any of its code runs. Each controller is a sandbox layer of its
// own in the report ("cgroup-pids: applied: v1 pids.max=512"); a host that
// has none, or does not let the supervisor write it, reports it
// unavailable and the runner still starts. The directory is removed once
// the runner is gone.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "shm_ring/unique_fd.h"

namespace bulkhead {

struct CgroupLimits {
  uint64_t processes = 0;   // 0: no pids limit
  uint64_t memoryMb = 0;    // 0: no memory limit
  uint64_t cpuPercent = 0;  // 0: no CPU limit; 100 = one CPU
};

class RunnerCgroup {
 public:
  RunnerCgroup() = default;
  // Never throws: what could not be set up is reported in layers().
  // `name` is unique per runner of this supervisor.
  static RunnerCgroup create(const std::string& name, const CgroupLimits& limits);
  RunnerCgroup(RunnerCgroup&&) noexcept = default;
  RunnerCgroup& operator=(RunnerCgroup&& o) noexcept;
  RunnerCgroup(const RunnerCgroup&) = delete;
  RunnerCgroup& operator=(const RunnerCgroup&) = delete;
  ~RunnerCgroup();

  // Open cgroup.procs files the child writes "0" into before exec.
  std::vector<int> joinFds() const;
  // Closes those once the child has joined.
  void joined() { join_.clear(); }
  // One line per controller, as the runner's own layers read.
  const std::vector<std::string>& layers() const { return layers_; }
  // OOM kills inside the memory cgroup so far.
  uint64_t oomKills() const;

 private:
  void removeAll() noexcept;
  std::vector<std::string> dirs_;  // created, deepest last
  std::vector<UniqueFd> join_;
  std::vector<std::string> layers_;
  std::string memoryDir_;
  bool memoryV2_ = false;
};

}  // namespace bulkhead
