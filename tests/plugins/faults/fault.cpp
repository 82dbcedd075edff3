// `fault`: a source + extract + parse + async plugin (id 4242, source
// "fault") that fails on purpose in a chosen API call, as configured by its
// init_config (fault_config.h). With no fault configured, or outside the
// configured call and window, it behaves: it produces counter-like events
// (payload {"seq":N} padded to `size`), extracts fault.seq / fault.msg /
// fault.tags from them, parses every event and, once its async handler is
// set, emits a "fault_tick" async event every millisecond.
//
// Open params: count=N (0: endless, the default), batch=N (default 64),
// size=N (minimum payload bytes), rate=N (events per second; 0: unpaced).
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "plugin_api/plugin_api.h"
#include "tests/plugins/common/event_codec.h"
#include "tests/plugins/common/extract_results.h"
#include "tests/plugins/common/json_lite.h"
#include "tests/plugins/common/open_params.h"
#include "tests/plugins/common/plugin_export.h"
#include "tests/plugins/common/rate_limit.h"
#include "tests/plugins/faults/fault_actions.h"
#include "tests/plugins/faults/fault_config.h"

namespace bulkhead::test_plugins {
namespace {

constexpr uint32_t kFaultId = 4242;
constexpr uint32_t kOtherId = 999;
constexpr uint64_t kMaxBatch = 4096;
constexpr uint64_t kMaxPayloadSize = 1 << 20;
constexpr size_t kCallKinds = static_cast<size_t>(FaultCall::kDestroy) + 1;

enum FieldId : uint32_t { kSeq, kMsg, kTags };

constexpr const char kFields[] = R"([
{"name":"fault.seq","type":"uint64","desc":"Sequence number of the event"},
{"name":"fault.msg","type":"string","desc":"The text 'fault N'"},
{"name":"fault.tags","type":"string","isList":true,"desc":"Tags: fault, even or odd"}
])";

struct Instance {
  RateLimit rate;  // the `rate` open param
  uint64_t count = 0;
  uint64_t batch = 64;
  uint64_t size = 0;
  uint64_t next = 0;
  uint64_t startTs = 0;
  std::vector<uint8_t> arena;
  std::vector<ss_plugin_event*> events;
};

// What a hostile plugin tells the operator: 32 MiB that start with a
// newline and then forge Falco alert lines, with ANSI escapes that clear
// the screen and recolour it, again and again.
constexpr const char kForgedLine[] =
    "\n12:00:00.000000000: Critical forged alert (user=root)\x1b[2J\x1b[31m\r";

std::string hostileText() {
  std::string s;
  s.reserve(32u << 20);
  while (s.size() < (32u << 20)) s += kForgedLine;
  return s;
}

struct State {
  FaultConfig config;
  ss_plugin_owner_t* owner = nullptr;  // for log_fn, kept from init
  ss_plugin_log_fn_t logFn = nullptr;
  std::atomic<uint64_t> calls[kCallKinds] = {};
  std::mutex errorMu;  // the async thread reports too
  std::string lastError;
  std::string errorCopy;
  ExtractResults results;
  GuardedPage guard;
  std::vector<uint64_t> values;
  const char* badStrings[1] = {nullptr};
  std::vector<uint8_t> bogusEvent;
  std::string hugeValue;
  const char* hugeStrings[1] = {nullptr};

  std::thread asyncThread;
  std::atomic<bool> asyncStop{false};

  void setError(std::string e) {
    std::lock_guard lock(errorMu);
    lastError = std::move(e);
  }
  void stopAsync() {
    asyncStop = true;
    if (asyncThread.joinable()) asyncThread.join();
    asyncStop = false;
  }
};

uint64_t realtimeNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

// Says whether this call is to fail; calls are counted only while the fault
// is armed, so "after" counts from the start of the window.
bool shouldFault(State* s, FaultCall call) {
  const FaultConfig& c = s->config;
  if (c.kind == FaultKind::kNone || c.in != call) return false;
  const uint64_t now = realtimeNs();
  if (now < c.armAtNs || now >= c.disarmAtNs) return false;
  const uint64_t n = s->calls[static_cast<size_t>(call)].fetch_add(1);
  return n >= c.after && n - c.after < c.times;
}

// A hostile_error fault in this call: the text is logged and becomes the
// last error; true when the call must fail.
bool hostileError(State* s, FaultCall call) {
  if (s->config.kind != FaultKind::kHostileError || !shouldFault(s, call)) return false;
  std::string text = hostileText();
  if (s->logFn != nullptr) s->logFn(s->owner, kForgedLine, text.c_str(), SS_PLUGIN_LOG_SEV_ERROR);
  s->setError(std::move(text));
  return true;
}

