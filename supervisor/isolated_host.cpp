#include "supervisor/isolated_host.h"

#include <signal.h>

#include <algorithm>
#include <thread>

#include <capnp/message.h>
#include <spdlog/spdlog.h>

#include "plugin_api/event.h"
#include "plugin_api/visible_text.h"
#include "protocol/control.capnp.h"
#include "protocol/wire.h"
#include "protocol/wire_codec.h"
#include "supervisor/runner_reply.h"
#include "supervisor/sandbox_summary.h"

namespace bulkhead {

using Clock = std::chrono::steady_clock;

namespace {

// A crash loop logs this many crash reports per plugin and interval in
// full, then one summary line (CrashLogLimiter).
constexpr std::size_t kCrashReportsPerInterval = 5;
constexpr std::chrono::seconds kCrashReportInterval{10};

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

}  // namespace

IsolatedHost::IsolatedHost(const PluginSpec& spec, const IsolationConfig& config,
                           const RunnerServices& services)
    : spec_(spec),
      config_(config),
      launcher_(spec, config, services),
      spawner_(services.spawner),
      restart_(config.restart),
      // Until the hello names the plugin, its entry in the config does.
      shownName_(visibleText(spec.name, kShownNameBytes)),
      crashLog_(kCrashReportsPerInterval, kCrashReportInterval),
      openParams_(spec.openParams) {
  // The standby is forked first, so that it starts up alongside the serving
  // runner rather than competing with the first calls after the constructor.
  refreshStandby();
  runner_ = startRunner();
  publishState();
}

IsolatedHost::~IsolatedHost() { shutdown(); }

void IsolatedHost::shutdown() {
  if (shutDown_) return;
  shutDown_ = true;
  // The standby never ran plugin code: nothing to shut down politely.
  standby_.reset();
  retireRunner();
  logCrashSummary(/*all=*/true);
}

void IsolatedHost::retireRunner() {
  if (!runner_) return;
  // A polite shutdown lets the plugin run plugin_destroy; a runner that does
  // not answer in time is killed by ChildProcess's destructor. One deadline
  // for the answer and the exit together, so that a shutdown of several
  // hosts at once is bounded by one deadline.
  const Clock::time_point until = Clock::now() + config_.deadlines.close;
  try {
    capnp::MallocMessageBuilder msg;
    msg.initRoot<Request>().setShutdown();
    runner_->control.send(msg);
    runner_->control.receive(until, runner_->child.pidfd());
  } catch (const std::exception&) {
    // Judged below by how the runner ended.
  }
  const int pid = runner_->child.workerPid();
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now());
  const auto waitMs = std::clamp<int64_t>(left.count(), 0, INT32_MAX);
  std::optional<ChildStatus> st = runner_->child.waitFor(static_cast<int>(waitMs));
  if (!st) {
    spdlog::error("plugin '{}' runner pid {} did not exit within {} ms of shutdown; killed",
                  shownName_, pid, config_.deadlines.close.count());
  } else if (st->signalled || st->code != 0) {
    counters_.crashes++;
    const auto kind = st->signalled ? RunnerEnd::Kind::kSignalled : RunnerEnd::Kind::kExited;
    counters_.runnerEnds[static_cast<size_t>(kind)]++;
    spdlog::error("plugin '{}' runner pid {} {} during shutdown (plugin_destroy)", shownName_, pid,
                  st->describe());
  }
  runner_.reset();
  publishState();
}

HostState IsolatedHost::state() const {
  HostState st{statePid_.load(std::memory_order_relaxed),
               stateDisabled_.load(std::memory_order_relaxed)};
  st.hasRings = true;
  for (size_t i = 0; i < st.rings.size(); ++i) {
    st.rings[i].last = fillLast_[i].load(std::memory_order_relaxed) / 1e6;
    st.rings[i].peak = fillPeak_[i].load(std::memory_order_relaxed) / 1e6;
  }
  return st;
}

void IsolatedHost::noteFill(size_t ring, const RingConsumer& consumer) {
  // The consumer checked the head it read to be within one capacity.
  const auto ppm = static_cast<uint32_t>(consumer.backlogBytes() * 1'000'000 /
                                         std::max<uint64_t>(consumer.capacity(), 1));
  fillLast_[ring].store(ppm, std::memory_order_relaxed);
  // Only the engine thread stores: a plain compare is enough.
  if (ppm > fillPeak_[ring].load(std::memory_order_relaxed)) {
    fillPeak_[ring].store(ppm, std::memory_order_relaxed);
  }
}

