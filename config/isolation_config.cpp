#include "config/isolation_config.h"

namespace bulkhead {

std::map<std::string, std::string> defaultRunnerEnvironment() {
  return {{"GODEBUG", "madvdontneed=1"}, {"GOMAXPROCS", "1"},     {"GOTRACEBACK", "single"},
          {"LANG", "C.UTF-8"},           {"MALLOC_ARENA_MAX", "2"}};
}

const char* isolationModeName(IsolationMode mode) noexcept {
  return mode == IsolationMode::kInProcess ? "inprocess" : "process";
}

}  // namespace bulkhead
