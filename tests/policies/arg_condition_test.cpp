#include "policies/arg_condition.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/socket.h>

namespace bulkhead {
namespace {

ArgCondition parseOk(std::string_view text) {
  std::string error;
  auto c = parseArgCondition(text, error);
  EXPECT_TRUE(c.has_value()) << text << ": " << error;
  return c.value_or(ArgCondition{});
}

std::string parseError(std::string_view text) {
  std::string error;
  auto c = parseArgCondition(text, error);
  EXPECT_FALSE(c.has_value()) << text;
  return error;
}

TEST(ArgCondition, EqualityWithConstant) {
  ArgCondition c = parseOk("arg0 == AF_INET");
  EXPECT_EQ(c.arg, 0u);
  EXPECT_EQ(c.op, ArgCondition::Op::kEq);
  EXPECT_EQ(c.value, static_cast<uint64_t>(AF_INET));
  EXPECT_FALSE(c.valueIsSelfPid);
}

TEST(ArgCondition, AllComparisonOperators) {
  EXPECT_EQ(parseOk("arg1 != 3").op, ArgCondition::Op::kNe);
  EXPECT_EQ(parseOk("arg1 < 3").op, ArgCondition::Op::kLt);
  EXPECT_EQ(parseOk("arg1 <= 3").op, ArgCondition::Op::kLe);
  EXPECT_EQ(parseOk("arg1 > 3").op, ArgCondition::Op::kGt);
  EXPECT_EQ(parseOk("arg1 >= 3").op, ArgCondition::Op::kGe);
  EXPECT_EQ(parseOk("arg5>=0x10").value, 16u);
}

TEST(ArgCondition, MaskedWithOredConstants) {
  ArgCondition c = parseOk("arg0 & CLONE_THREAD|CLONE_VM|CLONE_VFORK == CLONE_THREAD|CLONE_VM");
  EXPECT_EQ(c.op, ArgCondition::Op::kMaskedEq);
  EXPECT_EQ(c.mask, static_cast<uint64_t>(CLONE_THREAD | CLONE_VM | CLONE_VFORK));
  EXPECT_EQ(c.value, static_cast<uint64_t>(CLONE_THREAD | CLONE_VM));
  ArgCondition p = parseOk("arg2 & PROT_EXEC == 0");
  EXPECT_EQ(p.arg, 2u);
  EXPECT_EQ(p.mask, static_cast<uint64_t>(PROT_EXEC));
  EXPECT_EQ(p.value, 0u);
}

TEST(ArgCondition, SelfPid) {
  ArgCondition c = parseOk("arg0 == $pid");
  EXPECT_TRUE(c.valueIsSelfPid);
}

TEST(ArgCondition, TmpfileBitExcludesDirectory) {
  auto bit = lookupConstant("__O_TMPFILE");
  ASSERT_TRUE(bit.has_value());
  EXPECT_EQ(*bit & static_cast<uint64_t>(O_DIRECTORY), 0u);
  EXPECT_EQ(*bit | static_cast<uint64_t>(O_DIRECTORY), static_cast<uint64_t>(O_TMPFILE));
}

TEST(ArgCondition, Errors) {
  EXPECT_NE(parseError("arg6 == 1").find("arg0..arg5"), std::string::npos);
  EXPECT_NE(parseError("x == 1").find("arg0..arg5"), std::string::npos);
  EXPECT_NE(parseError("arg0 == AF_NOPE").find("AF_NOPE"), std::string::npos);
  EXPECT_NE(parseError("arg0 ~ 1").find("operator"), std::string::npos);
  EXPECT_NE(parseError("arg0").find("operator"), std::string::npos);
  EXPECT_NE(parseError("arg0 ==").find("missing value"), std::string::npos);
  EXPECT_NE(parseError("arg0 == 12abc").find("bad number"), std::string::npos);
  EXPECT_NE(parseError("arg0 & 1 == 2").find("never match"), std::string::npos);
  EXPECT_NE(parseError("arg0 & 3").find("== value"), std::string::npos);
  EXPECT_NE(parseError("arg0 == $pid|1").find("$pid"), std::string::npos);
  EXPECT_NE(parseError("arg0 & $pid == 0").find("$pid"), std::string::npos);
  EXPECT_NE(parseError("arg0 == 1||2").find("empty term"), std::string::npos);
}

}  // namespace
}  // namespace bulkhead
