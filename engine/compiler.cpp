#include "engine/compiler.h"

#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <set>

namespace bulkhead {

CompileError::CompileError(const std::string& detail, SourcePos pos, std::string context,
                           bool unknownField)
    : std::runtime_error((context.empty() ? std::string() : context + ": ") +
                         std::to_string(pos.line) + ":" + std::to_string(pos.column) + ": " +
                         detail),
      detail_(detail),
      pos_(pos),
      context_(std::move(context)),
      unknownField_(unknownField) {}

namespace {

bool opAllowedForType(ValueType t, CmpOp op) {
  switch (op) {
    case CmpOp::kExists:
    case CmpOp::kEq:
    case CmpOp::kNe:
      return true;
    case CmpOp::kIn:
    case CmpOp::kIntersects:
      return t != ValueType::kBytes;
    case CmpOp::kLt:
    case CmpOp::kLe:
    case CmpOp::kGt:
    case CmpOp::kGe:
      return isNumeric(t);
    case CmpOp::kBContains:
    case CmpOp::kBStartsWith:
      return t == ValueType::kString || t == ValueType::kBytes;
    case CmpOp::kContains:
    case CmpOp::kIContains:
    case CmpOp::kStartsWith:
    case CmpOp::kEndsWith:
    case CmpOp::kGlob:
    case CmpOp::kIGlob:
    case CmpOp::kPMatch:
    case CmpOp::kRegex:
      return t == ValueType::kString;
  }
  return false;
}

void expandInto(const Definitions& defs, const std::string& name, std::vector<std::string>& out,
                std::set<std::string>& active) {
  auto it = defs.lists.find(name);
  if (!active.insert(name).second) throw std::runtime_error("list '" + name + "' refers to itself");
  for (const auto& item : it->second) {
    if (defs.lists.count(item)) {
      expandInto(defs, item, out, active);
    } else {
      out.push_back(item);
    }
  }
  active.erase(name);
}

class Compiler {
 public:
  Compiler(const Definitions& defs, const FieldCatalog& catalog, RequestPlan& plan,
           CompiledFilter& out)
      : defs_(defs), catalog_(catalog), plan_(plan), out_(out) {}

  CompiledNode compile(const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::kAnd:
      case Expr::Kind::kOr:
      case Expr::Kind::kNot: {
        CompiledNode n;
        n.kind = e.kind == Expr::Kind::kAnd  ? CompiledNode::Kind::kAnd
                 : e.kind == Expr::Kind::kOr ? CompiledNode::Kind::kOr
                                             : CompiledNode::Kind::kNot;
        for (const auto& c : e.children) n.children.push_back(compile(*c));
        return n;
      }
      case Expr::Kind::kMacro:
        return compileMacro(e);
      case Expr::Kind::kCheck:
        return compileCheck(e);
    }
    throw CompileError("bad node", e.pos, context());
  }

 private:
  std::string context() const {
    return macroStack_.empty() ? std::string() : "macro '" + macroStack_.back() + "'";
  }

  CompiledNode compileMacro(const Expr& e) {
    auto it = defs_.macros.find(e.name);
    if (it == defs_.macros.end()) {
      if (defs_.lists.count(e.name))
        throw CompileError(
            "'" + e.name + "' is a list, not a macro; use it as 'field in (" + e.name + ")'", e.pos,
            context());
      throw CompileError("undefined macro '" + e.name + "'", e.pos, context());
    }
    if (std::find(macroStack_.begin(), macroStack_.end(), e.name) != macroStack_.end())
      throw CompileError("macro '" + e.name + "' refers to itself", e.pos, context());
    macroStack_.push_back(e.name);
    CompiledNode n = compile(*it->second);
    macroStack_.pop_back();
    return n;
  }

  const FieldInfo& resolve(const FieldRef& ref) {
    const FieldInfo* f = catalog_.find(ref.name);
    if (!f)
      throw CompileError("unknown field '" + ref.name + "' for source '" + catalog_.source() + "'",
                         ref.pos, context(), true);
    return *f;
  }

