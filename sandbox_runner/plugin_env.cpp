#include "sandbox_runner/plugin_env.h"

#include <cstring>
#include <stdexcept>

namespace bulkhead {
namespace {

void checkName(const std::string& name) {
  if (name.empty() || name.find('=') != std::string::npos || name.find('\0') != std::string::npos) {
    throw std::invalid_argument("invalid environment variable name '" + name + "'");
  }
}

}  // namespace

std::vector<std::string> defaultPluginEnvironment() {
  return {"GODEBUG=madvdontneed=1", "GOMAXPROCS=1", "GOTRACEBACK=single", "LANG=C.UTF-8",
          "MALLOC_ARENA_MAX=2"};
}

std::vector<std::string> buildPluginEnvironment(const PluginEnvironmentConfig& config,
                                                char** environ) {
  std::map<std::string, std::string> vars;
  for (const auto& kv : defaultPluginEnvironment()) {
    const size_t eq = kv.find('=');
    vars[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& name : config.passThrough) {
    checkName(name);
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
      if (std::strncmp(*e, name.c_str(), name.size()) == 0 && (*e)[name.size()] == '=') {
        vars[name] = *e + name.size() + 1;
        break;
      }
    }
  }
  for (const auto& [name, value] : config.set) {
    checkName(name);
    if (value.find('\0') != std::string::npos) {
      throw std::invalid_argument("environment variable " + name + " holds a NUL byte");
    }
    vars[name] = value;
  }
  std::vector<std::string> out;
  out.reserve(vars.size());
  for (const auto& [name, value] : vars) out.push_back(name + "=" + value);
  return out;
}

std::vector<char*> toEnvp(std::vector<std::string>& env) {
  std::vector<char*> out;
  out.reserve(env.size() + 1);
  for (auto& s : env) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace bulkhead
