#include "isolated_host.h"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <future>
#include <cstdlib>
#include <thread>

#include <capnp/message.h>
#include <spdlog/spdlog.h>

#include "child_process.h"
#include "control.capnp.h"
#include "control_channel.h"
#include "death_watch.h"
#include "event.h"
#include "field_schema.h"
#include "policies/policy_search.h"
#include "policies/seccomp_filter.h"
#include "sandbox_runner/sandbox.h"
#include "sandbox_runner/syscall_names.h"
#include "shm_ring/ring_consumer.h"
#include "shm_ring/ring_producer.h"
#include "shm_ring/ring_set.h"
#include "version.h"
#include "wire.h"
#include "wire_codec.h"

namespace bulkhead {

using Clock = std::chrono::steady_clock;

struct IsolatedHost::CompiledPolicy {
  Policy policy;
  std::vector<sock_filter> loading;
  std::vector<sock_filter> serving;
};

struct IsolatedHost::Runner {
  // A standby's fork until it is taken; then `child`.
  std::future<ChildProcess> spawning;
  ChildProcess child;
  ControlChannel control;
  RingSet rings;
  // eventfd: the runner waits on it, sandboxed, before loading the plugin.
  UniqueFd start;
  // The Landlock paths its setup carried: they derive from the open params,
  // so a standby fits a new capture only if they come out the same.
  std::vector<std::string> landlockRead;
  std::vector<std::string> landlockWrite;
  std::chrono::milliseconds deathPollSlice{0};
  // Taken before the fork: a seccomp kill record found through it is this
  // runner's, not one of an earlier process with the same pid.
  KernelLogCursor kernelLog;
  RingConsumer source;
  RingProducer requests;
  RingConsumer responses;
  RingConsumer async;
  // Last: destroyed first, so the watch is done with the rings before they
  // are unmapped.
  DeathWatch::Registration watch;

  ~Runner() {
    // A fork still under way would otherwise leave its child to whoever
    // drops the future last; here it is killed and reaped with the rest.
    if (spawning.valid()) {
      try {
        child = spawning.get();
      } catch (const std::exception&) {
        // Nothing was started.
      }
    }
  }

