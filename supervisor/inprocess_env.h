// In-process plugins get the environment runners get (isolation.env:
// GOMAXPROCS=1 and the rest, config/isolation_config.h), wherever the
// environment bulkhead was started with does not set the variable: so that
// a Go plugin in-process runs as it does in its runner, and in-process is
// a fair baseline for the isolated mode.
//
// A Go runtime in a c-shared library reads the environment block the
// process started with, not the one setenv() edits, so the variables can
// only come by execve: before it starts anything, bulkhead runs itself
// again with them added (startWithInProcessEnv). The variables are the
// whole process's: with two in-process plugins asking for different
// values of one, the first one's value holds and a warning says so.
// Plugins started in-process by a later reload get what is there.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"

namespace bulkhead {

struct InProcessEnv {
  std::vector<std::string> add;       // "NAME=value", missing from `environ`
  std::vector<std::string> warnings;  // conflicts between in-process plugins
};

// What the in-process plugins of `config` ask for that `environ` lacks.
InProcessEnv inProcessEnv(const Config& config, char** environ);

// execve of this binary with `argv` and the environment plus env.add.
// Returns only when that fails (logged); nothing to add returns at once.
void startWithInProcessEnv(char** argv, const InProcessEnv& env);

}  // namespace bulkhead
