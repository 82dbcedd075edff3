// The bulkhead command line. Flags keep Falco 0.44's spellings, meanings
// and exit codes where Falco has the flag, so a Falco command line reads
// the same here; --json and --isolation are bulkhead's own.
//
// Falco 0.44 refuses flags that older releases had (-A, -T, -t, -D, -e,
// -S, -b ...); they are refused here the same way, as unknown options. Its
// replacement for -T/-t/-D, the `rules:` key of falco.yaml (also reachable
// with -o), is read by config/rules_selection_reader.h. Falco's syscall-only
// flags (-i, --list-events, --config-schema, --rule-schema) are not
// offered: bulkhead has no syscall source and no JSON schemas.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace bulkhead {

// --format (and the deprecated --markdown): how --list prints.
enum class ListFormat { kText, kMarkdown, kJson };

struct CommandLine {
  std::string config = "/etc/falco/falco.yaml";  // -c
  std::vector<std::string> rules;                // -r, files or folders; empty: rules_files
  std::vector<std::string> overrides;            // -o, --option key=value, applied in order
  std::vector<std::string> validate;             // -V, --validate: check these and exit
  std::optional<std::string> isolation;          // --isolation process|inprocess
  bool json = false;                             // --json: -o json_output=true
  bool listPlugins = false;                      // --list-plugins
  std::optional<std::string> list;               // --list [source]; "": every source
  bool namesOnly = false;                        // -N: --list prints field names only
  ListFormat listFormat = ListFormat::kText;     // --format, --markdown
  bool dryRun = false;                           // --dry-run: load everything, read no event
  bool describeAllRules = false;                 // -L
  std::optional<std::string> describeRule;       // -l <rule>
  uint64_t stopAfterSeconds = 0;                 // -M; 0: run until the sources end
  bool unbuffered = false;                       // -U, --unbuffered
  std::vector<std::string> enableSources;        // --enable-source
  std::vector<std::string> disableSources;       // --disable-source
  std::optional<std::string> pluginInfo;         // --plugin-info <name or library_path>
  std::optional<std::string> printAdditional;    // -p, --print (deprecated in Falco)
  std::string pidfile;                           // -P, --pidfile; empty: none
  bool version = false;                          // --version
  bool support = false;                          // --support
  bool pageSize = false;                         // --page-size
  bool verbose = false;                          // -v
  std::vector<std::string> warnings;             // deprecations to log once logging is set up
  std::string invocation;                        // argv joined by spaces (--support's cmdline)
};

// Falco ends with EXIT_FAILURE on a usage error, as on any other error.
inline constexpr int kUsageError = 1;

struct ParsedCommandLine {
  // Empty when the program ends here, with `exitStatus`: 0 after -h/--help
  // (the help went to `out`), kUsageError after a usage error (one line,
  // "Error: ...", went to `err`).
  std::optional<CommandLine> commandLine;
  int exitStatus = 0;
};

ParsedCommandLine parseCommandLine(int argc, const char* const* argv, std::ostream& out,
                                   std::ostream& err);

}  // namespace bulkhead
