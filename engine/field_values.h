// Where the evaluator and the output renderer read field values from.
//
// A small interface so that the values may come from PluginHost::extract()
// results (BatchValues) or from any other table of values per event.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace bulkhead {

// One value: numbers and bools in u64, strings, byte buffers and addresses
// in bytes. The view is valid as long as the source it came from.
struct Value {
  uint64_t u64 = 0;
  std::string_view bytes;
};

class FieldValueSource {
 public:
  virtual ~FieldValueSource() = default;
  // How many values `slot` has for event `event`; 0 means "no value".
  virtual size_t count(size_t event, uint32_t slot) const = 0;
  // Value `i` < count(event, slot).
  virtual Value at(size_t event, uint32_t slot, size_t i) const = 0;
};

}  // namespace bulkhead
