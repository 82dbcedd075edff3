// How one plugin is isolated: the `bulkhead:` section of falco.yaml after
// `bulkhead.defaults` and `bulkhead.plugins.<name>` are merged. Every default
// below is documented in config/README.md; keep the two in sync.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace bulkhead {

enum class IsolationMode {
  kProcess,    // a sandboxed bulkhead-runner process per plugin (default)
  kInProcess,  // dlopen into the engine, as Falco does (baseline, no isolation)
};

// rlimits applied in the runner. 0 means "no limit" for every field.
struct ResourceLimits {
  // Go c-shared plugins reserve a large virtual address space at start and
  // every thread stack counts too, so this guards against runaway growth
  // rather than measuring real memory use.
  std::uint64_t addressSpaceMb = 4096;
  std::uint64_t cpuSeconds = 0;
  std::uint64_t openFiles = 64;
  // Per runner, through its own cgroup (supervisor/runner_cgroup.h): the
  // runner's threads (Go runtime threads included) and processes, its
  // memory (page cache included), and its CPU share in percent of one CPU.
  // 0: no limit.
  std::uint64_t processes = 512;
  std::uint64_t memoryMb = 2048;
  std::uint64_t cpuPercent = 100;

  bool operator==(const ResourceLimits&) const = default;
};

// Per-call deadlines; a call that misses its deadline counts as a runner
// fault (killed and restarted). 0 in the configuration disables a deadline;
// the reader stores that as kNoDeadline.
inline constexpr std::chrono::milliseconds kNoDeadline = std::chrono::hours(24 * 365);
struct Deadlines {
  std::chrono::milliseconds init{10000};
  std::chrono::milliseconds open{10000};
  std::chrono::milliseconds nextBatch{1000};
  std::chrono::milliseconds extract{1000};
  std::chrono::milliseconds parse{1000};
  // Also every other control call (progress, event_to_string, shutdown).
  std::chrono::milliseconds close{5000};

  bool operator==(const Deadlines&) const = default;
};

// How a crashing runner is restarted (supervisor/restart_policy.h applies
// it): more than maxRestarts restarts within `window` disable the plugin;
// the first restart in a window is immediate, then the backoff doubles from
// backoffInitial up to backoffMax.
struct RestartSettings {
  std::uint32_t maxRestarts = 5;
  std::chrono::seconds window{60};
  std::chrono::milliseconds backoffInitial{10};
  std::chrono::milliseconds backoffMax{2000};
  // Keep a second runner started and sandboxed, parked before plugin code,
  // to take over after a crash: one more process per plugin for a restart
  // that skips fork, exec, loading and the sandbox set-up.
  bool standby = true;

  bool operator==(const RestartSettings&) const = default;
};

// Shared-memory ring sizes in bytes, each a power of two. The configuration
// gives MiB (1..1024), rounded up to a power of two.
struct RingSizes {
  std::uint64_t sourceBytes = 8u << 20;
  std::uint64_t requestBytes = 1u << 20;
  std::uint64_t responseBytes = 4u << 20;
  std::uint64_t asyncBytes = 1u << 20;

  bool operator==(const RingSizes&) const = default;
};

// What the supervisor buffers of one runner's output at most, whatever the
// runner sends: crossing a bound is a malformed record (the runner is killed,
// counted and restarted), so a hostile runner cannot grow the supervisor's
// memory. Each ring record is also bounded by its ring (RingSizes) and each
// control frame by ControlChannel::kMaxFrameBytes (8 MiB).
//  batch*        one next_batch result, all its kBatch records together; a
//                Go SDK plugin at its default limits (128 events of 256 KiB)
//                stays well inside
//  extractBytes  one extraction answer: a response record, the values that
//                come with a batch, or every chunk of one extract() call
//  asyncEventBytes  one async event
struct RunnerBounds {
  std::uint64_t batchEvents = 65536;
  std::uint64_t batchBytes = 64u << 20;
  std::uint64_t extractBytes = 64u << 20;
  std::uint64_t asyncEventBytes = 1u << 20;

  bool operator==(const RunnerBounds&) const = default;
};

// Extra filesystem access granted to the runner (Landlock), absolute and
// lexically normalised paths.
struct AllowPaths {
  std::vector<std::string> read;
  std::vector<std::string> write;

  bool operator==(const AllowPaths&) const = default;
};

// The runner environment's defaults:
//  GOMAXPROCS=1   the Go SDK's extraction workers spin when GOMAXPROCS > 1;
//                 on small machines that costs orders of magnitude, and a
//                 runner hosts one plugin.
//  GODEBUG=madvdontneed=1  freed Go heap leaves RSS at once (per-runner RSS).
//  GOTRACEBACK=single      a panic prints the faulting goroutine only.
//  MALLOC_ARENA_MAX=2      bounds glibc arenas (virtual size and RSS per thread).
//  LANG=C.UTF-8            predictable formatting, UTF-8 strings.
// TZ stays unset so times follow /etc/localtime, as in Falco. No PATH, no
// HOME: the runner executes nothing and writes no dot-files. The variables
// must be in the environment at execve: a Go runtime in a c-shared library
// reads the block the process started with, so setenv() in the runner
// before dlopen would not reach it.
std::map<std::string, std::string> defaultRunnerEnvironment();

struct IsolationConfig {
  IsolationMode mode = IsolationMode::kProcess;
  // Name of a seccomp profile under policies/ ([A-Za-z0-9_-]+), resolved by
  // the policy loader, not here.
  std::string policy = "default";
  // User name or numeric uid to drop to when started as root; resolved by
  // the supervisor.
  std::string user = "nobody";
  ResourceLimits limits;
  Deadlines deadlines;
  RestartSettings restart;
  // The runner's whole environment: nothing of the supervisor's leaks in
  // unless named here (credentials, PATH, LD_*).
  std::map<std::string, std::string> env = defaultRunnerEnvironment();
  RingSizes rings;
  RunnerBounds bounds;
  AllowPaths allowPaths;

  bool operator==(const IsolationConfig&) const = default;
};

const char* isolationModeName(IsolationMode mode) noexcept;

}  // namespace bulkhead
