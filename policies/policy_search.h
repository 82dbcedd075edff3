// Where profiles are found. Order, first hit wins:
//   1. the directory configured by the user (bulkhead: policy_dir), and only
//      it when set: an explicit setting never falls back to another copy;
//   2. <directory of the executable>/policies        (build tree, bundles)
//   3. <directory of the executable>/../policies     (build tree: bin in a subfolder)
//   4. <directory of the executable>/../share/bulkhead/policies  (installed)
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "policies/policy.h"

namespace bulkhead {

std::vector<std::filesystem::path> policySearchDirs(const std::filesystem::path& configuredDir,
                                                    const std::filesystem::path& executableDir);

// Directory of the running executable (/proc/self/exe). Throws
// std::system_error when it cannot be read.
std::filesystem::path currentExecutableDir();

// <dir>/<name>.yaml from the first directory that has it. Profile names are
// [a-z0-9_-]+ so a name can never climb out of the directory. Throws
// PolicyError listing every directory tried.
std::filesystem::path findPolicyFile(std::string_view name,
                                     const std::vector<std::filesystem::path>& dirs);

// findPolicyFile + loadPolicyFile.
Policy loadPolicy(std::string_view name, const std::vector<std::filesystem::path>& dirs);

}  // namespace bulkhead