void IsolatedHost::publishState() {
  statePid_.store(runnerPid(), std::memory_order_relaxed);
  stateDisabled_.store(restart_.disabled(), std::memory_order_relaxed);
}

int IsolatedHost::runnerPid() const { return runner_ ? runner_->child.workerPid() : -1; }

int IsolatedHost::standbyPid() {
  launchDueStandby();
  if (!standby_) return -1;
  try {
    return standby_->forked().workerPid();
  } catch (const std::exception&) {
    standby_.reset();
    return -1;
  }
}

std::unique_ptr<Runner> IsolatedHost::startRunner() {
  auto r = launcher_.launch(false, openParams_, spareRings_);
  adoptHello(launcher_.activate(*r), r->child.workerPid());
  return r;
}

void IsolatedHost::adoptHello(RunnerHello hello, int pid) {
  const std::string who = "plugin '" + spec_.name + "' (" + spec_.libraryPath + ")";
  if (info_.name.empty()) {
    logSandbox(who, pid, config_, hello.layers);
    info_ = std::move(hello.info);
    shownName_ = visibleText(info_.name, kShownNameBytes);
  } else if (!sameIdentity(info_, hello.info)) {
    restart_.disable();
    throw PluginError(who + " reported different info after a restart; disabled");
  }
  sandbox_ = std::move(hello.layers);
}

std::unique_ptr<Runner> IsolatedHost::takeStandby() {
  std::unique_ptr<Runner> s = std::move(standby_);
  // Set up for other open params, its Landlock rules may not fit: drop it.
  if (!s || !launcher_.fits(*s, openParams_)) return nullptr;
  try {
    s->forked();
  } catch (const std::exception& e) {
    spdlog::warn("plugin '{}': standby runner did not start: {}", shownName_, e.what());
    return nullptr;
  }
  if (auto st = s->child.poll()) {
    // It never ran plugin code; a fresh start will report whatever is wrong.
    spdlog::warn("plugin '{}': standby runner pid {} {} while waiting; starting a new one",
                 shownName_, s->child.workerPid(), st->describe());
    return nullptr;
  }
  return s;
}

void IsolatedHost::launchDueStandby() {
  if (!standbyDue_ || shutDown_) return;
  standbyDue_ = false;
  refreshStandby();
}

void IsolatedHost::refreshStandby() {
  if (!config_.restart.standby || restart_.disabled()) return;
  if (standby_ && launcher_.fits(*standby_, openParams_)) return;
  standby_.reset();
  try {
    standby_ = launcher_.launch(true, openParams_, spareRings_);
  } catch (const std::exception& e) {
    // Only the next restart gets slower.
    spdlog::warn("plugin '{}': cannot start a standby runner: {}", shownName_, e.what());
  }
}

namespace {
// Far longer than the init takes to reap and relay; bounded for a runner
// that closed its channel yet lives on.
constexpr int kDeadRunnerGraceMs = 200;
}  // namespace

void IsolatedHost::fault(RunnerEnd::Kind kind, const char* during, const std::string& detail) {
  if (!runner_) return;
  for (const QueuedExtract& q : queued_) counters_.extractionsLost += q.events * q.requests.size();
  queued_.clear();
  const int pid = runner_->child.workerPid();
  // A runner that died leaves its init behind for a moment, to relay how
  // it ended (runner_main.cpp); killing the init first would lose that.
  if (kind == RunnerEnd::Kind::kExited) runner_->child.waitFor(kDeadRunnerGraceMs);
  const ChildStatus st = runner_->child.kill();
  // `during` is what the engine waited on; what the runner itself said it
  // was doing can differ, since the source runs ahead of demand.
  std::string inPlugin = runner_->pluginCall();
  RunnerEnd end{kind, st.code, detail};
  if (kind == RunnerEnd::Kind::kExited) {
    // "Died": how, only waitid knows.
    end = classifyExit(st, runner_->kernelLog, pid);
    if (!detail.empty()) inPlugin += "; " + detail;
    if (end.kind == RunnerEnd::Kind::kSignalled && end.code == SIGKILL &&
        runner_->cgroup.oomKills() > 0) {
      end.kind = RunnerEnd::Kind::kResourceLimit;
      end.detail = "memory, limits.memory_mb " + std::to_string(config_.limits.memoryMb);
    }
  }
  countRunnerEnd(end, counters_);
  inPlugin += seccompAdvice(end, config_.policy, spec_.name);
  // Reaped: nothing else maps its rings now.
  if (!runner_->child.running()) spareRings_ = std::move(runner_->rings);
  // Removing its cgroups can wait on the kernel; not on this thread.
  auto cgroup = std::make_shared<RunnerCgroup>(std::move(runner_->cgroup));
  spawner_.post([cgroup]() mutable { cgroup.reset(); });
  runner_.reset();
  recordFailure(end.describe(), during, inPlugin, pid);
}