  RingWaitOptions wait() const {
    RingWaitOptions o;
    o.pidfd = child.pidfd();
    // The watch wakes a waiter the moment the runner dies; the slice is only
    // a safety net then, long enough that an idle wait costs ~nothing.
    if (watch.active()) o.pidfdSlice = deathPollSlice;
    return o;
  }
};

namespace {

constexpr size_t kMaxText = 64 * 1024;
constexpr size_t kMaxNames = 1024;

std::string text(capnp::Text::Reader t, const char* what) {
  if (t.size() > kMaxText) throw ControlError(ControlError::Kind::kMalformed,
                                              std::string("oversized ") + what);
  return std::string(t.cStr(), t.size());
}

std::vector<std::string> names(capnp::List<capnp::Text>::Reader l, const char* what) {
  if (l.size() > kMaxNames) throw ControlError(ControlError::Kind::kMalformed,
                                               std::string("too many ") + what);
  std::vector<std::string> out;
  for (auto t : l) out.push_back(text(t, what));
  return out;
}

// Rebuilds PluginInfo from a runner's hello, checking it as untrusted input.
PluginInfo infoFromHello(Hello::Reader h, const PluginSpec& spec) {
  PluginInfo i;
  i.libraryPath = spec.libraryPath;
  i.name = text(h.getName(), "name");
  const std::string who = "plugin '" + i.name + "' (" + spec.libraryPath + ")";
  i.description = text(h.getDescription(), "description");
  i.contact = text(h.getContact(), "contact");
  i.version = text(h.getVersion(), "version");
  i.requiredApiVersion = text(h.getRequiredApiVersion(), "required API version");
  auto required = SemVer::parse(i.requiredApiVersion);
  if (i.name.empty() || !SemVer::parse(i.version) || !required ||
      !isCompatible(frameworkApiVersion(), *required)) {
    throw PluginError(who + ": the runner reported inconsistent plugin info");
  }
  i.capabilities = h.getCapabilities();
  constexpr uint32_t kKnown =
      CAP_SOURCING | CAP_EXTRACTION | CAP_PARSING | CAP_ASYNC | CAP_CAPTURE_LISTENING;
  if (i.capabilities == 0 || (i.capabilities & ~kKnown) != 0) {
    throw PluginError(who + ": the runner reported impossible capabilities");
  }
  i.id = h.getId();
  i.eventSource = text(h.getEventSource(), "event source");
  if (i.has(CAP_SOURCING) && (i.id != 0) != !i.eventSource.empty()) {
    throw PluginError(who + ": the runner reported an id without a source");
  }
  i.fieldsJson = text(h.getFieldsJson(), "fields");
  if (i.has(CAP_EXTRACTION)) i.fields = parseFieldSchema(i.fieldsJson, who);
  i.extractEventSources = names(h.getExtractEventSources(), "extract sources");
  i.parseEventSources = names(h.getParseEventSources(), "parse sources");
  i.asyncEvents = names(h.getAsyncEvents(), "async events");
  i.asyncEventSources = names(h.getAsyncEventSources(), "async sources");
  i.initSchema = text(h.getInitSchema(), "init schema");
  for (uint16_t t : h.getExtractEventTypes()) i.extractEventTypes.push_back(t);
  for (uint16_t t : h.getParseEventTypes()) i.parseEventTypes.push_back(t);
  return i;
}

// Appends a record's event to `arena` and checks the copy: out of shared
// memory first, since the runner may rewrite the ring but not the copy.
// Returns what is wrong (and leaves the arena as it was) or "".
template <typename Check>
std::string copyEvent(std::vector<uint8_t>& arena, std::span<const std::byte> payload,
                      Check&& check) {
  const size_t offset = arena.size();
  const auto* p = reinterpret_cast<const uint8_t*>(payload.data());
  arena.insert(arena.end(), p, p + payload.size());
  std::string bad = check(arena.data() + offset, payload.size());
  if (bad.empty() &&
      eventLen(reinterpret_cast<const ss_plugin_event*>(arena.data() + offset)) != payload.size()) {
    bad = "event length disagrees with its record";
  }
  if (!bad.empty()) arena.resize(offset);
  return bad;
}

// The text of a TEXT reply; anything else, malformed included, reads as "".
std::string replyText(const std::optional<ControlMessage>& reply) {
  if (!reply) return {};
  try {
    Reply::Reader r = reply->reader->getRoot<Reply>();
    return r.which() == Reply::TEXT ? text(r.getText(), "text") : std::string();
  } catch (const std::exception&) {
  } catch (const kj::Exception&) {
  }
  return {};
}

bool sameIdentity(const PluginInfo& a, const PluginInfo& b) {
  return a.name == b.name && a.version == b.version && a.id == b.id &&
         a.eventSource == b.eventSource && a.fieldsJson == b.fieldsJson &&
         a.capabilities == b.capabilities && a.asyncEvents == b.asyncEvents;
}

}  // namespace

IsolatedHost::IsolatedHost(const PluginSpec& spec, IsolationOptions options)
    : spec_(spec), options_(std::move(options)), openParams_(spec.openParams) {
  // The profile is read and compiled here, once: a bad profile is a load
  // error naming its file and line, and restarts do not pay for it again.
  auto compiled = std::make_unique<CompiledPolicy>();
  try {
    compiled->policy = loadPolicy(options_.policyName,
                                  policySearchDirs(options_.policyDir, currentExecutableDir()));
    SeccompCompileOptions placeholder;
    placeholder.selfPid = kSelfPidPlaceholder;
    auto copy = [](const SeccompFilter& f) {
      return std::vector<sock_filter>(f.instructions().begin(), f.instructions().end());
    };
    compiled->loading =
        copy(SeccompFilter::compile(compiled->policy, Phase::kLoading, placeholder));
    compiled->serving =
        copy(SeccompFilter::compile(compiled->policy, Phase::kServing, placeholder));
  } catch (const std::exception& e) {
    throw PluginError("plugin '" + spec.name + "' (" + spec.libraryPath +
                      "): seccomp policy '" + options_.policyName + "': " + e.what());
  }
  policy_ = std::move(compiled);
  // The standby is forked first, so that it starts up alongside the serving
  // runner rather than competing with the first calls after the constructor.
  refreshStandby();
  runner_ = startRunner();
}

IsolatedHost::~IsolatedHost() {
  // The standby never ran plugin code: nothing to shut down politely.
  standby_.reset();
  retireRunner();
}

void IsolatedHost::retireRunner() {
  if (!runner_) return;
  // A polite shutdown lets the plugin run plugin_destroy; a runner that does
  // not answer in time is killed by ChildProcess's destructor.
  try {
    capnp::MallocMessageBuilder msg;
    msg.initRoot<Request>().setShutdown();
    runner_->control.send(msg);
    runner_->control.receive(Clock::now() + options_.controlDeadline, runner_->child.pidfd());
  } catch (const std::exception&) {
    // Judged below by how the runner ended.
  }
  const int pid = runner_->child.pid();
  std::optional<ChildStatus> st =
      runner_->child.waitFor(static_cast<int>(options_.controlDeadline.count()));
  if (!st) {
    spdlog::error("plugin '{}' runner pid {} did not exit within {} ms of shutdown; killed",
                  info_.name, pid, options_.controlDeadline.count());
  } else if (st->signalled || st->code != 0) {
    counters_.crashes++;
    spdlog::error("plugin '{}' runner pid {} {} during shutdown (plugin_destroy)", info_.name, pid,
                  st->describe());
  }
  runner_.reset();
}

std::array<uint64_t, wire::kRingCount> IsolatedHost::capacities() const {
  const auto& b = options_.ringBytes;
  return {b[0], b[1], b[2], b[3], wire::kStatusBoardBytes};
}

int IsolatedHost::runnerPid() const { return runner_ ? runner_->child.pid() : -1; }

int IsolatedHost::standbyPid() {
  if (!standby_) return -1;
  if (standby_->spawning.valid()) {
    try {
      standby_->child = standby_->spawning.get();
    } catch (const std::exception&) {
      standby_.reset();
      return -1;
    }
  }
  return standby_->child.pid();
}

std::unique_ptr<IsolatedHost::Runner> IsolatedHost::launchRunner(bool background) {
  auto r = std::make_unique<Runner>();
  if (spareRings_) {
    r->rings = std::move(*spareRings_);
    spareRings_.reset();
    r->rings.reset();
    wire::StatusBoard(r->rings.ring(wire::kStatusBoard).data).set(wire::PluginCall::kIdle);
  } else {
    r->rings = RingSet::create(capacities(), "bulkhead-rings");
  }
  int sv[2];
  sysCall("socketpair", [&] { return ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv); });
  UniqueFd ours(sv[0]), theirs(sv[1]);
  r->start.reset(sysCall("eventfd", [] { return ::eventfd(0, EFD_CLOEXEC); }));
  r->deathPollSlice = options_.deathPollSlice;
  r->kernelLog = KernelLogCursor::atEnd();
  std::vector<std::string> env = options_.env;
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
  setup.setPolicyName(options_.policyName);
  setup.setPolicyDir(options_.policyDir);
  auto caps = setup.initRingCapacities(wire::kRingCount);
  for (unsigned i = 0; i < wire::kRingCount; ++i) caps.set(i, capacities()[i]);
  auto limits = setup.initLimits();
  limits.setAddressSpaceMb(options_.addressSpaceMb);
  limits.setCpuSeconds(options_.cpuSeconds);
  limits.setOpenFiles(options_.openFiles);
  setup.setUser(options_.user);
  auto read = setup.initAllowRead(static_cast<unsigned>(options_.allowRead.size()));
  for (unsigned i = 0; i < options_.allowRead.size(); ++i) read.set(i, options_.allowRead[i]);
  auto write = setup.initAllowWrite(static_cast<unsigned>(options_.allowWrite.size()));
  for (unsigned i = 0; i < options_.allowWrite.size(); ++i) write.set(i, options_.allowWrite[i]);
  setup.setOpenParams(openParams_);
  const Policy& policy = policy_->policy;
  auto bytes = [](const std::vector<sock_filter>& f) {
    return kj::arrayPtr(reinterpret_cast<const kj::byte*>(f.data()), f.size() * sizeof(sock_filter));
  };
  setup.setSeccompLoading(bytes(policy_->loading));
  setup.setSeccompServing(bytes(policy_->serving));
  setup.setSpecAllow(policy.specAllow);
  setup.setAllowNetwork(policy.allowNetwork);
  LandlockRules rules = landlockRules();
  auto llRead = setup.initLandlockRead(static_cast<unsigned>(rules.readPaths.size()));
  for (unsigned i = 0; i < rules.readPaths.size(); ++i) llRead.set(i, rules.readPaths[i]);
  auto llWrite = setup.initLandlockWrite(static_cast<unsigned>(rules.writePaths.size()));
  for (unsigned i = 0; i < rules.writePaths.size(); ++i) llWrite.set(i, rules.writePaths[i]);
  r->landlockRead = std::move(rules.readPaths);
  r->landlockWrite = std::move(rules.writePaths);

