#include "sandbox_runner/privileges.h"

#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "shm_ring/unique_fd.h"

namespace bulkhead {
namespace {

bool parseId(std::string_view s, unsigned& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

bool capGet(__user_cap_data_struct (&data)[2]) {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  return ::syscall(SYS_capget, &hdr, data) == 0;
}

}  // namespace

Identity resolveIdentity(const std::string& user) {
  Identity id;
  if (size_t colon = user.find(':'); colon != std::string::npos) {
    unsigned uid = 0, gid = 0;
    if (!parseId(std::string_view(user).substr(0, colon), uid) ||
        !parseId(std::string_view(user).substr(colon + 1), gid)) {
      throw std::runtime_error("runner user '" + user + "' is neither a name nor uid:gid");
    }
    id = Identity{uid, gid};
  } else {
    passwd pw{};
    passwd* found = nullptr;
    std::vector<char> buf(16384);
    int rc = ::getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found);
    if (rc != 0 || found == nullptr) {
      throw std::runtime_error("runner user '" + user + "' not found in the passwd database");
    }
    id = Identity{pw.pw_uid, pw.pw_gid};
  }
  if (id.uid == 0 || id.gid == 0) {
    throw std::runtime_error("runner user '" + user + "' is root; choose an unprivileged user");
  }
  return id;
}

void dropPrivileges(const Identity& id) {
  int deathSignal = 0;
  sysCall("prctl(PR_GET_PDEATHSIG)", [&] { return ::prctl(PR_GET_PDEATHSIG, &deathSignal); });
  const pid_t parent = ::getppid();

  sysCall("setgroups", [] { return ::setgroups(0, nullptr); });
  sysCall("setresgid", [&] { return ::setresgid(id.gid, id.gid, id.gid); });
  sysCall("setresuid", [&] { return ::setresuid(id.uid, id.uid, id.uid); });

  uid_t r = 0, e = 0, s = 0;
  gid_t rg = 0, eg = 0, sg = 0;
  sysCall("getresuid", [&] { return ::getresuid(&r, &e, &s); });
  sysCall("getresgid", [&] { return ::getresgid(&rg, &eg, &sg); });
  if (r != id.uid || e != id.uid || s != id.uid || rg != id.gid || eg != id.gid || sg != id.gid) {
    throw std::system_error(EPERM, std::generic_category(), "uid/gid did not change");
  }
  if (id.uid != 0 && ::setuid(0) == 0) {
    throw std::system_error(EPERM, std::generic_category(), "root could be regained");
  }
  if (deathSignal != 0) {
    sysCall("prctl(PR_SET_PDEATHSIG)", [&] { return ::prctl(PR_SET_PDEATHSIG, deathSignal); });
    if (::getppid() != parent) {
      throw std::system_error(ESRCH, std::generic_category(),
                              "parent exited while privileges were dropped");
    }
  }
}

void dropAllCapabilities() {
  sysCall("prctl(PR_CAP_AMBIENT_CLEAR_ALL)",
          [] { return ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); });
  // The bounding set only matters across execve, which seccomp forbids, but
  // clear it anyway where we may (needs CAP_SETPCAP).
  for (int cap = 0; cap <= 63; ++cap) {
    if (::prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0) break;  // past the last capability
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EPERM) {
      throw std::system_error(errno, std::generic_category(), "prctl(PR_CAPBSET_DROP)");
    }
  }
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  sysCall("capset", [&] { return ::syscall(SYS_capset, &hdr, data); });
  if (holdsAnyCapability()) {
    throw std::system_error(EPERM, std::generic_category(), "capabilities remain after capset");
  }
}

bool holdsAnyCapability() {
  __user_cap_data_struct data[2] = {};
  if (!capGet(data)) return true;  // cannot tell: assume the worst
  return (data[0].effective | data[1].effective | data[0].permitted | data[1].permitted |
          data[0].inheritable | data[1].inheritable) != 0;
}

}  // namespace bulkhead
