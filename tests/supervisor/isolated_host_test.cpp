#include "isolated_host.h"

#include <signal.h>

#include <string>

#include "event.h"
#include "host_suite.h"
#include "inprocess_host.h"

namespace bulkhead {

IsolationOptions testIsolation() {
  IsolationOptions o;
  o.runnerPath = std::string(BULKHEAD_BINARY_DIR) + "/bulkhead-runner";
  o.policyDir = std::string(BULKHEAD_BINARY_DIR) + "/policies";
  return o;
}

namespace {

INSTANTIATE_TEST_SUITE_P(Isolated, HostSuite,
                         ::testing::Values(HostKind{"isolated", [](const PluginSpec& s) {
                                                      return std::unique_ptr<PluginHost>(
                                                          std::make_unique<IsolatedHost>(
                                                              s, testIsolation()));
                                                    }}),
                         [](const auto& info) { return info.param.name; });

std::string counterPath() { return std::string(BULKHEAD_TEST_PLUGIN_DIR) + "/libcounter.so"; }

IsolationOptions smallRings() {
  IsolationOptions o = testIsolation();
  o.ringBytes = {64u << 10, 64u << 10, 64u << 10, 64u << 10};
  return o;
}

// A batch eight times the source ring travels as many records, some of them
// staged while the ring is full; it arrives whole and in order.
TEST(IsolatedSource, BatchLargerThanTheRingArrivesWholeAndInOrder) {
  IsolatedHost host(PluginSpec{"counter", counterPath(), ""}, smallRings());
  host.open("count=192,size=8000,batch=64");
  uint64_t next = 0;
  for (int batch = 0; batch < 3; ++batch) {
    BatchResult b = host.nextBatch();
    ASSERT_EQ(b.rc, SS_PLUGIN_SUCCESS) << host.lastError();
    ASSERT_EQ(b.events.size(), 64u);
    for (const EventRef& e : b.events) {
      ASSERT_GE(eventLen(e.evt), 8000u);
      const std::string_view payload = pluginEventPayload(e.evt);
      ASSERT_EQ(payload.substr(0, 8 + std::to_string(next).size()),
                "{\"seq\":" + std::to_string(next) + ",")
          << payload.substr(0, 40);
      ++next;
    }
  }
  EXPECT_EQ(host.nextBatch().rc, SS_PLUGIN_EOF);
  EXPECT_EQ(host.counters().crashes + host.counters().malformed, 0u);
}

uint32_t fieldId(const PluginInfo& info, const std::string& name) {
  for (uint32_t i = 0; i < info.fields.size(); ++i) {
    if (info.fields[i].name == name) return i;
  }
  ADD_FAILURE() << "no field " << name;
  return 0;
}

// Values shipped with the batch answer exactly what a round trip (and the
// in-process host) answers; other requests, other events, and a restarted
// runner still get the right values.
TEST(IsolatedPreExtract, AnswersAsARoundTripWouldAndSurvivesARestart) {
  const PluginSpec spec{"counter", counterPath(), ""};
  IsolatedHost host(spec, testIsolation());
  InProcessHost reference(spec);
  std::vector<FieldRequest> wanted(3);
  wanted[0].fieldId = fieldId(host.info(), "counter.seq");
  wanted[1].fieldId = fieldId(host.info(), "counter.msg");
  wanted[2].fieldId = fieldId(host.info(), "counter.tags");
  host.setPreExtract("counter", wanted);
  host.open("count=0,batch=32");
  reference.open("count=0,batch=32");

  auto sameValues = [](const ExtractResults& a, const ExtractResults& b, size_t events,
                       size_t fields) {
    for (size_t e = 0; e < events; ++e) {
      for (size_t f = 0; f < fields; ++f) {
        auto va = a.values(e, f), vb = b.values(e, f);
        if (va.size() != vb.size()) return false;
        for (size_t i = 0; i < va.size(); ++i) {
          if (va[i].u64 != vb[i].u64 || a.bytesOf(va[i]) != b.bytesOf(vb[i])) return false;
        }
      }
    }
    return true;
  };
  ExtractResults got, want;
  bool killed = false;
  for (int round = 0; round < 40; ++round) {
    if (round == 20) {
      ASSERT_EQ(::kill(host.runnerPid(), SIGKILL), 0);
      killed = true;
    }
    BatchResult b = host.nextBatch();
    if (b.events.empty()) continue;  // the batch the kill cut short
    ASSERT_EQ(b.rc, SS_PLUGIN_SUCCESS) << host.lastError();
    ASSERT_EQ(host.extract(b.events, "counter", wanted, got), SS_PLUGIN_SUCCESS);
    // The same events in-process: the counter numbers them itself, so
    // re-create them from the reference host, which runs in step until the
    // kill (after it, compare with a round trip instead).
    if (!killed) {
      BatchResult r = reference.nextBatch();
      ASSERT_EQ(r.events.size(), b.events.size());
      ASSERT_EQ(reference.extract(r.events, "counter", wanted, want), SS_PLUGIN_SUCCESS);
      // A slice of the batch is answered from the shipped values too.
      ExtractResults sliceGot, sliceWant;
      const uint64_t shippedBefore = host.counters().preExtracted;
      ASSERT_EQ(host.extract(b.events.subspan(8, 8), "counter", wanted, sliceGot),
                SS_PLUGIN_SUCCESS);
      EXPECT_EQ(host.counters().preExtracted, shippedBefore + 8 * wanted.size());
      ASSERT_EQ(reference.extract(r.events.subspan(8, 8), "counter", wanted, sliceWant),
                SS_PLUGIN_SUCCESS);
      ASSERT_TRUE(sameValues(sliceGot, sliceWant, 8, wanted.size())) << "round " << round;
    } else {
      std::vector<FieldRequest> other = wanted;  // not the announced list: a round trip
      other.push_back(wanted[0]);
      if (host.extract(b.events, "counter", other, want) != SS_PLUGIN_SUCCESS) {
        // This round trip found the killed runner: its values are lost,
        // and counted.
        ASSERT_GT(host.counters().extractionsLost, 0u);
        continue;
      }
    }
    ASSERT_TRUE(sameValues(got, want, b.events.size(), wanted.size())) << "round " << round;
    // Asked again for the same batch: the same values.
    ASSERT_EQ(host.extract(b.events, "counter", wanted, want), SS_PLUGIN_SUCCESS);
    ASSERT_TRUE(sameValues(got, want, b.events.size(), wanted.size())) << "round " << round;
  }
  const HostCounters c = host.counters();
  EXPECT_EQ(c.restarts, 1u);
  // Most batches came with their values, before and after the restart.
  EXPECT_GT(c.preExtracted, 30u * 32 * wanted.size() / 2);
}

bool sameResults(const ExtractResults& a, const ExtractResults& b) {
  if (a.events() != b.events() || a.fields() != b.fields()) return false;
  for (size_t e = 0; e < a.events(); ++e) {
    for (size_t f = 0; f < a.fields(); ++f) {
      auto va = a.values(e, f), vb = b.values(e, f);
      if (va.size() != vb.size()) return false;
      for (size_t i = 0; i < va.size(); ++i) {
        if (va[i].u64 != vb[i].u64 || a.bytesOf(va[i]) != b.bytesOf(vb[i])) return false;
      }
    }
  }
  return true;
}

// Queued extractions come back in order, each with its own events' values,
// the same as a plain extract() gives.
TEST(IsolatedQueuedExtract, CollectsInOrderWhatExtractWouldGive) {
  const PluginSpec spec{"counter", counterPath(), ""};
  IsolatedHost host(spec, testIsolation());
  std::vector<FieldRequest> wanted(2);
  wanted[0].fieldId = fieldId(host.info(), "counter.seq");
  wanted[1].fieldId = fieldId(host.info(), "counter.tags");
  host.open("count=0,batch=48");
  BatchResult b = host.nextBatch();
  ASSERT_EQ(b.events.size(), 48u);
  const std::vector<EventRef> events(b.events.begin(), b.events.end());
  const std::span<const EventRef> all(events);
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(host.submitExtract(all.subspan(16 * i, 16), "counter", wanted));
  }
  std::vector<ExtractResults> queued(3);
  for (size_t i = 0; i < 3; ++i) ASSERT_EQ(host.collectExtract(queued[i]), SS_PLUGIN_SUCCESS);
  ExtractResults direct;
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_EQ(host.extract(all.subspan(16 * i, 16), "counter", wanted, direct), SS_PLUGIN_SUCCESS);
    EXPECT_TRUE(sameResults(queued[i], direct)) << "slice " << i;
    EXPECT_EQ(queued[i].values(0, 0)[0].u64, 16 * i);  // counter.seq of the slice's first event
  }
  // extract() while requests are queued still answers correctly.
  ASSERT_TRUE(host.submitExtract(all.first(16), "counter", wanted));
  ASSERT_EQ(host.extract(all.subspan(32, 16), "counter", wanted, direct), SS_PLUGIN_SUCCESS);
  EXPECT_TRUE(sameResults(queued[2], direct));
  EXPECT_EQ(host.counters().extractionsLost, 0u);
}