void IsolatedHost::recordFailure(const std::string& what, const char* during,
                                 const std::string& inPlugin, int pid) {
  // pid -1: no runner got far enough to have one worth naming.
  const std::string runner = pid > 0 ? "runner pid " + std::to_string(pid) : "runner";
  hostError_ = runner + " " + what + " during " + during;
  const RestartPolicy::Verdict v = restart_.onFailure(RestartPolicy::Clock::now());
  publishState();  // the runner is gone, and the breaker may have tripped
  const RestartSettings& rs = config_.restart;
  if (v.disabled) {
    standby_.reset();
    hostError_ = "plugin '" + shownName_ + "' is disabled: its runner failed " +
                 std::to_string(v.failuresInWindow) + " times within " +
                 std::to_string(rs.window.count()) + " s (last: " + hostError_ + ")";
    // The plugin's last crash report: never held back.
    logCrashSummary(/*all=*/true);
    spdlog::error("plugin '{}' {} {} during {}; the plugin was in {}; {} (circuit breaker)",
                  shownName_, runner, what, during, inPlugin, hostError_);
    return;
  }
  logCrash(fmt::format("{} {} during {}; the plugin was in {}; restart {} of {} within {} s in {} ms",
                       runner, what, during, inPlugin, v.failuresInWindow, rs.maxRestarts,
                       rs.window.count(), v.backoff.count()));
}

void IsolatedHost::logCrash(std::string report) {
  const CrashLogLimiter::Verdict v = crashLog_.admit(Clock::now(), report);
  if (v.summary) logCrashSummary(*v.summary);
  if (v.log) spdlog::error("plugin '{}' {}", shownName_, report);
}

void IsolatedHost::logCrashSummary(bool all) {
  if (!crashLog_.holding()) return;  // the common case, once per batch: no clock read
  const Clock::time_point now = Clock::now();
  if (auto s = all ? crashLog_.flush(now) : crashLog_.due(now)) logCrashSummary(*s);
}

void IsolatedHost::logCrashSummary(const CrashLogLimiter::Summary& s) {
  const auto seconds = std::chrono::ceil<std::chrono::seconds>(s.over).count();
  spdlog::error("plugin '{}': {} more crashes in the last {} s, last: {}", shownName_, s.heldBack,
                seconds, s.last);
}

bool IsolatedHost::ensureRunner(bool restart) {
  if (runner_) {
    launchDueStandby();
    return true;
  }
  if (restart_.disabled()) return false;
  if (shutDown_) {
    hostError_ = "plugin '" + shownName_ + "' is shut down";
    return false;
  }
  std::this_thread::sleep_until(restart_.nextStart());
  try {
    if (std::unique_ptr<Runner> standby = takeStandby()) {
      try {
        adoptHello(launcher_.activate(*standby), standby->child.workerPid());
        runner_ = std::move(standby);
      } catch (const std::exception& e) {
        if (restart_.disabled() || !standby->endedBeforePluginCode()) throw;
        // Killed while parked (the check in takeStandby() can miss a death
        // that is still under way): not the plugin's doing, so no crash.
        spdlog::warn("plugin '{}': standby runner pid {} had ended ({}); starting a new one",
                     shownName_, standby->child.workerPid(), e.what());
      }
    }
    if (!runner_) runner_ = startRunner();
  } catch (const std::exception& e) {
    // A runner that cannot start counts like a crash, so the breaker trips.
    RunnerEnd end{RunnerEnd::Kind::kHandshakeFailed, 0, std::string("restart failed: ") + e.what()};
    countRunnerEnd(end, counters_);
    recordFailure(end.describe(), "restart", "its start-up", -1);
    return false;
  }
  publishState();
  if (restart) counters_.restarts++;
  hostError_.clear();
  if (!resumeRunner()) return false;
  // The next standby starts at the next call, once the restarted runner
  // has served this one: starting it now would compete for the CPU with
  // the restart itself (cgroups, fork, exec, sandbox set-up).
  standbyDue_ = true;
  return true;
}

