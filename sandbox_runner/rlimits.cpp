#include "sandbox_runner/rlimits.h"

#include <string>

#include "shm_ring/unique_fd.h"

namespace bulkhead {
namespace {

// Sets soft = hard = min(value, current hard). Returns true when clamped.
bool setLimit(int resource, const char* name, rlim_t value, std::string& detail) {
  rlimit cur{};
  sysCall(name, [&] { return ::getrlimit(resource, &cur); });
  bool clamped = false;
  if (cur.rlim_max != RLIM_INFINITY && (value == RLIM_INFINITY || value > cur.rlim_max)) {
    value = cur.rlim_max;
    clamped = true;
  }
  rlimit next{value, value};
  sysCall(name, [&] { return ::setrlimit(resource, &next); });
  if (!detail.empty()) detail += ", ";
  detail += name;
  detail += '=';
  detail += value == RLIM_INFINITY ? std::string("unlimited") : std::to_string(value);
  if (clamped) detail += " (clamped to the hard limit)";
  return clamped;
}

}  // namespace

LayerStatus applyResourceLimits(const RunnerLimits& limits) {
  std::string detail;
  bool clamped = false;
  clamped |= setLimit(RLIMIT_CORE, "RLIMIT_CORE", 0, detail);
  if (limits.addressSpaceBytes) {
    clamped |= setLimit(RLIMIT_AS, "RLIMIT_AS", *limits.addressSpaceBytes, detail);
  }
  if (limits.cpuSeconds) clamped |= setLimit(RLIMIT_CPU, "RLIMIT_CPU", *limits.cpuSeconds, detail);
  if (limits.openFiles) {
    clamped |= setLimit(RLIMIT_NOFILE, "RLIMIT_NOFILE", *limits.openFiles, detail);
  }
  if (limits.threads) clamped |= setLimit(RLIMIT_NPROC, "RLIMIT_NPROC", *limits.threads, detail);
  return LayerStatus{"rlimits", clamped ? LayerState::kPartial : LayerState::kApplied, detail};
}

}  // namespace bulkhead
