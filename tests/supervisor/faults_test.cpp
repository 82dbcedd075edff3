// Fault tests: a runner whose plugin crashes, hangs, misbehaves or tries a
// forbidden operation (tests/plugins/faults/) next to a healthy one. For each
// fault: the supervisor survives, the crash report names the fault, the
// healthy plugin delivers events in every slice, and the faulty plugin
// recovers or is disabled by the circuit breaker as configured.
//
// Faults that only the sandbox stops (fork, exec, sockets, writes, signals,
// memory) are skipped while the runner does not apply its sandbox layers:
// sandboxApplied() asks a live runner's /proc entry.
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "supervisor/death_watch.h"
#include "plugin_api/event.h"
#include "supervisor/host_factory.h"
#include "supervisor/isolated_host.h"
#include "tests/supervisor/test_services.h"
#include "tests/supervisor/proc_inspect.h"

namespace bulkhead {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr const char kFaultSource[] = "fault";
constexpr uint32_t kFaultSeqField = 0;
constexpr uint32_t kFaultMsgField = 1;

std::string pluginPath(const std::string& name) {
  return std::string(BULKHEAD_TEST_PLUGIN_DIR) + "/lib" + name + ".so";
}

IsolationConfig baseIsolation() {
  IsolationConfig o;
  o.rings = {1u << 20, 1u << 18, 1u << 18, 1u << 18};
  return o;
}

// Short deadlines and backoffs so that a crash loop takes milliseconds; a
// breaker high enough that only the breaker tests trip it.
IsolationConfig faultyIsolation() {
  IsolationConfig o = baseIsolation();
  o.deadlines.init = milliseconds(3000);
  o.deadlines.open = milliseconds(1000);
  // Long enough that a healthy call never misses it on a loaded 2-core
  // machine, short enough that a hang costs the suite little.
  o.deadlines.nextBatch = milliseconds(1000);
  o.deadlines.extract = milliseconds(1000);
  o.deadlines.parse = milliseconds(1000);
  o.deadlines.close = milliseconds(500);
  o.restart.maxRestarts = 50;
  o.restart.window = std::chrono::seconds(60);
  o.restart.backoffInitial = milliseconds(2);
  o.restart.backoffMax = milliseconds(20);
  // A small source ring: a runner cannot run far ahead, so its death is
  // seen soon after the events it produced.
  o.rings = {64u << 10, 64u << 10, 64u << 10, 64u << 10};
  return o;
}

uint64_t realtimeNs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// The config with its fault armed only from 100 ms on. A plugin that
// crashes in its first next_batch calls would otherwise race the runner's
// reply to open (the runner starts producing before it answers), and the
// test would see open() fail instead of a next_batch fault.
std::string armedLater(const std::string& config) {
  const uint64_t at = realtimeNs() + 100'000'000;
  return config.substr(0, config.rfind('}')) + R"(,"arm_at_ns":)" + std::to_string(at) + "}";
}

uint64_t faultCount(const HostCounters& c) { return c.crashes + c.deadlineKills + c.malformed; }

// The supervisor's log, captured: the crash report is what an operator
// reads, so the tests read it too.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("fault-test", sink));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;
  std::string text() {
    spdlog::default_logger()->flush();
    return out_.str();
  }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};


std::string procField(int pid, const std::string& file, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/" + file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) {
      const size_t v = line.find_first_not_of(" \t", key.size());
      return v == std::string::npos ? std::string() : line.substr(v);
    }
  }
  return {};
}

// Whether runners are sandboxed: a serving counter runner (or, should it
// fork into a new pid namespace, a process below it) must show a seccomp
// filter (mode 2) and no_new_privs in its /proc status. Asked once.
const std::string& sandboxMissingReason() {
  static const std::string reason = [] {
    try {
      IsolatedHost host({"counter", pluginPath("counter"), ""}, baseIsolation(), testServices());
      host.open("count=0,batch=8");
      host.nextBatch();
      std::string seen;
      std::vector<pid_t> tree = {host.runnerPid()};
      for (size_t i = 0; i < tree.size() && i < 16; ++i) {
        const std::string seccomp = procField(tree[i], "status", "Seccomp:");
        const std::string nnp = procField(tree[i], "status", "NoNewPrivs:");
        if (seccomp == "2" && nnp == "1") return std::string();
        seen += (seen.empty() ? "" : "; ") + std::string("runner pid ") +
                std::to_string(tree[i]) + " reports Seccomp: '" + seccomp + "', NoNewPrivs: '" +
                nnp + "'";
        for (const auto& child : childProcesses(tree[i])) tree.push_back(child.first);
      }
      return seen;
    } catch (const std::exception& e) {
      return std::string("no runner to ask: ") + e.what();
    }
  }();
  return reason;
}

bool sandboxApplied() { return sandboxMissingReason().empty(); }

#define SKIP_WITHOUT_SANDBOX()                                                      \
  if (!sandboxApplied())                                                           \
  GTEST_SKIP() << "sandbox layers not applied by this runner yet ("                \
               << sandboxMissingReason() << ")"

// What one loop iteration does with the faulty host.
enum class Drive { kNextBatch, kExtract, kExtractMsg, kParse, kAsync };

struct SliceStats {
  uint64_t faultyEvents = 0;    // events the faulty host delivered
  uint64_t extractOk = 0;       // successful extract / parse calls
  uint64_t extractFailed = 0;
  uint64_t eventsAfterFirstFault = 0;
  uint64_t okAfterFirstFault = 0;
  int iterations = 0;
};

