// The environment a plugin runs with. A runner owns its whole process, so
// the environment is chosen per plugin rather than inherited: nothing of the
// supervisor's environment (credentials, PATH, LD_*) leaks in unless named.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace bulkhead {

struct PluginEnvironmentConfig {
  // Variables copied from the supervisor's environment when set there (e.g.
  // AWS_REGION for cloudtrail). Names only.
  std::vector<std::string> passThrough;
  // Explicit values; they win over defaults and pass-through.
  std::map<std::string, std::string> set;
};

// The defaults, one "NAME=value" each:
//  GOMAXPROCS=1   the Go SDK starts spinning extraction workers when
//                 GOMAXPROCS > 1; on small machines that costs orders of
//                 magnitude (see design.md), and a runner is one plugin.
//  GODEBUG=madvdontneed=1  freed Go heap leaves RSS at once (per-runner RSS).
//  GOTRACEBACK=single      a panic prints the faulting goroutine only.
//  MALLOC_ARENA_MAX=2      bounds glibc arenas (virtual size and RSS per thread).
//  LANG=C.UTF-8           predictable formatting, UTF-8 strings.
// TZ stays unset so times follow /etc/localtime, as in Falco. No PATH, no
// HOME: the runner never executes anything and writes no dot-files.
std::vector<std::string> defaultPluginEnvironment();

// defaults, then pass-through from `environ`, then `config.set`, later ones
// replacing earlier ones of the same name; sorted by name. Throws
// std::invalid_argument for a name that is empty or holds '=' or NUL, or a
// value holding NUL.
std::vector<std::string> buildPluginEnvironment(const PluginEnvironmentConfig& config,
                                                char** environ);

// Pointers into `env` (valid while `env` is alive and unchanged) followed by
// nullptr, for execve. The environment must be given at execve of the
// runner: a Go runtime in a c-shared library reads the environment block the
// process started with (handed to it by the loader's init call), so setenv()
// in the runner before dlopen would not reach it.
std::vector<char*> toEnvp(std::vector<std::string>& env);

}  // namespace bulkhead
