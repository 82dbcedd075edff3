#include "supervisor/install_paths.h"

#include <array>
#include <system_error>

// Relative to the executable's folder; set by supervisor/CMakeLists.txt
// from the GNUInstallDirs paths, with the usual layout as the fallback.
#ifndef BULKHEAD_INSTALLED_RUNNER_DIR
#define BULKHEAD_INSTALLED_RUNNER_DIR "../libexec/bulkhead"
#endif
#ifndef BULKHEAD_INSTALLED_POLICY_DIR
#define BULKHEAD_INSTALLED_POLICY_DIR "../share/bulkhead/policies"
#endif

namespace bulkhead {

namespace fs = std::filesystem;

namespace {

template <size_t N, typename Test>
fs::path firstExisting(const std::array<fs::path, N>& candidates, Test exists) {
  for (const fs::path& p : candidates) {
    std::error_code ec;
    if (exists(p, ec)) return p;
  }
  return candidates.front();
}

}  // namespace

InstallPaths findInstallPaths(const fs::path& executableDir) {
  const std::array<fs::path, 2> runners = {
      executableDir / "bulkhead-runner",
      (executableDir / BULKHEAD_INSTALLED_RUNNER_DIR / "bulkhead-runner").lexically_normal()};
  const std::array<fs::path, 2> policies = {
      executableDir / "policies",
      (executableDir / BULKHEAD_INSTALLED_POLICY_DIR).lexically_normal()};
  auto isFile = [](const fs::path& p, std::error_code& ec) { return fs::is_regular_file(p, ec); };
  auto isDir = [](const fs::path& p, std::error_code& ec) { return fs::is_directory(p, ec); };
  return {firstExisting(runners, isFile).string(), firstExisting(policies, isDir).string()};
}

}  // namespace bulkhead
