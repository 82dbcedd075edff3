// Spawner: the one thread every runner is forked from.
//
// PR_SET_PDEATHSIG fires when the *thread* that forked the child ends, not
// the process. Runners are restarted from source threads that end before
// the supervisor does, which would take their runners down with them. So
// every fork happens on this thread, which main() starts first and stops
// last: its runners die with it, and so with the supervisor.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "shm_ring/unique_fd.h"
#include "supervisor/child_process.h"

namespace bulkhead {

class Spawner {
 public:
  Spawner();
  // Runs the jobs already queued, then stops the thread; children forked
  // from it get their death signal then, so destroy it after their owners.
  ~Spawner();
  Spawner(const Spawner&) = delete;
  Spawner& operator=(const Spawner&) = delete;

  // ChildProcess::forkExec on the spawner thread; waits for it.
  ChildProcess spawn(const std::string& path, const std::vector<std::string>& argv,
                     const std::vector<std::string>& env, std::span<const int> passFds,
                     const SpawnOptions& options = {});
  // Like spawn(), but returns at once: the fork happens later on the spawner
  // thread, which owns (and closes after the fork) the fds to pass. The
  // future holds the child or the exception spawn() would have thrown.
  std::future<ChildProcess> spawnAsync(std::string path, std::vector<std::string> argv,
                                       std::vector<std::string> env,
                                       std::vector<UniqueFd> passFds,
                                       SpawnOptions options = {});
  // Runs `job` on the spawner thread, after what is queued: work that must
  // not delay the caller, such as removing a dead runner's cgroups.
  void post(std::function<void()> job);

 private:
  uint64_t enqueue(std::function<void()> job);  // under mu_
  void loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  uint64_t queued_ = 0;
  uint64_t done_ = 0;
  bool stopping_ = false;
  std::thread thread_;  // last: started once the rest is set up
};

}  // namespace bulkhead
