// Text a plugin supplied, made safe for an operator to read: every byte that
// could move the cursor, end a line, recolour a terminal or reorder what is
// shown is written as a visible escape instead. Used for everything
// plugin-supplied that reaches text (alert text lines, logs, crash reports,
// last_error, names); JSON output has its own escaping (outputs/json_text.h).
//
//   \n \r \t            newline, carriage return, tab (tab kept raw on request)
//   \xHH                other C0 controls, DEL, and each byte that is not
//                       valid UTF-8
//   \u{HHHH}            C1 controls, bidirectional overrides and isolates,
//                       line and paragraph separators
//
// Everything else, printable ASCII and valid UTF-8, is kept as is, so
// ordinary text reads unchanged. A backslash stays a backslash: the escapes
// are for the eye, and no escape can end a line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace bulkhead {

// How much of a plugin-supplied text an operator message shows: a name,
// version or source is a word, an error a paragraph. A plugin that returns
// 32 MiB costs the log 4 KiB and a summary of the rest.
inline constexpr size_t kShownNameBytes = 256;
inline constexpr size_t kShownTextBytes = 4096;

struct VisibleOptions {
  bool keepTab = false;  // alert text lines keep tabs raw, as Falco prints them
  // Longest input taken, in bytes; the rest is summarised as
  // "...(N more bytes)". 0: no limit.
  size_t maxBytes = 0;
};

// Appends `s`, made visible, to `out`.
void appendVisible(std::string& out, std::string_view s, const VisibleOptions& o = {});
std::string visibleText(std::string_view s, const VisibleOptions& o = {});
// visibleText with a length bound, for logs: `maxBytes` of input at most.
std::string visibleText(std::string_view s, size_t maxBytes);

// True when appendVisible would copy `s` unchanged (fast path for callers).
bool isVisibleAlready(std::string_view s, bool keepTab = false);

// Bytes at the start of `s` (non-empty) that form one UTF-8 sequence
// (`valid`), or, when it is not valid, the longest prefix of one that the
// next byte breaks (at least 1). Overlong forms, surrogates and code points
// past U+10FFFF are invalid. `codePoint` is set when valid.
size_t scanUtf8(std::string_view s, bool& valid, char32_t& codePoint);

}  // namespace bulkhead
