// Runs a command to completion and measures it from the outside: wall time,
// and the kernel's rusage of the whole process tree as wait4 reports it.
//
// What wait4 counts: the child's user+sys CPU plus that of every descendant
// the child itself waited for before exiting (the kernel folds a reaped
// child's times into its parent's "children" totals). ru_maxrss is the
// largest resident set of any single process in that tree, not a sum, so
// the direct children's peaks (VmHWM) are also sampled while they run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bulkhead {

struct ChildRun {
  bool exited = false;  // false: killed by `signal`
  int exitCode = -1;
  int signal = 0;
  double wallSeconds = 0;
  double cpuSeconds = 0;        // user + sys of the child and its reaped descendants
  uint64_t maxRssKib = 0;       // ru_maxrss: max over that tree, not the sum
  uint64_t childrenHwmKib = 0;  // sum of the direct children's VmHWM, as last sampled
  int childrenSeen = 0;         // direct children found by the sampler
  // Sum of the direct children's user+sys CPU as last sampled (stat's
  // utime+stime, 10 ms ticks, up to one sampling period stale): the share
  // of cpuSeconds the children used.
  double childrenCpuSeconds = 0;
  // The child's own user+sys CPU, sampled the same way (0 when there are no
  // children to follow). cpuSeconds - ownCpuSeconds is what wait4 added for
  // the reaped descendants, to check against childrenCpuSeconds.
  double ownCpuSeconds = 0;

  bool ok() const { return exited && exitCode == 0; }
  std::string describe() const;
};

// fork + execv `argv[0]` with stdin from /dev/null and stdout/stderr to the
// given files (truncated), then wait4. While it runs, a sampler looks for
// up to `expectedChildren` direct children (by /proc/<pid>/stat's ppid) and
// follows their VmHWM and CPU time every 20 ms; with 0 it does not scan at all, so the
// sampling costs nothing in a run that has no children to find.
// Throws std::system_error when the command cannot be started.
ChildRun runChild(const std::vector<std::string>& argv, const std::string& stdoutPath,
                  const std::string& stderrPath, int expectedChildren);

}  // namespace bulkhead