  // Sent before the fork: the socket holds it, and the runner reads it as
  // soon as it is up, then sandboxes itself without waiting for anyone.
  r->control.send(msg);
  if (background) {
    auto dup = [](int fd) {
      return UniqueFd(
          sysCall("fcntl(F_DUPFD_CLOEXEC)", [&] { return ::fcntl(fd, F_DUPFD_CLOEXEC, 3); }));
    };
    std::vector<UniqueFd> pass;
    pass.push_back(std::move(theirs));
    pass.push_back(dup(r->rings.fd()));
    pass.push_back(dup(r->start.get()));
    r->spawning = ChildProcess::spawnAsync(options_.runnerPath, {options_.runnerPath},
                                           std::move(env), std::move(pass));
  } else {
    const int pass[3] = {theirs.get(), r->rings.fd(), r->start.get()};
    r->child = ChildProcess::spawn(options_.runnerPath, {options_.runnerPath}, env, pass);
  }
  return r;
}

std::unique_ptr<IsolatedHost::Runner> IsolatedHost::startRunner() {
  auto r = launchRunner(false);
  activateRunner(*r);
  return r;
}

void IsolatedHost::activateRunner(Runner& r) {
  if (r.spawning.valid()) r.child = r.spawning.get();
  const RingView watched[] = {r.rings.ring(wire::kSourceRing), r.rings.ring(wire::kRequestRing),
                              r.rings.ring(wire::kResponseRing), r.rings.ring(wire::kAsyncRing)};
  r.watch = DeathWatch::instance().watch(r.child.pidfd(), watched);
  const std::string who = "plugin '" + spec_.name + "' (" + spec_.libraryPath + ")";
  try {
    const uint64_t go = 1;
    if (sysCallNoThrow([&] { return ::write(r.start.get(), &go, sizeof go); }) != sizeof go) {
      throw ControlError(ControlError::Kind::kIo,
                         std::string("start eventfd: ") + std::strerror(errno));
    }
    r.start.reset();
    ControlMessage reply =
        r.control.receive(Clock::now() + options_.initDeadline, r.child.pidfd());
    Reply::Reader rep = reply.reader->getRoot<Reply>();
    if (rep.which() == Reply::ERROR) throw PluginError(text(rep.getError(), "error"));
    if (rep.which() != Reply::HELLO) {
      throw ControlError(ControlError::Kind::kMalformed, "the runner answered setup without hello");
    }
    PluginInfo info = infoFromHello(rep.getHello(), spec_);
    std::vector<std::string> layers;
    for (auto l : rep.getHello().getSandbox()) {
      layers.push_back(text(l.getName(), "layer") + ": " + text(l.getDetail(), "layer"));
    }
    if (info_.name.empty()) {
      std::string summary;
      for (const std::string& l : layers) summary += (summary.empty() ? "" : "; ") + l;
      spdlog::info("{}: runner pid {} sandbox: {}", who, r.child.pid(), summary);
    }
    sandbox_ = std::move(layers);
    if (info_.name.empty()) {
      info_ = std::move(info);
    } else if (!sameIdentity(info_, info)) {
      disabled_ = true;
      throw PluginError(who + " reported different info after a restart; disabled");
    }
  } catch (const kj::Exception& e) {
    throw PluginError(who + ": malformed hello from its runner: " + e.getDescription().cStr());
  } catch (const ControlError& e) {
    std::string why = e.what();
    if (auto st = r.child.waitFor(50)) why += "; the runner " + st->describe();
    throw PluginError(who + ": runner start-up failed: " + why);
  }
  spdlog::debug("{}: runner pid {} ready", who, r.child.pid());
}

LandlockRules IsolatedHost::landlockRules() const {
  LandlockRules rules =
      landlockRulesFor(policy_->policy, spec_.libraryPath, {openParams_, spec_.initConfig});
  for (const std::string& p : options_.allowRead) rules.readPaths.push_back(p);
  for (const std::string& p : options_.allowWrite) rules.writePaths.push_back(p);
  return rules;
}

bool IsolatedHost::fitsCapture(const Runner& r) const {
  // The runner reads nothing else of the setup that open params change.
  const LandlockRules rules = landlockRules();
  return r.landlockRead == rules.readPaths && r.landlockWrite == rules.writePaths;
}

bool IsolatedHost::endedBeforePluginCode(Runner& r) {
  std::optional<ChildStatus> st = r.child.poll();
  if (!st) st = r.child.waitFor(100);
  // The runner marks the board before dlopen; a standby that ended with the
  // board still idle never ran plugin code. A plugin that did run could
  // forge the idle mark, but gains nothing: the fresh start that follows
  // runs its init again, and a failure there is counted.
  return st && wire::StatusBoard(r.rings.ring(wire::kStatusBoard).data).read() ==
                   static_cast<uint32_t>(wire::PluginCall::kIdle);
}

std::unique_ptr<IsolatedHost::Runner> IsolatedHost::takeStandby() {
  std::unique_ptr<Runner> s = std::move(standby_);
  // Set up for other open params, its Landlock rules may not fit: drop it.
  if (!s || !fitsCapture(*s)) return nullptr;
  try {
    if (s->spawning.valid()) s->child = s->spawning.get();
  } catch (const std::exception& e) {
    spdlog::warn("plugin '{}': standby runner did not start: {}", info_.name, e.what());
    return nullptr;
  }
  if (auto st = s->child.poll()) {
    // It never ran plugin code; a fresh start will report whatever is wrong.
    spdlog::warn("plugin '{}': standby runner pid {} {} while waiting; starting a new one",
                 info_.name, s->child.pid(), st->describe());
    return nullptr;
  }
  return s;
}

