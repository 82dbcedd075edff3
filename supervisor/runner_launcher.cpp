#include "supervisor/runner_launcher.h"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include <capnp/message.h>
#include <spdlog/spdlog.h>

#include "policies/policy_search.h"
#include "policies/seccomp_filter.h"
#include "protocol/control.capnp.h"
#include "protocol/status_board.h"
#include "protocol/wire.h"
#include "supervisor/runner_end.h"
#include "supervisor/runner_reply.h"

namespace bulkhead {

using Clock = std::chrono::steady_clock;

namespace {

std::vector<sock_filter> program(const Policy& policy, Phase phase) {
  SeccompCompileOptions placeholder;
  placeholder.selfPid = kSelfPidPlaceholder;
  SeccompFilter f = SeccompFilter::compile(policy, phase, placeholder);
  return {f.instructions().begin(), f.instructions().end()};
}

std::array<uint64_t, wire::kRingCount> capacities(const RingSizes& r) {
  return {r.sourceBytes, r.requestBytes, r.responseBytes, r.asyncBytes, wire::kStatusBoardBytes};
}

template <typename List>
void setTexts(List list, const std::vector<std::string>& texts) {
  for (unsigned i = 0; i < texts.size(); ++i) list.set(i, texts[i]);
}

kj::ArrayPtr<const kj::byte> bytesOf(const std::vector<sock_filter>& f) {
  return kj::arrayPtr(reinterpret_cast<const kj::byte*>(f.data()), f.size() * sizeof(sock_filter));
}

// A sealed, read-only memfd holding the library at `path`, read with the
// supervisor's own rights.
UniqueFd sealedCopy(const std::string& path) {
  UniqueFd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!file) throw std::system_error(errno, std::generic_category(), "open");
  struct stat st{};
  if (::fstat(file.get(), &st) != 0) throw std::system_error(errno, std::generic_category(), "fstat");
  if (!S_ISREG(st.st_mode)) throw std::system_error(EINVAL, std::generic_category(), "not a regular file");
  UniqueFd copy(sysCall("memfd_create", [] {
    return ::memfd_create("bulkhead-plugin", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  }));
  off_t offset = 0;
  while (offset < st.st_size) {
    const ssize_t n = sysCallNoThrow([&] {
      return ::sendfile(copy.get(), file.get(), &offset, static_cast<size_t>(st.st_size - offset));
    });
    if (n < 0) throw std::system_error(errno, std::generic_category(), "copy");
    if (n == 0) break;  // the file shrank while read; what was there is loaded
  }
  sysCall("fcntl(F_ADD_SEALS)", [&] {
    return ::fcntl(copy.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
  });
  return copy;
}

// A cgroup directory name: the plugin's name kept to safe characters,
// then the launch number.
std::string cgroupName(const std::string& plugin, uint64_t n) {
  std::string name;
  for (char c : plugin.substr(0, 64)) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_';
    name.push_back(safe ? c : '_');
  }
  return name + "." + std::to_string(n);
}

CgroupLimits cgroupLimits(const ResourceLimits& l) {
  return CgroupLimits{l.processes, l.memoryMb, l.cpuPercent};
}

UniqueFd dupAbove2(int fd) {
  return UniqueFd(
      sysCall("fcntl(F_DUPFD_CLOEXEC)", [&] { return ::fcntl(fd, F_DUPFD_CLOEXEC, 3); }));
}

}  // namespace

Runner::~Runner() {
  if (spawning.valid()) {
    try {
      child = spawning.get();
      child.relayStatusFrom(std::move(statusRelay));
    } catch (const std::exception&) {
      // Nothing was started.
    }
  }
}

ChildProcess& Runner::forked() {
  if (spawning.valid()) {
    child = spawning.get();
    child.relayStatusFrom(std::move(statusRelay));
    cgroup.joined();
  }
  return child;
}

RingWaitOptions Runner::wait() const {
  RingWaitOptions o;
  o.pidfd = child.pidfd();
  // The watch wakes a waiter the moment the runner dies; the slice is only
  // a safety net then, long enough that an idle wait costs ~nothing.
  if (watch.active()) o.pidfdSlice = deathPollSlice;
  return o;
}

const char* Runner::pluginCall() const {
  return wire::pluginCallName(wire::StatusBoard(rings.ring(wire::kStatusBoard).data).read());
}

bool Runner::endedBeforePluginCode() {
  std::optional<ChildStatus> st = child.poll();
  if (!st) st = child.waitFor(100);
  // The runner marks the board before dlopen; a standby that ended with the
  // board still idle never ran plugin code. A plugin that did run could
  // forge the idle mark, but gains nothing: the fresh start that follows
  // runs its init again, and a failure there is counted.
  return st && wire::StatusBoard(rings.ring(wire::kStatusBoard).data).read() ==
                   static_cast<uint32_t>(wire::PluginCall::kIdle);
}

RunnerLauncher::RunnerLauncher(const PluginSpec& spec, const IsolationConfig& config,
                               const RunnerServices& services)
    : spec_(spec), config_(config), services_(services) {
  try {
    policy_ = loadPolicy(config_.policy,
                         policySearchDirs(services_.policyDir, currentExecutableDir()));
    loading_ = program(policy_, Phase::kLoading);
    serving_ = program(policy_, Phase::kServing);
  } catch (const std::exception& e) {
    throw PluginError("plugin '" + spec.name + "' (" + spec.libraryPath + "): seccomp policy '" +
                      config_.policy + "': " + e.what());
  }
  try {
    library_ = sealedCopy(spec_.libraryPath);
  } catch (const std::system_error& e) {
    throw PluginError("cannot load plugin library " + spec_.libraryPath + ": " + e.what());
  }
}

LandlockRules RunnerLauncher::landlockRules(const std::string& openParams) const {
  LandlockRules rules = landlockRulesFor(policy_, spec_.libraryPath, {openParams, spec_.initConfig});
  for (const std::string& p : config_.allowPaths.read) rules.readPaths.push_back(p);
  for (const std::string& p : config_.allowPaths.write) rules.writePaths.push_back(p);
  return rules;
}

bool RunnerLauncher::fits(const Runner& r, const std::string& openParams) const {
  // The runner reads nothing else of the setup that open params change.
  const LandlockRules rules = landlockRules(openParams);
  return r.landlock.readPaths == rules.readPaths && r.landlock.writePaths == rules.writePaths;
}

std::unique_ptr<Runner> RunnerLauncher::launch(bool background, const std::string& openParams,
                                               std::optional<RingSet>& spare) const {
  auto r = std::make_unique<Runner>();
  const auto caps = capacities(config_.rings);
  if (spare) {
    r->rings = std::move(*spare);
    spare.reset();
    r->rings.reset();
    wire::StatusBoard(r->rings.ring(wire::kStatusBoard).data).set(wire::PluginCall::kIdle);
  } else {
    r->rings = RingSet::create(caps, "bulkhead-rings");
  }
  int sv[2];
  sysCall("socketpair", [&] { return ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv); });
  UniqueFd ours(sv[0]), theirs(sv[1]);
  r->start.reset(sysCall("eventfd", [] { return ::eventfd(0, EFD_CLOEXEC); }));
  int out[2];
  sysCall("pipe2", [&] { return ::pipe2(out, O_CLOEXEC); });
  UniqueFd outputRead(out[0]), outputWrite(out[1]);
  int relay[2];
  sysCall("pipe2", [&] { return ::pipe2(relay, O_CLOEXEC | O_NONBLOCK); });
  UniqueFd relayRead(relay[0]), relayWrite(relay[1]);
  r->deathPollSlice = services_.deathPollSlice;
  r->kernelLog = KernelLogCursor::atEnd();
  std::vector<std::string> env;
  for (const auto& [k, v] : config_.env) env.push_back(k + "=" + v);
#ifdef BULKHEAD_SANITIZER_BUILD
  // LeakSanitizer's exit check forks and ptraces, which the sandbox forbids.
  env.push_back("ASAN_OPTIONS=detect_leaks=0");
#endif
  r->control = ControlChannel(std::move(ours));
  r->source = RingConsumer(r->rings.ring(wire::kSourceRing),
                           wire::tagMask({wire::kBatch, wire::kBatchFields}));
  r->requests = RingProducer(r->rings.ring(wire::kRequestRing));
  r->responses = RingConsumer(r->rings.ring(wire::kResponseRing),
                              wire::tagMask({wire::kExtractResult, wire::kParseResult}));
  r->async = RingConsumer(r->rings.ring(wire::kAsyncRing), wire::tagMask({wire::kEvent}));

