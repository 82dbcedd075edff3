// Where bulkhead looks for its runner and profiles: the build tree, the
// installed layout, the build tree winning where both exist, and the
// build-tree names when neither does. Each case lays the folders out in a
// temporary directory of its own.
#include "supervisor/install_paths.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace bulkhead {
namespace {

namespace fs = std::filesystem;

class InstallPathsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "install_paths_XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  void file(const fs::path& p) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << "x";
  }
  fs::path root_;
};

TEST_F(InstallPathsTest, BuildTreeHasBothNextToTheExecutable) {
  file(root_ / "build" / "bulkhead");
  file(root_ / "build" / "bulkhead-runner");
  file(root_ / "build" / "policies" / "default.yaml");
  InstallPaths p = findInstallPaths(root_ / "build");
  EXPECT_EQ(p.runner, (root_ / "build" / "bulkhead-runner").string());
  EXPECT_EQ(p.policyDir, (root_ / "build" / "policies").string());
}

TEST_F(InstallPathsTest, InstalledLayoutUnderThePrefix) {
  file(root_ / "usr" / "bin" / "bulkhead");
  file(root_ / "usr" / "libexec" / "bulkhead" / "bulkhead-runner");
  file(root_ / "usr" / "share" / "bulkhead" / "policies" / "default.yaml");
  InstallPaths p = findInstallPaths(root_ / "usr" / "bin");
  EXPECT_EQ(p.runner, (root_ / "usr" / "libexec" / "bulkhead" / "bulkhead-runner").string());
  EXPECT_EQ(p.policyDir, (root_ / "usr" / "share" / "bulkhead" / "policies").string());
}

TEST_F(InstallPathsTest, BuildTreeWinsOverAnInstalledCopy) {
  file(root_ / "usr" / "bin" / "bulkhead-runner");
  file(root_ / "usr" / "bin" / "policies" / "default.yaml");
  file(root_ / "usr" / "libexec" / "bulkhead" / "bulkhead-runner");
  file(root_ / "usr" / "share" / "bulkhead" / "policies" / "default.yaml");
  InstallPaths p = findInstallPaths(root_ / "usr" / "bin");
  EXPECT_EQ(p.runner, (root_ / "usr" / "bin" / "bulkhead-runner").string());
  EXPECT_EQ(p.policyDir, (root_ / "usr" / "bin" / "policies").string());
}

TEST_F(InstallPathsTest, EachIsLookedUpOnItsOwn) {
  // A runner in the build tree, profiles only where installed.
  file(root_ / "usr" / "bin" / "bulkhead-runner");
  file(root_ / "usr" / "share" / "bulkhead" / "policies" / "default.yaml");
  InstallPaths p = findInstallPaths(root_ / "usr" / "bin");
  EXPECT_EQ(p.runner, (root_ / "usr" / "bin" / "bulkhead-runner").string());
  EXPECT_EQ(p.policyDir, (root_ / "usr" / "share" / "bulkhead" / "policies").string());
}

TEST_F(InstallPathsTest, AFolderNamedLikeTheRunnerIsNoRunner) {
  fs::create_directories(root_ / "bin" / "bulkhead-runner");
  file(root_ / "libexec" / "bulkhead" / "bulkhead-runner");
  EXPECT_EQ(findInstallPaths(root_ / "bin").runner,
            (root_ / "libexec" / "bulkhead" / "bulkhead-runner").string());
}

TEST_F(InstallPathsTest, NothingThereNamesTheBuildTreePaths) {
  fs::create_directories(root_ / "bin");
  InstallPaths p = findInstallPaths(root_ / "bin");
  EXPECT_EQ(p.runner, (root_ / "bin" / "bulkhead-runner").string());
  EXPECT_EQ(p.policyDir, (root_ / "bin" / "policies").string());
}

}  // namespace
}  // namespace bulkhead
