#include "plugin_api/event.h"

#include <gtest/gtest.h>

namespace bulkhead {
namespace {

TEST(Event, BuildsThePluginEventLayout) {
  auto e = makePluginEvent(7, "hello", 42);
  ASSERT_EQ(e.size(), 43u);
  auto* evt = reinterpret_cast<const ss_plugin_event*>(e.data());
  EXPECT_EQ(eventTs(evt), 42u);
  EXPECT_EQ(eventLen(evt), 43u);
  EXPECT_EQ(eventType(evt), PPME_PLUGINEVENT_E);
  EXPECT_EQ(eventNparams(evt), 2u);
  EXPECT_EQ(pluginEventId(evt), 7u);
  EXPECT_EQ(pluginEventPayload(evt), "hello");
}

TEST(Event, SourceCheckAppliesTheFrameworkFixUps) {
  auto e = makePluginEvent(0, "x", UINT64_MAX);
  storeAt<uint64_t>(e.data(), 8, 1234);
  EXPECT_EQ(checkSourceEvent(e.data(), e.size(), 9, 555), "");
  auto* evt = reinterpret_cast<const ss_plugin_event*>(e.data());
  EXPECT_EQ(pluginEventId(evt), 9u);
  EXPECT_EQ(eventTid(evt), UINT64_MAX);
  EXPECT_EQ(eventTs(evt), 555u);
}

TEST(Event, SourceCheckRejectsEachMalformation) {
  auto good = makePluginEvent(9, "abc");
  EXPECT_EQ(checkSourceEvent(good.data(), 10, 9, 0), "event shorter than its header");
  EXPECT_NE(checkSourceEvent(good.data(), good.size() - 1, 9, 0).find("outside"),
            std::string::npos);
  auto other = makePluginEvent(8, "abc");
  EXPECT_EQ(checkSourceEvent(other.data(), other.size(), 9, 0),
            "plugin event with plugin_id 8 instead of 9");
  auto zero = makePluginEvent(0, "abc");
  EXPECT_EQ(checkSourceEvent(zero.data(), zero.size(), 0, 0), "plugin event with plugin_id 0");
  auto badLen = makePluginEvent(9, "abc");
  storeAt<uint32_t>(badLen.data(), 30, 99);
  EXPECT_EQ(checkSourceEvent(badLen.data(), badLen.size(), 9, 0),
            "plugin event whose payload length disagrees with the event length");
  auto badType = makePluginEvent(9, "abc");
  storeAt<uint16_t>(badType.data(), 20, 1);
  EXPECT_NE(checkSourceEvent(badType.data(), badType.size(), 9, 0).find("must be 322"),
            std::string::npos);
  auto badParams = makePluginEvent(9, "abc");
  storeAt<uint32_t>(badParams.data(), 22, 3);
  EXPECT_EQ(checkSourceEvent(badParams.data(), badParams.size(), 9, 0),
            "plugin event with nparams != 2");
}

std::vector<uint8_t> asyncEvent(std::string_view name, std::string_view data) {
  const uint32_t nameLen = static_cast<uint32_t>(name.size() + 1);
  const uint32_t len = kAsyncNameOffset + nameLen + static_cast<uint32_t>(data.size());
  std::vector<uint8_t> e(len);
  storeAt<uint32_t>(e.data(), 16, len);
  storeAt<uint16_t>(e.data(), 20, PPME_ASYNCEVENT_E);
  storeAt<uint32_t>(e.data(), 22, 3);
  storeAt<uint32_t>(e.data(), 26, 4);
  storeAt<uint32_t>(e.data(), 30, nameLen);
  storeAt<uint32_t>(e.data(), 34, static_cast<uint32_t>(data.size()));
  std::memcpy(e.data() + kAsyncNameOffset, name.data(), name.size());
  std::memcpy(e.data() + kAsyncNameOffset + nameLen, data.data(), data.size());
  return e;
}

TEST(Event, AsyncCheck) {
  const std::vector<std::string> declared = {"tick"};
  auto good = asyncEvent("tick", "data");
  EXPECT_EQ(checkAsyncEvent(good.data(), good.size(), declared), "");
  auto undeclared = asyncEvent("tock", "");
  EXPECT_EQ(checkAsyncEvent(undeclared.data(), undeclared.size(), declared),
            "async event name 'tock' was not declared by plugin_get_async_events");
  auto unterminated = asyncEvent("tick", "");
  unterminated[kAsyncNameOffset + 4] = 'x';
  EXPECT_EQ(checkAsyncEvent(unterminated.data(), unterminated.size(), declared),
            "async event name is not terminated");
  auto wrapping = asyncEvent("tick", "");
  storeAt<uint32_t>(wrapping.data(), 34, UINT32_MAX);
  EXPECT_EQ(checkAsyncEvent(wrapping.data(), wrapping.size(), declared),
            "async event whose parameter lengths disagree with the event length");
  EXPECT_EQ(checkAsyncEvent(good.data(), 20, declared), "async event shorter than 42 bytes");
}

}  // namespace
}  // namespace bulkhead