  capnp::MallocMessageBuilder msg;
  auto setup = msg.initRoot<Request>().initSetup();
  setup.setPluginName(spec_.name);
  setup.setLibraryPath(spec_.libraryPath);
  setup.setInitConfig(spec_.initConfig);
  setup.setPolicyName(config_.policy);
  setup.setPolicyDir(services_.policyDir);
  auto ringCaps = setup.initRingCapacities(wire::kRingCount);
  for (unsigned i = 0; i < wire::kRingCount; ++i) ringCaps.set(i, caps[i]);
  auto limits = setup.initLimits();
  limits.setAddressSpaceMb(config_.limits.addressSpaceMb);
  limits.setCpuSeconds(config_.limits.cpuSeconds);
  limits.setOpenFiles(config_.limits.openFiles);
  setup.setUser(config_.user);
  const auto& allow = config_.allowPaths;
  setTexts(setup.initAllowRead(static_cast<unsigned>(allow.read.size())), allow.read);
  setTexts(setup.initAllowWrite(static_cast<unsigned>(allow.write.size())), allow.write);
  setup.setOpenParams(openParams);
  setup.setSeccompLoading(bytesOf(loading_));
  setup.setSeccompServing(bytesOf(serving_));
  setup.setSpecAllow(policy_.specAllow);
  setup.setAllowNetwork(policy_.allowNetwork);
  r->landlock = landlockRules(openParams);
  const auto& ll = r->landlock;
  setTexts(setup.initLandlockRead(static_cast<unsigned>(ll.readPaths.size())), ll.readPaths);
  setTexts(setup.initLandlockWrite(static_cast<unsigned>(ll.writePaths.size())), ll.writePaths);

