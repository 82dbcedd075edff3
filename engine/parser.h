// Parser for Falco filter conditions.
//
// Grammar (whitespace separates tokens; keywords are case-sensitive):
//
//   Expr       ::= OrExpr
//   OrExpr     ::= AndExpr ( "or" AndExpr )*
//   AndExpr    ::= NotExpr ( "and" NotExpr )*
//   NotExpr    ::= "not" NotExpr | Primary
//   Primary    ::= "(" Expr ")" | Check | MacroName
//   Check      ::= Field "exists"
//                | Field CmpOp Value
//                | Field ListOp ListValue
//   Field      ::= FieldName ( "[" FieldArg "]" )?
//   FieldName  ::= [A-Za-z][A-Za-z0-9_]* ( "." [A-Za-z0-9_]+ )+
//   MacroName  ::= Ident
//   Ident      ::= [A-Za-z_][A-Za-z0-9_]*
//   CmpOp      ::= "=" | "==" | "!=" | "<" | "<=" | ">" | ">="
//                | "contains" | "icontains" | "bcontains" | "startswith"
//                | "bstartswith" | "endswith" | "glob" | "iglob" | "regex"
//   ListOp     ::= "in" | "intersects" | "pmatch"
//   Value      ::= Quoted | Bare | "val" "(" Field ")"
//   ListValue  ::= "(" ( Item ( "," Item )* )? ")" | Ident   (a list name)
//   Item       ::= Quoted | Bare
//   Quoted     ::= '"' ... '"' | "'" ... "'"     (escapes \\ \" \' \n \t \r \b \f)
//   Bare       ::= [^ \t\r\n\f\v(),="']+
//   FieldArg   ::= Quoted | [^ \t\r\n\f\v\[\]]+
//
// Precedence: not > and > or; and/or are left-associative.
// A bare item of a ListValue that names a list is expanded at compile time.
// Constructs of Falco's language this parser rejects with a clear message:
// field transformers (tolower(), toupper(), b64(), basename(), len()) and
// the `== anyof`/`!= allof` modifiers.
#pragma once

#include <string_view>

#include "engine/ast.h"

namespace bulkhead {

// Parses a whole condition; throws ParseError with the position.
ExprPtr parseCondition(std::string_view text);

}  // namespace bulkhead
