#include "config/priority.h"

#include <array>
#include <cctype>
#include <utility>

namespace bulkhead {
namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

constexpr std::array<std::pair<std::string_view, Priority>, 9> kNames = {{
    {"emergency", Priority::kEmergency},
    {"alert", Priority::kAlert},
    {"critical", Priority::kCritical},
    {"error", Priority::kError},
    {"warning", Priority::kWarning},
    {"notice", Priority::kNotice},
    {"informational", Priority::kInformational},
    {"info", Priority::kInformational},
    {"debug", Priority::kDebug},
}};

}  // namespace

std::optional<Priority> parsePriority(std::string_view text) noexcept {
  for (const auto& [name, value] : kNames) {
    if (equalsIgnoreCase(text, name)) return value;
  }
  return std::nullopt;
}

const char* priorityName(Priority priority) noexcept {
  for (const auto& [name, value] : kNames) {
    if (value == priority) return name.data();
  }
  return "unknown";
}

}  // namespace bulkhead
