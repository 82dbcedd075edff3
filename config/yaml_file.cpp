#include "config/yaml_file.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "config/config_error.h"
#include "shm_ring/unique_fd.h"

namespace bulkhead {
namespace {

[[noreturn]] void fileError(const std::string& path, const std::string& what) {
  throw ConfigError(path + ": " + what);
}

std::string readWholeFile(const std::string& path) {
  // O_NONBLOCK keeps a FIFO named as config file from blocking the open.
  UniqueFd fd(
      sysCallNoThrow([&] { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK); }));
  if (!fd) {
    int err = errno;
    if (err == ENOENT) fileError(path, "configuration file not found; check the path");
    fileError(path, std::string("cannot open configuration file: ") + std::strerror(err) +
                        "; check the path and its permissions");
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    fileError(path, std::string("cannot stat configuration file: ") + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) fileError(path, "is a directory, not a configuration file");
  if (!S_ISREG(st.st_mode)) fileError(path, "is not a regular file");
  if (static_cast<std::size_t>(st.st_size) > kMaxConfigFileBytes) {
    fileError(path, "configuration file is larger than " +
                        std::to_string(kMaxConfigFileBytes >> 20) + " MiB");
  }
  std::string content;
  char buffer[65536];
  for (;;) {
    ssize_t n = sysCallNoThrow([&] { return ::read(fd.get(), buffer, sizeof buffer); });
    if (n < 0) {
      fileError(path, std::string("cannot read configuration file: ") + std::strerror(errno));
    }
    if (n == 0) break;
    content.append(buffer, static_cast<std::size_t>(n));
    if (content.size() > kMaxConfigFileBytes) {
      fileError(path, "configuration file is larger than " +
                          std::to_string(kMaxConfigFileBytes >> 20) + " MiB");
    }
  }
  return content;
}

}  // namespace

YAML::Node parseYamlFile(const std::string& path) {
  std::string content = readWholeFile(path);
  try {
    return YAML::Load(content);
  } catch (const YAML::Exception& e) {
    std::string where = path;
    if (!e.mark.is_null()) {
      where += ':' + std::to_string(e.mark.line + 1) + ':' + std::to_string(e.mark.column + 1);
    }
    throw ConfigError(where + ": YAML syntax error: " + e.msg + "; fix the YAML at that place");
  }
}

}  // namespace bulkhead
