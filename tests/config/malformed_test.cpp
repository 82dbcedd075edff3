// Feeds many malformed configurations to loadConfig: each must either load
// or throw ConfigError, never crash, hang or throw anything else.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <random>

#include "config/config.h"
#include "tests/config/temp_config.h"

namespace bulkhead {
namespace {

using testing::TempConfigDir;

// Thousands of rejected inputs would otherwise log thousands of warnings.
class Malformed : public ::testing::Test {
 protected:
  void SetUp() override {
    level_ = spdlog::get_level();
    spdlog::set_level(spdlog::level::err);
  }
  void TearDown() override { spdlog::set_level(level_); }

 private:
  spdlog::level::level_enum level_ = spdlog::level::info;
};

constexpr const char* kValid = R"(config_files: [inc.yaml]
rules_files: [/etc/falco/rules.yaml, local.yaml]
json_output: true
priority: notice
stdout_output: {enabled: true}
file_output: {enabled: true, keep_alive: false, filename: out.txt}
load_plugins: [k8saudit, json]
plugins:
  - name: k8saudit
    library_path: libk8saudit.so
    init_config:
      maxEventSize: 262144
      list: [1, "2", {x: y}]
    open_params: "http://:9765/k8s-audit"
  - name: json
    library_path: /usr/lib/libjson.so
    init_config: '{"a": 1}'
bulkhead:
  plugins_dir: plugins
  defaults:
    isolation: process
    policy: default
    limits: {address_space_mb: 2048, open_files: 32}
    deadlines_ms: {init: 5000, extract: 100}
    restart: {max_restarts: 3, window_s: 30}
    env: {GOMAXPROCS: "2"}
    ring_mb: {source: 16}
    allow_paths: {read: [/etc/ssl], write: []}
  plugins:
    k8saudit: {policy: network, user: "1000"}
)";

// Returns true when loading succeeded; any exception but ConfigError fails
// the test.
bool loadsOrConfigError(const TempConfigDir& dir, const std::string& content,
                        std::span<const std::string> overrides = {}) {
  try {
    dir.load(content, overrides);
    return true;
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()), "") << content;
    return false;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "unexpected " << typeid(e).name() << ": " << e.what() << "\ninput:\n"
                  << content;
    return false;
  }
}

TEST_F(Malformed, ValidBaseLoads) {
  TempConfigDir dir;
  dir.write("inc.yaml", "json_output: false\n");
  EXPECT_TRUE(loadsOrConfigError(dir, kValid));
}

TEST_F(Malformed, EveryTruncation) {
  TempConfigDir dir;
  dir.write("inc.yaml", "json_output: false\n");
  std::string valid = kValid;
  for (std::size_t n = 0; n < valid.size(); ++n) loadsOrConfigError(dir, valid.substr(0, n));
}

TEST_F(Malformed, ByteMutations) {
  TempConfigDir dir;
  dir.write("inc.yaml", "json_output: false\n");
  const std::string valid = kValid;
  const char kNasty[] = {'\0', '\t', '\n', ':', '-', '[', ']', '{', '}', '&',    '*',    '!', '|',
                         '>',  '"',  '\'', '#', '%', '@', '`', '?', ',', '\xff', '\xc3', ' '};
  std::mt19937 rng(12345);
  for (int round = 0; round < 1500; ++round) {
    std::string text = valid;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      std::size_t pos = rng() % text.size();
      char c = kNasty[rng() % sizeof kNasty];
      switch (rng() % 3) {
        case 0:
          text[pos] = c;
          break;
        case 1:
          text.insert(pos, 1, c);
          break;
        default:
          text.erase(pos, 1 + rng() % 8);
          break;
      }
      if (text.empty()) text = "x";
    }
    loadsOrConfigError(dir, text);
  }
}

TEST_F(Malformed, LineShuffles) {
  TempConfigDir dir;
  dir.write("inc.yaml", "json_output: false\n");
  std::vector<std::string> lines;
  std::string valid = kValid;
  for (std::size_t start = 0; start < valid.size();) {
    std::size_t end = valid.find('\n', start);
    lines.push_back(valid.substr(start, end - start));
    start = end + 1;
  }
  std::mt19937 rng(777);
  for (int round = 0; round < 500; ++round) {
    std::vector<std::string> copy = lines;
    std::swap(copy[rng() % copy.size()], copy[rng() % copy.size()]);
    if (rng() % 2) copy.erase(copy.begin() + static_cast<long>(rng() % copy.size()));
    if (rng() % 2) copy[rng() % copy.size()].insert(0, std::string(rng() % 5, ' '));
    std::string text;
    for (const auto& l : copy) text += l + "\n";
    loadsOrConfigError(dir, text);
  }
}