class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The test process's death watch and spawner hold fds from their first
    // use on; they are not per-host resources.
    testServices();
    testServices().runnerOutput.closeEnded();
    fdsBefore_ = openFdCount();
    // Generous deadlines: this runner must never be the one that faults.
    IsolationConfig o = baseIsolation();
    o.deadlines.nextBatch = milliseconds(5000);
    healthy_ = std::make_unique<IsolatedHost>(PluginSpec{"counter", pluginPath("counter"), ""},
                                              o, testServices());
    healthy_->open("count=0,batch=64");
  }

  void TearDown() override {
    faulty_.reset();
    // The crash reports, for a reader of the test output.
    if (std::getenv("BULKHEAD_FAULT_TEST_LOG") != nullptr) std::cout << log_.text();
    if (healthy_) {
      const HostCounters c = healthy_->counters();
      EXPECT_EQ(faultCount(c), 0u) << "the healthy runner was hit";
      EXPECT_EQ(c.restarts, 0u);
      healthy_.reset();
    }
    // Every runner reaped: no child left, zombie or not.
    for (const auto& [pid, state] : childProcesses()) {
      ADD_FAILURE() << "child process " << pid << " left in state " << state;
    }
    testServices().runnerOutput.closeEnded();  // output pipes of ended runners
    EXPECT_EQ(openFdCount(), fdsBefore_) << "file descriptors leaked";
  }

  std::unique_ptr<IsolatedHost> makeFaulty(const std::string& config,
                                           const IsolationConfig& o = faultyIsolation(),
                                           const RunnerServices& services = testServices()) {
    return std::make_unique<IsolatedHost>(PluginSpec{"fault", pluginPath("fault"), config}, o,
                                          services);
  }

  // One healthy batch: it must bring events, whatever the faulty one does.
  void healthySlice() {
    const uint64_t before = healthy_->counters().events;
    const BatchResult b = healthy_->nextBatch();
    EXPECT_EQ(b.rc, SS_PLUGIN_SUCCESS);
    const uint64_t after = healthy_->counters().events;
    if (after <= before) ++healthyStalls_;
  }

  // Drives both hosts until `done` or the budget; the healthy one first in
  // each slice.
  SliceStats driveUntil(IsolatedHost& faulty, Drive drive,
                        const std::function<bool(const SliceStats&)>& done,
                        milliseconds budget = milliseconds(8000), int maxIterations = 100000) {
    SliceStats st;
    const auto end = Clock::now() + budget;
    ExtractResults out;
    std::vector<FieldRequest> fields(1);
    fields[0].fieldId = drive == Drive::kExtractMsg ? kFaultMsgField : kFaultSeqField;
    while (Clock::now() < end && st.iterations < maxIterations && !done(st)) {
      ++st.iterations;
      healthySlice();
      const bool faultedBefore = faultCount(faulty.counters()) > 0;
      const BatchResult b = faulty.nextBatch();
      const std::vector<EventRef> events(b.events.begin(), b.events.end());
      st.faultyEvents += events.size();
      if (faultedBefore) st.eventsAfterFirstFault += events.size();
      if (events.empty()) continue;
      ss_plugin_rc rc = SS_PLUGIN_SUCCESS;
      switch (drive) {
        case Drive::kExtract:
        case Drive::kExtractMsg:
          rc = faulty.extract(events, kFaultSource, fields, out);
          break;
        case Drive::kParse:
          rc = faulty.parse(events, kFaultSource);
          break;
        case Drive::kAsync:
          faulty.drainAsync();
          break;
        case Drive::kNextBatch:
          break;
      }
      if (rc == SS_PLUGIN_SUCCESS) {
        ++st.extractOk;
        if (faultedBefore) ++st.okAfterFirstFault;
      } else {
        ++st.extractFailed;
      }
    }
    return st;
  }

  LogCapture log_;
  std::unique_ptr<IsolatedHost> healthy_;
  std::unique_ptr<IsolatedHost> faulty_;
  int healthyStalls_ = 0;
  size_t fdsBefore_ = 0;
};

// ---- crashes, hangs and malformed records, with recovery ----

enum class Expect { kCrash, kDeadline, kMalformed, kAnyFault };

struct RecoverCase {
  const char* name;
  const char* config;
  Drive drive;
  Expect expect;
  std::vector<const char*> logNeedles;  // all appear in the crash report
};

void PrintTo(const RecoverCase& c, std::ostream* os) { *os << c.name; }

class RecoverTest : public FaultTest, public ::testing::WithParamInterface<RecoverCase> {};

TEST_P(RecoverTest, SupervisorSurvivesReportsAndRestarts) {
  const RecoverCase& c = GetParam();
  faulty_ = makeFaulty(armedLater(c.config));
  faulty_->open("count=0,batch=16");
  if (c.drive == Drive::kAsync) faulty_->startAsync();

  // Two faults: the second one proves a restarted runner served again.
  const SliceStats st = driveUntil(*faulty_, c.drive, [&](const SliceStats& s) {
    const bool served = c.drive == Drive::kExtract || c.drive == Drive::kExtractMsg ||
                                c.drive == Drive::kParse
                            ? s.okAfterFirstFault > 0
                            : s.eventsAfterFirstFault > 0;
    return faultCount(faulty_->counters()) >= 2 && served;
  });

  const HostCounters fc = faulty_->counters();
  const std::string log = log_.text();
  SCOPED_TRACE(log);
  EXPECT_EQ(healthyStalls_, 0) << "the healthy plugin stopped delivering";
  EXPECT_GE(faultCount(fc), 2u) << "after " << st.iterations << " slices";
  switch (c.expect) {
    case Expect::kCrash:
      EXPECT_GE(fc.crashes, 2u);
      break;
    case Expect::kDeadline:
      EXPECT_GE(fc.deadlineKills, 2u);
      break;
    case Expect::kMalformed:
      EXPECT_GE(fc.malformed, 2u);
      break;
    case Expect::kAnyFault:
      break;
  }
  EXPECT_GE(fc.restarts, 1u);
  EXPECT_FALSE(faulty_->state().disabled);
  EXPECT_GT(st.eventsAfterFirstFault, 0u) << "no event from a restarted runner";
  if (c.drive == Drive::kExtract || c.drive == Drive::kExtractMsg || c.drive == Drive::kParse) {
    EXPECT_GT(st.okAfterFirstFault, 0u) << "no successful call to a restarted runner";
  }
  // Nothing lost silently: work that died with a runner is counted (garbage
  // may be found by the next batch instead, with no extraction in flight).
  const bool inFlight = c.expect != Expect::kAnyFault;
  if (inFlight && (c.drive == Drive::kExtract || c.drive == Drive::kExtractMsg)) {
    EXPECT_GE(fc.extractionsLost, 2u);
  }
  if (inFlight && c.drive == Drive::kParse) {
    EXPECT_GE(fc.parsesLost, 2u);
  }
  EXPECT_THAT(log, HasSubstr("plugin 'fault' runner pid"));
  for (const char* needle : c.logNeedles) EXPECT_THAT(log, HasSubstr(needle));
}

