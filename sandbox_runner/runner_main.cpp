// bulkhead-runner: hosts one plugin for the supervisor, in its own process.
//
// Started by the supervisor with fork+exec and exactly five extra fds:
//   3: the control socketpair end, 4: the memfd holding the rings,
//   5: the start eventfd, 6: the plugin library (a sealed memfd copy the
//   supervisor made, so the runner's uid needs no access to the file),
//   7: the write end of the pipe the supervisor reads the runner's output
//   from (it becomes stdout and stderr; see supervisor/runner_output.h),
//   8: the write end of the exit-status relay (below).
//
// Spawned into its own pid namespace, the runner starts as its pid 1. A
// pid 1 ignores every signal it sends itself, so abort() would turn into a
// SIGSEGV and a Go runtime's fatal signal into exit(2). So pid 1 forks
// first: the child goes on as the runner, and pid 1 stays behind as an
// init that only waits for it and writes its wait status to the relay,
// which the supervisor reads as the runner's status (ChildProcess). The
// init holds nothing else; the plugin cannot signal or trace it (seccomp),
// and when it ends the kernel ends the whole namespace.
// Start-up is an explicit handshake: RunnerSetup in, the sandbox applied,
// then a wait for the start eventfd, then the plugin loaded and Hello (or an
// error) out; then the service loop runs until shutdown. The wait lets the
// supervisor keep a standby runner, sandboxed and ready, that takes over
// from a crashed one without paying for fork, exec and the sandbox set-up.
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include <capnp/message.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "protocol/control.capnp.h"
#include "protocol/control_channel.h"
#include "plugin_api/inprocess_host.h"
#include "sandbox_runner/runner_service.h"
#include "sandbox_runner/fd_closer.h"
#include "sandbox_runner/sandbox.h"
#include "sandbox_runner/seccomp_phases.h"
#include "shm_ring/ring_set.h"
#include "shm_ring/unique_fd.h"
#include "protocol/status_board.h"
#include "protocol/wire.h"

