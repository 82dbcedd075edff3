#include "tests/plugins/common/extract_results.h"

namespace bulkhead::test_plugins {

void ExtractResults::reset() {
  usedStrings_ = 0;
  usedStringArrays_ = 0;
  usedU64Arrays_ = 0;
  usedBoolArrays_ = 0;
  usedBuffers_ = 0;
}

void ExtractResults::setNone(ss_plugin_extract_field* f) {
  f->res.str = nullptr;
  f->res_len = 0;
}

void ExtractResults::setString(ss_plugin_extract_field* f, std::string_view value) {
  std::string& s = take(&strings_, &usedStrings_);
  s.assign(value.data(), value.size());
  auto& ptrs = take(&stringArrays_, &usedStringArrays_);
  ptrs.assign(1, s.c_str());
  f->res.str = ptrs.data();
  f->res_len = 1;
}

void ExtractResults::setStrings(ss_plugin_extract_field* f,
                                const std::vector<std::string>& values) {
  auto& ptrs = take(&stringArrays_, &usedStringArrays_);
  ptrs.clear();
  for (const auto& v : values) {
    std::string& s = take(&strings_, &usedStrings_);
    s = v;
    ptrs.push_back(s.c_str());
  }
  f->res.str = ptrs.data();
  f->res_len = ptrs.size();
}

void ExtractResults::setU64(ss_plugin_extract_field* f, uint64_t value) {
  auto& arr = take(&u64Arrays_, &usedU64Arrays_);
  arr.assign(1, value);
  f->res.u64 = arr.data();
  f->res_len = 1;
}

void ExtractResults::setU64s(ss_plugin_extract_field* f, const std::vector<uint64_t>& values) {
  auto& arr = take(&u64Arrays_, &usedU64Arrays_);
  arr = values;
  f->res.u64 = arr.data();
  f->res_len = arr.size();
}

void ExtractResults::setBool(ss_plugin_extract_field* f, bool value) {
  auto& arr = take(&boolArrays_, &usedBoolArrays_);
  arr.assign(1, value ? 1 : 0);
  f->res.boolean = arr.data();
  f->res_len = 1;
}

void ExtractResults::setBools(ss_plugin_extract_field* f, const std::vector<bool>& values) {
  auto& arr = take(&boolArrays_, &usedBoolArrays_);
  arr.clear();
  for (bool v : values) arr.push_back(v ? 1 : 0);
  f->res.boolean = arr.data();
  f->res_len = arr.size();
}

void ExtractResults::setBuffer(ss_plugin_extract_field* f, std::string_view bytes) {
  std::string& owned = take(&strings_, &usedStrings_);
  owned.assign(bytes.data(), bytes.size());
  ss_plugin_byte_buffer& buf = take(&buffers_, &usedBuffers_);
  buf.len = static_cast<uint32_t>(owned.size());
  buf.ptr = owned.data();
  f->res.buf = &buf;
  f->res_len = 1;
}

}  // namespace bulkhead::test_plugins
