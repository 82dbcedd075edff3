// JSON text as Falco writes its alerts: strings with only the escapes JSON
// requires ('"', '\\', control characters; "\u001b" style for those with no
// short form), UTF-8 kept as is, and every byte that is not valid UTF-8
// replaced by U+FFFD, so no plugin-supplied byte can break the line or
// reach a terminal raw.
#pragma once

#include <string>
#include <string_view>

namespace bulkhead {

// Appends `s` as a quoted JSON string to `out`.
void appendJsonText(std::string& out, std::string_view s);

}  // namespace bulkhead