bool IsolatedHost::resumeRunner() {
  // Before open, so the first batch of the new runner already has them.
  if (!sendPreExtract()) return false;
  try {
    if (opened_ && !ended_) {
      capnp::MallocMessageBuilder msg;
      msg.initRoot<Request>().setOpen(openParams_);
      runner_->control.send(msg);
      ControlMessage reply =
          runner_->control.receive(Clock::now() + config_.deadlines.open, runner_->child.pidfd());
      if (reply.reader->getRoot<Reply>().which() != Reply::OK) {
        fault(RunnerEnd::Kind::kExited, "open after restart", "open failed");
        return false;
      }
    }
    if (asyncStarted_) {
      capnp::MallocMessageBuilder msg;
      msg.initRoot<Request>().setStartAsync();
      runner_->control.send(msg);
      runner_->control.receive(Clock::now() + config_.deadlines.close, runner_->child.pidfd());
    }
  } catch (const std::exception& e) {
    fault(RunnerEnd::Kind::kExited, "restart", e.what());
    return false;
  } catch (const kj::Exception& e) {
    fault(RunnerEnd::Kind::kMalformed, "restart", e.getDescription().cStr());
    return false;
  }
  return true;
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
    fault(e.kind() == ControlError::Kind::kTimeout     ? RunnerEnd::Kind::kDeadlineMissed
          : e.kind() == ControlError::Kind::kMalformed ? RunnerEnd::Kind::kMalformed
                                                       : RunnerEnd::Kind::kExited,
          during, std::string(during) + ": " + e.what());
  } catch (const kj::Exception& e) {
    fault(RunnerEnd::Kind::kMalformed, during, e.getDescription().cStr());
  }
  return std::nullopt;
}

