// What every runner launch needs from the supervisor process: main() owns
// the spawner thread, the death watch and the output reader, and hands them
// down with the paths of the runner binary and the seccomp profiles.
#pragma once

#include <chrono>
#include <string>

#include "supervisor/death_watch.h"
#include "supervisor/runner_output.h"
#include "supervisor/spawner.h"

namespace bulkhead {

struct RunnerServices {
  Spawner& spawner;
  DeathWatch& deathWatch;
  RunnerOutput& runnerOutput;  // reads what runners print
  std::string runnerPath;      // bulkhead-runner
  std::string policyDir;       // where the seccomp profiles are
  // Ring waits poll the runner's pidfd at this interval as a safety net;
  // deaths are normally reported at once by the death watch.
  std::chrono::milliseconds deathPollSlice{250};
};

}  // namespace bulkhead
