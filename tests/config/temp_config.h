// A scratch directory for config tests, removed with its contents on
// destruction.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "config/config.h"

namespace bulkhead::testing {

class TempConfigDir {
 public:
  TempConfigDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "bulkhead-config-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
  }
  TempConfigDir(const TempConfigDir&) = delete;
  TempConfigDir& operator=(const TempConfigDir&) = delete;
  ~TempConfigDir() {
    std::error_code ec;
    std::filesystem::permissions(dir_, std::filesystem::perms::owner_all, ec);
    std::filesystem::remove_all(dir_, ec);
  }

  const std::string& dir() const { return dir_; }

  // Writes `content` to dir/name (creating subdirectories) and returns the
  // full path.
  std::string write(const std::string& name, const std::string& content) const {
    std::filesystem::path path = std::filesystem::path(dir_) / name;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << content;
    if (!out) throw std::runtime_error("cannot write " + path.string());
    return path.string();
  }

  Config load(const std::string& content, std::span<const std::string> overrides = {}) const {
    return loadConfig(write("falco.yaml", content), overrides);
  }

  // The message of the ConfigError loading `content` throws ("" if none).
  std::string loadError(const std::string& content,
                        std::span<const std::string> overrides = {}) const {
    try {
      load(content, overrides);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }

  std::string path(const std::string& name = "falco.yaml") const {
    return (std::filesystem::path(dir_) / name).string();
  }

 private:
  std::string dir_;
};

}  // namespace bulkhead::testing
