// Where bulkhead finds bulkhead-runner and the seccomp profiles, from the
// folder of its own executable, so that one binary works both where it was
// built and where it was installed, from any working directory:
//
//   build tree   <exe dir>/bulkhead-runner     <exe dir>/policies
//   installed    <exe dir>/../libexec/bulkhead/bulkhead-runner
//                <exe dir>/../share/bulkhead/policies
//
// (the installed paths follow the build's GNUInstallDirs settings:
// CMAKE_INSTALL_BINDIR, CMAKE_INSTALL_LIBEXECDIR, CMAKE_INSTALL_DATADIR).
// The build tree wins where both exist. `bulkhead.runner_path` in
// falco.yaml still overrides the runner.
#pragma once

#include <filesystem>
#include <string>

namespace bulkhead {

struct InstallPaths {
  std::string runner;     // bulkhead-runner
  std::string policyDir;  // the folder with default.yaml, network.yaml, ...
};

// Looks at the disk only to see which candidates exist. When none does,
// the build-tree paths are returned, so that the error a launch reports
// names a path the user can act on.
InstallPaths findInstallPaths(const std::filesystem::path& executableDir);

}  // namespace bulkhead