INSTANTIATE_TEST_SUITE_P(
    Faults, RecoverTest,
    ::testing::Values(
        RecoverCase{"SegvInNextBatch", R"({"fault":"segv","in":"next_batch","after":3})",
                    Drive::kNextBatch, Expect::kCrash,
                    {"killed by signal 11 (SIGSEGV) during next_batch",
                     "the plugin was in plugin_next_batch"}},
        RecoverCase{"AbortInNextBatch", R"({"fault":"abort","in":"next_batch","after":3})",
                    Drive::kNextBatch, Expect::kCrash,
                    {"killed by signal 6 (SIGABRT) during next_batch"}},
        RecoverCase{"Exit0InNextBatch", R"({"fault":"exit0","in":"next_batch","after":3})",
                    Drive::kNextBatch, Expect::kCrash, {"exited with code 0 during next_batch"}},
        RecoverCase{"StackOverflowInNextBatch",
                    R"({"fault":"stack_overflow","in":"next_batch","after":3})",
                    Drive::kNextBatch, Expect::kCrash, {"(SIGSEGV) during next_batch"}},
        RecoverCase{"HangInNextBatch", R"({"fault":"hang","in":"next_batch","after":3})",
                    Drive::kNextBatch, Expect::kDeadline,
                    {"missed its deadline (next_batch, 1000 ms)"}},
        RecoverCase{"SegvInExtract", R"({"fault":"segv","in":"extract","after":40})",
                    Drive::kExtract, Expect::kCrash,
                    {"(SIGSEGV) during extract_fields", "the plugin was in plugin_extract_fields"}},
        RecoverCase{"AbortInExtract", R"({"fault":"abort","in":"extract","after":40})",
                    Drive::kExtract, Expect::kCrash, {"(SIGABRT) during extract_fields"}},
        RecoverCase{"Exit0InExtract", R"({"fault":"exit0","in":"extract","after":40})",
                    Drive::kExtract, Expect::kCrash, {"exited with code 0 during extract_fields"}},
        RecoverCase{"StackOverflowInExtract",
                    R"({"fault":"stack_overflow","in":"extract","after":40})", Drive::kExtract,
                    Expect::kCrash, {"(SIGSEGV) during extract_fields"}},
        RecoverCase{"HangInExtract", R"({"fault":"hang","in":"extract","after":40})",
                    Drive::kExtract, Expect::kDeadline,
                    {"missed its deadline (extract_fields, 1000 ms)"}},
        RecoverCase{"SegvInParse", R"({"fault":"segv","in":"parse","after":40})", Drive::kParse,
                    Expect::kCrash, {"(SIGSEGV) during parse_event"}},
        RecoverCase{"AbortInParse", R"({"fault":"abort","in":"parse","after":40})",
                    Drive::kParse, Expect::kCrash, {"(SIGABRT) during parse_event"}},
        RecoverCase{"HangInParse", R"({"fault":"hang","in":"parse","after":40})", Drive::kParse,
                    Expect::kDeadline, {"missed its deadline (parse_event, 1000 ms)"}},
        // The async thread dies with the process; the next call notices.
        RecoverCase{"SegvInAsyncThread", R"({"fault":"segv","in":"async","after":20})",
                    Drive::kAsync, Expect::kCrash, {"killed by signal 11 (SIGSEGV)"}},
        RecoverCase{"AbortInAsyncThread", R"({"fault":"abort","in":"async","after":20})",
                    Drive::kAsync, Expect::kCrash, {"killed by signal 6 (SIGABRT)"}},
        // The runner reads a header len past the event (guard page): the
        // runner dies, not the supervisor.
        RecoverCase{"BogusEventLength", R"({"fault":"bogus_len","in":"next_batch","after":3})",
                    Drive::kNextBatch, Expect::kCrash, {"(SIGSEGV) during next_batch"}},
        RecoverCase{"HugeNevtsSmallArray",
                    R"({"fault":"huge_nevts","in":"next_batch","after":3})", Drive::kNextBatch,
                    Expect::kCrash, {"(SIGSEGV) during next_batch"}},
        RecoverCase{"StringPointerIntoGuardPage",
                    R"({"fault":"bad_string_ptr","in":"extract","after":40})",
                    Drive::kExtractMsg, Expect::kCrash, {"(SIGSEGV) during extract_fields"}},
        // Random bytes over every ring: the supervisor sees a corrupt ring,
        // or the runner's own checks end it first. Either is a fault.
        RecoverCase{"GarbageInRings", R"({"fault":"garbage_rings","in":"next_batch","after":3})",
                    Drive::kNextBatch, Expect::kAnyFault, {"during next_batch"}},
        // Written during an extraction, the garbage is found at the next
        // read of whichever ring the runner did not rewrite first.
        RecoverCase{"GarbageInRingsDuringExtract",
                    R"({"fault":"garbage_rings","in":"extract","after":40})", Drive::kExtract,
                    Expect::kAnyFault, {"sent a malformed record"}},
        RecoverCase{"GarbageInRingsFromAsyncThread",
                    R"({"fault":"garbage_rings","in":"async","after":20})", Drive::kAsync,
                    Expect::kAnyFault, {}}),
    [](const auto& info) { return std::string(info.param.name); });

// ---- plugin misbehaviour the runner catches: FAILURE, no restart ----

struct RefusedCase {
  const char* name;
  const char* config;
  bool extract;
  const char* errorNeedle;  // in lastError()
};

void PrintTo(const RefusedCase& c, std::ostream* os) { *os << c.name; }

class RefusedTest : public FaultTest, public ::testing::WithParamInterface<RefusedCase> {};

