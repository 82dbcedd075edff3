// Starting a runner: the set-up message (plugin, compiled seccomp program,
// Landlock paths, limits, rings), the fork through the spawner, and the
// start-up handshake that ends in the plugin's hello.
//
// A runner is launched in two steps so that a standby can wait between
// them: launch() forks it and it sandboxes itself, then waits, before any
// plugin code, on its start eventfd; activate() lets it load the plugin
// and checks its hello.
#pragma once

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <linux/filter.h>

#include "config/isolation_config.h"
#include "plugin_api/plugin_host.h"
#include "policies/landlock_rules.h"
#include "policies/policy.h"
#include "protocol/control_channel.h"
#include "shm_ring/ring_consumer.h"
#include "shm_ring/ring_producer.h"
#include "shm_ring/ring_set.h"
#include "supervisor/child_process.h"
#include "supervisor/runner_cgroup.h"
#include "supervisor/death_watch.h"
#include "supervisor/runner_services.h"
#include "supervisor/syscall_names.h"

namespace bulkhead {

// One runner process and everything the supervisor holds of it.
struct Runner {
  // Its cgroup: declared first, so it is removed only once `child` (and
  // with it the runner's whole pid namespace) has been reaped.
  RunnerCgroup cgroup;
  // A standby's fork until it is taken; then `child`.
  std::future<ChildProcess> spawning;
  UniqueFd statusRelay;  // read end of the init's status relay, until spawned
  ChildProcess child;
  ControlChannel control;
  RingSet rings;
  // eventfd: the runner waits on it, sandboxed, before loading the plugin.
  UniqueFd start;
  // The Landlock paths its setup carried: they derive from the open params,
  // so a standby fits a new capture only if they come out the same.
  LandlockRules landlock;
  std::chrono::milliseconds deathPollSlice{0};
  // Taken before the fork: a seccomp kill record found through it is this
  // runner's, not one of an earlier process with the same pid.
  KernelLogCursor kernelLog;
  RingConsumer source;
  RingProducer requests;
  RingConsumer responses;
  RingConsumer async;
  // Last: destroyed first, so the watch is done with the rings before they
  // are unmapped.
  DeathWatch::Registration watch;

  Runner() = default;
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;
  // A fork still under way would otherwise leave its child to whoever
  // drops the future last; here it is killed and reaped with the rest.
  ~Runner();

  // Waits for a standby's fork; throws what the fork threw.
  ChildProcess& forked();
  // Ring waits: the pidfd, and the death watch's slice when it watches.
  RingWaitOptions wait() const;
  // The plugin call the runner last said it was in (untrusted).
  const char* pluginCall() const;
  // True when it has ended (within 100 ms) without ever entering plugin
  // code: a standby killed while parked is no crash of the plugin's.
  bool endedBeforePluginCode();
};

// What a runner's hello said.
struct RunnerHello {
  PluginInfo info;
  std::vector<std::string> layers;
};

class RunnerLauncher {
 public:
  // Reads and compiles the seccomp profile once: a bad profile is a load
  // error (PluginError) naming its file and line, and restarts do not pay
  // for it again.
  RunnerLauncher(const PluginSpec& spec, const IsolationConfig& config,
                 const RunnerServices& services);

  // Forks a runner set up for `openParams`, in the background when asked
  // (then on the spawner's queue: Runner::spawning). `spare` rings of a
  // reaped runner are reused (emptied) instead of mapping new ones.
  std::unique_ptr<Runner> launch(bool background, const std::string& openParams,
                                 std::optional<RingSet>& spare) const;
  // Lets a launched runner load the plugin and checks its hello. Throws
  // PluginError: a plugin that cannot load, or a runner that fails the
  // handshake (its message says how the runner ended).
  RunnerHello activate(Runner& r) const;
  // The Landlock paths a runner set up for `openParams` gets.
  LandlockRules landlockRules(const std::string& openParams) const;
  // True when `r` was set up with the paths `openParams` needs.
  bool fits(const Runner& r, const std::string& openParams) const;

 private:
  PluginSpec spec_;
  IsolationConfig config_;
  RunnerServices services_;
  Policy policy_;
  std::vector<sock_filter> loading_;
  std::vector<sock_filter> serving_;
  // The plugin library, copied once into a sealed memfd that every runner
  // of this plugin loads: the runner's uid needs no access to the file or
  // its folders, and a restart loads the bytes the first start loaded.
  UniqueFd library_;
  mutable uint64_t launches_ = 0;  // names each runner's cgroup
};

}  // namespace bulkhead
