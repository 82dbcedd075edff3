#include "sandbox_runner/plugin_env.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace bulkhead {
namespace {

bool has(const std::vector<std::string>& env, const std::string& kv) {
  return std::find(env.begin(), env.end(), kv) != env.end();
}

bool hasName(const std::vector<std::string>& env, const std::string& name) {
  return std::any_of(env.begin(), env.end(),
                     [&](const std::string& kv) { return kv.rfind(name + "=", 0) == 0; });
}

TEST(PluginEnv, DefaultsStopGoSpinningWorkers) {
  auto env = defaultPluginEnvironment();
  EXPECT_TRUE(has(env, "GOMAXPROCS=1"));
  EXPECT_TRUE(hasName(env, "GODEBUG"));
  EXPECT_FALSE(hasName(env, "PATH"));
  EXPECT_FALSE(hasName(env, "LD_PRELOAD"));
  for (const auto& kv : env) EXPECT_NE(kv.find('='), std::string::npos) << kv;
}

TEST(PluginEnv, NothingInheritedUnlessNamed) {
  char a[] = "PATH=/usr/bin", b[] = "AWS_REGION=eu-west-1", c[] = "SECRET=x",
       d[] = "AWS_REGION_EXTRA=no";
  char* environ[] = {a, d, b, c, nullptr};
  PluginEnvironmentConfig cfg;
  cfg.passThrough = {"AWS_REGION", "NOT_SET"};
  auto env = buildPluginEnvironment(cfg, environ);
  EXPECT_TRUE(has(env, "AWS_REGION=eu-west-1"));
  EXPECT_FALSE(hasName(env, "PATH"));
  EXPECT_FALSE(hasName(env, "SECRET"));
  EXPECT_FALSE(hasName(env, "AWS_REGION_EXTRA"));
  EXPECT_FALSE(hasName(env, "NOT_SET"));
  EXPECT_TRUE(std::is_sorted(env.begin(), env.end()));
}

TEST(PluginEnv, ExplicitValuesWin) {
  char a[] = "GOMAXPROCS=8";
  char* environ[] = {a, nullptr};
  PluginEnvironmentConfig cfg;
  cfg.passThrough = {"GOMAXPROCS"};
  EXPECT_TRUE(has(buildPluginEnvironment(cfg, environ), "GOMAXPROCS=8"));
  cfg.set["GOMAXPROCS"] = "2";
  cfg.set["EMPTY"] = "";
  auto env = buildPluginEnvironment(cfg, environ);
  EXPECT_TRUE(has(env, "GOMAXPROCS=2"));
  EXPECT_FALSE(has(env, "GOMAXPROCS=1"));
  EXPECT_TRUE(has(env, "EMPTY="));
}

TEST(PluginEnv, InvalidNamesRejected) {
  for (const char* bad : {"", "A=B"}) {
    PluginEnvironmentConfig cfg;
    cfg.set[bad] = "x";
    EXPECT_THROW(buildPluginEnvironment(cfg, nullptr), std::invalid_argument) << bad;
    PluginEnvironmentConfig pass;
    pass.passThrough = {bad};
    EXPECT_THROW(buildPluginEnvironment(pass, nullptr), std::invalid_argument) << bad;
  }
  PluginEnvironmentConfig nul;
  nul.set["X"] = std::string("a\0b", 3);
  EXPECT_THROW(buildPluginEnvironment(nul, nullptr), std::invalid_argument);
}

TEST(PluginEnv, EnvpIsNullTerminated) {
  std::vector<std::string> env = {"A=1", "B=2"};
  auto envp = toEnvp(env);
  ASSERT_EQ(envp.size(), 3u);
  EXPECT_STREQ(envp[0], "A=1");
  EXPECT_STREQ(envp[1], "B=2");
  EXPECT_EQ(envp[2], nullptr);
}

}  // namespace
}  // namespace bulkhead
