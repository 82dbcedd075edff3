// ChildProcess owns one child: its pid and a pidfd. The pidfd turns readable
// when the child dies, so it can be polled beside other fds, and it cannot
// be confused with a recycled pid. The destructor kills and reaps.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "shm_ring/unique_fd.h"

namespace bulkhead {

// How forkExec starts the child, beyond what it runs.
struct SpawnOptions {
  // Its own pid namespace (CLONE_NEWPID) where the kernel allows one
  // (root); elsewhere an ordinary child, and the runner reports the layer
  // unavailable.
  bool pidNamespace = false;
  // cgroup.procs files the child writes "0" to before exec, joining them.
  std::vector<int> joinCgroups;
  // Spawner::spawnAsync only: run on the spawner thread before the fork,
  // it yields joinCgroups (so creating the cgroups delays nobody).
  std::function<std::vector<int>()> prepare;
};

// How a child ended, as waitid reported it.
struct ChildStatus {
  bool signalled = false;  // else exited
  int code = 0;            // exit code, or signal number
  std::string describe() const;
};

class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(ChildProcess&& o) noexcept;
  ChildProcess& operator=(ChildProcess&& o) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  // fork + exec `path` with exactly `argv` and `env`, on the calling
  // thread. passFds[i] becomes fd 3+i in the child; every other fd the
  // parent opened with O_CLOEXEC stays behind; stdin is /dev/null and stdout
  // goes to stderr. The child gets PR_SET_PDEATHSIG(SIGKILL) before exec,
  // which fires when the forking *thread* ends: call it through Spawner.
  // Throws std::system_error.
  static ChildProcess forkExec(const std::string& path, const std::vector<std::string>& argv,
                               const std::vector<std::string>& env, std::span<const int> passFds,
                               const SpawnOptions& options = {});

  // The child is an init that relays the real status of the process it
  // waits for (runner_main.cpp): reap() reports the wait status read from
  // `readEnd` when the init wrote one, and the init's own otherwise (killed
  // before it could, e.g. by kill()).
  void relayStatusFrom(UniqueFd readEnd) { relay_ = std::move(readEnd); }

  // The pid the kernel gave the child (its init, in a pid namespace).
  pid_t pid() const { return pid_; }
  // The process doing the work, as the host sees it: in a pid namespace the
  // init's child (waited for, briefly, right after the spawn), else the
  // child itself. What logs name and the kernel's audit records carry.
  pid_t workerPid();
  int pidfd() const { return pidfd_.get(); }
  bool running() const { return pid_ > 0 && !status_; }

  // Non-blocking: the status once the child has ended (it is then reaped).
  std::optional<ChildStatus> poll();
  // SIGKILL (through the pidfd) and reap; returns how it ended.
  ChildStatus kill();
  // Waits up to `timeoutMs` for the child to end by itself.
  std::optional<ChildStatus> waitFor(int timeoutMs);

 private:
  std::optional<ChildStatus> reap(bool block);
  pid_t pid_ = -1;
  UniqueFd pidfd_;
  UniqueFd relay_;
  bool pidNamespace_ = false;
  pid_t worker_ = -1;
  std::optional<ChildStatus> status_;
};

}  // namespace bulkhead