void IsolatedHost::refreshStandby() {
  if (!options_.standbyRunner || disabled_) return;
  if (standby_ && fitsCapture(*standby_)) return;
  standby_.reset();
  try {
    standby_ = launchRunner(true);
  } catch (const std::exception& e) {
    // Only the next restart gets slower.
    spdlog::warn("plugin '{}': cannot start a standby runner: {}", info_.name, e.what());
  }
}

void IsolatedHost::fault(Fault kind, const char* during, const std::string& detail) {
  if (!runner_) return;
  for (const QueuedExtract& q : queued_) counters_.extractionsLost += q.events * q.requests.size();
  queued_.clear();
  const int pid = runner_->child.pid();
  ChildStatus st = runner_->child.kill();
  // `during` is what the engine waited on; what the runner itself said it
  // was doing can differ, since the source runs ahead of demand.
  std::string inPlugin =
      wire::pluginCallName(wire::StatusBoard(runner_->rings.ring(wire::kStatusBoard).data).read());
  if (kind == Fault::kDied && !detail.empty()) inPlugin += "; " + detail;
  std::string what;
  switch (kind) {
    case Fault::kDied:
      counters_.crashes++;
      what = st.describe();
      if (st.signalled && st.code == SIGSYS) {
        counters_.seccompKills++;
        // The syscall number reaches only the kernel log (an audit record);
        // it may trail the death by a moment, or be rate-limited away.
        auto rec = runner_->kernelLog.findSeccompKill(pid, 200);
        what += " (seccomp violation: syscall " +
                (rec ? syscallName(rec->syscall, rec->arch)
                     : std::string("unknown: no audit record in the kernel log")) +
                ")";
      }
      break;
    case Fault::kDeadline:
      counters_.deadlineKills++;
      what = "missed its deadline (" + detail + ") and was killed";
      break;
    case Fault::kMalformed:
      counters_.malformed++;
      what = "sent a malformed record (" + detail + ") and was killed";
      break;
  }
  // Reaped: nothing else maps its rings now.
  if (!runner_->child.running()) spareRings_ = std::move(runner_->rings);
  runner_.reset();
  hostError_ = "runner pid " + std::to_string(pid) + " " + what + " during " + during;
  const auto now = Clock::now();
  while (!restarts_.empty() && now - restarts_.front() > options_.restartWindow) {
    restarts_.pop_front();
  }
  if (restarts_.size() >= options_.maxRestarts) {
    disabled_ = true;
    standby_.reset();
    hostError_ = "plugin '" + info_.name + "' is disabled: its runner failed " +
                 std::to_string(restarts_.size() + 1) + " times within " +
                 std::to_string(options_.restartWindow.count()) + " s";
    spdlog::error("plugin '{}' runner pid {} {} during {}; the plugin was in {}; {} (circuit "
                  "breaker)",
                  info_.name, pid, what, during, inPlugin, hostError_);
    return;
  }
  // The first restart in a window is immediate; each further one waits
  // twice as long as the one before, up to the maximum.
  auto backoff = std::chrono::milliseconds(0);
  if (!restarts_.empty()) {
    backoff = std::min(options_.backoffMax,
                       options_.backoffInitial * (1 << std::min<size_t>(restarts_.size() - 1, 20)));
  }
  nextStart_ = now + backoff;
  restarts_.push_back(now);
  spdlog::error(
      "plugin '{}' runner pid {} {} during {}; the plugin was in {}; restart {} of {} within {} s "
      "in {} ms",
      info_.name, pid, what, during, inPlugin, restarts_.size(), options_.maxRestarts,
      options_.restartWindow.count(), backoff.count());
}

bool IsolatedHost::ensureRunner(bool restart) {
  if (runner_) return true;
  if (disabled_) return false;
  std::this_thread::sleep_until(nextStart_);
  try {
    if (std::unique_ptr<Runner> standby = takeStandby()) {
      try {
        activateRunner(*standby);
        runner_ = std::move(standby);
      } catch (const std::exception& e) {
        if (!endedBeforePluginCode(*standby)) throw;
        // Killed while parked (the check in takeStandby() can miss a death
        // that is still under way): not the plugin's doing, so no crash.
        spdlog::warn("plugin '{}': standby runner pid {} had ended ({}); starting a new one",
                     info_.name, standby->child.pid(), e.what());
      }
    }
    if (!runner_) runner_ = startRunner();
    if (restart) counters_.restarts++;
    hostError_.clear();
    // Before open, so the first batch of the new runner already has them.
    if (!sendPreExtract()) return false;
    if (opened_ && !ended_) {
      capnp::MallocMessageBuilder msg;
      msg.initRoot<Request>().setOpen(openParams_);
      runner_->control.send(msg);
      ControlMessage reply =
          runner_->control.receive(Clock::now() + options_.openDeadline, runner_->child.pidfd());
      if (reply.reader->getRoot<Reply>().which() != Reply::OK) {
        fault(Fault::kDied, "open after restart", "open failed");
        return false;
      }
    }
    if (asyncStarted_) {
      capnp::MallocMessageBuilder msg;
      msg.initRoot<Request>().setStartAsync();
      runner_->control.send(msg);
      runner_->control.receive(Clock::now() + options_.controlDeadline, runner_->child.pidfd());
    }
    refreshStandby();
    return true;
  } catch (const std::exception& e) {
    spdlog::error("plugin '{}': restart failed: {}", info_.name, e.what());
    if (runner_) {
      fault(Fault::kDied, "restart", e.what());
    } else if (!disabled_) {
      // A start-up failure counts like a crash, so the breaker trips.
      counters_.crashes++;
      hostError_ = std::string("restart failed: ") + e.what();
      restarts_.push_back(Clock::now());
      if (restarts_.size() > options_.maxRestarts) {
        disabled_ = true;
        standby_.reset();
        hostError_ = "plugin '" + info_.name + "' is disabled: its runner cannot start: " + e.what();
        spdlog::error("{} (circuit breaker)", hostError_);
      }
      nextStart_ = Clock::now() + options_.backoffMax;
    }
    return false;
  }
}