TEST_P(RefusedTest, FailsTheCallNamesTheProblemAndRecovers) {
  const RefusedCase& c = GetParam();
  faulty_ = makeFaulty(armedLater(c.config));
  faulty_->open("count=0,batch=16");
  std::vector<FieldRequest> fields(1);
  ExtractResults out;
  std::string error;
  bool failed = false;
  const auto end = Clock::now() + milliseconds(3000);
  while (Clock::now() < end && !failed) {
    healthySlice();
    const BatchResult b = faulty_->nextBatch();
    if (!c.extract) {
      failed = b.rc == SS_PLUGIN_FAILURE;
    } else if (!b.events.empty()) {
      const std::vector<EventRef> events(b.events.begin(), b.events.end());
      failed = faulty_->extract(events, kFaultSource, fields, out) == SS_PLUGIN_FAILURE;
    }
    if (failed) error = faulty_->lastError();
  }
  ASSERT_TRUE(failed) << "the misbehaviour was not refused";
  EXPECT_THAT(error, HasSubstr(c.errorNeedle));
  EXPECT_EQ(faultCount(faulty_->counters()), 0u) << "a refused call is not a runner fault";

  // The plugin faulted once ("times" 1): a new capture on the same runner
  // delivers again.
  if (!c.extract) {
    faulty_->close();
    faulty_->open("count=0,batch=16");
  }
  const SliceStats st = driveUntil(
      *faulty_, c.extract ? Drive::kExtract : Drive::kNextBatch,
      [](const SliceStats& s) { return s.faultyEvents >= 64 && s.extractOk >= 4; });
  EXPECT_GE(st.faultyEvents, 64u);
  EXPECT_GE(st.extractOk, 4u);
  EXPECT_EQ(st.extractFailed, 0u);
  EXPECT_EQ(healthyStalls_, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, RefusedTest,
    ::testing::Values(
        RefusedCase{"WrongNparams", R"({"fault":"bogus_nparams","in":"next_batch","after":2})",
                    false, "plugin event with nparams != 2"},
        RefusedCase{"NullEventPointer", R"({"fault":"null_event","in":"next_batch","after":2})",
                    false, "null event pointer"},
        RefusedCase{"NullEventArray", R"({"fault":"null_array","in":"next_batch","after":2})",
                    false, "returned 5 events and no array"},
        RefusedCase{"SuccessWithoutEvents",
                    R"({"fault":"empty_success","in":"next_batch","after":2})", false,
                    "SUCCESS with no event"},
        RefusedCase{"AnotherPluginsId", R"({"fault":"wrong_id","in":"next_batch","after":2})",
                    false, "plugin_id 999 instead of 4242"},
        RefusedCase{"HugeResLen", R"({"fault":"huge_res_len","in":"extract","after":5})", true,
                    "oversized or malformed value for 'fault.seq'"},
        RefusedCase{"NullResPointer", R"({"fault":"null_res","in":"extract","after":5})", true,
                    "oversized or malformed value for 'fault.seq'"},
        // An unknown return code is the plugin's failure, not a runner fault.
        RefusedCase{"BogusReturnCode", R"({"fault":"bogus_rc","in":"next_batch","after":2})",
                    false, "plugin_next_batch returned the unknown code 12345"},
        // Several values for a non-list field: refused the same way by both hosts.
        RefusedCase{"NonListFieldWithSeveralValues",
                    R"({"fault":"multi_value","in":"extract","after":5})", true,
                    "oversized or malformed value for 'fault.seq'"}),
    [](const auto& info) { return std::string(info.param.name); });


// ---- start-up, open and shutdown ----

// A plugin whose init fails at the first start is a load error, not a crash
// loop: the constructor says how the runner ended.
struct InitCase {
  const char* name;
  const char* config;
  const char* needle;
};

void PrintTo(const InitCase& c, std::ostream* os) { *os << c.name; }

class InitFaultTest : public FaultTest, public ::testing::WithParamInterface<InitCase> {};

TEST_P(InitFaultTest, ConstructorFailsNamingTheFault) {
  const InitCase& c = GetParam();
  IsolationConfig o = faultyIsolation();
  o.deadlines.init = milliseconds(500);
  try {
    makeFaulty(c.config, o);
    ADD_FAILURE() << "the host started although plugin_init faults";
  } catch (const PluginError& e) {
    EXPECT_THAT(e.what(), HasSubstr("plugin 'fault'"));
    EXPECT_THAT(e.what(), HasSubstr(c.needle));
  }
  for (int i = 0; i < 5; ++i) healthySlice();
  EXPECT_EQ(healthyStalls_, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, InitFaultTest,
    ::testing::Values(InitCase{"Segv", R"({"fault":"segv","in":"init"})",
                               "killed by signal 11 (SIGSEGV)"},
                      InitCase{"Abort", R"({"fault":"abort","in":"init"})",
                               "killed by signal 6 (SIGABRT)"},
                      InitCase{"Exit0", R"({"fault":"exit0","in":"init"})", "exited with code 0"},
                      InitCase{"StackOverflow", R"({"fault":"stack_overflow","in":"init"})",
                               "(SIGSEGV)"},
                      InitCase{"Hang", R"({"fault":"hang","in":"init"})", "start-up failed"}),
    [](const auto& info) { return std::string(info.param.name); });

// init that starts failing only after the first runner: every restart
// fails, and the breaker disables the plugin.
TEST_F(FaultTest, InitCrashAfterRestartTripsTheBreaker) {
  IsolationConfig o = faultyIsolation();
  o.restart.maxRestarts = 3;
  // The first runner must be up before init starts failing. A start can
  // take longer than any fixed window on a loaded machine, so the window
  // doubles until a start fits in it.
  uint64_t armAt = 0;
  for (uint64_t window = 200'000'000;; window *= 2) {
    armAt = realtimeNs() + window;
    try {
      faulty_ = makeFaulty(
          R"({"fault":"segv","in":"init","arm_at_ns":)" + std::to_string(armAt) + "}", o);
      break;
    } catch (const PluginError&) {
      if (realtimeNs() < armAt || window >= 12'800'000'000) throw;  // not the load
    }
  }
  faulty_->open("count=0,batch=16");
  driveUntil(*faulty_, Drive::kNextBatch,
             [&](const SliceStats&) { return realtimeNs() > armAt; });
  // Something outside the plugin (an OOM kill, an operator) ends the runner.
  ASSERT_GT(faulty_->runnerPid(), 0);
  ASSERT_EQ(::kill(faulty_->runnerPid(), SIGKILL), 0);
  driveUntil(*faulty_, Drive::kNextBatch,
             [&](const SliceStats&) { return faulty_->state().disabled; }, milliseconds(5000));

  const std::string log = log_.text();
  SCOPED_TRACE(log);
  EXPECT_TRUE(faulty_->state().disabled);
  EXPECT_THAT(faulty_->lastError(), HasSubstr("disabled"));
  EXPECT_THAT(log, HasSubstr("killed by signal 9 (SIGKILL) during next_batch"));
  EXPECT_THAT(log, HasSubstr("restart failed"));
  EXPECT_THAT(log, HasSubstr("killed by signal 11 (SIGSEGV)"));
  EXPECT_EQ(faulty_->nextBatch().rc, SS_PLUGIN_FAILURE);
  EXPECT_EQ(healthyStalls_, 0);
}

// open fails every time: each open() throws, the runner is restarted for
// the next one, and the breaker ends it.
struct OpenCase {
  const char* name;
  const char* config;
  std::vector<const char*> needles;
};

void PrintTo(const OpenCase& c, std::ostream* os) { *os << c.name; }

class OpenFaultTest : public FaultTest, public ::testing::WithParamInterface<OpenCase> {};

TEST_P(OpenFaultTest, EveryOpenFailsThenTheBreakerTrips) {
  const OpenCase& c = GetParam();
  IsolationConfig o = faultyIsolation();
  o.restart.maxRestarts = 3;
  o.deadlines.open = milliseconds(500);
  faulty_ = makeFaulty(c.config, o);
  int failures = 0;
  for (int i = 0; i < 10 && !faulty_->state().disabled; ++i) {
    healthySlice();
    try {
      faulty_->open("count=0");
      ADD_FAILURE() << "open succeeded";
    } catch (const PluginError& e) {
      EXPECT_THAT(e.what(), HasSubstr("could not open plugin 'fault'"));
      ++failures;
    }
  }
  const std::string log = log_.text();
  SCOPED_TRACE(log);
  EXPECT_TRUE(faulty_->state().disabled);
  EXPECT_EQ(failures, 4);  // the first start and three restarts
  EXPECT_EQ(faultCount(faulty_->counters()), 4u);
  EXPECT_EQ(faulty_->counters().restarts, 3u);
  for (const char* needle : c.needles) EXPECT_THAT(log, HasSubstr(needle));
  EXPECT_THAT(log, HasSubstr("(circuit breaker)"));
  EXPECT_THAT(faulty_->lastError(), HasSubstr("is disabled: its runner failed 4 times"));
  EXPECT_THROW(faulty_->open("count=0"), PluginError);
  EXPECT_EQ(healthyStalls_, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, OpenFaultTest,
    ::testing::Values(OpenCase{"Segv", R"({"fault":"segv","in":"open"})",
                               {"killed by signal 11 (SIGSEGV)",
                                "during open; the plugin was in plugin_open"}},
                      OpenCase{"Exit0", R"({"fault":"exit0","in":"open"})",
                               {"exited with code 0", "during open; the plugin was in plugin_open"}},
                      OpenCase{"Hang", R"({"fault":"hang","in":"open"})",
                               {"missed its deadline (open: "}}),
    [](const auto& info) { return std::string(info.param.name); });

// A fault in plugin_destroy (at shutdown) must not hang or crash the
// supervisor, and leaves no process behind (TearDown checks).
class DestroyFaultTest : public FaultTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(DestroyFaultTest, ShutdownStaysBounded) {
  IsolationConfig o = faultyIsolation();
  faulty_ = makeFaulty(std::string(R"({"fault":")") + GetParam() + R"(","in":"destroy"})", o);
  faulty_->open("count=0,batch=16");
  driveUntil(*faulty_, Drive::kNextBatch, [](const SliceStats& s) { return s.iterations >= 5; });
  const auto start = Clock::now();
  faulty_.reset();
  const auto took = Clock::now() - start;
  // Shutdown waits at most the control deadline for the reply and again
  // for the exit; a hang is then killed.
  EXPECT_LT(took, 3 * o.deadlines.close + milliseconds(1000));
  for (int i = 0; i < 5; ++i) healthySlice();
  EXPECT_EQ(healthyStalls_, 0);
}

INSTANTIATE_TEST_SUITE_P(Faults, DestroyFaultTest,
                         ::testing::Values("segv", "abort", "exit0", "hang"),
                         [](const auto& info) { return std::string(info.param); });

// Plugins that all hang in plugin_destroy stop together: the whole stop
// takes about one close deadline, not one per plugin.
TEST_F(FaultTest, HungPluginsStopTogether) {
  IsolationConfig o = faultyIsolation();
  o.deadlines.close = milliseconds(1000);
  for (const size_t n : {size_t{1}, size_t{3}}) {
    std::vector<std::unique_ptr<IsolatedHost>> hung;
    std::vector<PluginHost*> hosts;
    for (size_t i = 0; i < n; ++i) {
      hung.push_back(makeFaulty(R"({"fault":"hang","in":"destroy"})", o));
      hung.back()->open("count=0,batch=16");
      EXPECT_EQ(hung.back()->nextBatch().rc, SS_PLUGIN_SUCCESS);
      hosts.push_back(hung.back().get());
    }
    const auto start = Clock::now();
    shutdownHosts(hosts);
    const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    std::cout << "stop of " << n << " plugin(s) hung in plugin_destroy, close deadline "
              << o.deadlines.close.count() << " ms: " << took.count() << " ms\n";
    // One after another, 3 would take 3 deadlines or more.
    EXPECT_LT(took, o.deadlines.close * 29 / 10) << n << " hung plugins";
    for (const auto& h : hung) EXPECT_EQ(h->runnerPid(), -1) << "a runner outlived the stop";
    EXPECT_THAT(log_.text(), HasSubstr("did not exit within 1000 ms of shutdown; killed"));
    healthySlice();
  }
  EXPECT_EQ(healthyStalls_, 0);
}

// A crash loop logs a few crash reports in full, then sums the rest up;
// logged and summed-up reports account for every crash counted.
TEST_F(FaultTest, CrashLoopReportsAreRateLimited) {
  faulty_ = makeFaulty(armedLater(R"({"fault":"segv","in":"next_batch","after":0})"));
  faulty_->open("count=0,batch=16");
  driveUntil(*faulty_, Drive::kNextBatch,
             [&](const SliceStats&) { return faulty_->counters().crashes >= 12; });
  const uint64_t crashes = faulty_->counters().crashes;
  ASSERT_GE(crashes, 12u);
  faulty_.reset();  // its last summary
  const std::string log = log_.text();
  SCOPED_TRACE(log);
  size_t logged = 0;  // full crash reports: one line each
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    logged += line.find("killed by signal 11") != std::string::npos &&
              line.find("more crashes") == std::string::npos;
  }
  EXPECT_EQ(logged, 5u) << "crash reports logged in full";
  const size_t at = log.find("plugin 'fault': ");
  ASSERT_NE(at, std::string::npos);
  const uint64_t summed = std::stoull(log.substr(at + std::strlen("plugin 'fault': ")));
  EXPECT_THAT(log, HasSubstr(" more crashes in the last "));
  EXPECT_EQ(logged + summed, crashes);
}

// ---- circuit breaker and recovery policy ----

TEST_F(FaultTest, CrashLoopIsDisabledByTheBreaker) {
  IsolationConfig o = faultyIsolation();
  o.restart.maxRestarts = 4;
  faulty_ = makeFaulty(armedLater(R"({"fault":"segv","in":"next_batch","after":0})"), o);
  faulty_->open("count=0,batch=16");
  driveUntil(*faulty_, Drive::kNextBatch,
             [&](const SliceStats&) { return faulty_->state().disabled; }, milliseconds(5000));
  const std::string log = log_.text();
  SCOPED_TRACE(log);
  ASSERT_TRUE(faulty_->state().disabled);
  const HostCounters c = faulty_->counters();
  EXPECT_EQ(c.crashes, 5u);
  EXPECT_EQ(c.restarts, 4u);
  EXPECT_THAT(log, HasSubstr("restart 4 of 4"));
  EXPECT_THAT(log, HasSubstr("(circuit breaker)"));
  EXPECT_THAT(faulty_->lastError(), HasSubstr("plugin 'fault' is disabled"));
  // Disabled means every call fails at once, without a new runner.
  EXPECT_EQ(faulty_->runnerPid(), -1);
  EXPECT_EQ(faulty_->nextBatch().rc, SS_PLUGIN_FAILURE);
  std::vector<FieldRequest> fields(1);
  ExtractResults out;
  const std::vector<uint8_t> evt = makePluginEvent(4242, "{\"seq\":1}");
  const EventRef ref{reinterpret_cast<const ss_plugin_event*>(evt.data()), 1};
  EXPECT_EQ(faulty_->extract({&ref, 1}, kFaultSource, fields, out), SS_PLUGIN_FAILURE);
  EXPECT_EQ(faulty_->runnerPid(), -1);
  EXPECT_EQ(healthyStalls_, 0);
}

// Restarts older than the window do not count towards the breaker.
TEST_F(FaultTest, RestartsOutsideTheWindowDoNotTripTheBreaker) {
  IsolationConfig o = faultyIsolation();
  o.restart.maxRestarts = 2;
  o.restart.window = std::chrono::seconds(1);
  faulty_ = makeFaulty(armedLater(R"({"fault":"segv","in":"next_batch","after":30})"), o);
  faulty_->open("count=0,batch=16");
  // One crash about every 30 batches; the window forgets them after 1 s.
  driveUntil(*faulty_, Drive::kNextBatch,
             [&](const SliceStats&) { return faulty_->counters().crashes >= 1; });
  std::this_thread::sleep_for(milliseconds(1100));
  driveUntil(*faulty_, Drive::kNextBatch,
             [&](const SliceStats&) { return faulty_->counters().crashes >= 2; });
  std::this_thread::sleep_for(milliseconds(1100));
  driveUntil(*faulty_, Drive::kNextBatch,
             [&](const SliceStats&) { return faulty_->counters().crashes >= 3; });
  const std::string log = log_.text();
  SCOPED_TRACE(log);
  EXPECT_EQ(faulty_->counters().crashes, 3u);
  EXPECT_FALSE(faulty_->state().disabled);
  EXPECT_THAT(log, ::testing::Not(HasSubstr("circuit breaker")));
  EXPECT_EQ(healthyStalls_, 0);
}

// A plugin that crashes for a while and then stops: the host recovers for
// good, and events keep flowing with no further fault.
TEST_F(FaultTest, RecoversForGoodOnceTheFaultStops) {
  const uint64_t disarmAt = realtimeNs() + 300'000'000;
  faulty_ = makeFaulty(armedLater(R"({"fault":"abort","in":"next_batch","after":2,"disarm_at_ns":)" +
                                  std::to_string(disarmAt) + "}"));
  faulty_->open("count=0,batch=16");
  driveUntil(*faulty_, Drive::kNextBatch,
             [&](const SliceStats&) { return realtimeNs() > disarmAt + 100'000'000; });
  const HostCounters before = faulty_->counters();
  ASSERT_GE(before.crashes, 1u);
  const SliceStats st = driveUntil(*faulty_, Drive::kNextBatch,
                                   [](const SliceStats& s) { return s.iterations >= 40; });
  const HostCounters after = faulty_->counters();
  EXPECT_EQ(after.crashes, before.crashes);
  EXPECT_EQ(after.restarts, before.restarts);
  EXPECT_GE(st.faultyEvents, 40u * 16u - 16u);
  EXPECT_FALSE(faulty_->state().disabled);
  EXPECT_EQ(healthyStalls_, 0);
}

// A host driven only for its async events still notices that its runner
// died, reports it and restarts it.
TEST_F(FaultTest, AsyncOnlyRunnerDeathIsNoticed) {
  faulty_ = makeFaulty(armedLater(R"({"fault":"segv","in":"async","after":5})"));
  faulty_->startAsync();
  const auto end = Clock::now() + milliseconds(3000);
  while (Clock::now() < end && faulty_->counters().crashes == 0) {
    healthySlice();
    faulty_->drainAsync();
  }
  EXPECT_GE(faulty_->counters().crashes, 1u);
  EXPECT_THAT(log_.text(), HasSubstr("(SIGSEGV) during async events"));
  EXPECT_EQ(healthyStalls_, 0);
}

// A runner that dies while the engine asks it to start async events is a
// runner fault like any other: reported, counted, restarted, with the
// handler set again on the new runner; not an error that stops the engine.
TEST_F(FaultTest, RunnerDeathDuringStartAsyncIsRecovered) {
  faulty_ = makeFaulty(R"({"fault":"segv","in":"set_async","after":0})");
  EXPECT_NO_THROW(faulty_->startAsync());
  EXPECT_EQ(faulty_->counters().crashes, 1u);
  EXPECT_THAT(log_.text(), HasSubstr("(SIGSEGV) during set_async_event_handler"));
  EXPECT_FALSE(faulty_->state().disabled);
  // Draining restarts the runner, which is asked again (and crashes again).
  faulty_->drainAsync();
  EXPECT_EQ(faulty_->counters().restarts, 1u);
  EXPECT_EQ(faulty_->counters().crashes, 2u);
  faulty_.reset();
}

// ---- death watch ----

TEST_F(FaultTest, RunnerDeathEndsAWaitingNextBatchAtOnce) {
  IsolationConfig o = faultyIsolation();
  // Neither the deadline nor the pidfd safety slice can end this wait in
  // the test's lifetime: only the death watch's wake-up can.
  o.deadlines.nextBatch = milliseconds(120'000);
  RunnerServices services = testServices();
  services.deathPollSlice = milliseconds(3'600'000);
  faulty_ =
      makeFaulty(armedLater(R"({"fault":"hang","in":"next_batch","after":0})"), o, services);
  faulty_->open("count=0,batch=16");
  const int pid = faulty_->runnerPid();
  const uint64_t wakeUps = testServices().deathWatch.wakeUps();
  std::thread killer([pid] {
    // Past the arming time, so the runner hangs in next_batch and the host
    // sleeps on an empty source ring.
    std::this_thread::sleep_for(milliseconds(400));
    ::kill(pid, SIGKILL);
  });
  BatchResult b{SS_PLUGIN_SUCCESS, {}};
  while (faulty_->counters().crashes + faulty_->counters().deadlineKills == 0) {
    b = faulty_->nextBatch();
  }
  killer.join();
  EXPECT_EQ(b.rc, SS_PLUGIN_TIMEOUT);
  EXPECT_EQ(faulty_->counters().crashes, 1u);
  EXPECT_EQ(faulty_->counters().deadlineKills, 0u);
  EXPECT_THAT(faulty_->lastError(), HasSubstr("killed by signal 9"));
  EXPECT_NE(faulty_->runnerPid(), pid);
  EXPECT_GT(testServices().deathWatch.wakeUps(), wakeUps) << "the death watch did not fire";
}

// ---- what a plugin prints ----

// Forged alert and log lines, terminal escapes and a flood on the runner's
// stdout and stderr reach the operator only as "plugin 'fault' output:"
// lines, made visible, at a bounded rate, with the rest counted.
TEST_F(FaultTest, ForgedOutputIsPrefixedVisibleAndBounded) {
  std::mutex mu;
  std::vector<std::string> lines;
  OutputLimits limits;
  limits.linesPerSecond = 20;
  auto output = std::make_unique<RunnerOutput>(limits, [&](const std::string& l) {
    std::lock_guard lock(mu);
    lines.push_back(l);
  });
  const RunnerServices base = testServices();
  const RunnerServices services{base.spawner, base.deathWatch, *output, base.runnerPath,
                                base.policyDir};
  faulty_ = makeFaulty(R"({"fault":"forge_output","in":"next_batch","after":0})",
                       faultyIsolation(), services);
  faulty_->open("count=0,batch=16");
  driveUntil(*faulty_, Drive::kNextBatch, [](const SliceStats& st) { return st.faultyEvents > 64; });
  EXPECT_EQ(faultCount(faulty_->counters()), 0u) << "printing is no fault";
  faulty_.reset();  // the runner ends: its pipe reaches EOF
  const OutputCounts counts = output->counts("fault");
  output.reset();   // every line read is logged
  ASSERT_FALSE(lines.empty());
  bool forgedAlert = false, forgedLog = false, escapes = false, summary = false;
  for (const std::string& l : lines) {
    EXPECT_EQ(l.find_first_of("\n\r\x1b\x07"), std::string::npos) << l;
    EXPECT_EQ(l.rfind("plugin 'fault'", 0), 0u) << l;
    forgedAlert |= l == "plugin 'fault' output: 09:00:00.000000000: Critical forged alert on stdout";
    forgedLog |= l.find("output: [2026-01-01 00:00:00.000] [bulkhead] [error]") != std::string::npos;
    escapes |= l.find("\\x1b]0;owned\\x07\\x1b[2J\\rcolour \\x1b[31mred\\u{009b}") !=
               std::string::npos;
    summary |= l.find("lines (") != std::string::npos && l.find("dropped") != std::string::npos;
  }
  EXPECT_TRUE(forgedAlert);
  EXPECT_TRUE(forgedLog);
  EXPECT_TRUE(escapes);
  EXPECT_TRUE(summary) << "drops are summarised";
  EXPECT_GT(counts.droppedLines, 4000u);
  EXPECT_LT(counts.lines, 200u);
  EXPECT_LT(lines.size(), 200u);
}

// ---- limits only a per-runner cgroup gives ----

bool layerApplied(const IsolatedHost& host, const std::string& layer) {
  for (const std::string& l : host.sandboxLayers()) {
    if (l.rfind(layer + ": applied", 0) == 0) return true;
  }
  return false;
}

#define SKIP_WITHOUT_LAYER(host, layer)                                                     \
  if (!layerApplied(host, layer)) {                                                         \
    faulty_.reset();                                                                        \
    GTEST_SKIP() << layer << " not available here (needs root and a writable cgroup "     \
                 << "hierarchy): " << ::testing::PrintToString((host).sandboxLayers());    \
  }

// CPU ticks (user + system) /proc reports for `pid`.
uint64_t cpuTicks(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string f;
  uint64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stoull(f);
    if (i == 15) stime = std::stoull(f);
  }
  return utime + stime;
}

TEST_F(FaultTest, ThreadBombStopsAtTheRunnersOwnPidsLimit) {
  IsolationConfig o = faultyIsolation();
  o.limits.processes = 64;
  o.deadlines.nextBatch = milliseconds(10'000);
  faulty_ = makeFaulty(R"({"fault":"thread_bomb","in":"next_batch","after":0})", o);
  SKIP_WITHOUT_LAYER(*faulty_, "cgroup-pids");
  faulty_->open("count=0,batch=16");
  EXPECT_EQ(faulty_->nextBatch().rc, SS_PLUGIN_FAILURE);
  const std::string error = faulty_->lastError();
  ASSERT_THAT(error, HasSubstr("denied: ")) << error;
  const uint64_t threads = std::stoull(error.substr(error.find("denied: ") + 8));
  EXPECT_LT(threads, 64u) << error;
  // The neighbour, under the same uid, still starts threads and serves.
  healthySlice();
  EXPECT_EQ(healthyStalls_, 0);
}

TEST_F(FaultTest, CpuHogIsHeldToItsShare) {
  IsolationConfig o = faultyIsolation();
  o.limits.cpuPercent = 20;
  o.deadlines.nextBatch = milliseconds(10'000);
  faulty_ = makeFaulty(R"({"fault":"cpu_hog","in":"next_batch","after":0})", o);
  SKIP_WITHOUT_LAYER(*faulty_, "cgroup-cpu");
  faulty_->open("count=0,batch=16");
  const int pid = faulty_->runnerPid();
  const uint64_t before = cpuTicks(pid);
  EXPECT_EQ(faulty_->nextBatch().rc, SS_PLUGIN_SUCCESS) << faulty_->lastError();
  // 1.5 s of spinning at 20% of a CPU is about 30 ticks; unbounded, 150.
  // A loaded machine only lowers the count.
  const uint64_t used = cpuTicks(pid) - before;
  EXPECT_LT(used, 75u) << "ticks of CPU in 1.5 s";
  EXPECT_EQ(faultCount(faulty_->counters()), 0u);
}

TEST_F(FaultTest, MemoryBombIsKilledAtTheMemoryLimitAndSaysSo) {
  IsolationConfig o = faultyIsolation();
  o.limits.memoryMb = 64;
  o.limits.addressSpaceMb = 0;  // only the cgroup stands in the way
  faulty_ = makeFaulty(R"({"fault":"memory_bomb","in":"next_batch","after":0,"memory_cap_mb":1024})",
                       o);
  SKIP_WITHOUT_LAYER(*faulty_, "cgroup-memory");
  faulty_->open("count=0,batch=16");
  driveUntil(*faulty_, Drive::kNextBatch,
             [&](const SliceStats&) { return faultCount(faulty_->counters()) > 0; });
  EXPECT_EQ(faulty_->counters().crashes, 1u);
  EXPECT_THAT(log_.text(), HasSubstr("(resource limit: memory, limits.memory_mb 64)"));
}

// ---- resources ----

TEST_F(FaultTest, ManyCrashedRunnersLeakNoFdAndNoProcess) {
  for (int round = 0; round < 3; ++round) {
    auto host = makeFaulty(armedLater(R"({"fault":"segv","in":"next_batch","after":1})"));
    host->open("count=0,batch=16");
    driveUntil(*host, Drive::kNextBatch,
               [&](const SliceStats&) { return host->counters().crashes >= 8; });
    EXPECT_GE(host->counters().crashes, 8u);
  }
  // TearDown compares the fd count and looks for children left behind.
  EXPECT_EQ(healthyStalls_, 0);
}

// ---- forbidden operations: need the sandbox ----

std::atomic<int> usr1Received{0};

struct SandboxCase {
  const char* name;
  std::string config;
  // The forbidden syscall, or nullptr for the memory bomb. The supervisor
  // takes its name from the kernel's audit record, which printk rate limits
  // may drop; the report then says so, and only then is no name expected.
  const char* syscall;
  bool deniedIsFine;
  IsolationConfig options = faultyIsolation();
};

void PrintTo(const SandboxCase& c, std::ostream* os) { *os << c.name; }

SandboxCase killParentCase() {
  return {"KillParent",
          R"({"fault":"kill_parent","in":"next_batch","after":2,"signal":10,"pid":)" +
              std::to_string(::getpid()) + "}",
          "kill", true};
}

SandboxCase memoryBombCase() {
  SandboxCase c{"MemoryBomb", R"({"fault":"memory_bomb","in":"next_batch","after":2})", nullptr,
                false};
  c.options.limits.addressSpaceMb = 512;
  // Touching a few hundred MiB takes longer than the usual short deadline.
  c.options.deadlines.nextBatch = milliseconds(5000);
  return c;
}

class SandboxFaultTest : public FaultTest, public ::testing::WithParamInterface<SandboxCase> {};

TEST_P(SandboxFaultTest, KilledOrDeniedNeverEscapes) {
  SKIP_WITHOUT_SANDBOX();
  const SandboxCase& c = GetParam();
  struct sigaction sa {};
  sa.sa_handler = [](int) { usr1Received++; };
  ::sigaction(SIGUSR1, &sa, nullptr);
  usr1Received = 0;

  faulty_ = makeFaulty(armedLater(c.config), c.options);
  faulty_->open("count=0,batch=16");
  // Only next_batch is called until something happens, so that a kill is
  // seen during next_batch and a denial arrives as the batch's error.
  std::string pluginError;
  const auto end = Clock::now() + milliseconds(8000);
  while (Clock::now() < end && faultCount(faulty_->counters()) == 0) {
    healthySlice();
    if (faulty_->nextBatch().rc == SS_PLUGIN_FAILURE) {
      pluginError = faulty_->lastError();
      break;
    }
  }
  const std::string log = log_.text();
  SCOPED_TRACE(log);
  EXPECT_THAT(pluginError, ::testing::Not(HasSubstr("escaped")));
  EXPECT_EQ(usr1Received.load(), 0) << "a runner signalled the supervisor";
  const HostCounters fc = faulty_->counters();
  ASSERT_TRUE(!pluginError.empty() || faultCount(fc) > 0) << "nothing happened";
  if (!pluginError.empty()) {
    EXPECT_TRUE(c.deniedIsFine) << pluginError;
    EXPECT_THAT(pluginError, HasSubstr("denied"));
  } else if (c.syscall != nullptr) {
    EXPECT_EQ(fc.seccompKills, 1u);
    EXPECT_EQ(fc.crashes, 1u);
    EXPECT_THAT(log, ::testing::AnyOf(
                         HasSubstr(std::string("killed by signal 31 (SIGSYS) (seccomp violation: "
                                               "syscall ") +
                                   c.syscall + ") during next_batch"),
                         HasSubstr("(SIGSYS) (seccomp violation: syscall unknown: no audit "
                                   "record in the kernel log) during next_batch")));
  } else {
    // The memory bomb: malloc fails under the address-space limit and the
    // plugin aborts, as an unchecked allocation would.
    EXPECT_EQ(fc.crashes, 1u);
    EXPECT_THAT(log, HasSubstr("killed by signal 6 (SIGABRT) during next_batch"));
  }
  // Either way the runner comes back (after a kill) or the capture ended
  // with the plugin's error (after a denial), and the supervisor is fine.
  EXPECT_FALSE(faulty_->state().disabled);
  EXPECT_EQ(healthyStalls_, 0);
  ::signal(SIGUSR1, SIG_DFL);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, SandboxFaultTest,
    ::testing::Values(
        SandboxCase{"ForkBomb", R"({"fault":"fork_bomb","in":"next_batch","after":2})", "clone",
                    false},
        SandboxCase{"ExecShell", R"({"fault":"exec_shell","in":"next_batch","after":2})",
                    "execve", false},
        SandboxCase{"SocketInetUnderDefault",
                    R"({"fault":"socket_inet","in":"next_batch","after":2})", "socket", false},
        SandboxCase{"OpenShadowForWrite",
                    R"({"fault":"write_shadow","in":"next_batch","after":2})", "openat", true},
        killParentCase(), memoryBombCase()),
    [](const auto& info) { return std::string(info.param.name); });

// A forbidden call while loading (plugin_init) fails the start, naming the
// syscall.
TEST_F(FaultTest, ForbiddenSyscallInInitFailsTheStart) {
  SKIP_WITHOUT_SANDBOX();
  try {
    makeFaulty(R"({"fault":"socket_inet","in":"init"})");
    ADD_FAILURE() << "the host started although plugin_init opened an AF_INET socket";
  } catch (const PluginError& e) {
    EXPECT_THAT(e.what(), ::testing::AnyOf(HasSubstr("(SIGSYS)"), HasSubstr("denied")));
  }
  EXPECT_EQ(healthyStalls_, 0);
}

// ---- bounds (issue 12): what a runner can make the supervisor buffer ----

uint64_t statusKb(const char* key) {
  const std::string v = procField(::getpid(), "status", key);
  return v.empty() ? 0 : std::stoull(v);
}

// The supervisor's peak RSS from construction on, as growth over the RSS
// then: "5" to clear_refs resets VmHWM to the current RSS. A generous bound
// on it tells a capped buffer from one that took what the runner sent.
class PeakRss {
 public:
  PeakRss() {
    std::ofstream("/proc/self/clear_refs") << "5";
    base_ = statusKb("VmHWM:");
  }
  uint64_t growthMb() const { return (statusKb("VmHWM:") - base_) >> 10; }

 private:
  uint64_t base_ = 0;
};

// Production-sized rings and bounds; a next_batch deadline long enough that
// a huge batch is stopped by its bound, not by the clock.
IsolationConfig boundsIsolation() {
  IsolationConfig o = faultyIsolation();
  o.rings = RingSizes{};
  o.deadlines.nextBatch = milliseconds(20000);
  o.deadlines.extract = milliseconds(10000);
  return o;
}

class BoundsTest : public FaultTest {
 protected:
  // Drives until two runners were killed as malformed and a third served.
  SliceStats killTwice(Drive drive) {
    return driveUntil(
        *faulty_, drive,
        [&](const SliceStats& s) {
          const bool served = drive == Drive::kExtractMsg ? s.okAfterFirstFault > 0
                                                          : s.eventsAfterFirstFault > 0;
          return faulty_->counters().malformed >= 2 && served;
        },
        milliseconds(60000));
  }

  void expectKilledFor(const char* bound) {
    const HostCounters fc = faulty_->counters();
    const std::string log = log_.text();
    SCOPED_TRACE(log);
    EXPECT_EQ(healthyStalls_, 0) << "the healthy plugin stopped delivering";
    EXPECT_GE(fc.malformed, 2u);
    EXPECT_GE(fc.restarts, 1u);
    EXPECT_FALSE(faulty_->state().disabled);
    EXPECT_THAT(log, HasSubstr("plugin 'fault' runner pid"));
    EXPECT_THAT(log, HasSubstr(std::string("over its bound bounds.") + bound));
  }
};

TEST_F(BoundsTest, AHugeBatchIsCutAtItsByteBound) {
  // 160 MiB of 8 KiB events, more than the default 64 MiB.
  faulty_ = makeFaulty(
      armedLater(R"({"fault":"huge_batch","in":"next_batch","after":3,"bytes":167772160})"),
      boundsIsolation());
  faulty_->open("count=0,batch=16");
  const PeakRss peak;
  const SliceStats st = killTwice(Drive::kNextBatch);
  expectKilledFor("batch_mb");
  EXPECT_GT(st.eventsAfterFirstFault, 0u);
  // The arena stops at 64 MiB (its last doubling holds 32 + 64 at once);
  // taking the whole batch would need 160 MiB and more.
  EXPECT_LT(peak.growthMb(), 150u);
}

TEST_F(BoundsTest, ABatchOfTooManyEventsIsCutAtItsEventBound) {
  // 2^20 small events, more than the default 65536, in about 40 MiB.
  faulty_ = makeFaulty(armedLater(R"({"fault":"many_events","in":"next_batch","after":3})"),
                       boundsIsolation());
  faulty_->open("count=0,batch=16");
  const SliceStats st = killTwice(Drive::kNextBatch);
  expectKilledFor("batch_events");
  EXPECT_GT(st.eventsAfterFirstFault, 0u);
}

TEST_F(BoundsTest, AnAsyncEventOverItsBoundKillsTheRunner) {
  IsolationConfig o = boundsIsolation();
  o.bounds.asyncEventBytes = 64u << 10;  // the event is 256 KiB: it fits the ring
  faulty_ = makeFaulty(armedLater(R"({"fault":"huge_async","in":"async","after":20})"), o);
  faulty_->open("count=0,batch=16");
  faulty_->startAsync();
  killTwice(Drive::kAsync);
  expectKilledFor("async_event_kb");
}

TEST_F(BoundsTest, AnExtractionAnswerOverItsBoundKillsTheRunner) {
  IsolationConfig o = boundsIsolation();
  o.bounds.extractBytes = 1u << 20;  // the answer is 2 MiB: it fits the ring
  faulty_ = makeFaulty(
      armedLater(R"({"fault":"huge_value","in":"extract","after":40,"bytes":2097152})"), o);
  faulty_->open("count=0,batch=1");
  const SliceStats st = killTwice(Drive::kExtractMsg);
  expectKilledFor("extract_mb");
  EXPECT_GE(faulty_->counters().extractionsLost, 2u);
  EXPECT_GT(st.okAfterFirstFault, 0u);
}

TEST_F(BoundsTest, ChunksOfOneExtractionTogetherOverTheBoundKillTheRunner) {
  IsolationConfig o = boundsIsolation();
  o.bounds.extractBytes = 1u << 20;
  // 16 events of 300 KiB do not fit the 1 MiB request ring in one record:
  // the extraction goes in chunks of 3, each answered with 600 KiB, all 16
  // with 3.2 MiB.
  faulty_ = makeFaulty(armedLater(
                           R"({"fault":"huge_value","in":"extract","after":40,"times":1000000,)"
                           R"("bytes":204800})"),
                       o);
  faulty_->open("count=0,batch=16,size=307200");
  killTwice(Drive::kExtractMsg);
  expectKilledFor("extract_mb");
  EXPECT_THAT(log_.text(), HasSubstr("extraction answer over its bound"));
}

// At the default bounds a 256 MiB value never reaches the supervisor: the
// runner cannot fit it in the response ring and answers FAILURE.
TEST_F(BoundsTest, A256MiBFieldValueCostsTheSupervisorNothing) {
  faulty_ = makeFaulty(armedLater(R"({"fault":"huge_value","in":"extract","after":5})"),
                       boundsIsolation());
  faulty_->open("count=0,batch=1");
  const PeakRss peak;
  const SliceStats st = driveUntil(
      *faulty_, Drive::kExtractMsg,
      [](const SliceStats& s) { return s.extractFailed >= 1 && s.extractOk >= 10; },
      milliseconds(60000));
  EXPECT_EQ(healthyStalls_, 0);
  EXPECT_GE(st.extractFailed, 1u);
  EXPECT_GE(st.extractOk, 10u);
  EXPECT_LT(peak.growthMb(), 64u);
}

// A descriptor sent over the control socket: refused whether seccomp stops
// the sendmsg or the supervisor finds it; never kept open (TearDown counts
// the supervisor's fds).
TEST_F(BoundsTest, ADescriptorPassedOnTheControlSocketKillsTheRunner) {
  faulty_ = makeFaulty(armedLater(R"({"fault":"pass_fd","in":"next_batch","after":3})"),
                       boundsIsolation());
  faulty_->open("count=0,batch=16");
  // The descriptor waits in the socket until the next control call reads it.
  const auto end = Clock::now() + milliseconds(60000);
  while (Clock::now() < end && faultCount(faulty_->counters()) < 2) {
    healthySlice();
    faulty_->nextBatch();
    faulty_->progress();
  }
  const HostCounters fc = faulty_->counters();
  const std::string log = log_.text();
  SCOPED_TRACE(log);
  EXPECT_EQ(healthyStalls_, 0);
  EXPECT_GE(fc.malformed + fc.seccompKills, 2u);
  if (fc.seccompKills == 0) {
    EXPECT_THAT(log, HasSubstr("control frame with ancillary data (file descriptors passed: 1"));
  }
  EXPECT_FALSE(faulty_->state().disabled);
}

}  // namespace
}  // namespace bulkhead
