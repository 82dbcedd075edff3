// Storage for extract_fields results.
//
// The ABI lets the framework read every result of one extract_fields call
// until the next call on the same state, and one call may carry several
// fields. Slots live in deques (stable addresses while later fields are
// added) and are reused across calls, so steady-state extraction does not
// allocate.
#ifndef BULKHEAD_TESTS_PLUGINS_COMMON_EXTRACT_RESULTS_H_
#define BULKHEAD_TESTS_PLUGINS_COMMON_EXTRACT_RESULTS_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "plugin_api/plugin_api.h"

namespace bulkhead::test_plugins {

class ExtractResults {
 public:
  // Releases the previous call's values for reuse; call once at the start of
  // extract_fields.
  void reset();

  void setNone(ss_plugin_extract_field* f);
  void setString(ss_plugin_extract_field* f, std::string_view value);
  void setStrings(ss_plugin_extract_field* f, const std::vector<std::string>& values);
  void setU64(ss_plugin_extract_field* f, uint64_t value);
  void setU64s(ss_plugin_extract_field* f, const std::vector<uint64_t>& values);
  void setBool(ss_plugin_extract_field* f, bool value);
  void setBools(ss_plugin_extract_field* f, const std::vector<bool>& values);
  void setBuffer(ss_plugin_extract_field* f, std::string_view bytes);

 private:
  // The next free slot of `pool`, growing it when every slot is in use.
  template <typename T>
  static T& take(std::deque<T>* pool, size_t* used) {
    if (*used == pool->size()) pool->emplace_back();
    return (*pool)[(*used)++];
  }

  std::deque<std::string> strings_;
  std::deque<std::vector<const char*>> stringArrays_;
  std::deque<std::vector<uint64_t>> u64Arrays_;
  std::deque<std::vector<ss_plugin_bool>> boolArrays_;
  std::deque<ss_plugin_byte_buffer> buffers_;
  size_t usedStrings_ = 0;
  size_t usedStringArrays_ = 0;
  size_t usedU64Arrays_ = 0;
  size_t usedBoolArrays_ = 0;
  size_t usedBuffers_ = 0;
};

}  // namespace bulkhead::test_plugins

#endif  // BULKHEAD_TESTS_PLUGINS_COMMON_EXTRACT_RESULTS_H_
