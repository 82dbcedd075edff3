#include "engine/evaluator.h"

#include <re2/re2.h>

#include <algorithm>
#include <cstring>

namespace bulkhead {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequalsAt(std::string_view hay, size_t at, std::string_view needle) {
  for (size_t i = 0; i < needle.size(); ++i) {
    if (lower(hay[at + i]) != lower(needle[i])) return false;
  }
  return true;
}

bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (iequalsAt(hay, i, needle)) return true;
  }
  return false;
}

bool numLess(ValueType t, uint64_t a, uint64_t b) {
  if (t == ValueType::kInt64) return static_cast<int64_t>(a) < static_cast<int64_t>(b);
  return a < b;
}

bool inNetwork(std::string_view addr, std::string_view netBytes, uint8_t prefix) {
  if (addr.size() != netBytes.size()) return false;
  size_t full = prefix / 8, rest = prefix % 8;
  if (std::memcmp(addr.data(), netBytes.data(), full) != 0) return false;
  if (rest == 0) return true;
  auto mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (static_cast<unsigned char>(addr[full]) & mask) ==
         (static_cast<unsigned char>(netBytes[full]) & mask);
}

// The right-hand side of one comparison: a literal, or another field's value.
struct Rhs {
  std::string_view bytes;
  uint64_t num = 0;
  uint8_t prefix = 0;
};

Rhs rhsOf(const Literal& lit) { return Rhs{lit.bytes, lit.num, lit.prefix}; }

// `value` op `lit` for one single value.
bool compareOne(const CompiledCheck& c, const Value& v, const Rhs& lit) {
  switch (c.type) {
    case ValueType::kString:
    case ValueType::kBytes: {
      std::string_view s = v.bytes, l = lit.bytes;
      switch (c.op) {
        case CmpOp::kEq:
        case CmpOp::kIn:
        case CmpOp::kIntersects:
          return s == l;
        case CmpOp::kNe:
          return s != l;
        case CmpOp::kContains:
        case CmpOp::kBContains:
          return s.find(l) != std::string_view::npos;
        case CmpOp::kIContains:
          return icontains(s, l);
        case CmpOp::kStartsWith:
        case CmpOp::kBStartsWith:
          return s.substr(0, l.size()) == l;
        case CmpOp::kEndsWith:
          return s.size() >= l.size() && s.substr(s.size() - l.size()) == l;
        case CmpOp::kGlob:
          return globMatch(l, s, false);
        case CmpOp::kIGlob:
          return globMatch(l, s, true);
        case CmpOp::kPMatch:
          return pathPrefixMatch(l, s);
        case CmpOp::kRegex:
          // A full match, as libsinsp asks RE2 for one (ANCHOR_BOTH).
          return c.regex && c.regex->Match(re2::StringPiece(s.data(), s.size()), 0, s.size(),
                                           re2::RE2::ANCHOR_BOTH, nullptr, 0);
        default:
          return false;
      }
    }
    case ValueType::kIpAddr:
      return c.op == CmpOp::kNe ? v.bytes != lit.bytes : v.bytes == lit.bytes;
    case ValueType::kIpNet:
      return c.op == CmpOp::kNe ? !inNetwork(v.bytes, lit.bytes, lit.prefix)
                                : inNetwork(v.bytes, lit.bytes, lit.prefix);
    default:
      switch (c.op) {
        case CmpOp::kEq:
        case CmpOp::kIn:
        case CmpOp::kIntersects:
          return v.u64 == lit.num;
        case CmpOp::kNe:
          return v.u64 != lit.num;
        case CmpOp::kLt:
          return numLess(c.type, v.u64, lit.num);
        case CmpOp::kLe:
          return !numLess(c.type, lit.num, v.u64);
        case CmpOp::kGt:
          return numLess(c.type, lit.num, v.u64);
        case CmpOp::kGe:
          return !numLess(c.type, v.u64, lit.num);
        default:
          return false;
      }
  }
}

// Is the single value `v` in the set of the check (in / intersects / pmatch)?
bool memberOf(const CompiledCheck& c, const Value& v) {
  if (c.type == ValueType::kString && c.op != CmpOp::kPMatch) {
    return std::binary_search(c.values.begin(), c.values.end(), v.bytes,
                              [](const auto& a, const auto& b) {
                                auto key = [](const auto& x) -> std::string_view {
                                  if constexpr (std::is_same_v<std::decay_t<decltype(x)>, Literal>)
                                    return x.bytes;
                                  else
                                    return x;
                                };
                                return key(a) < key(b);
                              });
  }
  for (const auto& lit : c.values) {
    if (compareOne(c, v, rhsOf(lit))) return true;
  }
  return false;
}

bool compareFields(const CompiledCheck& c, const Value& a, const Value& b) {
  return compareOne(c, a, Rhs{b.bytes, b.u64, 0});
}

