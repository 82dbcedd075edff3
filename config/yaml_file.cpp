#include "config/yaml_file.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <unordered_set>

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

// Expands one scalar the way Falco does: "${NAME}" becomes the variable's
// value (or nothing when unset), "$${" stands for a literal "${", and
// scanning stops at any other '$' or at a "${" with no closing brace.
// Unlike Falco, a value put in is not scanned again, so a variable that
// names itself cannot loop forever.
std::string expandEnv(std::string value) {
  std::size_t pos = value.find('$');
  while (pos != std::string::npos) {
    std::string_view rest = std::string_view(value).substr(pos);
    if (rest.starts_with("${")) {
      std::size_t close = rest.find('}');
      if (close == std::string_view::npos) break;
      std::string name(rest.substr(2, close - 2));
      const char* env = std::getenv(name.c_str());
      std::string put = env ? env : "";
      value.replace(pos, close + 1, put);
      pos += put.size();
    } else if (rest.starts_with("$${")) {
      if (rest.find('}') == std::string_view::npos) break;
      value.erase(pos, 1);
      pos += 1;
    } else {
      break;
    }
    pos = value.find('$', pos);
  }
  return value;
}

// Every scalar value (not key) of the tree. An aliased scalar is one node
// reached twice: its text's address tells, so it is expanded once. Depth
// and visits are bounded, as an anchor can hold itself or fan out ("billion
// laughs"); the readers report such trees later.
struct EnvWalk {
  std::unordered_set<const std::string*> done;
  std::size_t visits = 0;
};

void expandEnvVars(YAML::Node node, EnvWalk& walk, int depth) {
  if (depth > 64 || ++walk.visits > (1u << 20)) return;
  if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) expandEnvVars(it->second, walk, depth + 1);
  } else if (node.IsSequence()) {
    for (auto it = node.begin(); it != node.end(); ++it) expandEnvVars(*it, walk, depth + 1);
  } else if (node.IsScalar() && walk.done.insert(&node.Scalar()).second &&
             node.Scalar().find('$') != std::string::npos) {
    node = expandEnv(node.Scalar());
  }
}

}  // namespace

YAML::Node parseYamlFile(const std::string& path) {
  std::string content = readWholeFile(path);
  try {
    YAML::Node root = YAML::Load(content);
    EnvWalk walk;
    expandEnvVars(root, walk, 0);
    return root;
  } catch (const YAML::Exception& e) {
    std::string where = path;
    if (!e.mark.is_null()) {
      where += ':' + std::to_string(e.mark.line + 1) + ':' + std::to_string(e.mark.column + 1);
    }
    throw ConfigError(where + ": YAML syntax error: " + e.msg + "; fix the YAML at that place");
  }
}

}  // namespace bulkhead
