// Falco rule priorities, most severe first, as spelled in falco.yaml's
// `priority` key and in rules files.
#pragma once

#include <optional>
#include <string_view>

namespace bulkhead {

enum class Priority {
  kEmergency = 0,
  kAlert,
  kCritical,
  kError,
  kWarning,
  kNotice,
  kInformational,
  kDebug,
};

// Case-insensitive; accepts Falco's aliases "info" and "informational".
std::optional<Priority> parsePriority(std::string_view text) noexcept;
const char* priorityName(Priority priority) noexcept;

}  // namespace bulkhead
