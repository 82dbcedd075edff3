// The compiled rules of one event source, and what an event loop does with
// them for each batch:
//
//   1. for each plugin p in conditionPlan().pluginsWithRequests():
//        host(p).extract(events, source, conditionPlan().requests(p), results[p])
//   2. BatchValues values(conditionPlan(), events, source, plugins, results);
//      ruleSet.evaluate(values, events.size(), matches);
//   3. for the matched events only, the same with outputPlan(), then
//      ruleSet.renderOutput(match.rule, outputValues, indexInThatBatch).
//
// So an isolated plugin costs at most two round trips per batch: one for the
// conditions, one for the outputs of matching events (none when nothing
// matched).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/compiler.h"
#include "engine/output_format.h"
#include "engine/priority.h"

namespace bulkhead {

struct CompiledRule {
  std::string name;
  std::string description;
  std::string conditionText;  // as written (appends joined), for -L/-l
  std::string outputText;     // as written (appends joined), for -L/-l
  std::string source;
  Priority priority = Priority::kDebug;
  std::vector<std::string> tags;
  bool enabled = true;
  CompiledFilter condition;
  OutputFormat output;
  // append_output's extra_fields for this rule (JSON output_fields only),
  // unique by key, the last entry winning as in Falco.
  struct ExtraField {
    std::string key;
    OutputFormat format;
    bool raw = false;  // typed value of a single field, else rendered text
  };
  std::vector<ExtraField> extraFields;
  std::string file;
  uint32_t line = 0;
};

struct Match {
  size_t event = 0;  // index in the evaluated batch
  size_t rule = 0;   // index in RuleSet::rules()
};

class RuleSet {
 public:
  RuleSet(std::string source, size_t pluginCount)
      : source_(std::move(source)), conditionPlan_(pluginCount), outputPlan_(pluginCount) {}

  const std::string& source() const { return source_; }
  const std::vector<CompiledRule>& rules() const { return rules_; }
  const RequestPlan& conditionPlan() const { return conditionPlan_; }
  const RequestPlan& outputPlan() const { return outputPlan_; }

  // Appends one Match per (event, enabled rule) whose condition holds, in
  // event order, then rule order (the order of the rules files).
  void evaluate(const FieldValueSource& values, size_t events, std::vector<Match>& out) const;
  std::string renderOutput(size_t rule, const FieldValueSource& outputValues, size_t event) const;

  // Used by the loader: rules are compiled against copies of the plans,
  // which replace these once the rule compiled.
  void add(CompiledRule rule) { rules_.push_back(std::move(rule)); }
  // After loading: falco.yaml's `rules:` selection (engine/rule_selection.h).
  void setEnabled(size_t rule, bool enabled) { rules_.at(rule).enabled = enabled; }
  RequestPlan& conditionPlan() { return conditionPlan_; }
  RequestPlan& outputPlan() { return outputPlan_; }

 private:
  std::string source_;
  std::vector<CompiledRule> rules_;
  RequestPlan conditionPlan_;
  RequestPlan outputPlan_;
};

}  // namespace bulkhead
