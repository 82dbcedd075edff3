#include "engine/priority.h"

#include <iterator>

namespace bulkhead {

namespace {

constexpr std::string_view kNames[] = {"Emergency", "Alert",         "Critical", "Error",
                                       "Warning",   "Notice",        "Informational", "Debug"};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto l = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
    if (l(a[i]) != l(b[i])) return false;
  }
  return true;
}

}  // namespace

std::optional<Priority> parsePriority(std::string_view text) {
  for (size_t i = 0; i < std::size(kNames); ++i) {
    if (iequals(text, kNames[i])) return static_cast<Priority>(i);
  }
  if (iequals(text, "info")) return Priority::kInformational;
  return std::nullopt;
}

std::string_view priorityName(Priority p) { return kNames[static_cast<size_t>(p)]; }

}  // namespace bulkhead
