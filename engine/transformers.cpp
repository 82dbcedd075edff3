#include "engine/transformers.h"

#include <array>

namespace bulkhead {

namespace {

bool isText(ValueType t) { return t == ValueType::kString; }

// 0-63 for a character of the alphabet, -1 for any other.
constexpr std::array<int8_t, 256> kBase64Digits = [] {
  std::array<int8_t, 256> out{};
  out.fill(-1);
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < kAlphabet.size(); ++i)
    out[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  return out;
}();

// libsinsp's len() of a string stops at a NUL byte (strnlen); of a byte
// buffer it is the size.
uint64_t lengthOf(ValueType type, std::string_view bytes) {
  if (type == ValueType::kBytes) return bytes.size();
  size_t nul = bytes.find('\0');
  return nul == std::string_view::npos ? bytes.size() : nul;
}

// One string step (not len) on one value. False when the value does not
// transform (b64 of something that is not base64).
bool transformText(Transformer t, std::string_view in, std::string& out) {
  switch (t) {
    case Transformer::kToLower:
    case Transformer::kToUpper: {
      const bool lower = t == Transformer::kToLower;
      out.assign(in);
      for (char& c : out) {
        if (lower && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (!lower && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      }
      return true;
    }
    case Transformer::kBasename: {
      size_t slash = in.rfind('/');
      out.assign(slash == std::string_view::npos ? in : in.substr(slash + 1));
      return true;
    }
    case Transformer::kB64:
      return decodeBase64(in, out);
    case Transformer::kLen:
      break;
  }
  return false;
}

}  // namespace

std::optional<FieldShape> transformedShape(Transformer t, FieldShape in) {
  switch (t) {
    case Transformer::kToLower:
    case Transformer::kToUpper:
    case Transformer::kBasename:
      if (isText(in.type)) return in;
      return std::nullopt;
    case Transformer::kB64:
      if (isText(in.type) || in.type == ValueType::kBytes) return in;
      return std::nullopt;
    case Transformer::kLen:
      if (in.isList || isText(in.type) || in.type == ValueType::kBytes)
        return FieldShape{ValueType::kUint64, false};
      return std::nullopt;
  }
  return std::nullopt;
}

bool decodeBase64(std::string_view in, std::string& out) {
  out.clear();
  if (in.empty()) return true;
  size_t n = in.size();
  for (int pad = 0; pad < 2 && n > 0 && in[n - 1] == '='; ++pad) --n;
  // One character over carries 6 bits, not a byte; "=" alone is nothing.
  if (n == 0 || n % 4 == 1) return false;
  uint32_t bits = 0;
  int held = 0;
  for (size_t i = 0; i < n; ++i) {
    int8_t d = kBase64Digits[static_cast<unsigned char>(in[i])];
    if (d < 0) return false;
    bits = ((bits << 6) | static_cast<uint32_t>(d)) & 0xffffu;  // 14 bits are ever pending
    held += 6;
    if (held >= 8) {
      held -= 8;
      out.push_back(static_cast<char>((bits >> held) & 0xff));
    }
  }
  // The bits left after the last byte must be zero: "QR==" is not "QQ==".
  return (bits & ((1u << held) - 1)) == 0;
}

FieldReader::FieldReader(const FieldValueSource& src, size_t event, uint32_t slot,
                         const TransformChain& chain)
    : src_(src), event_(event), slot_(slot), direct_(chain.steps.empty()) {
  if (!direct_) transform(chain);
}

void FieldReader::transform(const TransformChain& chain) {
  size_t n = src_.count(event_, slot_);
  if (n == 0) return;
  // A single-valued field is read through its first value, as the
  // evaluator reads it.
  if (!chain.input.isList) n = 1;
  values_.reserve(n);
  for (size_t i = 0; i < n; ++i) values_.push_back(src_.at(event_, slot_, i));
  FieldShape shape = chain.input;
  for (Transformer t : chain.steps) {
    if (t == Transformer::kLen) {
      if (shape.isList) {
        values_.assign(1, Value{values_.size(), {}});
      } else {
        for (Value& v : values_) v = Value{lengthOf(shape.type, v.bytes), {}};
      }
      shape = FieldShape{ValueType::kUint64, false};
    } else {
      std::vector<std::string> next(values_.size());
      for (size_t i = 0; i < values_.size(); ++i) {
        if (!transformText(t, values_[i].bytes, next[i])) {
          values_.clear();  // as in Falco: the field has no value
          return;
        }
      }
      // The old strings go only once every new one is made from them.
      text_ = std::move(next);
      for (size_t i = 0; i < values_.size(); ++i) values_[i] = Value{0, text_[i]};
    }
  }
}

size_t FieldReader::count() const { return direct_ ? src_.count(event_, slot_) : values_.size(); }

Value FieldReader::at(size_t i) const { return direct_ ? src_.at(event_, slot_, i) : values_[i]; }

}  // namespace bulkhead
