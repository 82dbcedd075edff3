// Parser for Falco filter conditions.
//
// Grammar (whitespace separates tokens; keywords are case-sensitive):
//
//   Expr       ::= OrExpr
//   OrExpr     ::= AndExpr ( "or" AndExpr )*
//   AndExpr    ::= NotExpr ( "and" NotExpr )*
//   NotExpr    ::= "not" NotExpr | Primary
//   Primary    ::= "(" Expr ")" | Check | MacroName
//   Check      ::= Operand "exists"
//                | Operand CmpOp Value
//                | Operand ListOp ListValue
//   Operand    ::= Field | Transformed
//   Transformed::= TrName "(" ( Transformed | Field ) ")"   (no space before "(")
//   TrName     ::= "tolower" | "toupper" | "b64" | "basename" | "len"
//   Field      ::= FieldName ( "[" FieldArg "]" )?
//   FieldName  ::= [A-Za-z][A-Za-z0-9_]* ( "." [A-Za-z0-9_]+ )+
//   MacroName  ::= Ident
//   Ident      ::= [A-Za-z_][A-Za-z0-9_]*
//   CmpOp      ::= "=" | "==" | "!=" | "<" | "<=" | ">" | ">="
//                | "contains" | "icontains" | "bcontains" | "startswith"
//                | "bstartswith" | "endswith" | "glob" | "iglob" | "regex"
//   ListOp     ::= "in" | "intersects" | "pmatch"
//   Value      ::= Quoted | Bare | RhsField
//   RhsField   ::= "val" "(" Field ")" | Transformed
//   ListValue  ::= "(" ( Item ( "," Item )* )? ")" | Ident   (a list name)
//                | RhsField                     (parsed; the compiler refuses it)
//   Item       ::= Quoted | Bare
//   Quoted     ::= '"' ... '"' | "'" ... "'"     (escapes \\ \" \' \n \t \r \b \f)
//   Bare       ::= [^ \t\r\n\f\v(),="']+
//   FieldArg   ::= Quoted | [^ \t\r\n\f\v\[\]]+
//
// Precedence: not > and > or; and/or are left-associative.
// A bare item of a ListValue that names a list is expanded at compile time.
// Constructs of Falco's language this parser rejects with a clear message:
// the transformers join(), concat() and getopt() (libsinsp 0.25 has them,
// Falco 0.44's documentation does not) and the `== anyof`/`!= allof`
// modifiers.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "engine/ast.h"

namespace bulkhead {

// Parses a whole condition; throws ParseError with the position.
ExprPtr parseCondition(std::string_view text);

// The start of a transformer, `name(` with no space between. Shared with
// output formats (`%tolower(ka.user.name)`).
struct ParsedTransformer {
  enum Kind : uint8_t { kTransformer, kVal } kind = kTransformer;
  Transformer transformer = Transformer::kToLower;  // when kTransformer
};
// When `cur` is at `name(`, consumes it and says which transformer, or
// `val`. Throws ParseError for a name that is no transformer; nullopt, with
// `cur` unmoved, when no `name(` is next.
std::optional<ParsedTransformer> tryTransformerStart(Cursor& cur);
// The rest of a transformer whose `name(` (at `pos`) was just consumed:
// nested transformers, the field and the closing parentheses. Throws
// ParseError, also for a field argument after a ')', unless `textMayFollow`
// (an output: what follows the last ')' is text, "[" included, as
// libsinsp's formatter reads `%tolower(f)[0]`).
FieldRef parseTransformerRest(Cursor& cur, Transformer outer, SourcePos pos,
                              bool textMayFollow = false);

}  // namespace bulkhead
