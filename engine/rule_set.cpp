#include "engine/rule_set.h"

#include "engine/evaluator.h"

namespace bulkhead {

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
