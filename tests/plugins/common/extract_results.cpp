#include "extract_results.h"

#include <utility>

namespace bulkhead::test_plugins {

void ExtractResults::reset() {
  strings_.clear();
  stringArrays_.clear();
  u64Arrays_.clear();
  boolArrays_.clear();
  buffers_.clear();
}

void ExtractResults::setNone(ss_plugin_extract_field* f) {
  f->res.str = nullptr;
  f->res_len = 0;
}

void ExtractResults::setString(ss_plugin_extract_field* f, std::string value) {
  std::vector<std::string> one;
  one.push_back(std::move(value));
  setStrings(f, std::move(one));
}

void ExtractResults::setStrings(ss_plugin_extract_field* f, std::vector<std::string> values) {
  auto& ptrs = stringArrays_.emplace_back();
  ptrs.reserve(values.size());
  for (auto& v : values) ptrs.push_back(strings_.emplace_back(std::move(v)).c_str());
  f->res.str = ptrs.data();
  f->res_len = ptrs.size();
}

void ExtractResults::setU64(ss_plugin_extract_field* f, uint64_t value) { setU64s(f, {value}); }

void ExtractResults::setU64s(ss_plugin_extract_field* f, const std::vector<uint64_t>& values) {
  auto& arr = u64Arrays_.emplace_back(values);
  f->res.u64 = arr.data();
  f->res_len = arr.size();
}

void ExtractResults::setBool(ss_plugin_extract_field* f, bool value) { setBools(f, {value}); }

void ExtractResults::setBools(ss_plugin_extract_field* f, const std::vector<bool>& values) {
  auto& arr = boolArrays_.emplace_back();
  for (bool v : values) arr.push_back(v ? 1 : 0);
  f->res.boolean = arr.data();
  f->res_len = arr.size();
}

void ExtractResults::setBuffer(ss_plugin_extract_field* f, std::string bytes) {
  const std::string& owned = strings_.emplace_back(std::move(bytes));
  auto& buf = buffers_.emplace_back();
  buf.len = static_cast<uint32_t>(owned.size());
  buf.ptr = owned.data();
  f->res.buf = &buf;
  f->res_len = 1;
}

}  // namespace bulkhead::test_plugins