std::optional<ControlMessage> IsolatedHost::call(const char* during, capnp::MessageBuilder& msg,
                                                 std::chrono::milliseconds deadline) {
  if (!ensureRunner()) return std::nullopt;
  try {
    runner_->control.send(msg);
    ControlMessage reply = runner_->control.receive(Clock::now() + deadline, runner_->child.pidfd());
    reply.reader->getRoot<Reply>().which();  // a malformed root throws here
    return reply;
  } catch (const ControlError& e) {
    fault(e.kind() == ControlError::Kind::kTimeout     ? Fault::kDeadline
          : e.kind() == ControlError::Kind::kMalformed ? Fault::kMalformed
                                                       : Fault::kDied,
          during, std::string(during) + ": " + e.what());
  } catch (const kj::Exception& e) {
    fault(Fault::kMalformed, during, e.getDescription().cStr());
  }
  return std::nullopt;
}

void IsolatedHost::open(std::string_view params) {
  if (!info_.has(CAP_SOURCING)) throw PluginError("plugin '" + info_.name + "' has no event sourcing");
  if (opened_) close();
  openParams_.assign(params);
  if (runner_ && !fitsCapture(*runner_)) {
    // The runner's Landlock rules were fixed at its start, before these
    // params named the files the plugin is to read: replace it with one
    // whose rules include them. Not a crash, not counted as a restart.
    retireRunner();
    ensureRunner(/*restart=*/false);
  }
  capnp::MallocMessageBuilder msg;
  msg.initRoot<Request>().setOpen(openParams_);
  auto reply = call("open", msg, options_.openDeadline);
  if (!reply) throw PluginError("could not open plugin '" + info_.name + "': " + lastError());
  try {
    Reply::Reader r = reply->reader->getRoot<Reply>();
    if (r.which() == Reply::ERROR) throw PluginError(text(r.getError(), "error"));
  } catch (const kj::Exception& e) {
    fault(Fault::kMalformed, "open", e.getDescription().cStr());
    throw PluginError("could not open plugin '" + info_.name + "': malformed reply");
  }
  opened_ = true;
  ended_ = false;
  hostError_.clear();
  refreshStandby();
}

void IsolatedHost::close() {
  if (!opened_) return;
  opened_ = false;
  batch_.clear();
  if (!runner_) return;
  capnp::MallocMessageBuilder msg;
  msg.initRoot<Request>().setClose();
  if (!call("close", msg, options_.controlDeadline)) return;
  // The runner wrote nothing more after its reply: drop what this capture
  // left in the ring, so a new open starts clean.
  RingRecord rec;
  while (runner_ && runner_->source.tryPeek(rec) == RingStatus::kOk) {
  }
  if (runner_) runner_->source.release();
}

BatchResult IsolatedHost::nextBatch() {
  batch_.clear();
  if (disabled_) return {SS_PLUGIN_FAILURE, {}};
  if (!opened_) {
    hostError_ = "next_batch called without an open capture";
    return {SS_PLUGIN_FAILURE, {}};
  }
  if (ended_) return {SS_PLUGIN_EOF, {}};
  if (!ensureRunner()) return {disabled_ ? SS_PLUGIN_FAILURE : SS_PLUGIN_TIMEOUT, {}};

  batchBytes_.clear();
  batchOffsets_.clear();
  preValid_ = false;
  ss_plugin_rc rc = SS_PLUGIN_TIMEOUT;
  const auto deadline = Clock::now() + options_.nextBatchDeadline;
  const uint64_t now = wallClockNs();
  wire::BatchHeader header;
  for (;;) {
    RingRecord rec;
    RingStatus s = runner_->source.peek(rec, deadline, runner_->wait());
    if (s != RingStatus::kOk) {
      // Records committed before a death were read above; what is missing is
      // only the rest of the batch. Deliver what arrived, then recover.
      ringFault(s, "next_batch", options_.nextBatchDeadline);
      rc = SS_PLUGIN_TIMEOUT;
      break;
    }
    wire::WireReader r(rec.payload);
    std::string bad = wire::decodeBatchHeader(r, header) ? std::string() : "batch record header";
    if (bad.empty()) {
      // Copied once, then checked and fixed up in the copy: the runner can
      // rewrite the ring, not the copy. The record is released with the
      // next peek (or at the next batch): one index publish per batch.
      std::span<const std::byte> events;
      r.view(r.remaining(), events);
      const size_t base = batchBytes_.size();
      const auto* p = reinterpret_cast<const uint8_t*>(events.data());
      batchBytes_.insert(batchBytes_.end(), p, p + events.size());
      const size_t firstNew = batchOffsets_.size();
      bad = wire::checkBatchEvents(std::span<uint8_t>(batchBytes_).subspan(base), header.events,
                                   info_.id, now, batchOffsets_);
      for (size_t i = firstNew; i < batchOffsets_.size(); ++i) batchOffsets_[i] += base;
    }
    if (!bad.empty()) {
      // The events checked before the bad one are delivered, as events
      // committed before a death are.
      fault(Fault::kMalformed, "next_batch", bad);
      rc = SS_PLUGIN_TIMEOUT;
      break;
    }
    if (!header.last) continue;
    if (header.fieldsFollow) {
      if (std::string why = readBatchFields(deadline); !why.empty()) {
        if (runner_) fault(Fault::kMalformed, "next_batch", why);
        rc = SS_PLUGIN_TIMEOUT;
        break;
      }
    }
    runner_->source.release();
    rc = static_cast<ss_plugin_rc>(header.rc);
    if (rc == SS_PLUGIN_FAILURE) hostError_ = header.error;
    if (rc == SS_PLUGIN_SUCCESS && batchOffsets_.empty()) {
      hostError_ = "plugin_next_batch returned SUCCESS with no event";
      rc = SS_PLUGIN_FAILURE;
    }
    break;
  }
  for (size_t offset : batchOffsets_) {
    batch_.push_back(
        EventRef{reinterpret_cast<const ss_plugin_event*>(batchBytes_.data() + offset),
                 nextEventNum_++});
  }
  if (rc == SS_PLUGIN_EOF || rc == SS_PLUGIN_FAILURE) ended_ = true;
  counters_.batches++;
  counters_.events += batch_.size();
  return {rc, batch_};
}

