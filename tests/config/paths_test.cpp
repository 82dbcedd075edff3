#include "config/paths.h"

#include <gtest/gtest.h>

namespace bulkhead {
namespace {

TEST(Paths, AbsoluteUnder) {
  EXPECT_EQ(absoluteUnder("/etc/falco", "rules.d/"), "/etc/falco/rules.d");
  EXPECT_EQ(absoluteUnder("/etc/falco", "../x"), "/etc/x");
  EXPECT_EQ(absoluteUnder("/etc/falco", "/a/./b//c/.."), "/a/b");
  EXPECT_EQ(absoluteUnder("/", "/"), "/");
}

TEST(Paths, ResolveInside) {
  EXPECT_EQ(resolveInside("/p", "lib.so"), "/p/lib.so");
  EXPECT_EQ(resolveInside("/p/", "a/../lib.so"), "/p/lib.so");
  EXPECT_EQ(resolveInside("/p", "/abs/../lib.so"), "/lib.so");
  EXPECT_EQ(resolveInside("/p", "../lib.so"), std::nullopt);
  EXPECT_EQ(resolveInside("/p", "a/../../lib.so"), std::nullopt);
  EXPECT_EQ(resolveInside("/p", "a/.."), std::nullopt);
  EXPECT_EQ(resolveInside("/p", "."), std::nullopt);
  EXPECT_EQ(resolveInside("/p", ""), std::nullopt);
  // "..." is a file name, not a parent reference.
  EXPECT_EQ(resolveInside("/p", "..."), "/p/...");
  EXPECT_EQ(resolveInside("/p", "..lib.so"), "/p/..lib.so");
}

TEST(Paths, ParentDirAndControlChars) {
  EXPECT_EQ(parentDir("/etc/falco/falco.yaml"), "/etc/falco");
  EXPECT_EQ(parentDir("/falco.yaml"), "/");
  EXPECT_TRUE(hasControlChar(std::string("a\0b", 3)));
  EXPECT_TRUE(hasControlChar("a\nb"));
  EXPECT_TRUE(hasControlChar("a\x7f"));
  EXPECT_FALSE(hasControlChar("/usr/lib/libé.so"));
}

}  // namespace
}  // namespace bulkhead
