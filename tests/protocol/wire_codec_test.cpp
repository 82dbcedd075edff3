// The source batch record as the engine reads it: a header it checks, then
// events it checks in its own copy. Every hostile shape a runner can write
// is refused with a reason, never read past.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "plugin_api/event.h"
#include "protocol/wire_codec.h"

namespace bulkhead::wire {
namespace {

constexpr uint32_t kId = 999;

std::vector<std::byte> batchRecord(int32_t rc, bool last, uint32_t count,
                                   const std::vector<std::vector<uint8_t>>& events,
                                   std::string_view error = "") {
  size_t size = batchHeaderSize(error);
  for (const auto& e : events) size += e.size();
  std::vector<std::byte> out(size);
  WireWriter w(out);
  EXPECT_TRUE(encodeBatchHeader(w, rc, last, false, count, error));
  for (const auto& e : events) w.bytes(e.data(), e.size());
  EXPECT_TRUE(w.ok());
  EXPECT_EQ(w.size(), size);
  return out;
}

// Decodes a record the way IsolatedHost does: header, then the events in a copy.
std::string readRecord(const std::vector<std::byte>& rec, BatchHeader& h,
                       std::vector<uint8_t>& copy, std::vector<size_t>& offsets) {
  WireReader r(rec);
  if (!decodeBatchHeader(r, h)) return "header";
  std::span<const std::byte> events;
  EXPECT_TRUE(r.view(r.remaining(), events));
  const auto* p = reinterpret_cast<const uint8_t*>(events.data());
  copy.assign(p, p + events.size());
  return checkBatchEvents(copy, h.events, kId, 42, offsets);
}

TEST(BatchRecord, RoundTripsEventsAndFixesThemUp) {
  auto a = makePluginEvent(0, "first", UINT64_MAX);  // id 0 and ts "now" get filled in
  auto b = makePluginEvent(kId, "second event", 7);
  auto rec = batchRecord(SS_PLUGIN_SUCCESS, true, 2, {a, b});
  BatchHeader h;
  std::vector<uint8_t> copy;
  std::vector<size_t> offsets;
  ASSERT_EQ(readRecord(rec, h, copy, offsets), "");
  EXPECT_TRUE(h.last);
  EXPECT_EQ(h.rc, SS_PLUGIN_SUCCESS);
  ASSERT_EQ(offsets, (std::vector<size_t>{0, a.size()}));
  auto* e0 = reinterpret_cast<const ss_plugin_event*>(copy.data());
  auto* e1 = reinterpret_cast<const ss_plugin_event*>(copy.data() + offsets[1]);
  EXPECT_EQ(pluginEventId(e0), kId);
  EXPECT_EQ(eventTs(e0), 42u);
  EXPECT_EQ(eventTs(e1), 7u);
  EXPECT_EQ(pluginEventPayload(e1), "second event");
}

TEST(BatchRecord, CarriesTheErrorOfAFailedBatch) {
  auto rec = batchRecord(SS_PLUGIN_FAILURE, true, 0, {}, "disk gone");
  BatchHeader h;
  std::vector<uint8_t> copy;
  std::vector<size_t> offsets;
  ASSERT_EQ(readRecord(rec, h, copy, offsets), "");
  EXPECT_EQ(h.rc, SS_PLUGIN_FAILURE);
  EXPECT_EQ(h.error, "disk gone");
  EXPECT_TRUE(offsets.empty());
}

TEST(BatchRecord, LongErrorsAreCutNotOverflowed) {
  const std::string huge(100000, 'x');
  auto rec = batchRecord(SS_PLUGIN_FAILURE, true, 0, {}, huge);
  BatchHeader h;
  WireReader r(rec);
  ASSERT_TRUE(decodeBatchHeader(r, h));
  EXPECT_EQ(h.error.size(), batchError(huge).size());
  EXPECT_LT(h.error.size(), huge.size());
  EXPECT_EQ(batchHeaderSize(huge), maxBatchHeaderSize());
}

TEST(BatchRecord, RefusesBadHeaders) {
  auto ev = makePluginEvent(kId, "x");
  BatchHeader h;
  auto refused = [&](const std::vector<std::byte>& rec) {
    WireReader r(rec);
    return !decodeBatchHeader(r, h);
  };
  EXPECT_TRUE(refused(batchRecord(12345, true, 1, {ev})));             // unknown rc
  EXPECT_TRUE(refused(batchRecord(SS_PLUGIN_EOF, false, 1, {ev})));    // rc in a middle record
  EXPECT_TRUE(refused(batchRecord(SS_PLUGIN_SUCCESS, false, 0, {})));  // empty middle record
  EXPECT_TRUE(refused(batchRecord(SS_PLUGIN_SUCCESS, false, 1, {ev}, "why")));
  EXPECT_TRUE(refused(batchRecord(SS_PLUGIN_SUCCESS, true, 1000000, {ev})));  // count > room
  auto rec = batchRecord(SS_PLUGIN_SUCCESS, true, 1, {ev});
  rec[4] = std::byte{4};  // flags: bit 0 last, bit 1 fields follow, nothing else
  EXPECT_TRUE(refused(rec));
  rec[4] = std::byte{2};  // fields follow only the last record of a batch
  EXPECT_TRUE(refused(rec));
  rec[4] = std::byte{3};
  EXPECT_FALSE(refused(rec));
  EXPECT_TRUE(h.last && h.fieldsFollow);
  for (size_t cut = 0; cut < batchHeaderSize(""); ++cut) {
    EXPECT_TRUE(refused(std::vector<std::byte>(rec.begin(), rec.begin() + cut))) << cut;
  }
}

TEST(BatchRecord, RefusesEventsThatDoNotTileTheRecord) {
  auto ev = makePluginEvent(kId, "payload");
  BatchHeader h;
  std::vector<uint8_t> copy;
  std::vector<size_t> offsets;
  // Fewer events claimed than present: bytes left over.
  EXPECT_NE(readRecord(batchRecord(SS_PLUGIN_SUCCESS, true, 1, {ev, ev}), h, copy, offsets), "");
  // More claimed than present.
  offsets.clear();
  EXPECT_NE(readRecord(batchRecord(SS_PLUGIN_SUCCESS, true, 3, {ev, ev}), h, copy, offsets), "");
  // An event whose length runs past the record.
  auto longer = ev;
  storeAt<uint32_t>(longer.data(), 16, static_cast<uint32_t>(ev.size() + 100));
  offsets.clear();
  EXPECT_NE(readRecord(batchRecord(SS_PLUGIN_SUCCESS, true, 1, {longer}), h, copy, offsets), "");
  // A length shorter than a header.
  auto shorter = ev;
  storeAt<uint32_t>(shorter.data(), 16, 3u);
  offsets.clear();
  EXPECT_NE(readRecord(batchRecord(SS_PLUGIN_SUCCESS, true, 1, {shorter}), h, copy, offsets), "");
  // Another plugin's id.
  offsets.clear();
  EXPECT_NE(readRecord(batchRecord(SS_PLUGIN_SUCCESS, true, 1, {makePluginEvent(5, "p")}), h,
                       copy, offsets),
            "");
}

TEST(BatchRecord, StopsAtTheFirstBadEventKeepingTheGoodOnes) {
  auto good = makePluginEvent(kId, "good");
  auto bad = makePluginEvent(kId, "bad");
  storeAt<uint16_t>(bad.data(), 20, 1);  // not a plugin event
  BatchHeader h;
  std::vector<uint8_t> copy;
  std::vector<size_t> offsets;
  const std::string why =
      readRecord(batchRecord(SS_PLUGIN_SUCCESS, true, 3, {good, bad, good}), h, copy, offsets);
  EXPECT_NE(why.find("event 1"), std::string::npos) << why;
  EXPECT_EQ(offsets, std::vector<size_t>{0});
}

}  // namespace
}  // namespace bulkhead::wire
