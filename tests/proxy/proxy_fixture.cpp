#include "tests/proxy/proxy_fixture.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include <gtest/gtest.h>

#include "supervisor/wrap_command.h"
#include "tests/supervisor/test_services.h"

namespace bulkhead::testing {

namespace fs = std::filesystem;

namespace {

const fs::path& root() {
  static const fs::path r = [] {
    fs::path p = fs::temp_directory_path() / ("bulkhead_proxy_test_" + std::to_string(::getpid()));
    fs::create_directories(p);
    return p;
  }();
  return r;
}

// Removes the scratch folder when the test binary ends.
class ScratchCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root(), ec);
  }
};
[[maybe_unused]] ::testing::Environment* const kCleanup =
    ::testing::AddGlobalTestEnvironment(new ScratchCleanup);

}  // namespace

std::string scratchDir(const std::string& name) {
  const fs::path p = root() / name;
  fs::create_directories(p);
  return p.string();
}

std::string wrappedPlugin(const std::string& plugin, const std::string& settings) {
  static std::mutex mu;
  static std::map<std::string, std::string> made;
  const std::lock_guard<std::mutex> lock(mu);
  const std::string key = plugin + '\0' + settings;
  auto it = made.find(key);
  if (it != made.end()) return it->second;
  const std::string dir = scratchDir("copy" + std::to_string(made.size()));
  WrapRequest req;
  req.plugin = plugin;
  req.output = dir + "/lib" + fs::path(plugin).stem().string() + "-proxy.so";
  req.proxyLibrary = BULKHEAD_BINARY_DIR "/libbulkhead_proxy.so";
  if (!settings.empty()) {
    req.settingsFile = dir + "/settings.yaml";
    std::ofstream(req.settingsFile) << settings;
  }
  wrapPlugin(req, testServices());
  made.emplace(key, req.output);
  return req.output;
}

}  // namespace bulkhead::testing
