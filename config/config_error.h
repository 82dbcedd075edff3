// ConfigError: the one error type of the loading layer for falco.yaml.
// Its message always starts with where the problem is ("file:line:column",
// 1-based, or "-o 'key=value'" for a command-line override) and ends with
// what to change, so it can be shown to the user as is.
#pragma once

#include <stdexcept>
#include <string>

namespace bulkhead {

class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace bulkhead
