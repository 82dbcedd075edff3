// The command line without the program: each flag's value, repetition and
// default, and the exit status of help and of usage errors.
#include "supervisor/command_line.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace bulkhead {
namespace {

struct Parsed {
  ParsedCommandLine result;
  std::string out;
  std::string err;
};

Parsed parse(std::initializer_list<const char*> args) {
  std::vector<const char*> argv = {"bulkhead"};
  argv.insert(argv.end(), args);
  std::ostringstream out;
  std::ostringstream err;
  Parsed p{parseCommandLine(static_cast<int>(argv.size()), argv.data(), out, err), "", ""};
  p.out = out.str();
  p.err = err.str();
  return p;
}

// A copy: callers pass the temporary that parse() returned.
CommandLine ok(const Parsed& p) {
  EXPECT_TRUE(p.result.commandLine.has_value()) << p.err;
  return p.result.commandLine.value_or(CommandLine{});
}

TEST(CommandLine, DefaultsWithoutArguments) {
  Parsed p = parse({});
  const CommandLine c = ok(p);
  EXPECT_EQ(c.config, "/etc/falco/falco.yaml");
  EXPECT_TRUE(c.rules.empty());
  EXPECT_TRUE(c.overrides.empty());
  EXPECT_TRUE(c.validate.empty());
  EXPECT_FALSE(c.isolation);
  EXPECT_FALSE(c.json);
  EXPECT_FALSE(c.listPlugins);
  EXPECT_FALSE(c.list);
  EXPECT_TRUE(p.out.empty());
  EXPECT_TRUE(p.err.empty());
}

TEST(CommandLine, EveryFlag) {
  Parsed p = parse({"-c", "f.yaml", "-r", "a.yaml", "-o", "k=v", "--json", "--isolation",
                    "inprocess", "--list-plugins", "--list", "counter"});
  const CommandLine c = ok(p);
  EXPECT_EQ(c.config, "f.yaml");
  EXPECT_EQ(c.rules, std::vector<std::string>{"a.yaml"});
  EXPECT_EQ(c.overrides, std::vector<std::string>{"k=v"});
  EXPECT_EQ(c.isolation, "inprocess");
  EXPECT_TRUE(c.json);
  EXPECT_TRUE(c.listPlugins);
  EXPECT_EQ(c.list, "counter");
}

TEST(CommandLine, RepeatableFlagsKeepTheirOrder) {
  Parsed p =
      parse({"-r", "b", "-r", "a", "-o", "x=1", "-o", "x=2", "-V", "v1", "--validate", "v2"});
  const CommandLine c = ok(p);
  EXPECT_EQ(c.rules, (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(c.overrides, (std::vector<std::string>{"x=1", "x=2"}));
  EXPECT_EQ(c.validate, (std::vector<std::string>{"v1", "v2"}));
}

TEST(CommandLine, ASingleValuedFlagGivenTwiceTakesTheLast) {
  const CommandLine& c =
      ok(parse({"-c", "a", "-c", "b", "--isolation", "process", "--isolation", "inprocess"}));
  EXPECT_EQ(c.config, "b");
  EXPECT_EQ(c.isolation, "inprocess");
}

TEST(CommandLine, ListTakesAnOptionalSource) {
  EXPECT_EQ(ok(parse({"--list"})).list, "");
  EXPECT_EQ(ok(parse({"--list", "counter"})).list, "counter");
  const CommandLine c = ok(parse({"--list", "-c", "f.yaml"}));
  EXPECT_EQ(c.list, "");
  EXPECT_EQ(c.config, "f.yaml");
}

TEST(CommandLine, HelpGoesToStdoutAndEndsWithZero) {
  for (const char* flag : {"-h", "--help"}) {
    Parsed p = parse({flag});
    EXPECT_FALSE(p.result.commandLine);
    EXPECT_EQ(p.result.exitStatus, 0);
    EXPECT_NE(p.out.find("--isolation"), std::string::npos) << p.out;
    EXPECT_TRUE(p.err.empty());
  }
}

void expectUsageError(const Parsed& p, const std::string& message) {
  EXPECT_FALSE(p.result.commandLine);
  EXPECT_EQ(p.result.exitStatus, kUsageError);
  EXPECT_EQ(p.result.exitStatus, 1) << "Falco ends a usage error with EXIT_FAILURE";
  EXPECT_EQ(p.err.rfind("Error: ", 0), 0u) << p.err;
  EXPECT_NE(p.err.find(message), std::string::npos) << p.err;
  EXPECT_EQ(p.err.find("Usage:"), std::string::npos) << "Falco prints no help after an error";
  EXPECT_TRUE(p.out.empty());
}

TEST(CommandLine, UnknownOptionsAreNamedAsFalcoNamesThem) {
  expectUsageError(parse({"--nope"}), "Error: Option 'nope' does not exist");
  expectUsageError(parse({"--nope=3"}), "Error: Option 'nope' does not exist");
  expectUsageError(parse({"stray"}), "Error: unexpected argument 'stray'");
  // One value per -r: the second word is not a rules file.
  expectUsageError(parse({"-r", "a", "b"}), "Error: unexpected argument 'b'");
}

// Flags that Falco 0.44 no longer has are refused as it refuses them.
TEST(CommandLine, FlagsFalcoDroppedAreUnknown) {
  for (const char* flag : {"-A", "-T", "-t", "-D", "-e", "-S", "-b", "-i", "--list-events"}) {
    Parsed p = parse({flag, "x"});
    SCOPED_TRACE(flag);
    const std::string name = std::string(flag).substr(flag[1] == '-' ? 2 : 1);
    expectUsageError(p, "Option '" + name + "' does not exist");
  }
}

TEST(CommandLine, IsolationTakesOnlyItsTwoModes) {
  expectUsageError(parse({"--isolation", "sideways"}), "sideways");
}

// The message names the option by its long name when it has one.
TEST(CommandLine, AMissingValueIsAUsageError) {
  const std::vector<std::pair<const char*, std::string>> cases = {
      {"-c", "-c"},
      {"-r", "-r"},
      {"-o", "--option"},
      {"--option", "--option"},
      {"-V", "--validate"},
      {"--validate", "--validate"},
      {"--isolation", "--isolation"},
      {"-l", "-l"},
      {"-M", "-M"},
      {"--plugin-info", "--plugin-info"},
      {"--enable-source", "--enable-source"},
      {"--disable-source", "--disable-source"},
      {"-p", "--print"},
      {"-P", "--pidfile"},
      {"--format", "--format"}};
  for (const auto& [flag, name] : cases) {
    SCOPED_TRACE(flag);
    expectUsageError(parse({flag}), "Error: " + name + ": 1 required");
  }
}

TEST(CommandLine, EveryFalcoFlag) {
  Parsed p = parse({"--dry-run", "-L",
                    "-l",        "Some rule",
                    "-M",        "30",
                    "-U",        "--enable-source",
                    "a",         "--enable-source",
                    "b",         "--disable-source",
                    "c",         "--plugin-info",
                    "counter",   "--version",
                    "--support", "-N",
                    "-v",        "--page-size",
                    "-P",        "/run/x.pid",
                    "--option",  "k=v",
                    "-o",        "k2=v2"});
  const CommandLine c = ok(p);
  EXPECT_TRUE(c.dryRun);
  EXPECT_TRUE(c.describeAllRules);
  EXPECT_EQ(c.describeRule, "Some rule");
  EXPECT_EQ(c.stopAfterSeconds, 30u);
  EXPECT_TRUE(c.unbuffered);
  EXPECT_EQ(c.enableSources, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.disableSources, std::vector<std::string>{"c"});
  EXPECT_EQ(c.pluginInfo, "counter");
  EXPECT_TRUE(c.version);
  EXPECT_TRUE(c.support);
  EXPECT_TRUE(c.namesOnly);
  EXPECT_TRUE(c.verbose);
  EXPECT_TRUE(c.pageSize);
  EXPECT_EQ(c.pidfile, "/run/x.pid");
  EXPECT_EQ(c.overrides, (std::vector<std::string>{"k=v", "k2=v2"}));
  EXPECT_TRUE(c.warnings.empty());
  EXPECT_EQ(c.invocation.rfind("bulkhead --dry-run -L -l Some rule -M 30", 0), 0u) << c.invocation;
}

TEST(CommandLine, LongUnbufferedAndListWithEquals) {
  const CommandLine c = ok(parse({"--unbuffered", "--list=counter"}));
  EXPECT_TRUE(c.unbuffered);
  EXPECT_EQ(c.list, "counter");
}

TEST(CommandLine, StopAfterTakesANumber) { expectUsageError(parse({"-M", "soon"}), "-M"); }

TEST(CommandLine, FormatAndDeprecatedMarkdown) {
  EXPECT_EQ(ok(parse({"--list", "--format", "json"})).listFormat, ListFormat::kJson);
  EXPECT_EQ(ok(parse({"--list", "--format", "text"})).listFormat, ListFormat::kText);
  EXPECT_EQ(ok(parse({"--list", "--format", "markdown"})).listFormat, ListFormat::kMarkdown);
  Parsed md = parse({"--list", "--markdown"});
  EXPECT_EQ(ok(md).listFormat, ListFormat::kMarkdown);
  EXPECT_NE(md.err.find("WARNING: --markdown is deprecated, use --format markdown instead."),
            std::string::npos)
      << md.err;
  expectUsageError(parse({"--format", "yaml"}),
                   "Invalid format 'yaml'. Valid values are: text, markdown, json");
  expectUsageError(parse({"--markdown", "--format", "text"}),
                   "Cannot specify both --markdown and --format options together");
}

TEST(CommandLine, PrintIsDeprecatedAndTakesItsValueAttached) {
  const CommandLine c = ok(parse({"-pc"}));
  EXPECT_EQ(c.printAdditional, "c");
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("-p/--print option is deprecated"), std::string::npos);
  EXPECT_EQ(ok(parse({"--print", "x=%counter.seq"})).printAdditional, "x=%counter.seq");
}

TEST(CommandLine, HelpListsEveryFlag) {
  Parsed p = parse({"--help"});
  for (const char* flag : {"-c",           "--disable-source",
                           "--dry-run",    "--enable-source",
                           "-L",           "-l",
                           "--list",       "--list-plugins",
                           "-M",           "--markdown",
                           "--format",     "-N",
                           "--option",     "--plugin-info",
                           "--print",      "--pidfile",
                           "-r",           "--support",
                           "--unbuffered", "--validate",
                           "-v",           "--version",
                           "--page-size",  "--isolation",
                           "--json"}) {
    EXPECT_NE(p.out.find(std::string(flag) + " "), std::string::npos) << flag << "\n" << p.out;
  }
  EXPECT_GT(std::count(p.out.begin(), p.out.end(), '\n'), 25) << p.out;
}

}  // namespace
}  // namespace bulkhead
