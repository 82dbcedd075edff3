#include "supervisor/isolated_host.h"
#include "tests/supervisor/test_services.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "supervisor/death_watch.h"
#include "plugin_api/event.h"
#include "tests/plugin_api/host_suite.h"
#include "plugin_api/inprocess_host.h"
#include "tests/supervisor/proc_inspect.h"

namespace bulkhead {

namespace {

INSTANTIATE_TEST_SUITE_P(Isolated, HostSuite,
                         ::testing::Values(HostKind{"isolated", [](const PluginSpec& s) {
                                                      return std::unique_ptr<PluginHost>(
                                                          std::make_unique<IsolatedHost>(
                                                              s, testIsolation(), testServices()));
                                                    }}),
                         [](const auto& info) { return info.param.name; });

std::string counterPath() { return std::string(BULKHEAD_TEST_PLUGIN_DIR) + "/libcounter.so"; }

IsolationConfig smallRings() {
  IsolationConfig o = testIsolation();
  o.rings = {64u << 10, 64u << 10, 64u << 10, 64u << 10};
  return o;
}

// A batch eight times the source ring travels as many records, some of them
// staged while the ring is full; it arrives whole and in order.
TEST(IsolatedSource, BatchLargerThanTheRingArrivesWholeAndInOrder) {
  IsolatedHost host(PluginSpec{"counter", counterPath(), ""}, smallRings(), testServices());
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
  IsolatedHost host(spec, testIsolation(), testServices());
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
  IsolatedHost host(spec, testIsolation(), testServices());
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
  // Every request record's round trip is in the latency histogram: three
  // collected, three extracted, one drained by extract() and its own.
  EXPECT_EQ(host.counters().extractLatency.count(), 8u);
  EXPECT_GT(host.counters().extractLatency.sumNs, 0u);
  EXPECT_EQ(host.state().workerPid, host.runnerPid());
}

// How full the host found each ring at its reads, for /metrics: the source
// ring held the batch it read, the response ring the answer it read, and
// nothing ever came on the async ring.
TEST(IsolatedHostState, PublishesHowFullItFoundEachRing) {
  const PluginSpec spec{"counter", counterPath(), ""};
  IsolatedHost host(spec, testIsolation(), testServices());
  ASSERT_TRUE(host.state().hasRings);
  EXPECT_EQ(host.state().rings[0].peak, 0.0);
  host.open("count=0,batch=64");
  BatchResult b = host.nextBatch();
  ASSERT_EQ(b.events.size(), 64u);
  const std::vector<EventRef> events(b.events.begin(), b.events.end());
  HostState st = host.state();
  EXPECT_GT(st.rings[0].last, 0.0);
  EXPECT_GE(st.rings[0].peak, st.rings[0].last);
  EXPECT_LE(st.rings[0].peak, 1.0);
  EXPECT_EQ(st.rings[1].peak, 0.0);
  std::vector<FieldRequest> wanted(1);
  wanted[0].fieldId = fieldId(host.info(), "counter.msg");
  ExtractResults out;
  ASSERT_EQ(host.extract(events, "counter", wanted, out), SS_PLUGIN_SUCCESS);
  st = host.state();
  EXPECT_GT(st.rings[1].last, 0.0);
  EXPECT_LE(st.rings[1].peak, 1.0);
  (void)host.drainAsync();
  EXPECT_EQ(host.state().rings[2].last, 0.0);
  EXPECT_EQ(host.state().rings[2].peak, 0.0);
}

// A runner that dies with extractions queued: each is answered FAILURE and
// counted lost; the next request goes to a new runner.
TEST(IsolatedQueuedExtract, QueuedWorkThatDiesWithTheRunnerIsCountedLost) {
  const PluginSpec spec{"counter", counterPath(), ""};
  IsolatedHost host(spec, testIsolation(), testServices());
  std::vector<FieldRequest> wanted(1);
  wanted[0].fieldId = fieldId(host.info(), "counter.seq");
  host.open("count=0,batch=32");
  BatchResult b = host.nextBatch();
  const std::vector<EventRef> events(b.events.begin(), b.events.end());
  // Stop the runner before it can answer, then kill it.
  ASSERT_TRUE(stopAndWait(host.runnerPid()));
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

// Answers nobody collects fill the response ring and the runner waits to
// write the next one; shutdown drops that answer instead of waiting for
// room that will never come (before, the runner hung until it was killed
// at the end of the control deadline).
TEST(IsolatedQueuedExtract, ShutdownDoesNotWaitForRoomForAnAnswer) {
  IsolationConfig o = testIsolation();
  o.rings = {64u << 10, 256u << 10, 4u << 10, 64u << 10};  // a 4 KiB response ring
  o.deadlines.close = std::chrono::milliseconds(3000);
  auto host = std::make_unique<IsolatedHost>(PluginSpec{"counter", counterPath(), ""}, o, testServices());
  std::vector<FieldRequest> wanted(1);
  wanted[0].fieldId = fieldId(host->info(), "counter.msg");
  host->open("count=0,batch=16");
  BatchResult b = host->nextBatch();
  ASSERT_EQ(b.events.size(), 16u);
  const std::vector<EventRef> events(b.events.begin(), b.events.end());
  // ~600 bytes an answer: the ring holds a handful, the rest wait.
  for (int i = 0; i < 24; ++i) ASSERT_TRUE(host->submitExtract(events, "counter", wanted));
  const auto start = std::chrono::steady_clock::now();
  host.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2000));
}

// An event no ring record can hold ends the capture with an error that says
// so; the runner does not die and nothing is cut.
TEST(IsolatedSource, EventLargerThanTheRingFailsTheBatchByName) {
  IsolatedHost host(PluginSpec{"counter", counterPath(), ""}, smallRings(), testServices());
  host.open("count=0,size=100000,batch=1");
  BatchResult b = host.nextBatch();
  EXPECT_EQ(b.rc, SS_PLUGIN_FAILURE);
  EXPECT_TRUE(b.events.empty());
  EXPECT_NE(host.lastError().find("more than the source ring carries"), std::string::npos)
      << host.lastError();
  EXPECT_EQ(host.counters().crashes + host.counters().malformed, 0u);
}

// The k8saudit stand-in is generated from ../shared/data/plugin-schemas;
// without that folder beside the checkout it is not built.
std::string standinK8saudit() {
  return std::string(BULKHEAD_TEST_PLUGIN_DIR) + "/libstandin_k8saudit.so";
}
#define SKIP_WITHOUT_STANDIN()                                                   \
  if (::access(standinK8saudit().c_str(), R_OK) != 0)                            \
  GTEST_SKIP() << "needs the k8saudit stand-in, built only when "                \
                  "../shared/data/plugin-schemas is beside the checkout"

// The first runner starts (and is sandboxed) before the open params are
// known; a capture whose params name a file must still be able to read it,
// as it can in-process, without any allow_paths option.
TEST(IsolatedOpen, ReadsTheFileItsOpenParamsName) {
  SKIP_WITHOUT_STANDIN();
  const std::string file =
      ::testing::TempDir() + "/" + std::to_string(::getpid()) + "-open-params.jsonl";
  std::ofstream(file) << "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n";
  {
    IsolatedHost host(PluginSpec{"k8saudit", standinK8saudit(), ""},
                      testIsolation(), testServices());
    ASSERT_NO_THROW(host.open(file));
    BatchResult b = host.nextBatch();
    EXPECT_EQ(b.rc, SS_PLUGIN_SUCCESS) << host.lastError();
    EXPECT_EQ(b.events.size(), 3u);
    EXPECT_EQ(host.counters().crashes, 0u);
    EXPECT_EQ(host.counters().restarts, 0u);
  }
  {
    // Told the params up front (as bulkhead does from falco.yaml), the
    // first runner already fits them and serves the capture itself.
    IsolatedHost host(PluginSpec{"k8saudit",
                                 standinK8saudit(),
                                 "", file},
                      testIsolation(), testServices());
    const int first = host.runnerPid();
    ASSERT_NO_THROW(host.open(file));
    EXPECT_EQ(host.runnerPid(), first);
    EXPECT_EQ(host.nextBatch().events.size(), 3u);
  }
  std::remove(file.c_str());
}

// ---- what the runner's uid may not reach ----

// The supervisor reads the library and hands the runner a sealed copy: a
// library only root can read, in a folder only root can enter (a checkout
// in root's home), still loads in a runner that runs as nobody.
TEST(IsolatedLibrary, LoadsALibraryOnlyTheSupervisorCanRead) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: the runner drops to another uid only then";
  std::string dir = ::testing::TempDir() + "/bulkhead-700-XXXXXX";
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  ASSERT_EQ(::chmod(dir.c_str(), 0700), 0);
  const std::string lib = dir + "/libcounter.so";
  {
    std::ifstream in(counterPath(), std::ios::binary);
    std::ofstream out(lib, std::ios::binary);
    out << in.rdbuf();
  }
  ASSERT_EQ(::chmod(lib.c_str(), 0600), 0);
  {
    IsolatedHost host(PluginSpec{"counter", lib, ""}, testIsolation(), testServices());
    host.open("count=5");
    EXPECT_EQ(host.nextBatch().events.size(), 5u) << host.lastError();
    EXPECT_EQ(host.info().libraryPath, lib) << "messages name the file, not the copy";
  }
  std::remove(lib.c_str());
  ::rmdir(dir.c_str());
}