// Runs a process fault; true when the call must fail with the plugin's
// error (a denied or escaped forbidden operation).
bool processFault(State* s) {
  std::string report;
  runProcessFault(s->config, &report);
  if (report.rfind("denied: ", 0) == 0 || report.rfind("escaped: ", 0) == 0) {
    s->setError("fault: " + report);
    return true;
  }
  return false;
}

std::string payloadFor(uint64_t seq, uint64_t size) {
  std::string p = "{\"seq\":" + std::to_string(seq) + "}";
  if (p.size() < size) p.append(size - p.size(), ' ');
  return p;
}

std::optional<uint64_t> seqOf(std::string_view payload) {
  constexpr std::string_view kLead = "{\"seq\":";
  if (payload.substr(0, kLead.size()) != kLead) return std::nullopt;
  payload.remove_prefix(kLead.size());
  const size_t end = payload.find_first_not_of("0123456789");
  if (end == std::string_view::npos || end == 0) return std::nullopt;
  return parseDecimalU64(payload.substr(0, end));
}

void fillBatch(Instance* in, uint64_t n, uint32_t pluginId) {
  in->arena.clear();
  std::vector<size_t> offsets;
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t seq = in->next + i;
    offsets.push_back(appendPluginEvent(&in->arena, in->startTs + seq, pluginId,
                                        payloadFor(seq, in->size)));
  }
  in->events.clear();
  for (size_t off : offsets) {
    in->events.push_back(reinterpret_cast<ss_plugin_event*>(in->arena.data() + off));
  }
  in->next += n;
}

void storeU32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, sizeof v); }

// The size a bounds fault was configured with, else its default.
uint64_t faultBytes(const FaultConfig& c, uint64_t fallback) {
  return c.bytes != 0 ? c.bytes : fallback;
}

// A batch of `n` copies of one event of `payload` bytes: the supervisor
// receives all of them, the plugin holds one.
void repeatedBatch(Instance* in, uint64_t n, uint64_t payload) {
  in->arena.clear();
  appendPluginEvent(&in->arena, in->startTs, kFaultId, payloadFor(0, payload));
  in->events.assign(n, reinterpret_cast<ss_plugin_event*>(in->arena.data()));
}

// Sends fd 0 over the control socket (fd 3, runner_main.cpp) with a 4-byte
// frame prefix: nothing of the protocol passes descriptors.
void passFd(State* s) {
  uint32_t prefix = 0;
  iovec iov{&prefix, sizeof prefix};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  const int fd = 0;
  std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  if (::sendmsg(3, &msg, MSG_NOSIGNAL) < 0) {
    s->setError(std::string("fault: sendmsg(SCM_RIGHTS): ") + std::strerror(errno));
  }
}

// The next_batch misbehaviours that are not process faults.
ss_plugin_rc bogusBatch(State* s, Instance* in, uint32_t* nevts, ss_plugin_event*** evts) {
  switch (s->config.kind) {
    case FaultKind::kBogusLen: {
      // A good 46-byte event at the end of the readable page whose header
      // (and payload length parameter, so it looks consistent) claims 4 KiB
      // more: whoever trusts the header reads into the guard page.
      std::vector<uint8_t> one;
      appendPluginEvent(&one, in->startTs, kFaultId, "{\"seq\":0}");
      uint8_t* at = s->guard.tail(one.size());
      std::memcpy(at, one.data(), one.size());
      const uint32_t len = static_cast<uint32_t>(one.size()) + (4u << 10);
      storeU32(at + 16, len);
      storeU32(at + 30, len - kPluginEventPayloadOffset);
      in->events.assign(1, reinterpret_cast<ss_plugin_event*>(at));
      *nevts = 1;
      *evts = in->events.data();
      return SS_PLUGIN_SUCCESS;
    }
    case FaultKind::kBogusNparams:
      fillBatch(in, 2, kFaultId);
      storeU32(in->arena.data() + 22, 7);
      *nevts = 2;
      *evts = in->events.data();
      return SS_PLUGIN_SUCCESS;
    case FaultKind::kNullEvent:
      fillBatch(in, 2, kFaultId);
      in->events[1] = nullptr;
      *nevts = 2;
      *evts = in->events.data();
      return SS_PLUGIN_SUCCESS;
    case FaultKind::kHugeNevts: {
      // Two good pointers at the end of the readable page; the count says
      // 2^20, so the third read lands in the guard page.
      fillBatch(in, 2, kFaultId);
      auto* arr = reinterpret_cast<ss_plugin_event**>(s->guard.tail(2 * sizeof(void*)));
      arr[0] = in->events[0];
      arr[1] = in->events[1];
      *nevts = 1u << 20;
      *evts = arr;
      return SS_PLUGIN_SUCCESS;
    }
    case FaultKind::kNullArray:
      *nevts = 5;
      *evts = nullptr;
      return SS_PLUGIN_SUCCESS;
    case FaultKind::kEmptySuccess:
      *nevts = 0;
      *evts = nullptr;
      return SS_PLUGIN_SUCCESS;
    case FaultKind::kWrongId:
      fillBatch(in, 2, kOtherId);
      *nevts = 2;
      *evts = in->events.data();
      return SS_PLUGIN_SUCCESS;
    case FaultKind::kBogusRc:
      fillBatch(in, 1, kFaultId);
      *nevts = 1;
      *evts = in->events.data();
      return static_cast<ss_plugin_rc>(12345);
    case FaultKind::kHugeBatch: {
      constexpr uint64_t kEventBytes = 8u << 10;
      repeatedBatch(in, faultBytes(s->config, 256u << 20) / kEventBytes + 1, kEventBytes);
      *nevts = static_cast<uint32_t>(in->events.size());
      *evts = in->events.data();
      return SS_PLUGIN_SUCCESS;
    }
    case FaultKind::kManyEvents:
      repeatedBatch(in, 1u << 20, 0);
      *nevts = static_cast<uint32_t>(in->events.size());
      *evts = in->events.data();
      return SS_PLUGIN_SUCCESS;
    default:
      return SS_PLUGIN_SUCCESS;
  }
}

