#include "supervisor/command_line.h"

#include <CLI/CLI.hpp>

namespace bulkhead {

namespace {

// One statement per flag: a new flag is a CommandLine member and a
// statement here, in Falco's order of its help. A single-valued option
// given twice takes the last value, so a later -c overrides an earlier
// one. A repeatable option takes one value per occurrence (`-r a -r b`):
// in `-r a b` the stray `b` is an error, not quietly a second rules file.
void addOptions(CLI::App& app, CommandLine& c, std::string& format, bool& markdown) {
  auto single = CLI::MultiOptionPolicy::TakeLast;
  app.add_option("-c", c.config, "Configuration file")
      ->type_name("<path>")
      ->capture_default_str()
      ->multi_option_policy(single);
  app.add_option("--disable-source", c.disableSources,
                 "Do not read this event source (repeatable; not with --enable-source)")
      ->type_name("<event_source>")
      ->allow_extra_args(false);
  app.add_flag("--dry-run", c.dryRun,
               "Load the configuration, plugins and rules, then exit without reading events");
  app.add_option("--enable-source", c.enableSources,
                 "Read only the event sources given this way (repeatable; not with "
                 "--disable-source)")
      ->type_name("<event_source>")
      ->allow_extra_args(false);
  app.add_flag("-L", c.describeAllRules,
               "Print the name and description of every rule and exit (JSON with json_output)");
  app.add_option("-l", c.describeRule,
                 "Print the name and description of this rule and exit (JSON with json_output)")
      ->type_name("<rule>")
      ->multi_option_policy(single);
  app.add_option("--list", c.list,
                 "Print the fields of every source, or of <source> only, and exit")
      ->type_name("<source>")
      ->expected(0, 1)
      ->multi_option_policy(single);
  app.add_flag("--list-plugins", c.listPlugins, "Print the loaded plugins and exit");
  app.add_option("-M", c.stopAfterSeconds, "Stop after <num_seconds>")
      ->type_name("<num_seconds>")
      ->multi_option_policy(single);
  app.add_flag("--markdown", markdown, "Deprecated: use --format markdown");
  app.add_option("--format", format, "How --list prints: text, markdown or json")
      ->type_name("<format>")
      ->multi_option_policy(single);
  app.add_flag("-N", c.namesOnly, "With --list, print field names only");
  app.add_option("-o,--option", c.overrides,
                 "Set a configuration key, e.g. -o json_output=true (repeatable; dotted paths "
                 "and [index] as in falco.yaml)")
      ->type_name("<opt>=<val>")
      ->allow_extra_args(false);
  app.add_option("--plugin-info", c.pluginInfo,
                 "Print what this plugin (its name or library_path) says about itself: "
                 "description, init config schema, suggested open params; then exit")
      ->type_name("<plugin_name>")
      ->multi_option_policy(single);
  app.add_option("-p,--print", c.printAdditional,
                 "Deprecated: use -o append_output. Appends <output_format> to every rule's "
                 "output (c, container, k, kubernetes: nothing)")
      ->type_name("<output_format>")
      ->multi_option_policy(single);
  app.add_option("-P,--pidfile", c.pidfile, "Write the process id to <pid_file>")
      ->type_name("<pid_file>")
      ->multi_option_policy(single);
  app.add_option("-r", c.rules, "Rules file or folder of *.yaml files (repeatable)")
      ->type_name("<rules_file>")
      ->allow_extra_args(false);
  app.add_flag("--support", c.support,
               "Print support information (version, system, command line, configuration, "
               "rules files) as JSON and exit");
  app.add_flag("-U,--unbuffered", c.unbuffered,
               "Flush every alert as it is written (buffered_outputs=false)");
  app.add_option("-V,--validate", c.validate, "Check a rules file and exit (repeatable)")
      ->type_name("<rules_file>")
      ->allow_extra_args(false);
  app.add_flag("-v", c.verbose, "Verbose output");
  app.add_flag("--version", c.version, "Print version information and exit");
  app.add_flag("--page-size", c.pageSize, "Print the system page size and exit");
  app.add_option("--isolation", c.isolation,
                 "Run every plugin in this mode: process (a sandboxed runner) or inprocess")
      ->type_name("<mode>")
      ->check(CLI::IsMember({"process", "inprocess"}))
      ->multi_option_policy(single);
  app.add_flag("--json", c.json, "Alerts as JSON (json_output=true)");
}

// Falco names an unknown option without its dashes: `-T x` is 'T', `--nope`
// is 'nope'.
std::string optionName(const std::string& arg) {
  if (arg.rfind("--", 0) == 0) return arg.substr(2, arg.find('=') - 2);
  return arg.substr(1, 1);
}

std::string joined(int argc, const char* const* argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) s += (i == 0 ? "" : " ") + std::string(argv[i]);
  return s;
}

}  // namespace

ParsedCommandLine parseCommandLine(int argc, const char* const* argv, std::ostream& out,
                                   std::ostream& err) {
  CommandLine c;
  std::string format;
  bool markdown = false;
  CLI::App app{"Runs Falco plugins and rules, each plugin in its own sandboxed process.",
               "bulkhead"};
  // Unknown arguments are collected instead of thrown, so that the message
  // can name the first of them as Falco does.
  app.allow_extras();
  addOptions(app, c, format, markdown);
  auto usageError = [&](const std::string& message) {
    err << "Error: " << message << "\n";
    return ParsedCommandLine{std::nullopt, kUsageError};
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return {std::nullopt, 0};
  } catch (const CLI::ParseError& e) {
    return usageError(e.what());
  }
  if (!app.remaining().empty()) {
    const std::string first = app.remaining().front();
    if (first.size() > 1 && first[0] == '-') {
      return usageError("Option '" + optionName(first) + "' does not exist");
    }
    return usageError("unexpected argument '" + first + "'");
  }
  if (markdown && !format.empty()) {
    return usageError("Cannot specify both --markdown and --format options together");
  }
  if (format == "markdown" || markdown) {
    c.listFormat = ListFormat::kMarkdown;
  } else if (format == "json") {
    c.listFormat = ListFormat::kJson;
  } else if (!format.empty() && format != "text") {
    return usageError("Invalid format '" + format + "'. Valid values are: text, markdown, json");
  }
  if (markdown) err << "WARNING: --markdown is deprecated, use --format markdown instead.\n";
  if (c.printAdditional) {
    c.warnings.emplace_back(
        "The -p/--print option is deprecated and will be removed. Use -o append_output=... "
        "instead.");
  }
  c.invocation = joined(argc, argv);
  return {std::move(c), 0};
}

}  // namespace bulkhead
