#include "policies/policy_search.h"

#include <gtest/gtest.h>

#include "tests/policies/policy_test_util.h"

namespace bulkhead {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

TEST(PolicySearch, ConfiguredDirIsTheOnlyOne) {
  auto dirs = policySearchDirs("/etc/bulkhead/policies", "/opt/bulkhead/bin");
  ASSERT_EQ(dirs.size(), 1u);
  EXPECT_EQ(dirs[0], fs::path("/etc/bulkhead/policies"));
}

TEST(PolicySearch, ExecutableRelativeOrder) {
  auto dirs = policySearchDirs({}, "/opt/bulkhead/bin");
  ASSERT_EQ(dirs.size(), 3u);
  EXPECT_EQ(dirs[0], fs::path("/opt/bulkhead/bin/policies"));
  EXPECT_EQ(dirs[1], fs::path("/opt/bulkhead/policies"));
  EXPECT_EQ(dirs[2], fs::path("/opt/bulkhead/share/bulkhead/policies"));
}

TEST(PolicySearch, FirstHitWins) {
  ScratchDir a, b;
  b.write("default.yaml", "x");
  EXPECT_EQ(findPolicyFile("default", {a.path(), b.path()}), b.path() / "default.yaml");
  a.write("default.yaml", "x");
  EXPECT_EQ(findPolicyFile("default", {a.path(), b.path()}), a.path() / "default.yaml");
}

TEST(PolicySearch, NotFoundListsDirectories) {
  ScratchDir a;
  try {
    findPolicyFile("nothere", {a.path(), "/nonexistent"});
    FAIL();
  } catch (const PolicyError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("nothere"), std::string::npos);
    EXPECT_NE(msg.find(a.path().string()), std::string::npos);
    EXPECT_NE(msg.find("/nonexistent"), std::string::npos);
  }
}

TEST(PolicySearch, NamesCannotEscape) {
  ScratchDir a;
  for (const char* bad : {"../default", "/etc/passwd", "", "Default", "a.b", "x/y"}) {
    EXPECT_THROW(findPolicyFile(bad, {a.path()}), PolicyError) << bad;
  }
}

TEST(PolicySearch, BuildTreeHasCopiesOfTheProfiles) {
  // CMake copies policies/*.yaml to <build>/policies, where a runner in
  // <build>/<folder>/ finds them through <exe dir>/../policies.
  auto dirs = policySearchDirs({}, fs::path(BULKHEAD_BINARY_DIR) / "sandbox_runner");
  for (const char* name : {"default", "network", "strict"}) {
    Policy p = loadPolicy(name, dirs);
    EXPECT_EQ(p.name, name);
  }
}

TEST(PolicySearch, CurrentExecutableDir) {
  fs::path dir = currentExecutableDir();
  EXPECT_TRUE(fs::is_directory(dir));
  EXPECT_TRUE(dir.is_absolute());
}

}  // namespace
}  // namespace bulkhead