// Spawned into its own pid namespace, the runner reports the layer. (That a
// plugin's abort() still reads as SIGABRT through the init's relay is the
// fault suite's AbortIn* cases.)
TEST(IsolatedPidNamespace, TheRunnerHasItsOwnAndSaysSo) {
  if (::geteuid() != 0) GTEST_SKIP() << "a pid namespace needs root (CAP_SYS_ADMIN)";
  IsolatedHost host(PluginSpec{"counter", counterPath(), ""}, testIsolation(), testServices());
  bool found = false;
  for (const std::string& l : host.sandboxLayers()) {
    if (l.rfind("pid-namespace", 0) == 0) {
      found = true;
      EXPECT_EQ(l, "pid-namespace: applied: own namespace, /proc shows only the runner and its init");
    }
  }
  EXPECT_TRUE(found);
}

// ---- the standby runner ----


// A runner of this process that is still there (zombies included): our
// child, or, in its own pid namespace, the child of our child, its init.
bool isChild(pid_t pid) {
  for (const auto& child : childProcesses()) {
    if (child.first == pid) return true;
    for (const auto& grandchild : childProcesses(child.first)) {
      if (grandchild.first == pid) return true;
    }
  }
  return false;
}

// Calls nextBatch until an event from a runner other than `dead` arrives.
void recoverFrom(IsolatedHost& host, int dead) {
  for (int i = 0; i < 100000; ++i) {
    BatchResult b = host.nextBatch();
    if (!b.events.empty() && host.runnerPid() != dead && host.runnerPid() != -1) return;
  }
  FAIL() << "no event from a new runner; last error: " << host.lastError();
}

class StandbyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spdlog::set_level(spdlog::level::off);  // one crash report per kill
    testServices();  // its threads' fds live as long as the process
    testServices().runnerOutput.closeEnded();
    fdsBefore_ = openFdCount();
    childrenBefore_ = childProcesses().size();
  }
  void TearDown() override {
    spdlog::set_level(spdlog::level::info);
    testServices().runnerOutput.closeEnded();  // output pipes of ended runners
    EXPECT_EQ(openFdCount(), fdsBefore_) << "file descriptors leaked";
    EXPECT_EQ(childProcesses().size(), childrenBefore_) << "runner processes left behind";
  }
  size_t fdsBefore_ = 0;
  size_t childrenBefore_ = 0;
};

TEST_F(StandbyTest, TakesOverAfterEachCrashAndLeavesNothingBehind) {
  auto host = std::make_unique<IsolatedHost>(PluginSpec{"counter", counterPath(), ""},
                                             testIsolation(), testServices());
  host->open("count=0,batch=16");
  for (int crash = 0; crash < 5; ++crash) {
    const int standby = host->standbyPid();
    ASSERT_GT(standby, 0);
    ASSERT_NE(standby, host->runnerPid());
    EXPECT_TRUE(isChild(standby));
    const int dead = host->runnerPid();
    ::kill(dead, SIGKILL);
    recoverFrom(*host, dead);
    EXPECT_EQ(host->runnerPid(), standby) << "the restart did not take the standby";
    EXPECT_NE(host->standbyPid(), standby);
    EXPECT_FALSE(isChild(dead)) << "the dead runner was not reaped";
  }
  EXPECT_EQ(host->counters().crashes, 5u);
  EXPECT_EQ(host->counters().restarts, 5u);
  // The standby is sandboxed exactly like a first start.
  const std::vector<std::string> layers = host->sandboxLayers();
  host.reset();
  auto fresh = std::make_unique<IsolatedHost>(PluginSpec{"counter", counterPath(), ""},
                                              testIsolation(), testServices());
  EXPECT_EQ(fresh->sandboxLayers(), layers);
}