  SpawnOptions options;
  options.pidNamespace = true;
  const std::string cgroup = cgroupName(spec_.name, ++launches_);
  if (background) {
    // Made on the spawner thread: the Runner outlives its spawn (~Runner
    // waits for it), and nobody reads the cgroup before forked().
    Runner* runner = r.get();
    options.prepare = [runner, cgroup, limits = cgroupLimits(config_.limits)] {
      runner->cgroup = RunnerCgroup::create(cgroup, limits);
      return runner->cgroup.joinFds();
    };
  } else {
    r->cgroup = RunnerCgroup::create(cgroup, cgroupLimits(config_.limits));
    options.joinCgroups = r->cgroup.joinFds();
  }

  // Sent before the fork: the socket holds it, and the runner reads it as
  // soon as it is up, then sandboxes itself without waiting for anyone.
  r->control.send(msg);
  const std::string& path = services_.runnerPath;
  if (background) {
    std::vector<UniqueFd> pass;
    pass.push_back(std::move(theirs));
    pass.push_back(dupAbove2(r->rings.fd()));
    pass.push_back(dupAbove2(r->start.get()));
    pass.push_back(dupAbove2(library_.get()));
    pass.push_back(std::move(outputWrite));
    pass.push_back(std::move(relayWrite));
    r->spawning = services_.spawner.spawnAsync(path, {path}, std::move(env), std::move(pass),
                                               std::move(options));
    r->statusRelay = std::move(relayRead);
  } else {
    const int pass[6] = {theirs.get(), r->rings.fd(), r->start.get(), library_.get(),
                         outputWrite.get(), relayWrite.get()};
    r->child = services_.spawner.spawn(path, {path}, env, pass, options);
    r->child.relayStatusFrom(std::move(relayRead));
    r->cgroup.joined();
  }
  // Ours is the only read end; it sees EOF once the runner is gone.
  services_.runnerOutput.add(std::move(outputRead), spec_.name);
  return r;
}

RunnerHello RunnerLauncher::activate(Runner& r) const {
  r.forked();
  const RingView watched[] = {r.rings.ring(wire::kSourceRing), r.rings.ring(wire::kRequestRing),
                              r.rings.ring(wire::kResponseRing), r.rings.ring(wire::kAsyncRing)};
  r.watch = services_.deathWatch.watch(r.child.pidfd(), watched);
  const std::string who = "plugin '" + spec_.name + "' (" + spec_.libraryPath + ")";
  try {
    const uint64_t go = 1;
    if (sysCallNoThrow([&] { return ::write(r.start.get(), &go, sizeof go); }) != sizeof go) {
      throw ControlError(ControlError::Kind::kIo,
                         std::string("start eventfd: ") + std::strerror(errno));
    }
    r.start.reset();
    ControlMessage reply =
        r.control.receive(Clock::now() + config_.deadlines.init, r.child.pidfd());
    Reply::Reader rep = reply.reader->getRoot<Reply>();
    if (rep.which() == Reply::ERROR) throw PluginError(shownText(rep.getError(), "error"));
    if (rep.which() != Reply::HELLO) {
      throw ControlError(ControlError::Kind::kMalformed, "the runner answered setup without hello");
    }
    RunnerHello hello{infoFromHello(rep.getHello(), spec_), layersFromHello(rep.getHello())};
    // The layers the supervisor applied itself.
    for (const std::string& l : r.cgroup.layers()) hello.layers.push_back(l);
    // Known now, while the runner lives: what its reports and the kernel's
    // audit records name once it has died.
    const pid_t pid = r.child.workerPid();
    spdlog::debug("{}: runner pid {} ready", who, pid);
    return hello;
  } catch (const kj::Exception& e) {
    throw PluginError(who + ": malformed hello from its runner: " + e.getDescription().cStr());
  } catch (const ControlError& e) {
    std::string why = e.what();
    if (auto st = r.child.waitFor(50)) {
      const RunnerEnd end = classifyExit(*st, r.kernelLog, r.child.workerPid());
      const std::string call = r.pluginCall();
      why += "; the runner " + end.describe() + " in " +
             (call == wire::pluginCallName(0) ? "start-up, before any plugin call (loading the library)"
                                              : call);
      why += seccompAdvice(end, config_.policy, spec_.name);
    }
    throw PluginError(who + ": runner start-up failed: " + why);
  }
}

}  // namespace bulkhead
