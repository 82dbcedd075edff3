#include "sandbox_runner/fd_closer.h"

#include <dirent.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <system_error>
#include <vector>

#include "shm_ring/unique_fd.h"

namespace bulkhead {
namespace {

int closeRange(unsigned first, unsigned last) {
  return static_cast<int>(::syscall(SYS_close_range, first, last, 0u));
}

std::vector<int> sortedKeep(std::span<const int> keep) {
  std::vector<int> sorted;
  for (int fd : keep) {
    if (fd >= 0) sorted.push_back(fd);
  }
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  return sorted;
}

// Collects the open fds first, then closes: closing while iterating the
// directory would close the directory's own fd.
void closeByListing(const std::vector<int>& keep) {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr)
    throw std::system_error(errno, std::generic_category(), "opendir /proc/self/fd");
  const int own = ::dirfd(dir);
  std::vector<int> open;
  while (dirent* e = ::readdir(dir)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    int fd = std::atoi(e->d_name);
    if (fd != own) open.push_back(fd);
  }
  ::closedir(dir);
  for (int fd : open) {
    if (!std::binary_search(keep.begin(), keep.end(), fd)) ::close(fd);
  }
}

}  // namespace

void closeAllFdsExceptByListing(std::span<const int> keep) { closeByListing(sortedKeep(keep)); }

void closeAllFdsExcept(std::span<const int> keep) {
  const std::vector<int> sorted = sortedKeep(keep);

  unsigned first = 0;
  bool ok = true;
  for (int fd : sorted) {
    const unsigned k = static_cast<unsigned>(fd);
    if (k > first && closeRange(first, k - 1) != 0) {
      ok = false;
      break;
    }
    first = k + 1;
  }
  if (ok && closeRange(first, UINT_MAX) == 0) return;
  if (errno != ENOSYS) throw std::system_error(errno, std::generic_category(), "close_range");
  closeByListing(sorted);
}

bool setParentDeathSignal(int signal, pid_t expectedParent) {
  sysCall("prctl(PR_SET_PDEATHSIG)", [&] { return ::prctl(PR_SET_PDEATHSIG, signal, 0, 0, 0); });
  return ::getppid() == expectedParent;
}

}  // namespace bulkhead
