// Semantic versions as the plugin framework reads them: "X.Y.Z", three
// unsigned integers, anything after the patch number ignored (it reads them
// with sscanf("%u.%u.%u")).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bulkhead {

struct SemVer {
  uint32_t major = 0;
  uint32_t minor = 0;
  uint32_t patch = 0;

  static std::optional<SemVer> parse(std::string_view text);
  // Exactly "X.Y.Z" in decimal digits, nothing before or after: for
  // versions written in rules files, where a typo must not pass.
  static std::optional<SemVer> parseStrict(std::string_view text);
  std::string str() const;
  auto operator<=>(const SemVer&) const = default;
};

// The framework accepts a plugin that requires `required` when the majors are
// equal and (minor, patch) of `provided` is at least the required one. The
// same rule serves required_plugin_versions and required_engine_version.
bool isCompatible(const SemVer& provided, const SemVer& required);

// The plugin API version this framework implements.
SemVer frameworkApiVersion();

}  // namespace bulkhead
