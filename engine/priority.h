// Falco's rule priorities, most severe first. One definition serves the
// rules loader and the config's minimum `priority`.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace bulkhead {

enum class Priority : uint8_t {
  kEmergency,
  kAlert,
  kCritical,
  kError,
  kWarning,
  kNotice,
  kInformational,
  kDebug,
};

// Case-insensitive; "info" is accepted for informational, as Falco does.
std::optional<Priority> parsePriority(std::string_view text);
std::string_view priorityName(Priority p);  // "Emergency", ..., "Debug"

}  // namespace bulkhead
