#include "policies/landlock_rules.h"

#include <algorithm>
#include <filesystem>

#include "policies/input_paths.h"

namespace bulkhead {

LandlockRules landlockRulesFor(const Policy& policy, const std::string& libraryPath,
                               const std::vector<std::string_view>& userTexts) {
  LandlockRules rules;
  rules.allowNetwork = policy.allowNetwork;
  rules.readPaths = policy.readPaths;
  rules.writePaths = policy.writePaths;
  auto addRead = [&](std::string p) {
    // "/" would grant everything and defeat Landlock.
    if (p.empty() || p == "/") return;
    if (std::find(rules.readPaths.begin(), rules.readPaths.end(), p) == rules.readPaths.end()) {
      rules.readPaths.push_back(std::move(p));
    }
  };
  if (!libraryPath.empty()) {
    std::filesystem::path lib = std::filesystem::absolute(libraryPath).lexically_normal();
    addRead(lib.string());
    // Plugins may dlopen libraries or read data that ship beside them.
    addRead(lib.parent_path().string());
  }
  for (auto& p : extractInputPathsFrom(userTexts)) addRead(std::move(p));
  return rules;
}

}  // namespace bulkhead