namespace bulkhead {
namespace {

constexpr int kControlFd = 3;
constexpr int kRingFd = 4;
constexpr int kStartFd = 5;
constexpr int kLibraryFd = 6;
constexpr int kOutputFd = 7;
constexpr int kStatusRelayFd = 8;
constexpr const char* kLibraryPath = "/proc/self/fd/6";

void fillHello(Hello::Builder h, const PluginInfo& info, const SandboxReport& report) {
  h.setName(info.name);
  h.setDescription(info.description);
  h.setContact(info.contact);
  h.setVersion(info.version);
  h.setRequiredApiVersion(info.requiredApiVersion);
  h.setCapabilities(info.capabilities);
  h.setId(info.id);
  h.setEventSource(info.eventSource);
  h.setInitSchema(info.initSchema);
  h.setFieldsJson(info.fieldsJson);
  auto list = [](auto builder, const std::vector<std::string>& v) {
    for (size_t i = 0; i < v.size(); ++i) builder.set(static_cast<unsigned>(i), v[i]);
  };
  list(h.initExtractEventSources(static_cast<unsigned>(info.extractEventSources.size())),
       info.extractEventSources);
  list(h.initParseEventSources(static_cast<unsigned>(info.parseEventSources.size())),
       info.parseEventSources);
  list(h.initAsyncEvents(static_cast<unsigned>(info.asyncEvents.size())), info.asyncEvents);
  list(h.initAsyncEventSources(static_cast<unsigned>(info.asyncEventSources.size())),
       info.asyncEventSources);
  auto types = [](auto builder, const std::vector<uint16_t>& v) {
    for (size_t i = 0; i < v.size(); ++i) builder.set(static_cast<unsigned>(i), v[i]);
  };
  types(h.initExtractEventTypes(static_cast<unsigned>(info.extractEventTypes.size())),
        info.extractEventTypes);
  types(h.initParseEventTypes(static_cast<unsigned>(info.parseEventTypes.size())),
        info.parseEventTypes);
  h.setPid(static_cast<uint32_t>(::getpid()));
  auto layers = h.initSandbox(static_cast<unsigned>(report.layers().size()));
  for (unsigned i = 0; i < report.layers().size(); ++i) {
    const LayerStatus& l = report.layers()[i];
    layers[i].setName(l.layer);
    layers[i].setObtained(l.state == LayerState::kApplied || l.state == LayerState::kPartial);
    layers[i].setDetail(std::string(toString(l.state)) + (l.detail.empty() ? "" : ": ") + l.detail);
  }
}

// The sandbox from the setup message, layers 1-4 (sandbox.h). The
// supervisor already read the policy and turned it into these settings.
SandboxConfig sandboxFor(RunnerSetup::Reader setup, bool inPidNamespace) {
  SandboxConfig c;
  c.isolation.inPidNamespace = inPidNamespace;
  c.keepFds = {0, 1, 2, kControlFd, kRingFd, kStartFd, kLibraryFd};
  auto limits = setup.getLimits();
  c.limits.addressSpaceBytes = limits.getAddressSpaceMb() == 0
                                   ? std::nullopt
                                   : std::optional<rlim_t>(limits.getAddressSpaceMb() << 20);
#ifdef BULKHEAD_SANITIZER_BUILD
  // Sanitizer runtimes reserve terabytes of shadow address space.
  c.limits.addressSpaceBytes = std::nullopt;
#endif
  if (limits.getCpuSeconds() != 0) c.limits.cpuSeconds = limits.getCpuSeconds();
  if (limits.getOpenFiles() != 0) c.limits.openFiles = limits.getOpenFiles();
  c.isolation.netNamespace = !setup.getAllowNetwork();
  c.isolation.unprivilegedUser = setup.getUser().cStr();
  c.landlock.allowNetwork = setup.getAllowNetwork();
  for (auto p : setup.getLandlockRead()) c.landlock.readPaths.emplace_back(p.cStr());
  for (auto p : setup.getLandlockWrite()) c.landlock.writePaths.emplace_back(p.cStr());
  return c;
}

// A seccomp phase from the setup: the supervisor's compiled program, bound
// to this process's pid. Throws PolicyError when the program is malformed.
SeccompFilter filterFrom(capnp::Data::Reader data, Phase phase, bool specAllow) {
  if (data.size() % sizeof(sock_filter) != 0) {
    throw PolicyError("a seccomp program of " + std::to_string(data.size()) + " bytes");
  }
  std::vector<sock_filter> program(data.size() / sizeof(sock_filter));
  std::memcpy(program.data(), data.begin(), data.size());
  SeccompFilter f = SeccompFilter::fromProgram(std::move(program), phase, specAllow);
  f.bindSelfPid(::getpid());
  return f;
}

// Blocks until the supervisor writes the start eventfd, then closes it: the
// plugin never sees it. Returns 0 or the errno of the failed read.
int awaitStart() {
  uint64_t value = 0;
  const ssize_t n = sysCallNoThrow([&] { return ::read(kStartFd, &value, sizeof value); });
  const int err = n == static_cast<ssize_t>(sizeof value) ? 0 : (n < 0 ? errno : EIO);
  ::close(kStartFd);
  return err;
}

void sendError(ControlChannel& control, const std::string& what) {
  capnp::MallocMessageBuilder msg;
  msg.initRoot<Reply>().setError(what);
  try {
    control.send(msg);
  } catch (const ControlError&) {
    // The supervisor is gone; the exit code says the rest.
  }
}

// Stdout and stderr become the output pipe: whatever the plugin prints
// reaches the operator only through the supervisor, prefixed with the
// plugin's name, made visible and rate-limited.
void redirectOutput() {
  if (::dup2(kOutputFd, 1) < 0 || ::dup2(kOutputFd, 2) < 0) ::_exit(2);
  ::close(kOutputFd);
}

// In pid 1 of the runner's namespace: forks the runner and, in the parent,
// never returns. Returns whether the caller is the runner of a namespace.
bool splitInit() {
  if (::getpid() != 1) {
    ::close(kStatusRelayFd);
    return false;
  }
  const pid_t runner = ::fork();
  if (runner < 0) ::_exit(3);
  if (runner == 0) {
    ::close(kStatusRelayFd);
    return true;
  }
  const int keep[] = {kStatusRelayFd};
  closeAllFdsExcept(keep);
  if (::geteuid() == 0) {
    // It needs no rights to wait and to write; nobody's ids are enough.
    constexpr uid_t kNobody = 65534;
    if (::setgroups(0, nullptr) != 0 || ::setresgid(kNobody, kNobody, kNobody) != 0 ||
        ::setresuid(kNobody, kNobody, kNobody) != 0) {
      ::_exit(3);
    }
  }
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(-1, &status, 0);
    if (done == runner) break;
    if (done < 0 && errno != EINTR) ::_exit(3);
  }
  const ssize_t n = ::write(kStatusRelayFd, &status, sizeof status);
  ::_exit(n == static_cast<ssize_t>(sizeof status) ? 0 : 3);
}

int runnerMain() {
  const bool inPidNamespace = splitInit();
  redirectOutput();
  // First of all: nothing the supervisor did not hand over stays open.
  const int keep[] = {0, 1, 2, kControlFd, kRingFd, kStartFd, kLibraryFd};
  closeAllFdsExcept(keep);
  ControlChannel control{UniqueFd(kControlFd)};
  UniqueFd ringFd(kRingFd);
  ControlMessage setupMsg;
  try {
    setupMsg = control.receive(ControlChannel::Clock::now() + std::chrono::seconds(30));
  } catch (const ControlError& e) {
    std::fprintf(stderr, "bulkhead-runner: no setup: %s\n", e.what());
    return 2;
  }
  try {
    Request::Reader req = setupMsg.reader->getRoot<Request>();
    if (req.which() != Request::SETUP) {
      sendError(control, "the first control message must be the setup");
      return 2;
    }
    RunnerSetup::Reader setup = req.getSetup();
    std::vector<uint64_t> capacities;
    for (uint64_t c : setup.getRingCapacities()) capacities.push_back(c);
    RingSet rings = RingSet::attach(std::move(ringFd), capacities);
    if (rings.ringCount() != wire::kRingCount) {
      sendError(control, "setup names the wrong number of rings");
      return 2;
    }
    PluginSpec spec{setup.getPluginName().cStr(), setup.getLibraryPath().cStr(),
                    setup.getInitConfig().cStr()};
    spec.loadPath = kLibraryPath;
    PhasedSeccomp seccomp(
        filterFrom(setup.getSeccompLoading(), Phase::kLoading, setup.getSpecAllow()),
        filterFrom(setup.getSeccompServing(), Phase::kServing, setup.getSpecAllow()));
    SandboxReport report = applySandboxLayers(sandboxFor(setup, inPidNamespace));
    // Seccomp goes on last, right before plugin code runs: the loading
    // phase covers dlopen (library constructors) and plugin_init.
    if (int err = seccomp.enterLoading(); err != 0) {
      sendError(control,
                std::string("cannot install the loading seccomp filter: ") + std::strerror(err));
      return 2;
    }
    // A standby waits here: sandboxed and under the loading filter, before
    // any plugin code, so a standby and the runner it replaces never run
    // the plugin at the same time.
    if (int err = awaitStart(); err != 0) {
      sendError(control, std::string("no start signal: ") + std::strerror(err));
      return 2;
    }
    wire::StatusBoard board(rings.ring(wire::kStatusBoard).data);
    std::unique_ptr<InProcessHost> host;
    try {
      wire::CallScope call(board, wire::PluginCall::kInit);
      host = std::make_unique<InProcessHost>(spec);
    } catch (const PluginError& e) {
      sendError(control, e.what());
      return 1;
    }
    ::close(kLibraryFd);  // mapped now; the plugin needs no handle on it
    // The serving filter stacks on the loading one, so it can only narrow.
    if (int err = seccomp.enterServing(); err != 0) {
      sendError(control,
                std::string("cannot install the serving seccomp filter: ") + std::strerror(err));
      return 2;
    }
    report.add("seccomp", LayerState::kApplied,
               std::string("policy ") + setup.getPolicyName().cStr());
    capnp::MallocMessageBuilder hello;
    fillHello(hello.initRoot<Reply>().initHello(), host->info(), report);
    control.send(hello);
    int code = 0;
    {
      RunnerService service(*host, rings, control);
      code = service.run();
    }
    {
      wire::CallScope call(board, wire::PluginCall::kDestroy);
      host.reset();  // plugin_destroy, then the library is unloaded
    }
    return code;
  } catch (const kj::Exception& e) {
    std::fprintf(stderr, "bulkhead-runner: malformed setup: %s\n", e.getDescription().cStr());
    return 2;
  } catch (const std::exception& e) {
    sendError(control, e.what());
    std::fprintf(stderr, "bulkhead-runner: %s\n", e.what());
    return 2;
  }
}

}  // namespace
}  // namespace bulkhead

int main() {
  // Logs go to stderr, which the supervisor reads (redirectOutput) and logs
  // with the plugin's name; stdout is never used.
  spdlog::set_default_logger(spdlog::stderr_logger_mt("runner"));
  return bulkhead::runnerMain();
}
