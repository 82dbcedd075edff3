// Reads falco.yaml's alert channel keys (Falco 0.44's shapes and defaults):
// stdout_output, file_output, http_output, program_output, syslog_output,
// buffered_outputs, outputs_queue.capacity and output_timeout.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "config/config.h"
#include "config/yaml_node_reader.h"

namespace bulkhead {

// Fills the channel fields of `outputs`. Throws ConfigError naming
// file:line:column and the key for a wrong type, an out-of-range number, a
// control character in a path or command, and an enabled channel missing
// what it needs (file_output.filename, http_output.url,
// program_output.program). Unknown keys in a channel's map are warned about.
void readOutputChannels(YamlNodeReader& reader, const YAML::Node& root, const std::string& baseDir,
                        OutputsConfig& outputs);

}  // namespace bulkhead
