// A Snapshot as Falco's metrics output_fields: the flat "falco.*" keys of
// its rule output and output file (falco.version, falco.num_evts,
// falco.rules.<rule>, ...) plus bulkhead's own "bulkhead.*" keys, with
// numbers as numbers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "config/config.h"
#include "engine/event_loop.h"
#include "metrics/snapshot.h"

namespace bulkhead {

inline constexpr const char* kMetricsRuleName = "Falco internal: metrics snapshot";
inline constexpr const char* kMetricsOutput = "Falco metrics snapshot";

// The fields of `s`, in key order; `previous` (null for the first) gives
// falco.num_evts_prev and falco.evts_rate_sec. Zero and empty values are
// left out unless config.includeEmptyValues.
boost::json::object snapshotFields(const Snapshot& s, const Snapshot* previous,
                                   const MetricsConfig& config);

// The alert-like event Falco emits for output_rule: rule "Falco internal:
// metrics snapshot", source "internal", priority Informational, the
// fields as output_fields (a fraction is carried as its text: alert
// fields have no floating-point type).
Alert snapshotAlert(const Snapshot& s, const boost::json::object& fields);

// One line of metrics.output_file: {"sample": n, "output_fields": {...}}.
std::string snapshotFileLine(uint64_t sample, const boost::json::object& fields);

// Falco's key for a rule's counter: the name with every character other
// than [a-zA-Z0-9_] replaced by '_'.
std::string ruleFieldKey(const std::string& ruleName);

}  // namespace bulkhead
