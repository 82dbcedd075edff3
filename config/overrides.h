// Falco's `-o key=value` command-line overrides, applied to the parsed YAML
// tree before it is interpreted.
//
// key   := segment ('.' segment)*
// segment := name ('[' index? ']')*      name: any characters but . [ ] =
// `a.b=v` sets (creating maps on the way) a.b; `a[2]=v` replaces element 2
// of sequence a (index == size appends); `a[]=v` appends. The value is
// parsed as YAML, so `-o json_output=true` sets a bool, `-o
// load_plugins=[a,b]` a sequence, and `-o 'k="007"'` a string; an empty
// value sets an empty string.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

namespace bulkhead {

// Applies one override to `root` (a map). Returns the canonical key path
// that was set, e.g. "plugins[0].init_config" (an append names the new
// index). Throws ConfigError starting with "-o '<override>':" when the
// override is malformed or its path runs through a value that is not a map
// or sequence.
std::string applyOverride(YAML::Node& root, std::string_view override);

}  // namespace bulkhead
