// Direct dlopen/dlsym access to a built test plugin, for the smoke tests.
#ifndef BULKHEAD_TESTS_PLUGINS_PLUGIN_LIBRARY_H_
#define BULKHEAD_TESTS_PLUGINS_PLUGIN_LIBRARY_H_

#include <dlfcn.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "plugin_api/plugin_api.h"

namespace bulkhead::test_plugins {

inline std::string pluginPath(std::string_view name) {
  return std::string(BULKHEAD_TEST_PLUGIN_DIR) + "/lib" + std::string(name) + ".so";
}

class PluginLibrary {
 public:
  explicit PluginLibrary(std::string_view name) : path_(pluginPath(name)) {
    handle_ = dlopen(path_.c_str(), RTLD_LOCAL | RTLD_NOW);
    if (handle_ == nullptr) throw std::runtime_error("dlopen " + path_ + ": " + dlerror());
  }
  ~PluginLibrary() {
    if (handle_ != nullptr) dlclose(handle_);
  }
  PluginLibrary(const PluginLibrary&) = delete;
  PluginLibrary& operator=(const PluginLibrary&) = delete;

  void* raw(const char* symbol) const { return dlsym(handle_, symbol); }

  // The symbol `plugin_<name>` as a function pointer, or nullptr.
  template <typename Fn>
  Fn fn(std::string_view name) const {
    return reinterpret_cast<Fn>(raw(("plugin_" + std::string(name)).c_str()));
  }

  // Like fn() but throws when the symbol is absent.
  template <typename Fn>
  Fn require(std::string_view name) const {
    Fn f = fn<Fn>(name);
    if (f == nullptr) throw std::runtime_error(path_ + " lacks plugin_" + std::string(name));
    return f;
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  void* handle_ = nullptr;
};

}  // namespace bulkhead::test_plugins

#endif  // BULKHEAD_TESTS_PLUGINS_PLUGIN_LIBRARY_H_
