#include "engine/output_format.h"

#include "engine/parser.h"

namespace bulkhead {

namespace {

bool isFieldChar(char c) { return isIdentChar(c) || c == '.'; }

CompileError asCompileError(const ParseError& e) { return CompileError(e.detail(), e.pos(), ""); }

// `%tolower(basename(f))`: nothing but the transformed field ends it, so
// its name must be exact.
const FieldInfo& transformedField(Cursor& cur, const FieldCatalog& catalog, OutputPart& p) {
  const SourcePos pos = cur.pos();  // of the transformer's name
  try {
    auto start = tryTransformerStart(cur);
    if (!start) throw ParseError("expected a field transformer", pos);  // the caller saw `name(`
    if (start->kind == ParsedTransformer::kVal)
      throw ParseError("'val()' belongs on the right-hand side of a comparison", pos);
    p.field = parseTransformerRest(cur, start->transformer, pos, true);
  } catch (const ParseError& e) {
    throw asCompileError(e);
  }
  const FieldInfo* f = catalog.find(p.field.name);
  if (!f)
    throw CompileError(
        "unknown field '" + p.field.name + "' in output for source '" + catalog.source() + "'",
        p.field.pos, "", true);
  return *f;
}

// `%f`, `%f[arg]`: the longest name the catalog knows ends the field, so
// that text may follow it without a separator.
const FieldInfo& plainField(Cursor& cur, SourcePos pos, const FieldCatalog& catalog,
                            OutputPart& p) {
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
  p.field.name = f->name;
  p.field.pos = pos;
  cur.tryLiteral(f->name);
  if (cur.tryChar('[')) {
    try {
      p.field.arg = cur.scanFieldArg();
    } catch (const ParseError& e) {
      throw asCompileError(e);
    }
    p.field.hasArg = true;
  }
  return *f;
}

// The field reference after '%' (and '(' for `%(f)`), which starts at `pos`.
OutputPart compileField(Cursor& cur, SourcePos pos, const FieldCatalog& catalog,
                        RequestPlan& plan) {
  OutputPart p;
  p.isField = true;
  Cursor probe = cur;
  const bool transformer = probe.scanIdentifier() && probe.peek() == '(';
  const FieldInfo& f =
      transformer ? transformedField(cur, catalog, p) : plainField(cur, pos, catalog, p);
  p.slot = plan.add(f, makeRequest(f, p.field, ""));
  p.chain = makeChain(f, p.field, "");
  p.type = p.chain.output.type;
  p.isList = p.chain.output.isList;
  p.transformed = !p.chain.steps.empty();
  return p;
}

}  // namespace

OutputPart OutputPart::untransformed() const {
  OutputPart p = *this;
  p.field.transformers.clear();
  p.chain.steps.clear();
  p.chain.output = p.chain.input;
  p.type = p.chain.input.type;
  p.isList = p.chain.input.isList;
  p.transformed = false;
  return p;
}

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
    OutputPart p = compileField(cur, pos, catalog, plan);
    if (paren && !cur.tryChar(')'))
      throw CompileError("expected ')' to close '%(' in output", cur.pos(), "");
    flush();
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
  const FieldReader field(values, event, p.slot, p.chain);
  size_t n = field.count();
  if (n == 0) return "<NA>";
  if (!p.isList) return formatValue(p.type, field.at(0));
  std::string out = "(";
  for (size_t i = 0; i < n; ++i) {
    if (i) out += ',';
    out += formatValue(p.type, field.at(i));
  }
  return out + ')';
}

std::string OutputFormat::render(const FieldValueSource& values, size_t event) const {
  std::string out;
  for (const auto& p : parts_) out += p.isField ? renderField(p, values, event) : p.literal;
  return out;
}

}  // namespace bulkhead
