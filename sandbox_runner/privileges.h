// Dropping root: a runner started as root switches to an unprivileged
// uid/gid (default `nobody`) before anything else touches plugin data, and
// ends with no capabilities in any namespace.
#pragma once

#include <sys/types.h>

#include <string>

namespace bulkhead {

struct Identity {
  uid_t uid = 0;
  gid_t gid = 0;
};

// Looks up a user name in the passwd database, or parses "uid:gid".
// Refuses uid 0 and gid 0. Throws std::runtime_error naming the user.
Identity resolveIdentity(const std::string& user);

// setgroups([]), setresgid, setresuid to `id`, then proves the old identity
// cannot be regained (setuid(0) must fail). The kernel forgets the parent
// death signal when credentials change, so it is read before and re-armed
// after. Throws std::system_error; a runner must not continue after a throw.
void dropPrivileges(const Identity& id);

// Clears the ambient and bounding sets (where CAP_SETPCAP allows) and sets
// the effective, permitted and inheritable sets to empty. Throws
// std::system_error when capset fails or a capability remains.
void dropAllCapabilities();

// True when the effective or permitted set holds any capability.
bool holdsAnyCapability();

}  // namespace bulkhead
