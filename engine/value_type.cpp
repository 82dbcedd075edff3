#include "engine/value_type.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace bulkhead {

std::string_view typeName(ValueType t) {
  switch (t) {
    case ValueType::kString:
      return "string";
    case ValueType::kInt64:
      return "int64";
    case ValueType::kUint64:
      return "uint64";
    case ValueType::kBool:
      return "bool";
    case ValueType::kRelTime:
      return "reltime";
    case ValueType::kAbsTime:
      return "abstime";
    case ValueType::kIpAddr:
      return "ipaddr";
    case ValueType::kIpNet:
      return "ipnet";
    case ValueType::kBytes:
      return "bytebuf";
  }
  return "?";
}

std::optional<ValueType> fromPluginType(ss_plugin_field_type t) {
  switch (t) {
    case FTYPE_UINT64:
      return ValueType::kUint64;
    case FTYPE_STRING:
      return ValueType::kString;
    case FTYPE_RELTIME:
      return ValueType::kRelTime;
    case FTYPE_ABSTIME:
      return ValueType::kAbsTime;
    case FTYPE_BOOL:
      return ValueType::kBool;
    case FTYPE_IPADDR:
      return ValueType::kIpAddr;
    case FTYPE_IPNET:
      return ValueType::kIpNet;
  }
  return std::nullopt;
}

bool isNumeric(ValueType t) {
  return t == ValueType::kInt64 || t == ValueType::kUint64 || t == ValueType::kRelTime ||
         t == ValueType::kAbsTime;
}

namespace {

// inet_pton is pure computation on the string (no system call).
bool parseIp(std::string_view text, std::string& out) {
  std::string s(text);
  unsigned char buf[16];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) {
    out.assign(reinterpret_cast<char*>(buf), 4);
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) {
    out.assign(reinterpret_cast<char*>(buf), 16);
    return true;
  }
  return false;
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<Literal> parseLiteral(ValueType t, std::string_view text, bool hexBytes,
                                    std::string& why) {
  Literal out;
  if (hexBytes) {
    if (text.size() % 2 != 0) {
      why = "'" + std::string(text) + "' is not a hex byte string (odd number of digits)";
      return std::nullopt;
    }
    for (size_t i = 0; i < text.size(); i += 2) {
      int hi = hexDigit(text[i]), lo = hexDigit(text[i + 1]);
      if (hi < 0 || lo < 0) {
        why = "'" + std::string(text) + "' is not a hex byte string";
        return std::nullopt;
      }
      out.bytes.push_back(static_cast<char>(hi * 16 + lo));
    }
    return out;
  }
  switch (t) {
    case ValueType::kString:
    case ValueType::kBytes:
      out.bytes = std::string(text);
      return out;
    case ValueType::kUint64:
    case ValueType::kRelTime:
    case ValueType::kAbsTime: {
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out.num);
      if (text.empty() || ec != std::errc() || p != text.data() + text.size()) {
        why = "'" + std::string(text) + "' is not an unsigned integer, as a " +
              std::string(typeName(t)) + " field needs";
        return std::nullopt;
      }
      return out;
    }
    case ValueType::kInt64: {
      int64_t v = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (text.empty() || ec != std::errc() || p != text.data() + text.size()) {
        why = "'" + std::string(text) + "' is not a signed integer";
        return std::nullopt;
      }
      out.num = static_cast<uint64_t>(v);
      return out;
    }
    case ValueType::kBool:
      if (text == "true") {
        out.num = 1;
      } else if (text == "false") {
        out.num = 0;
      } else {
        why = "'" + std::string(text) + "' is not a bool (true or false)";
        return std::nullopt;
      }
      return out;
    case ValueType::kIpAddr:
      if (!parseIp(text, out.bytes)) {
        why = "'" + std::string(text) + "' is not an IP address";
        return std::nullopt;
      }
      return out;
    case ValueType::kIpNet: {
      auto slash = text.find('/');
      if (!parseIp(text.substr(0, slash), out.bytes)) {
        why = "'" + std::string(text) + "' is not an IP network (address/prefix)";
        return std::nullopt;
      }
      unsigned max = out.bytes.size() * 8;
      unsigned prefix = max;
      if (slash != std::string_view::npos) {
        auto digits = text.substr(slash + 1);
        auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
        if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size() ||
            prefix > max) {
          why = "'" + std::string(text) + "' has an invalid prefix length";
          return std::nullopt;
        }
      }
      out.prefix = static_cast<uint8_t>(prefix);
      return out;
    }
  }
  why = "unknown type";
  return std::nullopt;
}

std::string formatIp(std::string_view raw) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (raw.size() == 4) {
    inet_ntop(AF_INET, raw.data(), buf, sizeof buf);
  } else if (raw.size() == 16) {
    inet_ntop(AF_INET6, raw.data(), buf, sizeof buf);
  } else {
    return {};
  }
  return buf;
}

}  // namespace bulkhead
