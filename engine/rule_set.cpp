#include "engine/rule_set.h"

#include "engine/evaluator.h"

namespace bulkhead {

namespace {

constexpr std::string_view kNames[] = {"Emergency", "Alert",  "Critical",      "Error",
                                       "Warning",   "Notice", "Informational", "Debug"};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto l = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
    if (l(a[i]) != l(b[i])) return false;
  }
  return true;
}

}  // namespace

std::optional<Priority> parsePriority(std::string_view text) {
  for (size_t i = 0; i < std::size(kNames); ++i) {
    if (iequals(text, kNames[i])) return static_cast<Priority>(i);
  }
  if (iequals(text, "info")) return Priority::kInformational;
  return std::nullopt;
}

std::string_view priorityName(Priority p) { return kNames[static_cast<size_t>(p)]; }

void RuleSet::evaluate(const FieldValueSource& values, size_t events,
                       std::vector<Match>& out) const {
  for (size_t e = 0; e < events; ++e) {
    for (size_t r = 0; r < rules_.size(); ++r) {
      if (rules_[r].enabled && bulkhead::evaluate(rules_[r].condition, values, e))
        out.push_back(Match{e, r});
    }
  }
}

std::string RuleSet::renderOutput(size_t rule, const FieldValueSource& outputValues,
                                  size_t event) const {
  return rules_[rule].output.render(outputValues, event);
}

}  // namespace bulkhead
