// How an alert reads once it leaves the engine: Falco's text line or its
// JSON alert object. Formatted once per alert and shared by every channel,
// as Falco does, so all channels carry the same bytes.
#pragma once

#include <string>

#include "engine/event_loop.h"

namespace bulkhead {

struct AlertFormat {
  bool json = false;          // json_output
  bool includeOutput = true;  // json_include_output_property
  bool includeTags = true;    // json_include_tags_property
  std::string hostname;       // the JSON object's "hostname"
};

// Falco's text line: "<time>: <Priority> <output>".
std::string formatAlertText(const Alert& a);
// Falco's JSON alert: time, rule, priority, source, output, output_fields,
// tags, hostname (one line, no trailing newline).
std::string formatAlertJson(const Alert& a, const AlertFormat& f);
// The one of the two that `f` asks for.
std::string formatAlert(const Alert& a, const AlertFormat& f);

}  // namespace bulkhead
