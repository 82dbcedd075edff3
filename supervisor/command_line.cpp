#include "supervisor/command_line.h"

#include <CLI/CLI.hpp>

namespace bulkhead {

namespace {

// One statement per flag: a new flag is a CommandLine member and a
// statement here. A single-valued option given twice takes the last value,
// so a later -c overrides an earlier one. A repeatable option takes one
// value per occurrence (`-r a -r b`): in `-r a b` the stray `b` is an
// unknown argument, not quietly a second rules file.
void addOptions(CLI::App& app, CommandLine& c) {
  app.add_option("-c", c.config, "Configuration file")
      ->type_name("FILE")
      ->capture_default_str()
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("-r", c.rules, "Rules file or folder of *.yaml files (repeatable)")
      ->type_name("PATH")
      ->allow_extra_args(false);
  app.add_option("-o", c.overrides,
                 "Set a configuration key, e.g. -o json_output=true (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  app.add_option("-V,--validate", c.validate, "Check a rules file and exit (repeatable)")
      ->type_name("FILE")
      ->allow_extra_args(false);
  app.add_option("--isolation", c.isolation, "Run every plugin in this mode")
      ->type_name("MODE")
      ->check(CLI::IsMember({"process", "inprocess"}))
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_flag("--json", c.json, "Alerts as JSON (json_output=true)");
  app.add_flag("--list-plugins", c.listPlugins, "Print the loaded plugins and exit");
  app.add_option("--list", c.list, "Print the plugins' fields (of one source) and exit")
      ->type_name("[SOURCE]")
      ->expected(0, 1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

}  // namespace

ParsedCommandLine parseCommandLine(int argc, const char* const* argv, std::ostream& out,
                                   std::ostream& err) {
  CommandLine c;
  CLI::App app{"Runs Falco plugins and rules, each plugin in its own sandboxed process.",
               "bulkhead"};
  // Unknown arguments are collected instead of thrown, so that the message
  // can name the first of them.
  app.allow_extras();
  addOptions(app, c);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return {std::nullopt, 0};
  } catch (const CLI::ParseError& e) {
    err << "bulkhead: " << e.what() << "\n" << app.help();
    return {std::nullopt, kUsageError};
  }
  if (!app.remaining().empty()) {
    err << "bulkhead: unknown argument '" << app.remaining().front() << "'\n" << app.help();
    return {std::nullopt, kUsageError};
  }
  return {std::move(c), 0};
}

}  // namespace bulkhead
