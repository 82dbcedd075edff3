// How an alert reads once it leaves the engine: Falco's text line or its
// JSON alert object, byte for byte as Falco 0.44 writes them. Formatted once
// per alert and shared by every channel, as Falco does, so all channels
// carry the same bytes.
#pragma once

#include <string>

#include "engine/event_loop.h"

namespace bulkhead {

struct AlertFormat {
  bool json = false;                // json_output
  bool includeOutput = true;        // json_include_output_property
  bool includeTags = true;          // json_include_tags_property
  bool includeMessage = false;      // json_include_message_property
  bool includeOutputFields = true;  // json_include_output_fields_property
  bool timeIso8601 = false;         // time_format_iso_8601
  std::string hostname;             // the JSON object's "hostname"
};

// Falco's prefix, "<time>: <Priority>": the time is evt.time (local
// "HH:MM:SS.nnnnnnnnn") or, with timeIso8601, evt.time.iso8601.
std::string formatAlertPrefix(const Alert& a, const AlertFormat& f);
// Falco's text line: "<prefix> <rule output>", raw, as the JSON object's
// "output" carries it (JSON escaping makes it safe there).
std::string formatAlertText(const Alert& a, const AlertFormat& f);
// Falco's JSON alert, keys in Falco's (sorted) order: hostname, message,
// output, output_fields (the output's fields, typed, plus the prefix's time
// field), priority, rule, source, tags (sorted, unique), time. One line, no
// trailing newline.
std::string formatAlertJson(const Alert& a, const AlertFormat& f);
// The one of the two that `f` asks for. A text line is made visible first
// (plugin_api/visible_text.h, tabs kept): a field value cannot end the line,
// forge another alert or reach the terminal as an escape sequence. Falco
// prints such bytes raw; this is the one place bulkhead's text differs.
std::string formatAlert(const Alert& a, const AlertFormat& f);

}  // namespace bulkhead
