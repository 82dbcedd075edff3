// What a runner may touch on the filesystem: the paths Landlock lets it
// read or write. They come from the policy, the plugin library's location
// and the input paths the user named in open_params / init_config
// (input_paths.h); sandbox_runner/landlock.h applies them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policies/policy.h"

namespace bulkhead {

struct LandlockRules {
  std::vector<std::string> readPaths;   // files or directories (recursively)
  std::vector<std::string> writePaths;  // read + write + create/remove beneath
  // Without network: TCP bind/connect denied (ABI 4) and abstract unix
  // sockets outside the sandbox unreachable (ABI 6).
  bool allowNetwork = false;
};

// Landlock rules for a plugin: the policy's paths, the plugin library and
// its directory, and the input paths found in the user's open_params /
// init_config.
LandlockRules landlockRulesFor(const Policy& policy, const std::string& libraryPath,
                               const std::vector<std::string_view>& userTexts);

}  // namespace bulkhead
