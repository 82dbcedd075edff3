// Value types of fields and the conversion of condition literals to them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "plugin_api/plugin_api.h"

namespace bulkhead {

enum class ValueType : uint8_t {
  kString,
  kInt64,
  kUint64,
  kBool,
  kRelTime,  // nanoseconds
  kAbsTime,  // nanoseconds since the epoch
  kIpAddr,   // 4 or 16 raw bytes, network order
  kIpNet,    // field values are addresses; literals are networks (CIDR)
  kBytes,
};

std::string_view typeName(ValueType t);
// The type of a plugin field; nullopt for a code the ABI does not define.
std::optional<ValueType> fromPluginType(ss_plugin_field_type t);
bool isNumeric(ValueType t);

// A literal converted to the type of the field it is compared with.
// Numbers and bools live in `num` (int64 as its two's complement); strings,
// byte buffers and addresses in `bytes`; a network's prefix length in `prefix`.
struct Literal {
  uint64_t num = 0;
  std::string bytes;
  uint8_t prefix = 0;

  bool operator==(const Literal&) const = default;
};

// Converts `text` for a field of type `t`. For the byte operators
// (bcontains, bstartswith) `hexBytes` asks for the text to be read as hex
// pairs. Returns nullopt and sets `why` when the text does not fit the type.
std::optional<Literal> parseLiteral(ValueType t, std::string_view text, bool hexBytes,
                                    std::string& why);

// Textual form of an address (4 or 16 bytes); empty for any other length.
std::string formatIp(std::string_view raw);

}  // namespace bulkhead