// A runner that dies with extractions queued: each is answered FAILURE and
// counted lost; the next request goes to a new runner.
TEST(IsolatedQueuedExtract, QueuedWorkThatDiesWithTheRunnerIsCountedLost) {
  const PluginSpec spec{"counter", counterPath(), ""};
  IsolatedHost host(spec, testIsolation());
  std::vector<FieldRequest> wanted(1);
  wanted[0].fieldId = fieldId(host.info(), "counter.seq");
  host.open("count=0,batch=32");
  BatchResult b = host.nextBatch();
  const std::vector<EventRef> events(b.events.begin(), b.events.end());
  // Stop the runner before it can answer, then kill it.
  ASSERT_EQ(::kill(host.runnerPid(), SIGSTOP), 0);
  ASSERT_TRUE(host.submitExtract(events, "counter", wanted));
  ASSERT_TRUE(host.submitExtract(events, "counter", wanted));
  ASSERT_EQ(::kill(host.runnerPid(), SIGKILL), 0);
  ExtractResults out;
  EXPECT_EQ(host.collectExtract(out), SS_PLUGIN_FAILURE);
  EXPECT_EQ(host.collectExtract(out), SS_PLUGIN_FAILURE);
  EXPECT_EQ(host.counters().extractionsLost, 2u * events.size());
  EXPECT_EQ(host.counters().crashes, 1u);
  // Nothing queued is left: the next collect answers FAILURE at once.
  EXPECT_EQ(host.collectExtract(out), SS_PLUGIN_FAILURE);
  EXPECT_EQ(host.counters().extractionsLost, 2u * events.size());
}

// An event no ring record can hold ends the capture with an error that says
// so; the runner does not die and nothing is cut.
TEST(IsolatedSource, EventLargerThanTheRingFailsTheBatchByName) {
  IsolatedHost host(PluginSpec{"counter", counterPath(), ""}, smallRings());
  host.open("count=0,size=100000,batch=1");
  BatchResult b = host.nextBatch();
  EXPECT_EQ(b.rc, SS_PLUGIN_FAILURE);
  EXPECT_TRUE(b.events.empty());
  EXPECT_NE(host.lastError().find("more than the source ring carries"), std::string::npos)
      << host.lastError();
  EXPECT_EQ(host.counters().crashes + host.counters().malformed, 0u);
}

}  // namespace
}  // namespace bulkhead
