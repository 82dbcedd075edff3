#include "tests/plugins/common/counter_payload.h"

#include "tests/plugins/common/json_lite.h"

namespace bulkhead::test_plugins {

std::optional<uint64_t> counterSeq(std::string_view payload) {
  constexpr std::string_view kLead = "{\"seq\":";
  if (payload.substr(0, kLead.size()) == kLead) {
    const std::string_view rest = payload.substr(kLead.size());
    const size_t end = rest.find_first_not_of("0123456789");
    if (end != 0 && end != std::string_view::npos && (rest[end] == ',' || rest[end] == '}')) {
      return parseDecimalU64(rest.substr(0, end));
    }
  }
  const auto doc = JsonDocument::parse(payload);
  if (!doc) return std::nullopt;
  const JsonValue* v = doc->root().member("seq");
  if (v == nullptr || v->kind != JsonValue::Kind::kNumber) return std::nullopt;
  return parseDecimalU64(doc->raw(*v));
}

}  // namespace bulkhead::test_plugins