void IsolatedHost::open(std::string_view params) {
  if (!info_.has(CAP_SOURCING)) throw PluginError("plugin '" + shownName_ + "' has no event sourcing");
  if (opened_) close();
  openParams_.assign(params);
  if (runner_ && !launcher_.fits(*runner_, openParams_)) {
    // The runner's Landlock rules were fixed at its start, before these
    // params named the files the plugin is to read: replace it with one
    // whose rules include them. Not a crash, not counted as a restart.
    retireRunner();
    ensureRunner(/*restart=*/false);
  }
  capnp::MallocMessageBuilder msg;
  msg.initRoot<Request>().setOpen(openParams_);
  auto reply = call("open", msg, config_.deadlines.open);
  if (!reply) throw PluginError("could not open plugin '" + shownName_ + "': " + lastError());
  try {
    Reply::Reader r = reply->reader->getRoot<Reply>();
    if (r.which() == Reply::ERROR) throw PluginError(shownText(r.getError(), "error"));
  } catch (const kj::Exception& e) {
    fault(RunnerEnd::Kind::kMalformed, "open", e.getDescription().cStr());
    throw PluginError("could not open plugin '" + shownName_ + "': malformed reply");
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
  if (!call("close", msg, config_.deadlines.close)) return;
  // The runner wrote nothing more after its reply: drop what this capture
  // left in the ring, so a new open starts clean.
  RingRecord rec;
  while (runner_ && runner_->source.tryPeek(rec) == RingStatus::kOk) {
  }
  if (runner_) runner_->source.release();
}

BatchResult IsolatedHost::nextBatch() {
  batch_.clear();
  if (restart_.disabled()) return {SS_PLUGIN_FAILURE, {}};
  if (!opened_) {
    hostError_ = "next_batch called without an open capture";
    return {SS_PLUGIN_FAILURE, {}};
  }
  if (ended_) return {SS_PLUGIN_EOF, {}};
  // A crash loop that stopped is still summed up, soon after its interval.
  logCrashSummary(/*all=*/false);
  if (!ensureRunner()) return {restart_.disabled() ? SS_PLUGIN_FAILURE : SS_PLUGIN_TIMEOUT, {}};

  batchBytes_.clear();
  batchOffsets_.clear();
  preValid_ = false;
  ss_plugin_rc rc = SS_PLUGIN_TIMEOUT;
  const auto deadline = Clock::now() + config_.deadlines.nextBatch;
  const uint64_t now = wallClockNs();
  wire::BatchHeader header;
  for (;;) {
    RingRecord rec;
    RingStatus s = runner_->source.peek(rec, deadline, runner_->wait());
    if (s == RingStatus::kOk && batchOffsets_.empty()) noteFill(kSourceRing, runner_->source);
    if (s != RingStatus::kOk) {
      // Records committed before a death were read above; what is missing is
      // only the rest of the batch. Deliver what arrived, then recover.
      ringFault(s, "next_batch", config_.deadlines.nextBatch);
      rc = SS_PLUGIN_TIMEOUT;
      break;
    }
    wire::WireReader r(rec.payload);
    std::string bad = wire::decodeBatchHeader(r, header) ? std::string() : "batch record header";
    if (bad.empty()) {
      // Before the copy: a batch that never ends must not grow the arena.
      bad = overBound("batch_events", batchOffsets_.size() + header.events,
                      config_.bounds.batchEvents, "events");
      if (bad.empty()) {
        bad = overBound("batch_mb", batchBytes_.size() + r.remaining(), config_.bounds.batchBytes);
      }
    }
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
      fault(RunnerEnd::Kind::kMalformed, "next_batch", bad);
      rc = SS_PLUGIN_TIMEOUT;
      break;
    }
    if (!header.last) continue;
    if (header.fieldsFollow) {
      if (std::string why = readBatchFields(deadline); !why.empty()) {
        if (runner_) fault(RunnerEnd::Kind::kMalformed, "next_batch", why);
        rc = SS_PLUGIN_TIMEOUT;
        break;
      }
    }
    runner_->source.release();
    rc = static_cast<ss_plugin_rc>(header.rc);
    if (rc == SS_PLUGIN_FAILURE) hostError_ = visibleText(header.error, kShownTextBytes);
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
    ringFault(s, "next_batch", config_.deadlines.nextBatch);
    return "no field record";
  }
  if (rec.tag != wire::kBatchFields) return "batch without the field record it announced";
  if (std::string over = overBound("extract_mb", rec.payload.size(), config_.bounds.extractBytes);
      !over.empty()) {
    return "field record: " + over;
  }
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

Progress IsolatedHost::progress() {
  Progress p;
  if (!opened_ || !runner_) return p;
  capnp::MallocMessageBuilder msg;
  msg.initRoot<Request>().setProgress();
  auto reply = call("get_progress", msg, config_.deadlines.close);
  if (!reply) return p;
  try {
    Reply::Reader r = reply->reader->getRoot<Reply>();
    if (r.which() == Reply::PROGRESS) {
      p.pct = std::min<uint32_t>(r.getProgress().getPct(), 10000);
      p.text = checkedText(r.getProgress().getText(), "progress");
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
  return replyText(call("event_to_string", msg, config_.deadlines.close));
}

std::string IsolatedHost::overBound(const char* bound, uint64_t value, uint64_t limit,
                                    const char* unit) {
  if (value <= limit) return {};
  // The key of falco.yaml's bulkhead.bounds, so the report says what to raise.
  return std::string("over its bound bounds.") + bound + ": " + std::to_string(value) + " " +
         unit + ", at most " + std::to_string(limit);
}

void IsolatedHost::ringFault(RingStatus s, const char* during,
                             std::chrono::milliseconds deadline) {
  if (s == RingStatus::kTimeout) {
    fault(RunnerEnd::Kind::kDeadlineMissed, during,
          std::string(during) + ", " + std::to_string(deadline.count()) + " ms");
  } else if (s == RingStatus::kPeerDead) {
    fault(RunnerEnd::Kind::kExited, during, "");
  } else {
    fault(RunnerEnd::Kind::kMalformed, during, std::string("ring ") + ringStatusName(s));
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
  if (s == RingStatus::kOk) {
    noteFill(kResponseRing, runner_->responses);
    return true;
  }
  ringFault(s, during, deadline);
  return false;
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
      config_.deadlines.parse, response);
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
    fault(RunnerEnd::Kind::kMalformed, "parse_event", bad);
    counters_.parsesLost += events.size();
    return SS_PLUGIN_FAILURE;
  }
  return static_cast<ss_plugin_rc>(rc);
}

void IsolatedHost::startAsync() {
  if (!info_.has(CAP_ASYNC) || asyncStarted_) return;
  capnp::MallocMessageBuilder msg;
  msg.initRoot<Request>().setStartAsync();
  auto reply = call("set_async_event_handler", msg, config_.deadlines.close);
  if (!reply && !restart_.disabled()) {
    // The runner died or misbehaved (reported and counted already), perhaps
    // in another plugin call: the handler is set on the restarted runner.
    asyncStarted_ = true;
    return;
  }
  std::string err = restart_.disabled() ? hostError_ : "runner failed";
  if (reply) {
    try {
      Reply::Reader r = reply->reader->getRoot<Reply>();
      if (r.which() == Reply::OK) {
        asyncStarted_ = true;
        return;
      }
      if (r.which() == Reply::ERROR) err = shownText(r.getError(), "error");
    } catch (const kj::Exception&) {
    }
  }
  throw PluginError("could not start async events of plugin '" + shownName_ + "': " + err);
}

std::span<const EventRef> IsolatedHost::drainAsync() {
  asyncBytes_.clear();
  asyncRefs_.clear();
  // A host driven only for its async events restarts its runner here; the
  // restart sets the handler again.
  if (!runner_ && (!asyncStarted_ || !ensureRunner())) return asyncRefs_;
  std::vector<std::pair<size_t, size_t>> spans;
  RingRecord rec;
  RingStatus s = runner_->async.tryPeek(rec);
  noteFill(kAsyncRing, runner_->async);
  for (; s == RingStatus::kOk; s = runner_->async.tryPeek(rec)) {
    const size_t offset = asyncBytes_.size();
    std::string bad =
        overBound("async_event_kb", rec.payload.size(), config_.bounds.asyncEventBytes);
    if (bad.empty()) {
      bad = copyEvent(asyncBytes_, rec.payload, [&](const void* e, size_t n) {
        return checkAsyncEvent(e, n, info_.asyncEvents);
      });
    }
    if (!bad.empty()) {
      runner_->async.release();
      fault(RunnerEnd::Kind::kMalformed, "async event", bad);
      break;
    }
    spans.emplace_back(offset, rec.payload.size());
  }
  if (runner_) {
    runner_->async.release();
    if (s == RingStatus::kCorrupt) {
      fault(RunnerEnd::Kind::kMalformed, "async event", "async ring");
    } else if (spans.empty() && Clock::now() >= nextAsyncLivenessCheck_) {
      // A host driven only for async events would otherwise never notice
      // that its runner died. At most every 100 ms: drainAsync runs once per
      // batch, and waitid is a syscall.
      nextAsyncLivenessCheck_ = Clock::now() + std::chrono::milliseconds(100);
      if (runner_->child.poll()) fault(RunnerEnd::Kind::kExited, "async events", "");
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
  call("set_async_event_handler(NULL)", msg, config_.deadlines.close);
}

std::vector<PluginMetric> IsolatedHost::pluginMetrics() {
  if (!runner_ || restart_.disabled()) return {};
  capnp::MallocMessageBuilder msg;
  msg.initRoot<Request>().setMetrics();
  auto reply = call("get_metrics", msg, config_.deadlines.close);
  if (!reply) return {};
  std::string bad;
  try {
    Reply::Reader r = reply->reader->getRoot<Reply>();
    if (r.which() == Reply::ERROR) return {};  // none this time
    return metricsFromReply(r);
  } catch (const std::exception& e) {
    bad = e.what();
  } catch (const kj::Exception& e) {
    bad = e.getDescription().cStr();
  }
  fault(RunnerEnd::Kind::kMalformed, "get_metrics", visibleText(bad, kShownTextBytes));
  return {};
}

std::string IsolatedHost::lastError() {
  if (!hostError_.empty()) return hostError_;
  if (!runner_) return {};
  capnp::MallocMessageBuilder msg;
  msg.initRoot<Request>().setLastError();
  auto reply = call("get_last_error", msg, config_.deadlines.close);
  return reply ? visibleText(replyText(reply), kShownTextBytes) : hostError_;
}

}  // namespace bulkhead
