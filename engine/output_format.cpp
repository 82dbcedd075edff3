#include "engine/output_format.h"

namespace bulkhead {

namespace {

bool isFieldChar(char c) { return isIdentChar(c) || c == '.'; }

}  // namespace

OutputFormat OutputFormat::compile(std::string_view text, const FieldCatalog& catalog,
                                   RequestPlan& plan) {
  OutputFormat out;
  Cursor cur(text);
  std::string literal;
  auto flush = [&] {
    if (literal.empty()) return;
    OutputPart p;
    p.literal = std::move(literal);
    out.parts_.push_back(std::move(p));
    literal.clear();
  };
  while (!cur.atEnd()) {
    char c = cur.peek();
    bool paren = c == '%' && cur.peek(1) == '(';
    if (c != '%' || (!paren && !isFieldChar(cur.peek(1)))) {
      literal.push_back(c);
      cur.tryChar(c);
      continue;
    }
    SourcePos pos = cur.pos();
    cur.tryChar('%');
    if (paren) cur.tryChar('(');
    std::string_view rest = cur.rest();
    size_t n = 0;
    while (n < rest.size() && isFieldChar(rest[n])) ++n;
    std::string_view run = rest.substr(0, n);
    const FieldInfo* f = catalog.find(run);
    if (!f) f = catalog.longestPrefix(run);
    if (!f || f->name.empty()) {
      std::string shown(run);
      while (!shown.empty() && shown.back() == '.') shown.pop_back();
      throw CompileError(
          "unknown field '" + shown + "' in output for source '" + catalog.source() + "'", pos, "",
          true);
    }
    flush();
    OutputPart p;
    p.isField = true;
    p.field.name = f->name;
    p.field.pos = pos;
    cur.tryLiteral(f->name);
    if (cur.tryChar('[')) {
      try {
        p.field.arg = cur.scanFieldArg();
      } catch (const ParseError& e) {
        throw CompileError(e.detail(), e.pos(), "");
      }
      p.field.hasArg = true;
    }
    if (paren && !cur.tryChar(')'))
      throw CompileError("expected ')' to close '%(' in output", cur.pos(), "");
    p.slot = plan.add(*f, makeRequest(*f, p.field, ""));
    p.type = f->type;
    p.isList = f->isList;
    out.parts_.push_back(std::move(p));
  }
  flush();
  return out;
}

std::string formatValue(ValueType type, const Value& v) {
  switch (type) {
    case ValueType::kString:
    case ValueType::kBytes:
      return std::string(v.bytes);
    case ValueType::kBool:
      return v.u64 ? "true" : "false";
    case ValueType::kInt64:
      return std::to_string(static_cast<int64_t>(v.u64));
    case ValueType::kUint64:
    case ValueType::kRelTime:
    case ValueType::kAbsTime:
      // Numbers carry no text, but for the engine's evt.* fields that
      // Falco prints zero-padded (evt.rawtime.ns, evt.reltime): their text.
      return v.bytes.empty() ? std::to_string(v.u64) : std::string(v.bytes);
    case ValueType::kIpAddr:
    case ValueType::kIpNet: {
      std::string s = formatIp(v.bytes);
      return s.empty() ? "<NA>" : s;
    }
  }
  return "<NA>";
}

std::string renderField(const OutputPart& p, const FieldValueSource& values, size_t event) {
  size_t n = values.count(event, p.slot);
  if (n == 0) return "<NA>";
  if (!p.isList) return formatValue(p.type, values.at(event, p.slot, 0));
  std::string out = "(";
  for (size_t i = 0; i < n; ++i) {
    if (i) out += ',';
    out += formatValue(p.type, values.at(event, p.slot, i));
  }
  return out + ')';
}

std::string OutputFormat::render(const FieldValueSource& values, size_t event) const {
  std::string out;
  for (const auto& p : parts_) out += p.isField ? renderField(p, values, event) : p.literal;
  return out;
}

}  // namespace bulkhead
