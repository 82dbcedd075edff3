// libFuzzer target: the input is a falco.yaml, optionally followed by a NUL
// byte and newline-separated -o overrides. loadConfig must load it or throw
// ConfigError; anything else (another exception, a crash, a sanitizer
// report, a hang) is a finding.
#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "config/config.h"

namespace {

const std::string& scratchFile() {
  static const std::string path = [] {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "bulkhead-config-fuzz-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    static const std::string dir = pattern;
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    });
    return pattern + "/falco.yaml";
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  spdlog::set_level(spdlog::level::off);
  std::string input(reinterpret_cast<const char*>(data), size);
  std::size_t split = input.find('\0');
  std::vector<std::string> overrides;
  if (split != std::string::npos) {
    std::string rest = input.substr(split + 1);
    input.resize(split);
    for (std::size_t start = 0; start <= rest.size();) {
      std::size_t end = rest.find('\n', start);
      if (end == std::string::npos) end = rest.size();
      overrides.push_back(rest.substr(start, end - start));
      start = end + 1;
    }
  }
  {
    std::ofstream out(scratchFile(), std::ios::binary | std::ios::trunc);
    out << input;
  }
  try {
    bulkhead::loadConfig(scratchFile(), overrides);
  } catch (const bulkhead::ConfigError&) {
  }
  return 0;
}
