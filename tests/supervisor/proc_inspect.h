// What /proc says about this process's children and descriptors: the tests
// check that runners leave nothing behind and can freeze one on purpose.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace bulkhead {

// The state letter and parent pid of a /proc/<pid>/stat or
// /proc/<pid>/task/<tid>/stat file; nullopt once the task is gone.
struct ProcStat {
  char state = '?';
  pid_t ppid = 0;
};
std::optional<ProcStat> readProcStat(const std::string& path);

// Children of `parent` (zombies included), with their state letters.
std::vector<std::pair<pid_t, char>> childProcesses(pid_t parent = ::getpid());

// Descriptors this process has open.
size_t openFdCount();

// Threads this process runs.
size_t threadCount();

// SIGSTOP lands asynchronously: kill() returns while the target's threads
// may still run. Sends it and waits (up to ~1 s) until every thread of `pid`
// reports state T.
bool stopAndWait(pid_t pid);

}  // namespace bulkhead
