// The bulkhead command line. Flags keep Falco's spellings and meanings
// where Falco has the flag (-c, -r, -o, -V/--validate, --list,
// --list-plugins), so a Falco command line reads the same here; --json
// and --isolation are bulkhead's own.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace bulkhead {

struct CommandLine {
  std::string config = "/etc/falco/falco.yaml";  // -c
  std::vector<std::string> rules;                // -r, files or folders; empty: rules_files
  std::vector<std::string> overrides;            // -o key=value, applied in order
  std::vector<std::string> validate;             // -V, --validate: check these and exit
  std::optional<std::string> isolation;          // --isolation process|inprocess
  bool json = false;                             // --json: -o json_output=true
  bool listPlugins = false;                      // --list-plugins
  std::optional<std::string> list;               // --list [source]; "": every source
};

// Exit status after a usage error, the convention of getopt-based tools.
inline constexpr int kUsageError = 2;

struct ParsedCommandLine {
  // Empty when the program ends here, with `exitStatus`: 0 after -h/--help
  // (the help went to `out`), kUsageError after a usage error (the message
  // and the help went to `err`).
  std::optional<CommandLine> commandLine;
  int exitStatus = 0;
};

ParsedCommandLine parseCommandLine(int argc, const char* const* argv, std::ostream& out,
                                   std::ostream& err);

}  // namespace bulkhead