  std::vector<ValueText> expandValues(const Expr& e) {
    std::vector<ValueText> out;
    auto addList = [&](const std::string& name, SourcePos pos) {
      try {
        for (auto& item : expandList(defs_, name)) out.push_back(ValueText{item, false, pos});
      } catch (const std::runtime_error& err) {
        throw CompileError(err.what(), pos, context());
      }
    };
    if (!e.listName.empty()) {
      if (!defs_.lists.count(e.listName))
        throw CompileError("undefined list '" + e.listName + "'", e.pos, context());
      addList(e.listName, e.pos);
      return out;
    }
    for (const auto& v : e.values) {
      if (!v.quoted && opTakesList(e.op) && defs_.lists.count(v.text)) {
        addList(v.text, v.pos);
      } else {
        out.push_back(v);
      }
    }
    return out;
  }

  CompiledNode compileCheck(const Expr& e) {
    const FieldInfo& field = resolve(e.field);
    CompiledCheck check;
    check.slot = plan_.add(field, makeRequest(field, e.field, context()));
    check.lhs = makeChain(field, e.field, context());
    check.type = check.lhs.output.type;
    check.isList = check.lhs.output.isList;
    check.op = e.op;
    std::string fieldText = "field '" + e.field.text() + "'";
    if (check.isList && e.op != CmpOp::kExists && e.op != CmpOp::kIn && e.op != CmpOp::kIntersects)
      throw CompileError(fieldText +
                             " is a list: only 'exists', 'in' and 'intersects' apply, not '" +
                             std::string(opName(e.op)) + "'",
                         e.pos, context());
    if (!opAllowedForType(check.type, e.op))
      throw CompileError("operator '" + std::string(opName(e.op)) + "' does not apply to " +
                             fieldText + " of type " + std::string(typeName(check.type)),
                         e.pos, context());
    if (e.rhsField) {
      compileRhsField(e, check);
    } else if (e.op != CmpOp::kExists) {
      compileValues(e, fieldText, check);
    }
    CompiledNode n;
    n.kind = CompiledNode::Kind::kCheck;
    n.check = static_cast<uint32_t>(out_.checks.size());
    out_.checks.push_back(std::move(check));
    return n;
  }

  void compileValues(const Expr& e, const std::string& fieldText, CompiledCheck& check) {
    bool hex = e.op == CmpOp::kBContains || e.op == CmpOp::kBStartsWith;
    std::vector<ValueText> values = expandValues(e);
    for (const auto& v : values) {
      std::string why;
      auto lit = parseLiteral(check.type, v.text, hex, why);
      if (!lit)
        throw CompileError("type mismatch: " + fieldText + " compared with " + why, v.pos,
                           context());
      check.values.push_back(std::move(*lit));
    }
    if (opTakesList(e.op) && check.type == ValueType::kString) {
      std::sort(check.values.begin(), check.values.end(),
                [](const Literal& a, const Literal& b) { return a.bytes < b.bytes; });
    }
    if (e.op == CmpOp::kRegex) check.regex = compileRegex(check.values.at(0).bytes, values[0].pos);
  }

  // As libsinsp compiles a regex operand: RE2 with its POSIX options
  // (egrep syntax, leftmost-longest), once per rule at load time.
  std::shared_ptr<const re2::RE2> compileRegex(const std::string& pattern, SourcePos pos) {
    re2::RE2::Options options(re2::RE2::POSIX);
    options.set_log_errors(false);  // the error is reported as a CompileError
    auto re = std::make_shared<const re2::RE2>(pattern, options);
    if (!re->ok()) throw CompileError("invalid regex pattern: " + re->error(), pos, context());
    return re;
  }

