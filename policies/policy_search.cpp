#include "policies/policy_search.h"

#include <string>
#include <system_error>

namespace bulkhead {

namespace fs = std::filesystem;

std::vector<fs::path> policySearchDirs(const fs::path& configuredDir,
                                       const fs::path& executableDir) {
  if (!configuredDir.empty()) return {configuredDir};
  std::vector<fs::path> dirs;
  if (!executableDir.empty()) {
    dirs.push_back(executableDir / "policies");
    dirs.push_back((executableDir / ".." / "policies").lexically_normal());
    dirs.push_back((executableDir / ".." / "share" / "bulkhead" / "policies").lexically_normal());
  }
  return dirs;
}

fs::path currentExecutableDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::system_error(ec, "readlink /proc/self/exe");
  return exe.parent_path();
}

fs::path findPolicyFile(std::string_view name, const std::vector<fs::path>& dirs) {
  bool valid = !name.empty();
  for (char c : name) {
    valid = valid && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
  }
  if (!valid) {
    throw PolicyError("invalid profile name '" + std::string(name) +
                      "' (use lower-case letters, digits, '-' and '_')");
  }
  std::string tried;
  for (const auto& dir : dirs) {
    fs::path candidate = dir / (std::string(name) + ".yaml");
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return candidate;
    tried += (tried.empty() ? "" : ", ") + dir.string();
  }
  throw PolicyError("seccomp profile '" + std::string(name) + "' not found (looked in: " +
                    (tried.empty() ? std::string("no directories") : tried) + ")");
}

Policy loadPolicy(std::string_view name, const std::vector<fs::path>& dirs) {
  return loadPolicyFile(findPolicyFile(name, dirs));
}

}  // namespace bulkhead
