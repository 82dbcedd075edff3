#include "plugin_api/version.h"

#include <gtest/gtest.h>

namespace bulkhead {
namespace {

TEST(SemVer, ParsesThreeNumbersAndIgnoresTheRest) {
  auto v = SemVer::parse("3.11.0");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->major, 3u);
  EXPECT_EQ(v->minor, 11u);
  EXPECT_EQ(v->patch, 0u);
  auto suffixed = SemVer::parse("0.15.0-rc1+build7");
  ASSERT_TRUE(suffixed);
  EXPECT_EQ(suffixed->str(), "0.15.0");
}

TEST(SemVer, RejectsFewerThanThreeNumbers) {
  EXPECT_FALSE(SemVer::parse(""));
  EXPECT_FALSE(SemVer::parse("3"));
  EXPECT_FALSE(SemVer::parse("3.1"));
  EXPECT_FALSE(SemVer::parse("3.1."));
  EXPECT_FALSE(SemVer::parse("a.b.c"));
  EXPECT_FALSE(SemVer::parse("99999999999.0.0"));
}

TEST(SemVer, CompatibilityRule) {
  const SemVer ours{3, 12, 0};
  EXPECT_TRUE(isCompatible(ours, {3, 0, 0}));
  EXPECT_TRUE(isCompatible(ours, {3, 11, 0}));
  EXPECT_TRUE(isCompatible(ours, {3, 12, 0}));
  EXPECT_FALSE(isCompatible(ours, {3, 12, 1}));
  EXPECT_FALSE(isCompatible(ours, {3, 13, 0}));
  EXPECT_FALSE(isCompatible(ours, {2, 0, 0}));
  EXPECT_FALSE(isCompatible(ours, {4, 0, 0}));
  // A higher minor wins whatever the patch.
  EXPECT_TRUE(isCompatible({3, 5, 0}, {3, 4, 9}));
}

TEST(SemVer, FrameworkVersionIsTheHeaders) {
  EXPECT_EQ(frameworkApiVersion().str(), "3.12.0");
}

}  // namespace
}  // namespace bulkhead
