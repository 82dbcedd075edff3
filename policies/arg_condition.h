// Argument conditions in profiles are written as one small expression:
//
//   condition := "arg" DIGIT op value
//              | "arg" DIGIT "&" value "==" value
//   op        := "==" | "!=" | "<" | "<=" | ">" | ">="
//   value     := term ("|" term)*
//   term      := decimal | "0x" hex | CONSTANT | "$pid"
//
// CONSTANT is one of a fixed table of kernel constants (AF_INET, CLONE_THREAD,
// PROT_EXEC, O_CREAT, PR_SET_NAME, ...) so profiles read like the man pages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "policies/policy.h"

namespace bulkhead {

// Parses `text`; on failure returns nullopt and sets `error` to a sentence
// naming the bad token.
std::optional<ArgCondition> parseArgCondition(std::string_view text, std::string& error);

// The value of a named kernel constant, or nullopt when the table lacks it.
std::optional<uint64_t> lookupConstant(std::string_view name);

}  // namespace bulkhead
