// `key=value,key=value` parameter strings (open params of the test plugins).
#ifndef BULKHEAD_TESTS_PLUGINS_COMMON_OPEN_PARAMS_H_
#define BULKHEAD_TESTS_PLUGINS_COMMON_OPEN_PARAMS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace bulkhead::test_plugins {

// Splits `text` (surrounding spaces ignored; empty means no keys). Fails on
// an item without '=', an empty key or a repeated key.
std::optional<std::map<std::string, std::string>> parseKeyValues(std::string_view text,
                                                                 std::string* error);

// Looks up `key` as a decimal uint64 in [min, max]; `fallback` when absent.
// nullopt (with `error` set) when present but invalid.
std::optional<uint64_t> getU64(const std::map<std::string, std::string>& kv, const std::string& key,
                               uint64_t fallback, uint64_t min, uint64_t max, std::string* error);

}  // namespace bulkhead::test_plugins

#endif  // BULKHEAD_TESTS_PLUGINS_COMMON_OPEN_PARAMS_H_
