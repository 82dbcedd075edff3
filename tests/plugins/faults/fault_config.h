// Configuration of the `fault` test plugin: which fault, in which API call,
// on which call number, in which time window. Read from the init_config JSON:
//
//   {"fault": "segv", "in": "next_batch", "after": 3}
//
//   fault   what goes wrong (FaultKind below; "none" by default)
//   in      the API call that goes wrong: init, open, next_batch, extract,
//           parse, async (the async thread), set_async (setting the
//           handler), destroy
//   after   how many calls of that kind succeed before the fault: 0 faults
//           on the first call, 3 on the fourth. Counted per runner process
//           and only inside the window below, so a crash fault hits once in
//           every runner lifetime.
//   times   how many calls fault once armed (non-fatal faults; default 1)
//   arm_at_ns, disarm_at_ns
//           CLOCK_REALTIME window outside which the plugin behaves: lets a
//           test make init fail only after a restart, or a crash loop stop
//   pid, signal
//           target and signal of kill_parent (default getppid(), SIGKILL)
//   memory_cap_mb
//           where memory_bomb stops by itself if no limit stopped it first
//   bytes   the size of huge_batch, huge_value and huge_async (default
//           256 MiB; 256 KiB for huge_async)
#ifndef BULKHEAD_TESTS_PLUGINS_FAULTS_FAULT_CONFIG_H_
#define BULKHEAD_TESTS_PLUGINS_FAULTS_FAULT_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bulkhead::test_plugins {

enum class FaultKind {
  kNone,
  // Crashes and hangs: the runner dies or stops answering.
  kSegv,           // write through a null pointer
  kAbort,          // abort(): SIGABRT
  kExit0,          // _exit(0), as Go's os.Exit does
  kStackOverflow,  // unbounded recursion into the guard page
  kHang,           // busy loop, never returns
  kMemoryBomb,     // allocate and touch until allocation fails, then abort
  // Forbidden operations: the sandbox must kill (SIGSYS) or deny (errno);
  // a denial is reported as FAILURE with "denied: ...", success as
  // FAILURE with "escaped: ...".
  kForkBomb,       // fork in a loop
  kExecShell,      // execve("/bin/sh")
  kWriteShadow,    // open("/etc/shadow", O_WRONLY)
  kSocketInet,     // socket(AF_INET)
  kKillParent,     // kill(the supervisor, signal)
  // Misbehaviour towards the runner and the supervisor.
  kGarbageRings,   // random bytes over the whole shared ring mapping
  kBogusLen,       // next_batch: event header len runs past its buffer
  kBogusNparams,   // next_batch: nparams 7 on a plugin event
  kNullEvent,      // next_batch: a NULL in the event array
  kHugeNevts,      // next_batch: nevts 2^20 with a 2-entry array
  kNullArray,      // next_batch: nevts 5, array NULL
  kEmptySuccess,   // next_batch: SUCCESS with 0 events
  kWrongId,        // next_batch: events carrying another plugin's id
  kBogusRc,        // next_batch: a return code outside the enum
  kHugeResLen,     // extract: res_len 2^40
  kNullRes,        // extract: res_len 1, res NULL
  kMultiValue,     // extract: 3 values for the non-list field fault.seq
  kBadStringPtr,   // extract: a string pointer into an unmapped page
  // Runner output (issue 12): what a plugin prints must reach the operator
  // only prefixed, made visible and rate-limited.
  kForgeOutput,    // prints forged alert and log lines, escapes and 5000 lines
  // Bounds (issue 12): more than the supervisor buffers for one runner.
  kHugeBatch,      // next_batch: copies of one 8 KiB event, `bytes` in all
  kManyEvents,     // next_batch: 2^20 copies of one small event
  kHugeValue,      // extract: every string field a value of `bytes`
  kHugeAsync,      // async: one async event with `bytes` of data
  kPassFd,         // next_batch: sendmsg(SCM_RIGHTS) of fd 0 on the control socket
  // Operator text (issue 12)
  kHostileError,   // init, open, next_batch: fail with a 32 MiB last error (and
                   // log line, from init on) that forges log and alert lines
  // Limits (issue 12): what only a per-runner cgroup bounds.
  kThreadBomb,     // creates threads (up to 5000) until one fails; reports the count
  kCpuHog,         // spins for 1.5 s of wall time, then the call succeeds
};

enum class FaultCall { kInit, kOpen, kNextBatch, kExtract, kParse, kAsync, kSetAsync, kDestroy };

struct FaultConfig {
  FaultKind kind = FaultKind::kNone;
  FaultCall in = FaultCall::kNextBatch;
  uint64_t after = 0;
  uint64_t times = 1;
  uint64_t armAtNs = 0;
  uint64_t disarmAtNs = UINT64_MAX;
  int64_t pid = 0;  // 0: getppid()
  int signal = 9;
  uint64_t memoryCapMb = 2048;
  uint64_t bytes = 0;  // 0: the kind's default
};

// nullopt with `error` set when the text is not a valid configuration.
std::optional<FaultConfig> parseFaultConfig(std::string_view json, std::string* error);

const char* faultKindName(FaultKind k);
const char* faultCallName(FaultCall c);

}  // namespace bulkhead::test_plugins

#endif  // BULKHEAD_TESTS_PLUGINS_FAULTS_FAULT_CONFIG_H_
