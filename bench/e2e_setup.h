// The inputs of one end-to-end run: a generated rules file and a falco.yaml
// for the counter source with the jsonx extractor, alerts to a file.
#pragma once

#include <cstdint>
#include <string>

namespace bulkhead {

// `count` rules over counter.* and jsonx.value[...] fields, using and, or,
// not, in, intersects, contains, startswith and endswith, a list and a
// macro, deterministic for a given count. One rule in four can match: it
// fires on events whose seq ends with its own four digits (about one event
// in 10,000 per such rule); the others never match but must be evaluated
// (their first test is true for part of the events). Outputs carry four
// %fields from both plugins.
std::string generateRules(int count);

struct E2eConfig {
  std::string pluginDir;  // holds libcounter.so and libjsonx.so
  uint64_t events = 0;    // counter count
  int batch = 64;
  int payloadBytes = 64;
  std::string rulesFile;   // absolute
  std::string alertsFile;  // absolute
};

// falco.yaml text: stdout output off, file output on, text alerts.
std::string generateConfig(const E2eConfig& c);

}  // namespace bulkhead
