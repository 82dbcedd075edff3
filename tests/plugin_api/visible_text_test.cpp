// Plugin-supplied text as an operator reads it: nothing can end a line,
// drive a terminal or reorder what is shown.
#include "plugin_api/visible_text.h"

#include <gtest/gtest.h>

namespace bulkhead {
namespace {

TEST(VisibleText, OrdinaryTextIsUnchanged) {
  const std::string s = "user=alice path=C:\\temp caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80";
  EXPECT_EQ(visibleText(s), s);
  EXPECT_TRUE(isVisibleAlready(s));
}

TEST(VisibleText, LineBreaksAndControlsAreShownNotEmitted) {
  EXPECT_EQ(visibleText("a\nb\rc\td"), "a\\nb\\rc\\td");
  EXPECT_EQ(visibleText(std::string("\x1b]0;x\x07\x7f\0", 8)), "\\x1b]0;x\\x07\\x7f\\x00");
  EXPECT_FALSE(isVisibleAlready("a\nb"));
  EXPECT_FALSE(isVisibleAlready("a\tb"));
}

TEST(VisibleText, TabsStayRawOnlyWhenAsked) {
  VisibleOptions o;
  o.keepTab = true;
  EXPECT_EQ(visibleText("a\tb\n", o), "a\tb\\n");
  EXPECT_TRUE(isVisibleAlready("a\tb", /*keepTab=*/true));
}

TEST(VisibleText, InvalidUtf8IsShownBytePerByte) {
  EXPECT_EQ(visibleText("\xFF"), "\\xff");
  EXPECT_EQ(visibleText("\xE2\x82" "a"), "\\xe2\\x82a");
  EXPECT_EQ(visibleText("\xC0\xAF"), "\\xc0\\xaf");
  EXPECT_EQ(visibleText("\xED\xA0\x80"), "\\xed\\xa0\\x80");  // a surrogate
  EXPECT_EQ(visibleText("x\xF0\x9F\x98"), "x\\xf0\\x9f\\x98");
}

TEST(VisibleText, C1ControlsAndBidiOverridesAreNamed) {
  EXPECT_EQ(visibleText("\xC2\x9B" "31m"), "\\u{009b}31m");    // CSI
  EXPECT_EQ(visibleText("a\xE2\x80\xAE" "b"), "a\\u{202e}b");  // right-to-left override
  EXPECT_EQ(visibleText("\xE2\x80\xA8"), "\\u{2028}");          // line separator
  EXPECT_EQ(visibleText("\xE2\x81\xA6"), "\\u{2066}");          // isolate
  EXPECT_FALSE(isVisibleAlready("\xE2\x80\xAE"));
}

TEST(VisibleText, LongTextIsCutAndTheRestCounted) {
  EXPECT_EQ(visibleText(std::string(10, 'a') + "\n", 4), "aaaa...(7 more bytes)");
  EXPECT_EQ(visibleText("abc", 4), "abc");
}

TEST(VisibleText, AForgedAlertCannotStartANewLine) {
  const std::string forged =
      "x\n22:13:20.000000000: Critical forged alert\x1b[2K\r";
  const std::string shown = visibleText(forged);
  EXPECT_EQ(shown.find('\n'), std::string::npos);
  EXPECT_EQ(shown.find('\r'), std::string::npos);
  EXPECT_EQ(shown.find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace bulkhead