// The extract_fields misbehaviours; true when one was applied.
bool bogusExtract(State* s, const ss_plugin_field_extract_input* in) {
  for (uint32_t i = 0; i < in->num_fields; ++i) {
    ss_plugin_extract_field* f = &in->fields[i];
    switch (s->config.kind) {
      case FaultKind::kHugeResLen:
        s->values.assign(1, 1);
        f->res.u64 = s->values.data();
        f->res_len = uint64_t{1} << 40;
        break;
      case FaultKind::kNullRes:
        f->res.u64 = nullptr;
        f->res_len = 1;
        break;
      case FaultKind::kMultiValue:
        s->values.assign({1, 2, 3});
        f->res.u64 = s->values.data();
        f->res_len = 3;
        break;
      case FaultKind::kHugeValue:
        // Pointed at, not copied: the runner's own copy is the one to bound.
        if (s->hugeValue.empty()) s->hugeValue.assign(faultBytes(s->config, 256u << 20), 'v');
        s->hugeStrings[0] = s->hugeValue.c_str();
        s->values.assign(1, 1);
        if (f->ftype == FTYPE_STRING) {
          f->res.str = s->hugeStrings;
        } else {
          f->res.u64 = s->values.data();
        }
        f->res_len = 1;
        break;
      case FaultKind::kBadStringPtr:
        s->badStrings[0] = reinterpret_cast<const char*>(s->guard.guard());
        if (f->ftype == FTYPE_STRING) {
          f->res.str = s->badStrings;
        } else {
          f->res.u64 = reinterpret_cast<uint64_t*>(s->guard.guard());
        }
        f->res_len = 1;
        break;
      default:
        return false;
    }
  }
  return true;
}

void extractOne(State* s, const PluginEventView& ev, ss_plugin_extract_field* f) {
  const auto seq = seqOf(ev.payload);
  if (!seq) return s->results.setNone(f);
  switch (f->field_id) {
    case kSeq:
      return s->results.setU64(f, *seq);
    case kMsg:
      return s->results.setString(f, "fault " + std::to_string(*seq));
    case kTags:
      return s->results.setStrings(f, {"fault", *seq % 2 == 0 ? "even" : "odd"});
    default:
      return s->results.setNone(f);
  }
}