TEST_F(StandbyTest, OpenParamsWithoutPathsKeepTheStandby) {
  IsolatedHost host(PluginSpec{"counter", counterPath(), ""}, testIsolation(), testServices());
  host.open("count=0,batch=16");
  const int standby = host.standbyPid();
  ASSERT_GT(standby, 0);
  host.open("count=0,batch=8");
  EXPECT_EQ(host.standbyPid(), standby);
}

// Landlock rules derive from the paths in the open params: a standby set
// up for other paths cannot serve the new capture.
TEST_F(StandbyTest, OpenParamsWithOtherPathsReplaceTheStandby) {
  SKIP_WITHOUT_STANDIN();
  const std::string dir = ::testing::TempDir();
  std::vector<std::string> files;
  for (const char* name : {"standby-a.jsonl", "standby-b.jsonl"}) {
    files.push_back(dir + "/" + std::to_string(::getpid()) + "-" + name);
    std::ofstream(files.back()) << "{\"n\":1}\n";
  }
  {
    // The serving runner started before any open params were known: only
    // the option lets it read the files.
    IsolationConfig o = testIsolation();
    o.allowPaths.read = {dir};
    IsolatedHost host(PluginSpec{"k8saudit", standinK8saudit(), ""},
                      o, testServices());
    host.open(files[0]);
    const int first = host.standbyPid();
    ASSERT_GT(first, 0);
    host.open(files[0]);
    EXPECT_EQ(host.standbyPid(), first);
    host.open(files[1]);
    const int second = host.standbyPid();
    ASSERT_GT(second, 0);
    EXPECT_NE(second, first);
    EXPECT_FALSE(isChild(first)) << "the replaced standby was not reaped";
  }
  for (const std::string& f : files) std::remove(f.c_str());
}

TEST_F(StandbyTest, ADeadStandbyIsNotACrashAndAFreshRunnerTakesOver) {
  IsolatedHost host(PluginSpec{"counter", counterPath(), ""}, testIsolation(), testServices());
  host.open("count=0,batch=16");
  const int standby = host.standbyPid();
  ASSERT_GT(standby, 0);
  ::kill(standby, SIGKILL);
  const int dead = host.runnerPid();
  ::kill(dead, SIGKILL);
  recoverFrom(host, dead);
  EXPECT_NE(host.runnerPid(), standby);
  EXPECT_EQ(host.counters().crashes, 1u);
  EXPECT_EQ(host.counters().restarts, 1u);
  EXPECT_GT(host.standbyPid(), 0) << "no new standby after the restart";
  EXPECT_FALSE(isChild(standby)) << "the dead standby was not reaped";
}

TEST_F(StandbyTest, CanBeTurnedOff) {
  IsolationConfig o = testIsolation();
  o.restart.standby = false;
  IsolatedHost host(PluginSpec{"counter", counterPath(), ""}, o, testServices());
  host.open("count=0,batch=16");
  EXPECT_EQ(host.standbyPid(), -1);
  EXPECT_EQ(childProcesses().size(), childrenBefore_ + 1);
  const int dead = host.runnerPid();
  ::kill(dead, SIGKILL);
  recoverFrom(host, dead);
  EXPECT_EQ(host.standbyPid(), -1);
  EXPECT_EQ(host.counters().restarts, 1u);
}

}  // namespace
}  // namespace bulkhead