  void compileRhsField(const Expr& e, CompiledCheck& check) {
    const FieldRef& ref = *e.rhsField;
    const FieldInfo& rhs = resolve(ref);
    static constexpr CmpOp kAllowed[] = {CmpOp::kEq,       CmpOp::kNe,        CmpOp::kLt,
                                         CmpOp::kLe,       CmpOp::kGt,        CmpOp::kGe,
                                         CmpOp::kContains, CmpOp::kIContains, CmpOp::kStartsWith,
                                         CmpOp::kEndsWith, CmpOp::kGlob,      CmpOp::kIGlob};
    if (std::find(std::begin(kAllowed), std::end(kAllowed), e.op) == std::end(kAllowed))
      throw CompileError("operator '" + std::string(opName(e.op)) +
                             "' does not take a field on its right-hand side",
                         ref.pos, context());
    check.rhs = makeChain(rhs, ref, context());
    const FieldShape lhsShape = check.lhs.output, rhsShape = check.rhs.output;
    if (lhsShape.isList || rhsShape.isList)
      throw CompileError("list fields cannot be compared with another field", ref.pos, context());
    if (lhsShape.type == ValueType::kIpNet || rhsShape.type == ValueType::kIpNet)
      throw CompileError("ipnet fields cannot be compared with another field", ref.pos, context());
    if (lhsShape.type != rhsShape.type)
      throw CompileError("type mismatch: field '" + e.field.text() + "' (" +
                             std::string(typeName(lhsShape.type)) + ") compared with field '" +
                             ref.text() + "' (" + std::string(typeName(rhsShape.type)) + ")",
                         ref.pos, context());
    check.rhsSlot = plan_.add(rhs, makeRequest(rhs, ref, context()));
  }

  const Definitions& defs_;
  const FieldCatalog& catalog_;
  RequestPlan& plan_;
  CompiledFilter& out_;
  std::vector<std::string> macroStack_;
};

}  // namespace

std::vector<std::string> expandList(const Definitions& defs, const std::string& name) {
  std::vector<std::string> out;
  std::set<std::string> active;
  if (defs.lists.count(name)) expandInto(defs, name, out, active);
  return out;
}

FieldRequest makeRequest(const FieldInfo& field, const FieldRef& ref, const std::string& context) {
  FieldRequest r;
  r.fieldId = field.id;
  const FieldArg& a = field.arg;
  if (!ref.hasArg) {
    if (a.required)
      throw CompileError("field '" + field.name + "' requires an argument: " + field.name +
                             (a.isIndex ? "[<index>]" : "[<key>]"),
                         ref.pos, context);
    r.argIndex = 0;
    return r;
  }
  if (!a.isIndex && !a.isKey)
    throw CompileError("field '" + field.name + "' does not take an argument", ref.pos, context);
  r.argPresent = true;
  r.argKey = ref.arg;
  if (a.isIndex) {
    const std::string& s = ref.arg;
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    bool digits =
        !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    bool ok =
        digits && ec == std::errc() && p == s.data() + s.size() && (s.size() == 1 || s[0] != '0');
    if (ok) {
      r.argIndex = v;
    } else if (!a.isKey) {
      throw CompileError("field '" + field.name + "' takes a numeric index, not '" + s + "'",
                         ref.pos, context);
    }
  }
  if (ref.arg.empty())
    throw CompileError("field '" + field.name + "' has an empty argument", ref.pos, context);
  return r;
}

TransformChain makeChain(const FieldInfo& field, const FieldRef& ref, const std::string& context) {
  TransformChain chain;
  chain.input = FieldShape{field.type, field.isList};
  chain.output = chain.input;
  for (const TransformerUse& t : ref.transformers) {
    auto next = transformedShape(t.kind, chain.output);
    // libsinsp's wording, with bulkhead's type names.
    if (!next)
      throw CompileError("can't add field transformer: type '" +
                             std::string(typeName(chain.output.type)) + "' is not supported by '" +
                             std::string(transformerName(t.kind)) + "' transformer applied on " +
                             (chain.output.isList ? "list " : "") + "field '" + ref.plainText() +
                             "'",
                         t.pos, context);
    chain.steps.push_back(t.kind);
    chain.output = *next;
  }
  return chain;
}

CompiledFilter compileCondition(const Expr& expr, const Definitions& defs,
                                const FieldCatalog& catalog, RequestPlan& plan) {
  CompiledFilter out;
  Compiler c(defs, catalog, plan, out);
  out.root = c.compile(expr);
  return out;
}

}  // namespace bulkhead
