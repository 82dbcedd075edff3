// The command line without the program: each flag's value, repetition and
// default, and the exit status of help and of usage errors.
#include "supervisor/command_line.h"

#include <gtest/gtest.h>

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
  EXPECT_NE(p.err.find(message), std::string::npos) << p.err;
  EXPECT_NE(p.err.find("Usage: bulkhead"), std::string::npos) << p.err;
  EXPECT_TRUE(p.out.empty());
}

TEST(CommandLine, UnknownArgumentsAreUsageErrors) {
  expectUsageError(parse({"--nope"}), "bulkhead: unknown argument '--nope'");
  expectUsageError(parse({"stray"}), "bulkhead: unknown argument 'stray'");
  // One value per -r: the second word is not a rules file.
  expectUsageError(parse({"-r", "a", "b"}), "bulkhead: unknown argument 'b'");
}

TEST(CommandLine, IsolationTakesOnlyItsTwoModes) {
  expectUsageError(parse({"--isolation", "sideways"}), "sideways");
}

// The message names the option by its long name when it has one.
TEST(CommandLine, AMissingValueIsAUsageError) {
  const std::vector<std::pair<const char*, std::string>> cases = {{"-c", "-c"},
                                                                  {"-r", "-r"},
                                                                  {"-o", "-o"},
                                                                  {"-V", "--validate"},
                                                                  {"--validate", "--validate"},
                                                                  {"--isolation", "--isolation"}};
  for (const auto& [flag, name] : cases) {
    expectUsageError(parse({flag}), "bulkhead: " + name + ": 1 required");
  }
}

}  // namespace
}  // namespace bulkhead
