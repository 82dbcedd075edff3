// The dynamic symbols of a shared library, read from its file without
// loading it: what a plugin exports is known without running its code.
// Also the one edit `bulkhead wrap` makes to its copy of the proxy: an
// exported function is hidden by pointing its dynamic symbol at another
// name, so that dlsym no longer finds it under its own.
#pragma once

#include <string>
#include <vector>

namespace bulkhead {

// Names of the functions and objects the library defines and exports
// (dynamic symbols with a section, global or weak). Throws
// std::runtime_error naming the file when it is not a 64-bit
// little-endian ELF shared object or its tables are out of bounds.
std::vector<std::string> exportedSymbols(const std::string& path);
// The same, for a file's bytes; `name` names them in errors.
std::vector<std::string> exportedSymbolsIn(std::vector<char> bytes, const std::string& name);

// Renames each dynamic symbol in `hide` to `replacement` (a name the file
// already holds in its dynamic string table) in place. Lookups go through
// the hash tables and end in a name comparison, so a renamed symbol is
// found under neither name. Throws std::runtime_error as above, or when
// `replacement` is not in the table.
void hideSymbols(const std::string& path, const std::vector<std::string>& hide,
                 const std::string& replacement);

}  // namespace bulkhead
