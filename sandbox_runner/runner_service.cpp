#include "sandbox_runner/runner_service.h"

#include <chrono>
#include <cstdlib>
#include <vector>

#include <capnp/message.h>
#include <spdlog/spdlog.h>

#include "plugin_api/event.h"
#include "protocol/wire.h"
#include "protocol/wire_codec.h"

namespace bulkhead {

namespace {

using std::chrono::milliseconds;
// How long the source thread waits for room in the ring before it looks
// whether the capture was closed.
constexpr milliseconds kWaitSlice{50};
// How long the request thread sleeps on an empty request ring before it
// looks at the ring again. Shutdown cancels the wait; the look is for a
// ring the plugin scribbled over while no request came, which the ring's
// own checks then find (the runner exits and is restarted) rather than
// the next request, whenever that comes. Four looks a second cost an idle
// runner ~0.2 ms of CPU per second.
constexpr milliseconds kRequestIdleSlice{250};
constexpr std::chrono::microseconds kRequestLinger{1000};

RingDeadline sliceDeadline() { return RingClock::now() + kWaitSlice; }

}  // namespace

RunnerService::RunnerService(InProcessHost& host, RingSet& rings, ControlChannel& control)
    : host_(host),
      rings_(rings),
      control_(control),
      board_(rings.ring(wire::kStatusBoard).data),
      source_(rings.ring(wire::kSourceRing)),
      requests_(rings.ring(wire::kRequestRing), wire::tagMask({wire::kExtract, wire::kParse})),
      responses_(rings.ring(wire::kResponseRing)),
      async_(rings.ring(wire::kAsyncRing)) {
  host_.setAsyncSink(&RunnerService::forwardAsync, this);
  sourceThread_ = std::thread([this] { sourceLoop(); });
  requestThread_ = std::thread([this] { requestLoop(); });
}

RunnerService::~RunnerService() {
  stop_ = true;
  {
    std::lock_guard lock(stateMu_);
    state_ = SourceState::kStopping;
  }
  stateCv_.notify_all();
  // After the state: a source write woken here finds it stopping. Every
  // ring a thread of ours may wait on: for a request, for room for a batch,
  // for room for an answer.
  wakeRingWaiters(rings_.ring(wire::kRequestRing));
  wakeRingWaiters(rings_.ring(wire::kSourceRing));
  wakeRingWaiters(rings_.ring(wire::kResponseRing));
  sourceThread_.join();
  requestThread_.join();
}

template <typename Fill, typename Abandon>
bool RunnerService::writeRecord(RingProducer& producer, uint32_t tag, size_t size, Fill&& fill,
                                Abandon&& abandon) {
  if (size > producer.maxPayload()) return false;
  std::span<std::byte> out;
  for (;;) {
    RingStatus s = producer.reserve(tag, static_cast<uint32_t>(size), out, sliceDeadline(), wait_);
    if (s == RingStatus::kOk) break;
    if (s != RingStatus::kTimeout || abandon()) return false;
  }
  fill(out);
  return true;
}

namespace {

// One kBatch record of a batch: events [first, first + count).
struct BatchChunk {
  size_t first = 0;
  size_t count = 0;
  size_t bytes = 0;  // the events' bytes, header excluded
};

// Splits a batch into records of about `target` bytes, so the engine copies
// one while the next is written. Stops before an event that no record can
// hold and says so in `error`.
void planChunks(std::span<const EventRef> events, uint64_t target, uint64_t maxEvent,
                std::vector<BatchChunk>& chunks, std::string& error) {
  chunks.assign(1, BatchChunk{});
  for (size_t i = 0; i < events.size(); ++i) {
    const uint32_t len = eventLen(events[i].evt);
    if (len > maxEvent) {
      error = "plugin_next_batch event " + std::to_string(i) + " is " + std::to_string(len) +
              " bytes, more than the source ring carries (" + std::to_string(maxEvent) + ")";
      break;
    }
    if (chunks.back().count > 0 && chunks.back().bytes + len > target) {
      chunks.push_back(BatchChunk{i, 0, 0});
    }
    chunks.back().count++;
    chunks.back().bytes += len;
  }
}

}  // namespace

void RunnerService::sourceLoop() {
  // Records that did not fit in the ring while the plugin lock was held:
  // copied here (the plugin may reuse its memory), written after it.
  std::vector<std::byte> staged;
  std::vector<std::pair<uint32_t, size_t>> stagedRecords;  // tag, size
  std::vector<BatchChunk> chunks;
  // An event can use a whole record; a batch is cut into records of an
  // eighth of the ring so the engine copies one while the next is written.
  const uint64_t target = source_.maxPayload() / 8;
  for (;;) {
    {
      std::unique_lock lock(stateMu_);
      sourceBusy_ = false;
      stateCv_.notify_all();
      stateCv_.wait(lock, [&] {
        return state_ == SourceState::kOpen || state_ == SourceState::kStopping;
      });
      if (state_ == SourceState::kStopping) return;
      sourceBusy_ = true;
    }
    int32_t rc = SS_PLUGIN_SUCCESS;
    staged.clear();
    stagedRecords.clear();
    // Straight into the ring while it has room, else staged; in order.
    auto emit = [&](uint32_t tag, size_t size, auto&& fill) {
      std::span<std::byte> out;
      const bool direct = stagedRecords.empty() &&
                          source_.tryReserve(tag, static_cast<uint32_t>(size), out) ==
                              RingStatus::kOk;
      if (!direct) {
        staged.resize(staged.size() + size);
        out = std::span<std::byte>(staged).last(size);
        stagedRecords.emplace_back(tag, size);
      }
      wire::WireWriter w(out);
      fill(w);
    };
    waitWhileUrgent();
    {
      std::lock_guard plugin(pluginMu_);
      // Until the batch is in the ring the board says next_batch: the copy
      // reads the plugin's memory too, and a bad event length faults there.
      wire::CallScope call(board_, wire::PluginCall::kNextBatch);
      BatchResult b = host_.nextBatch();
      std::string error;
      if (b.rc == SS_PLUGIN_FAILURE) error = host_.lastError();
      rc = b.rc;
      std::string tooLarge;
      // Room for the largest header: the last record also carries the error.
      planChunks(b.events, target, source_.maxPayload() - wire::maxBatchHeaderSize(), chunks,
                 tooLarge);
      if (!tooLarge.empty()) {
        rc = SS_PLUGIN_FAILURE;
        error = tooLarge;
      }
      size_t sent = 0;
      for (const BatchChunk& c : chunks) sent += c.count;
      // Pre-extraction, while the plugin still holds the batch; shipped
      // only when complete and small enough, else the engine asks.
      bool fields = false;
      if (!preFields_.empty() && sent > 0) {
        board_.set(wire::PluginCall::kExtract);
        fields = host_.extract(b.events.first(sent), preSource_, preFields_, preResults_) ==
                     SS_PLUGIN_SUCCESS &&
                 wire::extractResultSize(preResults_) <= source_.maxPayload();
        board_.set(wire::PluginCall::kNextBatch);
      }
      for (size_t k = 0; k < chunks.size(); ++k) {
        const BatchChunk& c = chunks[k];
        const bool last = k + 1 == chunks.size();
        const std::string_view err = last ? std::string_view(error) : std::string_view();
        emit(wire::kBatch, wire::batchHeaderSize(err) + c.bytes, [&](wire::WireWriter& w) {
          wire::encodeBatchHeader(w, last ? rc : SS_PLUGIN_SUCCESS, last, last && fields,
                                  static_cast<uint32_t>(c.count), err);
          for (size_t i = c.first; i < c.first + c.count; ++i) {
            w.bytes(b.events[i].evt, eventLen(b.events[i].evt));
          }
        });
      }
      if (fields) {
        emit(wire::kBatchFields, wire::extractResultSize(preResults_), [&](wire::WireWriter& w) {
          wire::encodeExtractResult(w, preGeneration_, SS_PLUGIN_SUCCESS, preResults_);
        });
      }
      source_.commit();
    }
    auto abandon = [&] {
      std::lock_guard lock(stateMu_);
      return state_ != SourceState::kOpen;
    };
    size_t offset = 0;
    for (const auto& record : stagedRecords) {
      // Not a structured binding: clang 14 (clang-tidy) cannot capture one.
      const auto tag = record.first;
      const auto size = record.second;
      const bool written = writeRecord(
          source_, tag, size,
          [&](std::span<std::byte> out) { std::memcpy(out.data(), staged.data() + offset, size); },
          abandon);
      if (!written) break;
      offset += size;
    }
    source_.commit();
    if (rc == SS_PLUGIN_EOF || rc == SS_PLUGIN_FAILURE) {
      std::lock_guard lock(stateMu_);
      if (state_ == SourceState::kOpen) state_ = SourceState::kEnded;
    }
  }
}

void RunnerService::setUrgent(bool urgent) {
  {
    std::lock_guard lock(urgentMu_);
    urgent_ = urgent;
  }
  if (!urgent) urgentCv_.notify_all();
}

void RunnerService::waitWhileUrgent() {
  std::unique_lock lock(urgentMu_);
  urgentCv_.wait(lock, [&] { return !urgent_; });
}

void RunnerService::requestLoop() {
  wire::DecodedRequest req;
  ExtractResults results;
  while (!stop_) {
    RingRecord rec;
    RingStatus s = requests_.peek(rec, RingClock::now() + kRequestIdleSlice, wait_);
    if (s == RingStatus::kTimeout) continue;
    // The engine waits for these; the source only works ahead. Until the
    // ring is drained the source thread does not start another next_batch,
    // which may block in the plugin for as long as the plugin likes.
    // A batch brings several requests in a row (parse, then each slice's
    // extraction): the source waits until none has come for kRequestLinger.
    setUrgent(true);
    while (s == RingStatus::kOk) {
      serveRequest(rec, req, results);
      s = requests_.peek(rec, RingClock::now() + kRequestLinger);
    }
    setUrgent(false);
    if (s != RingStatus::kTimeout) {
      spdlog::critical("request ring: {}", ringStatusName(s));
      std::_Exit(3);
    }
  }
}

void RunnerService::serveRequest(const RingRecord& rec, wire::DecodedRequest& req,
                                 ExtractResults& results) {
  wire::WireReader r(rec.payload);
  const bool extract = rec.tag == wire::kExtract;
  if (!(extract ? wire::decodeExtractRequest(r, req) : wire::decodeParseRequest(r, req))) {
    spdlog::critical("malformed request from the supervisor");
    std::_Exit(3);
  }
  int32_t rc = SS_PLUGIN_SUCCESS;
  {
    std::lock_guard plugin(pluginMu_);
    wire::CallScope call(board_, extract ? wire::PluginCall::kExtract : wire::PluginCall::kParse);
    rc = extract ? host_.extract(req.events, req.source, req.fields, results)
                 : host_.parse(req.events, req.source);
  }
  // The events point into the request record: release only after use.
  requests_.release();
  // Shutdown cancels the wait for room: nobody will read the answer.
  auto stopping = [this] { return stop_.load(); };
  if (extract) {
    size_t size = wire::extractResultSize(results);
    if (rc != SS_PLUGIN_SUCCESS || size > responses_.maxPayload()) {
      if (rc == SS_PLUGIN_SUCCESS) {
        spdlog::warn("extraction result of {} bytes exceeds the response ring", size);
      }
      rc = SS_PLUGIN_FAILURE;
      results.reset(0, 0);
      size = wire::extractResultSize(results);
    }
    writeRecord(
        responses_, wire::kExtractResult, size,
        [&](std::span<std::byte> out) {
          wire::WireWriter w(out);
          wire::encodeExtractResult(w, req.seq, rc, results);
        },
        stopping);
  } else {
    writeRecord(
        responses_, wire::kParseResult, 2 * sizeof(uint32_t),
        [&](std::span<std::byte> out) {
          wire::WireWriter w(out);
          wire::encodeParseResult(w, req.seq, rc);
        },
        stopping);
  }
  responses_.commit();
}

bool RunnerService::forwardAsync(void* ctx, const ss_plugin_event* evt, uint32_t len) {
  auto* self = static_cast<RunnerService*>(ctx);
  std::lock_guard lock(self->asyncMu_);
  std::span<std::byte> out;
  // Never block a plugin thread for long: a full ring drops the event, and
  // the drop is counted by the host.
  if (self->async_.reserve(wire::kEvent, len, out, RingClock::now() + milliseconds(10)) !=
      RingStatus::kOk) {
    return false;
  }
  std::memcpy(out.data(), evt, len);
  self->async_.commit();
  return true;
}

void RunnerService::handleControl(Request::Reader req, capnp::MallocMessageBuilder& replyMsg) {
  Reply::Builder reply = replyMsg.initRoot<Reply>();
  try {
    switch (req.which()) {
      case Request::OPEN: {
        std::lock_guard plugin(pluginMu_);
        wire::CallScope call(board_, wire::PluginCall::kOpen);
        host_.open(req.getOpen().cStr());
        // The source starts once the reply is out (run()): a plugin that
        // crashes in its first next_batch must not look like a failed open.
        startSource_ = true;
        reply.setOk();
        break;
      }
      case Request::CLOSE: {
        {
          // The source thread finishes (or abandons) its batch first, so
          // nothing of this capture reaches the ring after the reply.
          std::unique_lock lock(stateMu_);
          if (state_ != SourceState::kStopping) state_ = SourceState::kClosed;
          stateCv_.wait(lock, [&] { return !sourceBusy_; });
        }
        std::lock_guard plugin(pluginMu_);
        wire::CallScope call(board_, wire::PluginCall::kClose);
        host_.close();
        reply.setOk();
        break;
      }
      case Request::PROGRESS: {
        std::lock_guard plugin(pluginMu_);
        wire::CallScope call(board_, wire::PluginCall::kProgress);
        Progress p = host_.progress();
        auto g = reply.initProgress();
        g.setPct(p.pct);
        g.setText(p.text);
        break;
      }
      case Request::EVENT_TO_STRING: {
        auto data = req.getEventToString().getEvent();
        if (data.size() < kEventHeaderSize ||
            eventLen(reinterpret_cast<const ss_plugin_event*>(data.begin())) != data.size()) {
          reply.setError("malformed event");
          break;
        }
        // Cap'n Proto data is 8-byte aligned in the message; the event
        // header is packed, so any alignment would do.
        std::vector<uint8_t> copy(data.begin(), data.end());
        EventRef e{reinterpret_cast<const ss_plugin_event*>(copy.data()), 0};
        std::lock_guard plugin(pluginMu_);
        wire::CallScope call(board_, wire::PluginCall::kEventToString);
        reply.setText(host_.eventToString(e, req.getEventToString().getSource().cStr()));
        break;
      }
      case Request::LAST_ERROR: {
        std::lock_guard plugin(pluginMu_);
        wire::CallScope call(board_, wire::PluginCall::kLastError);
        reply.setText(host_.lastError());
        break;
      }
      case Request::METRICS: {
        std::vector<PluginMetric> metrics;
        {
          std::lock_guard plugin(pluginMu_);
          wire::CallScope call(board_, wire::PluginCall::kMetrics);
          metrics = host_.pluginMetrics();
        }
        auto list = reply.initMetrics(static_cast<unsigned>(metrics.size()));
        for (unsigned i = 0; i < metrics.size(); ++i) {
          list[i].setName(metrics[i].name);
          list[i].setMonotonic(metrics[i].monotonic);
          list[i].setValueType(static_cast<uint8_t>(metrics[i].type));
          list[i].setValue(metrics[i].bits);
        }
        break;
      }
      case Request::PRE_EXTRACT: {
        auto data = req.getPreExtract();
        wire::WireReader r(std::span<const std::byte>(
            reinterpret_cast<const std::byte*>(data.begin()), data.size()));
        wire::DecodedRequest decoded;
        if (!wire::decodeExtractRequest(r, decoded) || !decoded.events.empty()) {
          reply.setError("malformed pre-extraction request");
          break;
        }
        std::lock_guard plugin(pluginMu_);
        preGeneration_ = decoded.seq;
        preSource_ = std::move(decoded.source);
        preFields_ = std::move(decoded.fields);
        reply.setOk();
        break;
      }
      case Request::START_ASYNC: {
        std::lock_guard plugin(pluginMu_);
        wire::CallScope call(board_, wire::PluginCall::kAsync);
        host_.startAsync();
        reply.setOk();
        break;
      }
      case Request::STOP_ASYNC: {
        std::lock_guard plugin(pluginMu_);
        wire::CallScope call(board_, wire::PluginCall::kAsync);
        host_.stopAsync();
        reply.setOk();
        break;
      }
      default:
        reply.setError("unexpected control request");
    }
  } catch (const std::exception& e) {
    reply.setError(e.what());
  }
}

int RunnerService::run() {
  for (;;) {
    ControlMessage msg;
    try {
      msg = control_.receive(ControlChannel::Clock::now() + std::chrono::hours(24 * 365));
    } catch (const ControlError& e) {
      // The supervisor is gone or confused: nothing left to serve.
      spdlog::error("control channel: {}", e.what());
      return e.kind() == ControlError::Kind::kPeerGone ? 0 : 3;
    }
    capnp::MallocMessageBuilder reply;
    try {
      Request::Reader req = msg.reader->getRoot<Request>();
      if (req.which() == Request::SHUTDOWN) {
        reply.initRoot<Reply>().setOk();
        control_.send(reply);
        return 0;
      }
      handleControl(req, reply);
    } catch (const kj::Exception& e) {
      spdlog::error("malformed control request: {}", e.getDescription().cStr());
      return 3;
    }
    control_.send(reply);
    if (startSource_) {
      startSource_ = false;
      {
        std::lock_guard lock(stateMu_);
        state_ = SourceState::kOpen;
      }
      stateCv_.notify_all();
    }
  }
}

}  // namespace bulkhead
