// Which of the rules that match one event alert: Falco's `rule_matching`.
// Header-only, so that config/ can name it without linking the engine.
#pragma once

#include <cstdint>

namespace bulkhead {

enum class RuleMatching : uint8_t {
  kFirst,  // only the first matching rule, in rules-file load order (Falco's default)
  kAll,    // every matching rule
};

}  // namespace bulkhead
