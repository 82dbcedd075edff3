#include "config/yaml_to_json.h"

#include <charconv>
#include <cmath>
#include <set>

namespace bulkhead {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when the bytes there are
// not one (overlong forms, surrogates and code points past U+10FFFF
// included).
std::size_t utf8SequenceLength(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = byte(i);
  std::size_t length = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

void appendUnicodeEscape(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\u00";
  out += kHex[c >> 4];
  out += kHex[c & 0xF];
}

// RFC 8259 number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool isJsonNumber(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

void appendPlainScalar(std::string& out, const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (isJsonNumber(text)) {
    out += text;
    return;
  }
  long long integer = 0;
  if (YAML::convert<long long>::decode(node, integer)) {
    out += std::to_string(integer);
    return;
  }
  double real = 0;
  if (YAML::convert<double>::decode(node, real)) {
    if (std::isfinite(real)) {
      char buffer[64];
      auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, real);
      if (ec == std::errc()) {
        out.append(buffer, end);
        return;
      }
    }
    appendJsonString(out, text);
    return;
  }
  bool flag = false;
  if (YAML::convert<bool>::decode(node, flag)) {
    out += flag ? "true" : "false";
    return;
  }
  appendJsonString(out, text);
}

class Serializer {
 public:
  explicit Serializer(const YamlToJsonLimits& limits) : limits_(limits) {}

  void write(const YAML::Node& node, std::size_t depth) {
    if (depth > limits_.maxDepth) {
      throw YamlToJsonError("nested deeper than " + std::to_string(limits_.maxDepth) +
                                " levels (or an anchor refers to itself)",
                            node);
    }
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        out_ += "null";
        break;
      case YAML::NodeType::Scalar:
        // yaml-cpp tags plain scalars "?" and quoted ones "!"; only plain
        // ones may become numbers, bools or null.
        if (node.Tag() == "?") {
          appendPlainScalar(out_, node);
        } else {
          appendJsonString(out_, node.Scalar());
        }
        break;
      case YAML::NodeType::Sequence: {
        out_ += '[';
        bool first = true;
        for (auto it = node.begin(); it != node.end(); ++it) {
          if (!first) out_ += ',';
          first = false;
          write(*it, depth + 1);
        }
        out_ += ']';
        break;
      }
      case YAML::NodeType::Map: {
        out_ += '{';
        std::set<std::string> seen;
        bool first = true;
        for (auto it = node.begin(); it != node.end(); ++it) {
          YAML::Node key = it->first;
          if (!key.IsScalar()) {
            throw YamlToJsonError("a map key must be a string to become a JSON object key", key);
          }
          if (!seen.insert(key.Scalar()).second) {
            throw YamlToJsonError("key '" + key.Scalar() + "' given twice", key);
          }
          if (!first) out_ += ',';
          first = false;
          appendJsonString(out_, key.Scalar());
          out_ += ':';
          write(it->second, depth + 1);
        }
        out_ += '}';
        break;
      }
    }
    if (out_.size() > limits_.maxOutputBytes) {
      throw YamlToJsonError("JSON form is larger than " + std::to_string(limits_.maxOutputBytes) +
                                " bytes (anchors and aliases expand)",
                            node);
    }
  }

  std::string take() { return std::move(out_); }

 private:
  const YamlToJsonLimits& limits_;
  std::string out_;
};

}  // namespace

void appendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          if (c < 0x20) {
            appendUnicodeEscape(out, c);
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    std::size_t length = utf8SequenceLength(text, i);
    if (length == 0) {
      appendUnicodeEscape(out, c);
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  out += '"';
}

std::string yamlToJson(const YAML::Node& node, const YamlToJsonLimits& limits) {
  Serializer serializer(limits);
  serializer.write(node, 0);
  return serializer.take();
}

}  // namespace bulkhead
