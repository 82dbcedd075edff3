#include "shm_ring/shared_region.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <boost/interprocess/exceptions.hpp>
#include <stdexcept>
#include <string>
#include <system_error>

namespace bulkhead {
namespace {

constexpr int kRequiredSeals = F_SEAL_SHRINK | F_SEAL_GROW;

// Boost.Interprocess maps "memory mappable" objects; it has no class for an
// fd received from elsewhere, so this adapter presents the memfd as one. The
// mapping handle type is Boost's own (ipcdetail): a plain fd on POSIX.
class MemfdMappable {
 public:
  explicit MemfdMappable(int fd) noexcept : fd_(fd) {}
  boost::interprocess::mapping_handle_t get_mapping_handle() const noexcept {
    return boost::interprocess::ipcdetail::mapping_handle_from_file_handle(fd_);
  }

 private:
  int fd_;
};

}  // namespace

SharedRegion::SharedRegion(UniqueFd fd, std::size_t size) : fd_(std::move(fd)) {
  try {
    region_ = boost::interprocess::mapped_region(MemfdMappable(fd_.get()),
                                                 boost::interprocess::read_write, 0, size);
  } catch (const boost::interprocess::interprocess_exception& e) {
    throw std::system_error(e.get_native_error(), std::generic_category(),
                            std::string("mmap of shared region: ") + e.what());
  }
}

SharedRegion SharedRegion::create(const char* name, std::size_t size) {
  if (size == 0) throw std::invalid_argument("shared region: size 0");
  UniqueFd fd(sysCall("memfd_create",
                      [&] { return ::memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING); }));
  sysCall("ftruncate(memfd)", [&] { return ::ftruncate(fd.get(), static_cast<off_t>(size)); });
  sysCall("fcntl(F_ADD_SEALS)",
          [&] { return ::fcntl(fd.get(), F_ADD_SEALS, kRequiredSeals | F_SEAL_SEAL); });
  return SharedRegion(std::move(fd), size);
}

SharedRegion SharedRegion::attach(UniqueFd fd, std::size_t expectedSize) {
  const int seals = sysCall("fcntl(F_GET_SEALS)", [&] { return ::fcntl(fd.get(), F_GET_SEALS); });
  if ((seals & kRequiredSeals) != kRequiredSeals) {
    throw std::system_error(EPERM, std::generic_category(),
                            "shared region: memfd lacks F_SEAL_SHRINK|F_SEAL_GROW");
  }
  struct stat st {};
  sysCall("fstat(memfd)", [&] { return ::fstat(fd.get(), &st); });
  if (st.st_size < 0 || static_cast<std::size_t>(st.st_size) != expectedSize) {
    throw std::system_error(EINVAL, std::generic_category(),
                            "shared region: memfd is " + std::to_string(st.st_size) +
                                " bytes, expected " + std::to_string(expectedSize));
  }
  return SharedRegion(std::move(fd), expectedSize);
}

}  // namespace bulkhead
