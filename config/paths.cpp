#include "config/paths.h"

#include <filesystem>

namespace bulkhead {
namespace {

std::string withoutTrailingSlash(const std::filesystem::path& p) {
  std::string s = p.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

std::string absoluteUnder(std::string_view base, std::string_view path) {
  std::filesystem::path p(path);
  if (p.is_relative()) p = std::filesystem::path(base) / p;
  return withoutTrailingSlash(p.lexically_normal());
}

std::optional<std::string> resolveInside(std::string_view dir, std::string_view path) {
  std::filesystem::path p(path);
  if (p.is_absolute()) return withoutTrailingSlash(p.lexically_normal());
  std::filesystem::path normal = p.lexically_normal();
  if (normal.empty() || normal == ".") return std::nullopt;
  if (*normal.begin() == "..") return std::nullopt;
  return withoutTrailingSlash((std::filesystem::path(dir) / normal).lexically_normal());
}

std::string parentDir(std::string_view file) {
  return withoutTrailingSlash(std::filesystem::path(file).lexically_normal().parent_path());
}

bool hasControlChar(std::string_view text) noexcept {
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

}  // namespace bulkhead
