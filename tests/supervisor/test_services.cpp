#include "tests/supervisor/test_services.h"

#include <string>

namespace bulkhead {

RunnerServices& testServices() {
  // Built on first use and never destroyed: hosts held by test fixtures of
  // static storage may outlive main().
  static Spawner* spawner = new Spawner();
  static DeathWatch* deathWatch = new DeathWatch();
  static RunnerOutput* runnerOutput = new RunnerOutput();
  static RunnerServices* services =
      new RunnerServices{*spawner, *deathWatch, *runnerOutput, std::string(BULKHEAD_BINARY_DIR) + "/bulkhead-runner",
                         std::string(BULKHEAD_BINARY_DIR) + "/policies"};
  return *services;
}

}  // namespace bulkhead