std::string IsolatedHost::readBatchFields(Clock::time_point deadline) {
  RingRecord rec;
  RingStatus s = runner_->source.peek(rec, deadline, runner_->wait());
  if (s != RingStatus::kOk) {
    ringFault(s, "next_batch", options_.nextBatchDeadline);
    return "no field record";
  }
  if (rec.tag != wire::kBatchFields) return "batch without the field record it announced";
  wire::WireReader r(rec.payload);
  uint32_t generation = 0;
  if (!wire::WireReader(rec.payload).get(generation)) return "short field record";
  // Values for requests since replaced are not an error, just not used.
  if (generation != preGeneration_ || preRequests_.empty()) return {};
  int32_t rc = SS_PLUGIN_FAILURE;
  std::string bad = wire::decodeExtractResult(r, preGeneration_, batchOffsets_.size(),
                                              preRequests_, info_.fields, rc, preResults_);
  if (!bad.empty()) return "field record: " + bad;
  preValid_ = rc == SS_PLUGIN_SUCCESS;
  return {};
}

bool IsolatedHost::sendPreExtract() {
  if (preRequests_.empty()) return true;
  const size_t size = wire::extractRequestSize(preSource_, preRequests_, {});
  std::vector<std::byte> data(size);
  wire::WireWriter w(data);
  wire::encodeExtractRequest(w, preGeneration_, preSource_, preRequests_, {});
  capnp::MallocMessageBuilder msg;
  msg.initRoot<Request>().setPreExtract(
      kj::arrayPtr(reinterpret_cast<const kj::byte*>(data.data()), data.size()));
  auto reply = call("pre-extraction setup", msg, options_.controlDeadline);
  if (!reply) return false;
  try {
    if (reply->reader->getRoot<Reply>().which() == Reply::OK) return true;
  } catch (const kj::Exception&) {
  }
  // The runner refused what this host encoded: not worth a fault, but the
  // values would never come; stop asking.
  spdlog::warn("plugin '{}': the runner refused pre-extraction; fields are asked per batch",
               info_.name);
  preRequests_.clear();
  return true;
}

void IsolatedHost::setPreExtract(std::string_view source,
                                 std::span<const FieldRequest> requests) {
  if (!info_.has(CAP_SOURCING) || !info_.has(CAP_EXTRACTION) || info_.has(CAP_PARSING)) return;
  for (const FieldRequest& q : requests) {
    if (q.fieldId >= info_.fields.size()) return;  // extract() will say what is wrong
  }
  preSource_.assign(source);
  preRequests_.assign(requests.begin(), requests.end());
  preValid_ = false;
  ++preGeneration_;
  if (runner_) sendPreExtract();  // a runner started later is told at its start
}

Progress IsolatedHost::progress() {
  Progress p;
  if (!opened_ || !runner_) return p;
  capnp::MallocMessageBuilder msg;
  msg.initRoot<Request>().setProgress();
  auto reply = call("get_progress", msg, options_.controlDeadline);
  if (!reply) return p;
  try {
    Reply::Reader r = reply->reader->getRoot<Reply>();
    if (r.which() == Reply::PROGRESS) {
      p.pct = std::min<uint32_t>(r.getProgress().getPct(), 10000);
      p.text = text(r.getProgress().getText(), "progress");
    }
  } catch (const std::exception&) {
  } catch (const kj::Exception&) {
  }
  return p;
}

std::string IsolatedHost::eventToString(const EventRef& e, std::string_view source) {
  capnp::MallocMessageBuilder msg;
  auto ets = msg.initRoot<Request>().initEventToString();
  ets.setEvent(kj::arrayPtr(reinterpret_cast<const kj::byte*>(e.evt), eventLen(e.evt)));
  ets.setSource(std::string(source));
  return replyText(call("event_to_string", msg, options_.controlDeadline));
}

void IsolatedHost::ringFault(RingStatus s, const char* during,
                             std::chrono::milliseconds deadline) {
  if (s == RingStatus::kTimeout) {
    fault(Fault::kDeadline, during,
          std::string(during) + ", " + std::to_string(deadline.count()) + " ms");
  } else if (s == RingStatus::kPeerDead) {
    fault(Fault::kDied, during, "");
  } else {
    fault(Fault::kMalformed, during, std::string("ring ") + ringStatusName(s));
  }
}

bool IsolatedHost::roundTrip(const char* during, uint32_t tag, size_t size,
                             const std::function<bool(std::span<std::byte>)>& fill,
                             std::chrono::milliseconds deadline, RingRecord& response) {
  const auto until = Clock::now() + deadline;
  std::span<std::byte> out;
  RingStatus s = runner_->requests.reserve(tag, static_cast<uint32_t>(size), out, until,
                                           runner_->wait());
  if (s == RingStatus::kOk) {
    fill(out);
    runner_->requests.commit();
    s = runner_->responses.peek(response, until, runner_->wait());
  }
  if (s == RingStatus::kOk) return true;
  ringFault(s, during, deadline);
  return false;
}

ss_plugin_rc IsolatedHost::extractChunk(std::span<const EventRef> events, std::string_view source,
                                        std::span<const FieldRequest> requests,
                                        ExtractResults& out) {
  // extract() emptied the queue first: the answer read is this request's.
  if (!queueExtract(events, source, requests)) return SS_PLUGIN_FAILURE;
  return readQueued(out);
}

bool IsolatedHost::checkRequests(std::span<const FieldRequest> requests) {
  if (!info_.has(CAP_EXTRACTION)) {
    hostError_ = "plugin '" + info_.name + "' has no field extraction";
    return false;
  }
  for (const FieldRequest& q : requests) {
    if (q.fieldId >= info_.fields.size()) {
      hostError_ = "extract request for an unknown field id " + std::to_string(q.fieldId);
      return false;
    }
  }
  return true;
}

bool IsolatedHost::answerFromBatch(std::span<const EventRef> events, std::string_view source,
                                   std::span<const FieldRequest> requests, ExtractResults& out) {
  if (!preValid_ || events.empty() || source != preSource_ ||
      !std::equal(requests.begin(), requests.end(), preRequests_.begin(), preRequests_.end())) {
    return false;
  }
  // Compared as addresses (std::less: a total order even across arrays).
  const std::less<const EventRef*> before;
  const EventRef* first = events.data();
  if (before(first, batch_.data()) || before(batch_.data() + batch_.size(), first + events.size())) {
    return false;
  }
  const size_t offset = static_cast<size_t>(first - batch_.data());
  const size_t nFields = requests.size();
  if (offset == 0 && events.size() == batch_.size()) {
    out = preResults_;
  } else {
    // A slice of the batch: its rows, values and bytes rebased.
    out.reset(events.size(), nFields);
    for (size_t e = 0; e < events.size(); ++e) {
      for (size_t f = 0; f < nFields; ++f) {
        std::span<const FieldValue> vals = preResults_.values(offset + e, f);
        out.cell(e, f) = {static_cast<uint32_t>(out.valueStore().size()),
                          static_cast<uint32_t>(vals.size())};
        for (FieldValue v : vals) {
          const std::string_view bytes = preResults_.bytesOf(v);
          v.offset = static_cast<uint32_t>(out.byteStore().size());
          out.byteStore() += bytes;
          out.valueStore().push_back(v);
        }
      }
    }
  }
  counters_.preExtracted += events.size() * nFields;
  return true;
}