void asyncLoop(State* s, ss_plugin_owner_t* owner, ss_plugin_async_event_handler_t handler) {
  char err[PLUGIN_MAX_ERRLEN];
  for (uint64_t tick = 0; !s->asyncStop; ++tick) {
    std::string data = "{\"tick\":" + std::to_string(tick) + "}";
    if (shouldFault(s, FaultCall::kAsync)) {
      if (isProcessFault(s->config.kind) && processFault(s)) return;
      if (s->config.kind == FaultKind::kHugeAsync) {
        data.append(faultBytes(s->config, 256u << 10), ' ');
      }
    }
    const auto evt = makeAsyncEvent(UINT64_MAX, "fault_tick", data);
    handler(owner, reinterpret_cast<const ss_plugin_event*>(evt.data()), err);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace
}  // namespace bulkhead::test_plugins

using bulkhead::test_plugins::FaultCall;
using bulkhead::test_plugins::FaultKind;
using bulkhead::test_plugins::Instance;
using bulkhead::test_plugins::State;
namespace tp = bulkhead::test_plugins;

BULKHEAD_PLUGIN_EXPORT const char* plugin_get_required_api_version() { return "3.0.0"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_version() { return "0.1.0"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_name() { return "fault"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_description() {
  return "Fails on purpose in a chosen API call, for bulkhead's fault tests";
}
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_contact() { return "bulkhead project"; }
BULKHEAD_PLUGIN_EXPORT uint32_t plugin_get_id() { return tp::kFaultId; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_event_source() { return "fault"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_fields() { return tp::kFields; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_parse_event_sources() { return "[\"fault\"]"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_async_events() { return "[\"fault_tick\"]"; }
BULKHEAD_PLUGIN_EXPORT const char* plugin_get_async_event_sources() { return "[\"fault\"]"; }

BULKHEAD_PLUGIN_EXPORT ss_plugin_t* plugin_init(const ss_plugin_init_input* in, ss_plugin_rc* rc) {
  try {
    auto s = std::make_unique<State>();
    std::string err;
    const auto config = tp::parseFaultConfig(in != nullptr && in->config != nullptr ? in->config : "",
                                             &err);
    *rc = SS_PLUGIN_FAILURE;
    if (!config) {
      s->lastError = "fault: " + err;
    } else if (!s->guard.ok()) {
      s->lastError = "fault: could not map the guard pages";
    } else {
      s->config = *config;
      s->owner = in->owner;
      s->logFn = in->log_fn;
      *rc = tp::hostileError(s.get(), FaultCall::kInit) ? SS_PLUGIN_FAILURE : SS_PLUGIN_SUCCESS;
      if (tp::shouldFault(s.get(), FaultCall::kInit) && tp::isProcessFault(s->config.kind) &&
          tp::processFault(s.get())) {
        *rc = SS_PLUGIN_FAILURE;
      }
    }
    return s.release();
  } catch (const std::exception&) {
    *rc = SS_PLUGIN_FAILURE;
    return nullptr;
  }
}

BULKHEAD_PLUGIN_EXPORT void plugin_destroy(ss_plugin_t* st) {
  auto* s = static_cast<State*>(st);
  s->stopAsync();
  if (tp::shouldFault(s, FaultCall::kDestroy) && tp::isProcessFault(s->config.kind)) {
    tp::processFault(s);
  }
  delete s;
}

BULKHEAD_PLUGIN_EXPORT const char* plugin_get_last_error(ss_plugin_t* st) {
  auto* s = static_cast<State*>(st);
  std::lock_guard lock(s->errorMu);
  s->errorCopy = s->lastError;
  return s->errorCopy.c_str();
}

BULKHEAD_PLUGIN_EXPORT ss_instance_t* plugin_open(ss_plugin_t* st, const char* params,
                                                  ss_plugin_rc* rc) {
  auto* s = static_cast<State*>(st);
  *rc = SS_PLUGIN_FAILURE;
  if (tp::hostileError(s, FaultCall::kOpen)) return nullptr;
  if (tp::shouldFault(s, FaultCall::kOpen) && tp::isProcessFault(s->config.kind) &&
      tp::processFault(s)) {
    return nullptr;
  }
  try {
    auto in = std::make_unique<Instance>();
    std::string err;
    const auto kv = tp::parseKeyValues(params != nullptr ? params : "", &err);
    std::optional<uint64_t> count, batch, size, rate;
    if (kv) {
      for (const auto& [key, value] : *kv) {
        if (key != "count" && key != "batch" && key != "size" && key != "rate") {
          err = "unknown parameter '" + key + "' (expected count, batch, size, rate)";
        }
      }
      rate = tp::getU64(*kv, "rate", 0, 0, 1000000000, &err);
      count = tp::getU64(*kv, "count", 0, 0, UINT64_MAX, &err);
      batch = tp::getU64(*kv, "batch", 64, 1, tp::kMaxBatch, &err);
      size = tp::getU64(*kv, "size", 0, 0, tp::kMaxPayloadSize, &err);
    }
    if (!kv || !count || !batch || !size || !rate || !err.empty()) {
      s->setError("fault: bad open params: " + err);
      return nullptr;
    }
    in->count = *count;
    in->batch = *batch;
    in->size = *size;
    in->startTs = tp::realtimeNs();
    in->rate.start(*rate);
    *rc = SS_PLUGIN_SUCCESS;
    return in.release();
  } catch (const std::exception& e) {
    s->setError(std::string("fault: open failed: ") + e.what());
    return nullptr;
  }
}

BULKHEAD_PLUGIN_EXPORT void plugin_close(ss_plugin_t*, ss_instance_t* h) {
  delete static_cast<Instance*>(h);
}

BULKHEAD_PLUGIN_EXPORT ss_plugin_rc plugin_next_batch(ss_plugin_t* st, ss_instance_t* h,
                                                      uint32_t* nevts, ss_plugin_event*** evts) {
  auto* s = static_cast<State*>(st);
  auto* in = static_cast<Instance*>(h);
  *nevts = 0;
  *evts = nullptr;
  if (tp::hostileError(s, FaultCall::kNextBatch)) return SS_PLUGIN_FAILURE;
  if (tp::shouldFault(s, FaultCall::kNextBatch)) {
    if (tp::isProcessFault(s->config.kind)) {
      if (tp::processFault(s)) return SS_PLUGIN_FAILURE;
    } else if (s->config.kind == FaultKind::kPassFd) {
      tp::passFd(s);  // then a good batch: the descriptor is what is wrong
    } else {
      return tp::bogusBatch(s, in, nevts, evts);
    }
  }
  if (in->count != 0 && in->next >= in->count) return SS_PLUGIN_EOF;
  try {
    uint64_t n = in->batch;
    if (in->count != 0) n = std::min(n, in->count - in->next);
    n = in->rate.allow(in->next, n);
    if (n == 0) return SS_PLUGIN_TIMEOUT;
    tp::fillBatch(in, n, tp::kFaultId);
    *nevts = static_cast<uint32_t>(n);
    *evts = in->events.data();
    return SS_PLUGIN_SUCCESS;
  } catch (const std::exception& e) {
    s->setError(std::string("fault: next_batch failed: ") + e.what());
    return SS_PLUGIN_FAILURE;
  }
}

BULKHEAD_PLUGIN_EXPORT ss_plugin_rc plugin_extract_fields(ss_plugin_t* st,
                                                          const ss_plugin_event_input* evt,
                                                          const ss_plugin_field_extract_input* in) {
  auto* s = static_cast<State*>(st);
  if (tp::shouldFault(s, FaultCall::kExtract)) {
    if (tp::isProcessFault(s->config.kind)) {
      if (tp::processFault(s)) return SS_PLUGIN_FAILURE;
    } else if (tp::bogusExtract(s, in)) {
      return SS_PLUGIN_SUCCESS;
    }
  }
  try {
    s->results.reset();
    const auto ev = tp::readPluginEvent(evt->evt);
    for (uint32_t i = 0; i < in->num_fields; ++i) {
      if (ev) {
        tp::extractOne(s, *ev, &in->fields[i]);
      } else {
        s->results.setNone(&in->fields[i]);
      }
    }
    return SS_PLUGIN_SUCCESS;
  } catch (const std::exception& e) {
    s->setError(std::string("fault: extract_fields failed: ") + e.what());
    return SS_PLUGIN_FAILURE;
  }
}

BULKHEAD_PLUGIN_EXPORT ss_plugin_rc plugin_parse_event(ss_plugin_t* st, const ss_plugin_event_input*,
                                                       const ss_plugin_event_parse_input*) {
  auto* s = static_cast<State*>(st);
  if (tp::shouldFault(s, FaultCall::kParse) && tp::isProcessFault(s->config.kind) &&
      tp::processFault(s)) {
    return SS_PLUGIN_FAILURE;
  }
  return SS_PLUGIN_SUCCESS;
}

BULKHEAD_PLUGIN_EXPORT ss_plugin_rc plugin_set_async_event_handler(
    ss_plugin_t* st, ss_plugin_owner_t* owner, ss_plugin_async_event_handler_t handler) {
  auto* s = static_cast<State*>(st);
  if (handler != nullptr && tp::shouldFault(s, FaultCall::kSetAsync) &&
      tp::isProcessFault(s->config.kind) && tp::processFault(s)) {
    return SS_PLUGIN_FAILURE;
  }
  s->stopAsync();
  if (handler == nullptr) return SS_PLUGIN_SUCCESS;
  try {
    s->asyncThread = std::thread(tp::asyncLoop, s, owner, handler);
    return SS_PLUGIN_SUCCESS;
  } catch (const std::exception& e) {
    s->setError(std::string("fault: cannot start the async thread: ") + e.what());
    return SS_PLUGIN_FAILURE;
  }
}
