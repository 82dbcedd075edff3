// Reading the sequence number of a counter event payload ({"seq":N,...}).
#ifndef BULKHEAD_TESTS_PLUGINS_COMMON_COUNTER_PAYLOAD_H_
#define BULKHEAD_TESTS_PLUGINS_COMMON_COUNTER_PAYLOAD_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace bulkhead::test_plugins {

// The "seq" member of a counter payload. Tries the fixed prefix counter
// writes first (benchmarks extract this field per event), then a full parse.
std::optional<uint64_t> counterSeq(std::string_view payload);

}  // namespace bulkhead::test_plugins

#endif  // BULKHEAD_TESTS_PLUGINS_COMMON_COUNTER_PAYLOAD_H_
