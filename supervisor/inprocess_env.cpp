#include "supervisor/inprocess_env.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <string_view>

#include <spdlog/spdlog.h>

#include "plugin_api/visible_text.h"

namespace bulkhead {
namespace {

bool present(char** environ, const std::string& name) {
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry(*e);
    if (entry.size() > name.size() && entry.substr(0, name.size()) == name &&
        entry[name.size()] == '=') {
      return true;
    }
  }
  return false;
}

}  // namespace

InProcessEnv inProcessEnv(const Config& config, char** environ) {
  InProcessEnv out;
  // name -> (value, the plugin that asked first)
  std::map<std::string, std::pair<std::string, std::string>> wanted;
  for (const PluginConfig& p : config.plugins) {
    if (p.isolation.mode != IsolationMode::kInProcess) continue;
    for (const auto& [name, value] : p.isolation.env) {
      if (present(environ, name)) continue;
      auto [it, inserted] = wanted.emplace(name, std::make_pair(value, p.name));
      if (!inserted && it->second.first != value) {
        out.warnings.push_back(
            "in-process plugins share one environment: plugin '" +
            visibleText(p.name, kShownNameBytes) + "' asks for " + name + "=" +
            visibleText(value, kShownNameBytes) + ", plugin '" +
            visibleText(it->second.second, kShownNameBytes) + "' asked first for " +
            visibleText(it->second.first, kShownNameBytes) + ", which holds");
      }
    }
  }
  for (const auto& [name, v] : wanted) out.add.push_back(name + "=" + v.first);
  return out;
}

void startWithInProcessEnv(char** argv, const InProcessEnv& env) {
  if (env.add.empty()) return;
  std::vector<char*> envp;
  for (char** e = ::environ; e != nullptr && *e != nullptr; ++e) envp.push_back(*e);
  std::vector<std::string> add = env.add;
  for (std::string& a : add) envp.push_back(a.data());
  envp.push_back(nullptr);
  ::execve("/proc/self/exe", argv, envp.data());
  spdlog::warn("in-process plugins run without their isolation.env defaults: starting bulkhead "
               "again with them failed: {}",
               std::strerror(errno));
}

}  // namespace bulkhead
