// How one plugin is isolated: the `bulkhead:` section of falco.yaml after
// `bulkhead.defaults` and `bulkhead.plugins.<name>` are merged. Every default
// below is documented in config/README.md; keep the two in sync.
#pragma once

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
  // RLIMIT_NPROC counts every thread of the runner's uid, Go runtime threads
  // included.
  std::uint64_t processes = 512;
};

// Per-call deadlines; a call that misses its deadline counts as a runner
// fault (killed and restarted). 0 disables the deadline.
struct Deadlines {
  std::uint64_t initMs = 10000;
  std::uint64_t openMs = 10000;
  std::uint64_t nextBatchMs = 1000;
  std::uint64_t extractMs = 1000;
  std::uint64_t parseMs = 1000;
  std::uint64_t closeMs = 5000;
};

// Circuit breaker: more than maxRestarts restarts within windowS seconds
// disables the plugin. Backoff doubles from backoffInitialMs up to
// backoffMaxMs.
struct RestartPolicy {
  std::uint64_t maxRestarts = 5;
  std::uint64_t windowS = 60;
  std::uint64_t backoffInitialMs = 10;
  std::uint64_t backoffMaxMs = 2000;
  // Keep a second runner started and sandboxed, parked before plugin code,
  // to take over after a crash: one more process per plugin for a restart
  // that skips fork, exec, loading and the sandbox set-up.
  bool standby = true;
};

// Shared-memory ring sizes in MiB (1..1024 each).
struct RingSizes {
  std::uint64_t sourceMb = 8;
  std::uint64_t requestMb = 1;
  std::uint64_t responseMb = 4;
  std::uint64_t asyncMb = 1;
};

// Extra filesystem access granted to the runner (Landlock), absolute and
// lexically normalised paths.
struct AllowPaths {
  std::vector<std::string> read;
  std::vector<std::string> write;
};

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
  RestartPolicy restart;
  // Environment variables set for the runner process. GOMAXPROCS=1 because
  // Go's runtime would otherwise run one OS thread per CPU in every runner.
  std::map<std::string, std::string> env = {{"GOMAXPROCS", "1"}};
  RingSizes ringMb;
  AllowPaths allowPaths;
};

const char* isolationModeName(IsolationMode mode) noexcept;

}  // namespace bulkhead