TEST_F(Malformed, HandPickedInputs) {
  TempConfigDir dir;
  const std::string cases[] = {
      std::string(20000, '['),
      std::string(20000, '{'),
      "plugins:\n  - name: a\n    library_path: a.so\n    init_config: " + std::string(5000, '[') +
          std::string(5000, ']') + "\n",
      "a: &x [*x]\n",
      "plugins: &p [*p]\n",
      "plugins:\n  - &e {name: a, library_path: a.so, init_config: &i {k: *i}}\n",
      "plugins:\n  - name: a\n    library_path: a.so\n    init_config: &r [*r, *r]\n",
      "load_plugins: &l [*l]\nplugins: []\n",
      "bulkhead: &b {defaults: *b}\n",
      "bulkhead: {defaults: {env: &e {A: *e}}}\n",
      "? [a, b]\n: c\n",
      "? {a: b}\n: c\nplugins: []\n",
      "~: x\n",
      "plugins:\n  - name: a\n    library_path: a.so\n    ? [x]\n    : y\n",
      "bulkhead:\n  plugins:\n    ? [x]\n    : {}\n",
      "\xEF\xBB\xBFjson_output: true\n",
      "json_output: true\n---\njson_output: false\n",
      "---\n...\n",
      "%YAML 1.2\n---\nplugins: []\n",
      "%TAG ! tag:x,2000:\n---\nplugins: !foo []\n",
      "plugins: !!binary aGVsbG8=\n",
      "json_output: !!bool maybe\n",
      "plugins:\n\t- name: a\n",
      std::string("json_output: \0true\n", 19),
      "priority: \"\xff\xfe\"\n",
      "rules_files: [\"\\0\"]\n",
      "file_output: {enabled: true, filename: \"a\\nb\"}\n",
      "bulkhead: {plugins_dir: \"\\0\"}\nplugins: [{name: a, library_path: a.so}]\n",
      "bulkhead: {runner_path: [x]}\n",
      "bulkhead: {defaults: {limits: {open_files: 18446744073709551616}}}\n",
      "bulkhead: {defaults: {limits: {open_files: 0x10}}}\n",
      "plugins:\n  - name: a\n    library_path: a.so\n    init_config: {a: .nan, b: -.inf, c: "
      "1e999}\n",
      "config_files: [/dev/null]\n",
      "config_files: [/proc/self/status]\n",
      "config_files: [/]\n",
      "config_files: [\"\"]\n",
      "config_files: [[a]]\n",
      "load_plugins: [[a]]\n",
      "load_plugins: [~]\nplugins: [{name: a, library_path: a.so}]\n",
      "plugins: [~]\n",
      "plugins: [[]]\n",
      "plugins: [{name: ~, library_path: a.so}]\n",
      "plugins: [{name: a, library_path: ~}]\n",
      "plugins: [{name: a, library_path: a.so, open_params: ~, init_config: ~}]\n",
      "stdout_output: ~\nfile_output: ~\n",
      "json_output:\n",
      "priority: ~\n",
      "rules_files: ~\n",
      "rules_files: [~]\n",
  };
  for (const std::string& c : cases) loadsOrConfigError(dir, c);
}

TEST_F(Malformed, HostileOverrides) {
  TempConfigDir dir;
  const std::string base = "plugins:\n  - {name: a, library_path: a.so}\nload_plugins: [a]\n";
  const std::string overrides[] = {
      "",
      "=",
      "==",
      ".",
      "a.",
      ".a=1",
      "[0]=1",
      "a[=1",
      "a[]]=1",
      "a[99999999999999999999]=1",
      "plugins=1",
      "plugins[0]=1",
      "plugins[0].name=[x]",
      "plugins[0].name.x=1",
      "plugins[1].name=b",
      "load_plugins=x",
      "load_plugins[0]=b",
      "load_plugins[0][0]=b",
      "bulkhead=[]",
      "bulkhead.defaults=1",
      "bulkhead.defaults.env.A=[1]",
      "x=&a [*a]",
      "x=!!binary aGVsbG8=",
      "x={",
      "x=\"\\0\"",
      "json_output=" + std::string(5000, '['),
      "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p=1",
  };
  for (const std::string& o : overrides) {
    std::vector<std::string> list = {o};
    loadsOrConfigError(dir, base, list);
  }
  std::mt19937 rng(99);
  const char kChars[] = "ab.[]=0{}:,\"' *&!";
  for (int round = 0; round < 1000; ++round) {
    std::string o;
    std::size_t length = rng() % 12;
    for (std::size_t i = 0; i < length; ++i) o += kChars[rng() % (sizeof kChars - 1)];
    std::vector<std::string> list = {o};
    loadsOrConfigError(dir, base, list);
  }
}

}  // namespace
}  // namespace bulkhead
