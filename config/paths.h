// Path handling for config values. Purely lexical: nothing here touches the
// filesystem, so a symlink inside the plugins dir is followed later by the
// loader, which is the administrator's choice.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace bulkhead {

// `path` made absolute against `base` (itself absolute) and lexically
// normalised ("a/./b/../c" -> "a/c"), without a trailing slash.
std::string absoluteUnder(std::string_view base, std::string_view path);

// Resolves a relative `path` under `dir`; nullopt when, after
// normalisation, it names `dir` itself or a place outside it ("../x",
// "a/../../x"). An absolute `path` is only normalised.
std::optional<std::string> resolveInside(std::string_view dir, std::string_view path);

// The directory holding `file` (absolute).
std::string parentDir(std::string_view file);

// True when `text` has a NUL or another control character, which a path
// handed to open(2) or dlopen(3) must not contain.
bool hasControlChar(std::string_view text) noexcept;

}  // namespace bulkhead
