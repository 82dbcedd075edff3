// plugin_get_last_error for the test plugins: the ABI keeps the answer
// valid until the next get_last_error, while a state's lastError changes on
// any failing call, so the answer is a copy held by the state.
#pragma once

#include <exception>
#include <string>

namespace bulkhead::test_plugins {

struct LastError {
  std::string text;  // set by failing calls
  std::string copy;  // what get_last_error returned last

  const char* answer() {
    try {
      copy = text;
    } catch (const std::exception&) {
      return "out of memory";
    }
    return copy.c_str();
  }
};

}  // namespace bulkhead::test_plugins
