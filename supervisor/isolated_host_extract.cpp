// IsolatedHost's field extraction: values shipped with the batch
// (pre-extraction), requests queued ahead of need, and the blocking path
// that splits a request too large for one ring record.
#include <algorithm>
#include <functional>

#include <capnp/message.h>
#include <spdlog/spdlog.h>

#include "protocol/control.capnp.h"
#include "protocol/wire.h"
#include "protocol/wire_codec.h"
#include "supervisor/isolated_host.h"

namespace bulkhead {

using Clock = std::chrono::steady_clock;

bool IsolatedHost::sendPreExtract() {
  if (preRequests_.empty()) return true;
  const size_t size = wire::extractRequestSize(preSource_, preRequests_, {});
  std::vector<std::byte> data(size);
  wire::WireWriter w(data);
  wire::encodeExtractRequest(w, preGeneration_, preSource_, preRequests_, {});
  capnp::MallocMessageBuilder msg;
  msg.initRoot<Request>().setPreExtract(
      kj::arrayPtr(reinterpret_cast<const kj::byte*>(data.data()), data.size()));
  auto reply = call("pre-extraction setup", msg, config_.deadlines.close);
  if (!reply) return false;
  try {
    if (reply->reader->getRoot<Reply>().which() == Reply::OK) return true;
  } catch (const kj::Exception&) {
  }
  // The runner refused what this host encoded: not worth a fault, but the
  // values would never come; stop asking.
  spdlog::warn("plugin '{}': the runner refused pre-extraction; fields are asked per batch",
               shownName_);
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

ss_plugin_rc IsolatedHost::extractChunk(std::span<const EventRef> events, std::string_view source,
                                        std::span<const FieldRequest> requests,
                                        ExtractResults& out) {
  // extract() emptied the queue first: the answer read is this request's.
  if (!queueExtract(events, source, requests)) return SS_PLUGIN_FAILURE;
  return readQueued(out);
}

bool IsolatedHost::checkRequests(std::span<const FieldRequest> requests) {
  if (!info_.has(CAP_EXTRACTION)) {
    hostError_ = "plugin '" + shownName_ + "' has no field extraction";
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
  // Also the request's start for the latency histogram: the clock is read
  // for the deadline anyway.
  const Clock::time_point sent = Clock::now();
  const RingStatus s =
      runner_->requests.reserve(wire::kExtract, static_cast<uint32_t>(size), buf,
                                sent + config_.deadlines.extract, runner_->wait());
  if (s != RingStatus::kOk) {
    ringFault(s, "extract_fields", config_.deadlines.extract);
    return false;
  }
  wire::WireWriter w(buf);
  wire::encodeExtractRequest(w, seq, source, requests, events);
  runner_->requests.commit();
  queued_.push_back(QueuedExtract{seq, events.size(), requests, sent});
  return true;
}

ss_plugin_rc IsolatedHost::readQueued(ExtractResults& out) {
  const QueuedExtract q = queued_.front();
  queued_.pop_front();
  out.reset(q.events, q.requests.size());
  RingRecord response;
  const RingStatus s = runner_->responses.peek(
      response, Clock::now() + config_.deadlines.extract, runner_->wait());
  if (s != RingStatus::kOk) {
    ringFault(s, "extract_fields", config_.deadlines.extract);
    return SS_PLUGIN_FAILURE;
  }
  noteFill(kResponseRing, runner_->responses);
  // One clock read per request record (a batch slice), not per event.
  counters_.extractLatency.record(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - q.sent).count()));
  int32_t rc = SS_PLUGIN_FAILURE;
  std::string bad = response.tag != wire::kExtractResult ? "a parse result for an extraction"
                                                          : std::string();
  if (bad.empty()) {
    bad = overBound("extract_mb", response.payload.size(), config_.bounds.extractBytes);
  }
  if (bad.empty()) {
    wire::WireReader r(response.payload);
    bad = wire::decodeExtractResult(r, q.seq, q.events, q.requests, info_.fields, rc, out);
  }
  runner_->responses.release();
  if (!bad.empty()) {
    fault(RunnerEnd::Kind::kMalformed, "extract_fields", bad);
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
    if (rc == SS_PLUGIN_SUCCESS && begin > 0) {
      // Each chunk is within the bound, their sum need not be (and the
      // byte offsets of `out` are 32-bit).
      if (std::string over = overBound("extract_mb", out.byteStore().size() +
                                                         chunk_.byteStore().size(),
                                       config_.bounds.extractBytes);
          !over.empty()) {
        fault(RunnerEnd::Kind::kMalformed, "extract_fields", "extraction answer " + over);
        out.reset(events.size(), requests.size());
        return lose(events.size());
      }
    }
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

}  // namespace bulkhead