// A field without transformers, read straight from the source: what most
// checks read, so it costs no more than the source's own calls.
struct DirectValues {
  const FieldValueSource& src;
  size_t event;
  uint32_t slot;

  size_t count() const { return src.count(event, slot); }
  Value at(size_t i) const { return src.at(event, slot, i); }
};

// `Values` is DirectValues or, for a transformed field, a FieldReader.
template <typename Values>
bool evalCheckOn(const CompiledCheck& c, const Values& lhs, const FieldValueSource& src,
                 size_t event) {
  size_t n = lhs.count();
  if (n == 0) return false;
  if (c.op == CmpOp::kExists) return true;
  if (c.rhsSlot) {
    const FieldReader rhs(src, event, *c.rhsSlot, c.rhs);
    if (rhs.count() == 0) return false;
    return compareFields(c, lhs.at(0), rhs.at(0));
  }
  if (c.isList) {
    if (c.op == CmpOp::kIn) {
      for (size_t i = 0; i < n; ++i) {
        if (!memberOf(c, lhs.at(i))) return false;
      }
      return true;
    }
    for (size_t i = 0; i < n; ++i) {
      if (memberOf(c, lhs.at(i))) return true;
    }
    return false;
  }
  Value v = lhs.at(0);
  if (opTakesList(c.op)) return memberOf(c, v);
  return !c.values.empty() && compareOne(c, v, rhsOf(c.values[0]));
}

bool evalCheck(const CompiledCheck& c, const FieldValueSource& src, size_t event) {
  if (c.lhs.steps.empty()) return evalCheckOn(c, DirectValues{src, event, c.slot}, src, event);
  return evalCheckOn(c, FieldReader(src, event, c.slot, c.lhs), src, event);
}

bool evalNode(const CompiledFilter& f, const CompiledNode& n, const FieldValueSource& src,
              size_t event) {
  switch (n.kind) {
    case CompiledNode::Kind::kAnd:
      for (const auto& c : n.children) {
        if (!evalNode(f, c, src, event)) return false;
      }
      return true;
    case CompiledNode::Kind::kOr:
      for (const auto& c : n.children) {
        if (evalNode(f, c, src, event)) return true;
      }
      return false;
    case CompiledNode::Kind::kNot:
      return !evalNode(f, n.children[0], src, event);
    case CompiledNode::Kind::kCheck:
      return evalCheck(f.checks[n.check], src, event);
  }
  return false;
}

bool globAt(std::string_view p, std::string_view t, bool ic, int depth) {
  size_t pi = 0, ti = 0;
  while (pi < p.size()) {
    char pc = p[pi];
    if (pc == '*') {
      while (pi < p.size() && p[pi] == '*') ++pi;
      if (pi == p.size()) return true;
      // Bounded recursion: patterns come from rules files, not events.
      if (depth > 64) return false;
      for (size_t k = ti; k <= t.size(); ++k) {
        if (globAt(p.substr(pi), t.substr(k), ic, depth + 1)) return true;
      }
      return false;
    }
    if (ti >= t.size()) return false;
    char tc = t[ti];
    if (pc == '?') {
      ++pi;
      ++ti;
      continue;
    }
    if (pc == '[') {
      size_t q = pi + 1;
      bool negate = q < p.size() && (p[q] == '!' || p[q] == '^');
      if (negate) ++q;
      bool matched = false;
      size_t start = q;
      while (q < p.size() && (p[q] != ']' || q == start)) {
        char lo = p[q], hi = lo;
        if (q + 2 < p.size() && p[q + 1] == '-' && p[q + 2] != ']') {
          hi = p[q + 2];
          q += 3;
        } else {
          ++q;
        }
        char c = ic ? lower(tc) : tc;
        if (ic) {
          lo = lower(lo);
          hi = lower(hi);
        }
        if (c >= lo && c <= hi) matched = true;
      }
      if (q >= p.size()) {
        // No closing ']': the '[' is an ordinary character.
        if (tc != '[') return false;
        ++pi;
        ++ti;
        continue;
      }
      if (matched == negate) return false;
      pi = q + 1;
      ++ti;
      continue;
    }
    if (pc == '\\' && pi + 1 < p.size()) pc = p[++pi];
    if (ic ? lower(pc) != lower(tc) : pc != tc) return false;
    ++pi;
    ++ti;
  }
  return ti == t.size();
}

}  // namespace

bool globMatch(std::string_view pattern, std::string_view text, bool ignoreCase) {
  return globAt(pattern, text, ignoreCase, 0);
}

bool pathPrefixMatch(std::string_view prefix, std::string_view path) {
  while (prefix.size() > 1 && prefix.back() == '/') prefix.remove_suffix(1);
  if (path.substr(0, prefix.size()) != prefix) return false;
  return path.size() == prefix.size() || prefix == "/" || path[prefix.size()] == '/';
}

bool evaluate(const CompiledFilter& filter, const FieldValueSource& values, size_t event) {
  return evalNode(filter, filter.root, values, event);
}

}  // namespace bulkhead