bool IsolatedHost::submitExtract(std::span<const EventRef> events, std::string_view source,
                                 std::span<const FieldRequest> requests) {
  if (events.empty() || requests.empty() || !checkRequests(requests)) return false;
  if (preValid_ && source == preSource_) return false;  // maybe answered from the batch
  if (!ensureRunner()) return false;
  if (wire::extractRequestSize(source, requests, events) > runner_->requests.maxPayload()) {
    return false;  // extract() splits it
  }
  if (!queueExtract(events, source, requests)) return false;
  counters_.extractions += events.size() * requests.size();
  return true;
}

bool IsolatedHost::queueExtract(std::span<const EventRef> events, std::string_view source,
                                std::span<const FieldRequest> requests) {
  const size_t size = wire::extractRequestSize(source, requests, events);
  const uint32_t seq = ++seq_;
  std::span<std::byte> buf;
  const RingStatus s =
      runner_->requests.reserve(wire::kExtract, static_cast<uint32_t>(size), buf,
                                Clock::now() + options_.extractDeadline, runner_->wait());
  if (s != RingStatus::kOk) {
    ringFault(s, "extract_fields", options_.extractDeadline);
    return false;
  }
  wire::WireWriter w(buf);
  wire::encodeExtractRequest(w, seq, source, requests, events);
  runner_->requests.commit();
  queued_.push_back(QueuedExtract{seq, events.size(), requests});
  return true;
}

ss_plugin_rc IsolatedHost::readQueued(ExtractResults& out) {
  const QueuedExtract q = queued_.front();
  queued_.pop_front();
  out.reset(q.events, q.requests.size());
  RingRecord response;
  const RingStatus s = runner_->responses.peek(
      response, Clock::now() + options_.extractDeadline, runner_->wait());
  if (s != RingStatus::kOk) {
    ringFault(s, "extract_fields", options_.extractDeadline);
    return SS_PLUGIN_FAILURE;
  }
  int32_t rc = SS_PLUGIN_FAILURE;
  std::string bad = response.tag != wire::kExtractResult ? "a parse result for an extraction"
                                                          : std::string();
  if (bad.empty()) {
    wire::WireReader r(response.payload);
    bad = wire::decodeExtractResult(r, q.seq, q.events, q.requests, info_.fields, rc, out);
  }
  runner_->responses.release();
  if (!bad.empty()) {
    fault(Fault::kMalformed, "extract_fields", bad);
    out.reset(q.events, q.requests.size());
    return SS_PLUGIN_FAILURE;
  }
  return static_cast<ss_plugin_rc>(rc);
}

ss_plugin_rc IsolatedHost::collectExtract(ExtractResults& out) {
  if (queued_.empty()) {
    // Dropped by a fault after it was submitted (and counted lost there).
    out.reset(0, 0);
    return SS_PLUGIN_FAILURE;
  }
  const size_t cells = queued_.front().events * queued_.front().requests.size();
  const ss_plugin_rc rc = readQueued(out);
  if (!runner_) counters_.extractionsLost += cells;  // died with the runner
  return rc;
}

ss_plugin_rc IsolatedHost::extract(std::span<const EventRef> events, std::string_view source,
                                   std::span<const FieldRequest> requests, ExtractResults& out) {
  // Not to be mixed with queued requests (their answers come first): a
  // caller that does is answered correctly all the same.
  ExtractResults discard;
  while (!queued_.empty()) collectExtract(discard);
  out.reset(events.size(), requests.size());
  if (!checkRequests(requests)) return SS_PLUGIN_FAILURE;
  counters_.extractions += events.size() * requests.size();
  if (events.empty() || requests.empty()) return SS_PLUGIN_SUCCESS;
  if (answerFromBatch(events, source, requests, out)) return SS_PLUGIN_SUCCESS;
  auto lose = [&](size_t n) {
    counters_.extractionsLost += n * requests.size();
    return SS_PLUGIN_FAILURE;
  };
  if (!ensureRunner()) return lose(events.size());
  // Chunks small enough for the request ring; the response of a chunk is
  // bounded by the runner (it answers FAILURE rather than overflow).
  const uint64_t maxRequest = runner_->requests.maxPayload();
  size_t begin = 0;
  ss_plugin_rc result = SS_PLUGIN_SUCCESS;
  while (begin < events.size()) {
    size_t end = events.size();
    while (end > begin + 1 &&
           wire::extractRequestSize(source, requests, events.subspan(begin, end - begin)) >
               maxRequest) {
      end = begin + (end - begin) / 2;
    }
    auto chunk = events.subspan(begin, end - begin);
    if (wire::extractRequestSize(source, requests, chunk) > maxRequest) {
      counters_.extractionsLost += requests.size();
      result = SS_PLUGIN_FAILURE;
      begin = end;
      continue;
    }
    if (!runner_ && !ensureRunner()) return lose(events.size() - begin);
    ss_plugin_rc rc = extractChunk(chunk, source, requests, chunk_);
    if (rc != SS_PLUGIN_SUCCESS) {
      if (!runner_) counters_.extractionsLost += chunk.size() * requests.size();
      result = SS_PLUGIN_FAILURE;
    } else if (chunk.size() == events.size()) {
      std::swap(out, chunk_);  // one chunk, the usual case: nothing to rebase
    } else {
      // Append this chunk to `out`, rebasing value indices and byte offsets
      // (the decoder stores values in cell order, bytes in value order).
      auto& values = out.valueStore();
      auto& bytes = out.byteStore();
      const uint32_t valueBase = static_cast<uint32_t>(values.size());
      const uint32_t byteBase = static_cast<uint32_t>(bytes.size());
      for (size_t e = 0; e < chunk.size(); ++e) {
        for (size_t f = 0; f < requests.size(); ++f) {
          const ExtractResults::Cell c = chunk_.cell(e, f);
          out.cell(begin + e, f) = {valueBase + c.first, c.count};
        }
      }
      for (FieldValue v : chunk_.valueStore()) {
        v.offset += byteBase;
        values.push_back(v);
      }
      bytes += chunk_.byteStore();
    }
    begin = end;
  }
  return result;
}

