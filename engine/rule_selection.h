// falco.yaml's `rules:` list (Falco 0.44, which replaced the -T/-t/-D
// flags with it): entries applied in order after every rules file loaded,
// each switching on or off the rules whose name matches a wildcard pattern
// and/or the rules carrying a tag. `*` in a name pattern matches any run of
// characters; there is no other wildcard. config/ reads the entries; the
// supervisor applies them to the loaded rule sets.
//
//   rules:
//     - disable: {rule: "*"}
//     - enable: {tag: network}
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace bulkhead {

// Declared here so that config/ can hold selections without the engine.
class RuleSet;

struct RuleSelection {
  bool enable = true;
  std::string rule;  // name pattern; empty: no selection by name
  std::string tag;   // exact tag; empty: no selection by tag
};

// Falco's matching: `*` matches any run of characters, all else literally.
bool matchesWildcard(std::string_view pattern, std::string_view text);

// Applies `selection` in order to every rule of every set. An entry with
// both a name pattern and a tag applies each on its own, as Falco does.
void applyRuleSelection(std::span<RuleSet> sets, std::span<const RuleSelection> selection);

// The rules of `sets` that are enabled, over every source.
size_t enabledRuleCount(std::span<const RuleSet> sets);

}  // namespace bulkhead
