// The first two layers: the runner dies with its supervisor and holds no fd
// beyond the ones handed to it explicitly.
#pragma once

#include <sys/types.h>

#include <span>

namespace bulkhead {

// Closes every fd of the process except those in `keep` (any order,
// duplicates and negative values ignored), stdin/stdout/stderr included
// unless listed. Uses close_range(2) over the gaps between kept fds; falls
// back to walking /proc/self/fd on kernels without it. Throws
// std::system_error when neither works.
void closeAllFdsExcept(std::span<const int> keep);

// The fallback closeAllFdsExcept() takes on kernels before 5.9: lists
// /proc/self/fd first, then closes. Public so that it is tested on kernels
// that have close_range.
void closeAllFdsExceptByListing(std::span<const int> keep);

// Asks the kernel to send `signal` when the parent thread exits, then
// checks that the parent is still `expectedParent`: if it died before the
// prctl, no signal would ever come. Returns false in that case so the caller
// exits. Throws std::system_error when prctl fails.
// The kernel clears this setting whenever the process's credentials change,
// so dropPrivileges() re-arms it.
[[nodiscard]] bool setParentDeathSignal(int signal, pid_t expectedParent);

}  // namespace bulkhead
