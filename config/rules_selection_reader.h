// Reads falco.yaml's `rules:` list (Falco 0.44's shape): entries of
// {enable: {rule, tag}} or {disable: {rule, tag}}, applied in order once
// the rules are loaded (engine/rule_selection.h). `-o rules[].disable.tag=x`
// adds one from the command line, as Falco's -T once did.
#pragma once

#include <yaml-cpp/yaml.h>

#include <vector>

#include "config/yaml_node_reader.h"
#include "engine/rule_selection.h"

namespace bulkhead {

// Throws ConfigError naming file:line:column for an entry Falco would
// refuse: not a map, neither or both of enable/disable, a value that is not
// a map. An entry naming neither rule nor tag selects nothing and is warned
// about.
std::vector<RuleSelection> readRulesSelection(YamlNodeReader& reader, const YAML::Node& root);

}  // namespace bulkhead
