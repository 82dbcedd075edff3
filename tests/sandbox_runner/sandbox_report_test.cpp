#include "sandbox_runner/sandbox_report.h"

#include <gtest/gtest.h>

namespace bulkhead {
namespace {

TEST(SandboxReport, SummaryAndLookup) {
  SandboxReport r;
  r.add("landlock", LayerState::kApplied, "ABI 7");
  r.add("pid-namespace", LayerState::kUnavailable, "needs CLONE_NEWPID");
  r.add("net-namespace", LayerState::kNotRequested);
  EXPECT_TRUE(r.applied("landlock"));
  EXPECT_FALSE(r.applied("pid-namespace"));
  EXPECT_FALSE(r.applied("net-namespace"));
  EXPECT_FALSE(r.applied("missing"));
  EXPECT_EQ(r.find("missing"), nullptr);
  EXPECT_EQ(r.summary(),
            "landlock: applied (ABI 7)\n"
            "pid-namespace: unavailable (needs CLONE_NEWPID)\n"
            "net-namespace: not requested\n");
}

TEST(SandboxReport, LastEntryWinsAndAppendKeepsOrder) {
  SandboxReport a, b;
  a.add("x", LayerState::kFailed, "first try");
  b.add("x", LayerState::kPartial, "second");
  a.append(b);
  ASSERT_EQ(a.layers().size(), 2u);
  EXPECT_EQ(a.find("x")->detail, "second");
  EXPECT_TRUE(a.applied("x"));
}

}  // namespace
}  // namespace bulkhead
