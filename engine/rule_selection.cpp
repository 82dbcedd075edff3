#include "engine/rule_selection.h"

#include <algorithm>

#include "engine/rule_set.h"

namespace bulkhead {

bool matchesWildcard(std::string_view pattern, std::string_view text) {
  // Greedy glob with backtracking to the last star: linear in practice,
  // at worst |pattern| * |text|.
  size_t p = 0;
  size_t t = 0;
  size_t star = std::string_view::npos;
  size_t resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

void applyRuleSelection(std::span<RuleSet> sets, std::span<const RuleSelection> selection) {
  for (const RuleSelection& s : selection) {
    for (RuleSet& set : sets) {
      for (size_t r = 0; r < set.rules().size(); ++r) {
        const CompiledRule& rule = set.rules()[r];
        const bool byName = !s.rule.empty() && matchesWildcard(s.rule, rule.name);
        const bool byTag = !s.tag.empty() &&
                           std::find(rule.tags.begin(), rule.tags.end(), s.tag) != rule.tags.end();
        if (byName || byTag) set.setEnabled(r, s.enable);
      }
    }
  }
}

size_t enabledRuleCount(std::span<const RuleSet> sets) {
  size_t n = 0;
  for (const RuleSet& set : sets) {
    n += static_cast<size_t>(std::count_if(set.rules().begin(), set.rules().end(),
                                           [](const CompiledRule& r) { return r.enabled; }));
  }
  return n;
}

}  // namespace bulkhead