ss_plugin_rc IsolatedHost::parse(std::span<const EventRef> events, std::string_view source) {
  if (!info_.has(CAP_PARSING)) return SS_PLUGIN_NOT_SUPPORTED;
  counters_.parsed += events.size();
  if (events.empty()) return SS_PLUGIN_SUCCESS;
  if (!ensureRunner()) {
    counters_.parsesLost += events.size();
    return SS_PLUGIN_FAILURE;
  }
  const uint32_t seq = ++seq_;
  const size_t size = wire::parseRequestSize(source, events);
  if (size > runner_->requests.maxPayload()) {
    // Split in halves: parse order is kept since halves go in order.
    const size_t half = events.size() / 2;
    if (half == 0) {
      counters_.parsesLost += 1;
      return SS_PLUGIN_FAILURE;
    }
    ss_plugin_rc a = parse(events.first(half), source);
    ss_plugin_rc b = parse(events.subspan(half), source);
    counters_.parsed -= events.size();  // counted by the halves
    return a == SS_PLUGIN_SUCCESS && b == SS_PLUGIN_SUCCESS ? SS_PLUGIN_SUCCESS : SS_PLUGIN_FAILURE;
  }
  RingRecord response;
  const bool ok = roundTrip(
      "parse_event", wire::kParse, size,
      [&](std::span<std::byte> buf) {
        wire::WireWriter w(buf);
        return wire::encodeParseRequest(w, seq, source, events);
      },
      options_.parseDeadline, response);
  if (!ok) {
    counters_.parsesLost += events.size();
    return SS_PLUGIN_FAILURE;
  }
  int32_t rc = SS_PLUGIN_FAILURE;
  wire::WireReader r(response.payload);
  std::string bad = response.tag != wire::kParseResult ? "an extraction result for a parse"
                                                        : wire::decodeParseResult(r, seq, rc);
  runner_->responses.release();
  if (!bad.empty()) {
    fault(Fault::kMalformed, "parse_event", bad);
    counters_.parsesLost += events.size();
    return SS_PLUGIN_FAILURE;
  }
  return static_cast<ss_plugin_rc>(rc);
}

void IsolatedHost::startAsync() {
  if (!info_.has(CAP_ASYNC) || asyncStarted_) return;
  capnp::MallocMessageBuilder msg;
  msg.initRoot<Request>().setStartAsync();
  auto reply = call("set_async_event_handler", msg, options_.controlDeadline);
  if (!reply && !disabled_) {
    // The runner died or misbehaved (reported and counted already), perhaps
    // in another plugin call: the handler is set on the restarted runner.
    asyncStarted_ = true;
    return;
  }
  std::string err = disabled_ ? hostError_ : "runner failed";
  if (reply) {
    try {
      Reply::Reader r = reply->reader->getRoot<Reply>();
      if (r.which() == Reply::OK) {
        asyncStarted_ = true;
        return;
      }
      if (r.which() == Reply::ERROR) err = text(r.getError(), "error");
    } catch (const kj::Exception&) {
    }
  }
  throw PluginError("could not start async events of plugin '" + info_.name + "': " + err);
}

std::span<const EventRef> IsolatedHost::drainAsync() {
  asyncBytes_.clear();
  asyncRefs_.clear();
  // A host driven only for its async events restarts its runner here; the
  // restart sets the handler again.
  if (!runner_ && (!asyncStarted_ || !ensureRunner())) return asyncRefs_;
  std::vector<std::pair<size_t, size_t>> spans;
  RingRecord rec;
  RingStatus s;
  while ((s = runner_->async.tryPeek(rec)) == RingStatus::kOk) {
    const size_t offset = asyncBytes_.size();
    std::string bad = copyEvent(asyncBytes_, rec.payload, [&](const void* e, size_t n) {
      return checkAsyncEvent(e, n, info_.asyncEvents);
    });
    if (!bad.empty()) {
      runner_->async.release();
      fault(Fault::kMalformed, "async event", bad);
      break;
    }
    spans.emplace_back(offset, rec.payload.size());
  }
  if (runner_) {
    runner_->async.release();
    if (s == RingStatus::kCorrupt) {
      fault(Fault::kMalformed, "async event", "async ring");
    } else if (spans.empty() && Clock::now() >= nextAsyncLivenessCheck_) {
      // A host driven only for async events would otherwise never notice
      // that its runner died. At most every 100 ms: drainAsync runs once per
      // batch, and waitid is a syscall.
      nextAsyncLivenessCheck_ = Clock::now() + std::chrono::milliseconds(100);
      if (runner_->child.poll()) fault(Fault::kDied, "async events", "");
    }
  }
  const uint64_t now = wallClockNs();
  for (const auto& [offset, len] : spans) {
    auto* evt = reinterpret_cast<ss_plugin_event*>(asyncBytes_.data() + offset);
    if (eventTs(evt) == UINT64_MAX) storeAt<uint64_t>(evt, 0, now);
    asyncRefs_.push_back(EventRef{evt, nextEventNum_++});
  }
  counters_.asyncEvents += asyncRefs_.size();
  return asyncRefs_;
}

void IsolatedHost::stopAsync() {
  if (!asyncStarted_) return;
  asyncStarted_ = false;
  if (!runner_) return;
  capnp::MallocMessageBuilder msg;
  msg.initRoot<Request>().setStopAsync();
  call("set_async_event_handler(NULL)", msg, options_.controlDeadline);
}

std::string IsolatedHost::lastError() {
  if (!hostError_.empty()) return hostError_;
  if (!runner_) return {};
  capnp::MallocMessageBuilder msg;
  msg.initRoot<Request>().setLastError();
  auto reply = call("get_last_error", msg, options_.controlDeadline);
  return reply ? replyText(reply) : hostError_;
}

}  // namespace bulkhead
