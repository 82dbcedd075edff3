#include "sandbox_runner/landlock.h"

#include <fcntl.h>
#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "shm_ring/unique_fd.h"

namespace bulkhead {
namespace {

// Newer rights than the installed uapi header may know; values are ABI.
constexpr uint64_t kTruncate = 1ULL << 14;   // ABI 3
constexpr uint64_t kIoctlDev = 1ULL << 15;   // ABI 5
constexpr uint64_t kNetBindTcp = 1ULL << 0;  // ABI 4
constexpr uint64_t kNetConnectTcp = 1ULL << 1;
constexpr uint64_t kScopeAbstractUnix = 1ULL << 0;  // ABI 6
constexpr uint64_t kScopeSignal = 1ULL << 1;

// The ruleset attribute grew with the ABI; the kernel takes the size we pass.
struct RulesetAttr {
  uint64_t handledAccessFs;
  uint64_t handledAccessNet;
  uint64_t scoped;
};

struct PathBeneathAttr {
  uint64_t allowedAccess;
  int32_t parentFd;
} __attribute__((packed));
static_assert(sizeof(PathBeneathAttr) == 12, "landlock_path_beneath_attr is packed");

constexpr uint64_t kFsAbi1 =
    LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |
    LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
    LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
    LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
    LANDLOCK_ACCESS_FS_MAKE_SYM;
constexpr uint64_t kFileRights = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
                                 LANDLOCK_ACCESS_FS_READ_FILE | kTruncate | kIoctlDev;
constexpr uint64_t kReadRights = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
constexpr uint64_t kWriteRights = kReadRights | LANDLOCK_ACCESS_FS_WRITE_FILE | kTruncate |
                                  LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
                                  LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_DIR;

uint64_t handledFs(int abi) {
  uint64_t fs = kFsAbi1;
  if (abi >= 2) fs |= LANDLOCK_ACCESS_FS_REFER;
  if (abi >= 3) fs |= kTruncate;
  if (abi >= 5) fs |= kIoctlDev;
  return fs;
}

// Adds one path; returns false (with `skipped` appended) when it cannot.
bool addPath(int ruleset, const std::string& path, uint64_t rights, uint64_t handled,
             std::string& skipped) {
  UniqueFd fd(::open(path.c_str(), O_PATH | O_CLOEXEC));
  struct stat st {};
  if (!fd || ::fstat(fd.get(), &st) != 0) {
    skipped += (skipped.empty() ? "" : ", ") + path + " (" + std::strerror(errno) + ")";
    return false;
  }
  // Directory-only rights are rejected with EINVAL on files.
  if (!S_ISDIR(st.st_mode)) rights &= kFileRights;
  PathBeneathAttr attr{rights & handled, fd.get()};
  if (::syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &attr, 0) != 0) {
    skipped += (skipped.empty() ? "" : ", ") + path + " (" + std::strerror(errno) + ")";
    return false;
  }
  return true;
}

}  // namespace

int landlockAbiVersion() noexcept {
  long v = ::syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return v < 0 ? 0 : static_cast<int>(v);
}

LayerStatus applyLandlock(const LandlockRules& rules) {
  const int abi = landlockAbiVersion();
  if (abi == 0) {
    return {"landlock", LayerState::kUnavailable,
            std::string("kernel without Landlock or with it disabled: ") + std::strerror(errno)};
  }
  RulesetAttr attr{handledFs(abi), 0, 0};
  size_t attrSize = sizeof(uint64_t);
  std::string notes;
  if (!rules.allowNetwork) {
    if (abi >= 4) {
      attr.handledAccessNet = kNetBindTcp | kNetConnectTcp;
      attrSize = 2 * sizeof(uint64_t);
    } else {
      notes += "; TCP not restricted (needs ABI 4)";
    }
  }
  if (abi >= 6) {
    // Signals to processes outside the sandbox are refused (the supervisor,
    // other runners); abstract unix sockets too unless network is allowed.
    attr.scoped = kScopeSignal | (rules.allowNetwork ? 0 : kScopeAbstractUnix);
    attrSize = sizeof(RulesetAttr);
  } else {
    notes += "; signal scoping needs ABI 6";
  }
  UniqueFd ruleset(static_cast<int>(::syscall(SYS_landlock_create_ruleset, &attr, attrSize, 0)));
  if (!ruleset) {
    return {"landlock", LayerState::kFailed,
            std::string("landlock_create_ruleset: ") + std::strerror(errno)};
  }
  std::string skipped;
  for (const auto& p : rules.readPaths)
    addPath(ruleset.get(), p, kReadRights, attr.handledAccessFs, skipped);
  for (const auto& p : rules.writePaths)
    addPath(ruleset.get(), p, kWriteRights, attr.handledAccessFs, skipped);

  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return {"landlock", LayerState::kFailed, std::string("no_new_privs: ") + std::strerror(errno)};
  }
  if (::syscall(SYS_landlock_restrict_self, ruleset.get(), 0) != 0) {
    return {"landlock", LayerState::kFailed,
            std::string("landlock_restrict_self: ") + std::strerror(errno)};
  }
  std::string detail = "ABI " + std::to_string(abi) + notes;
  if (!skipped.empty()) detail += "; skipped: " + skipped;
  return {"landlock", abi >= 6 ? LayerState::kApplied : LayerState::kPartial, detail};
}

}  // namespace bulkhead
