#include "protocol/wire_codec.h"

#include "plugin_api/event.h"

namespace bulkhead::wire {

namespace {

constexpr size_t kMaxSourceName = 256;
constexpr size_t kMaxArgKey = 4096;
constexpr size_t kMaxErrorText = 4096;
constexpr uint8_t kBatchLast = 1;
constexpr uint8_t kBatchFieldsFollow = 2;

template <typename W>
void writeHead(W& w, uint32_t seq, std::string_view source, uint32_t nFields, uint32_t nEvents) {
  w.template put<uint32_t>(seq);
  w.template put<uint32_t>(nFields);
  w.template put<uint32_t>(nEvents);
  w.str(source);
}

template <typename W>
void writeFields(W& w, std::span<const FieldRequest> requests) {
  for (const FieldRequest& q : requests) {
    w.template put<uint32_t>(q.fieldId);
    w.template put<uint8_t>(q.argPresent ? 1 : 0);
    w.template put<uint64_t>(q.argIndex);
    w.str(q.argKey);
  }
}

template <typename W>
void writeEvents(W& w, std::span<const EventRef> events) {
  for (const EventRef& e : events) {
    const uint32_t len = eventLen(e.evt);
    w.template put<uint64_t>(e.num);
    w.template put<uint32_t>(len);
    w.bytes(e.evt, len);
  }
}

bool readHead(WireReader& r, DecodedRequest& out, uint32_t& nFields, uint32_t& nEvents) {
  return r.get(out.seq) && r.get(nFields) && r.get(nEvents) && r.str(out.source, kMaxSourceName);
}

bool readEvents(WireReader& r, uint32_t n, DecodedRequest& out) {
  out.events.clear();
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t num = 0;
    uint32_t len = 0;
    std::span<const std::byte> bytes;
    if (!r.get(num) || !r.get(len) || len < kEventHeaderSize || !r.view(len, bytes)) return false;
    auto* evt = reinterpret_cast<const ss_plugin_event*>(bytes.data());
    if (eventLen(evt) != len) return false;
    out.events.push_back(EventRef{evt, num});
  }
  return true;
}

}  // namespace

size_t extractRequestSize(std::string_view source, std::span<const FieldRequest> requests,
                          std::span<const EventRef> events) {
  WireSizer s;
  writeHead(s, 0, source, 0, 0);
  writeFields(s, requests);
  writeEvents(s, events);
  return s.size();
}

bool encodeExtractRequest(WireWriter& w, uint32_t seq, std::string_view source,
                          std::span<const FieldRequest> requests,
                          std::span<const EventRef> events) {
  writeHead(w, seq, source, static_cast<uint32_t>(requests.size()),
            static_cast<uint32_t>(events.size()));
  writeFields(w, requests);
  writeEvents(w, events);
  return w.ok();
}

size_t parseRequestSize(std::string_view source, std::span<const EventRef> events) {
  return extractRequestSize(source, {}, events);
}

bool encodeParseRequest(WireWriter& w, uint32_t seq, std::string_view source,
                        std::span<const EventRef> events) {
  return encodeExtractRequest(w, seq, source, {}, events);
}

bool decodeExtractRequest(WireReader& r, DecodedRequest& out) {
  uint32_t nFields = 0, nEvents = 0;
  if (!readHead(r, out, nFields, nEvents)) return false;
  out.fields.clear();
  for (uint32_t i = 0; i < nFields; ++i) {
    FieldRequest q;
    uint8_t present = 0;
    if (!r.get(q.fieldId) || !r.get(present) || !r.get(q.argIndex) || !r.str(q.argKey, kMaxArgKey)) {
      return false;
    }
    q.argPresent = present != 0;
    out.fields.push_back(std::move(q));
  }
  return readEvents(r, nEvents, out) && r.remaining() == 0;
}

bool decodeParseRequest(WireReader& r, DecodedRequest& out) {
  uint32_t nFields = 0, nEvents = 0;
  if (!readHead(r, out, nFields, nEvents) || nFields != 0) return false;
  out.fields.clear();
  return readEvents(r, nEvents, out) && r.remaining() == 0;
}

size_t extractResultSize(const ExtractResults& results) {
  const size_t cells = results.events() * results.fields();
  size_t values = 0;
  for (size_t e = 0; e < results.events(); ++e) {
    for (size_t f = 0; f < results.fields(); ++f) values += results.values(e, f).size();
  }
  return 5 * sizeof(uint32_t) + cells * sizeof(uint32_t) + values * (sizeof(uint64_t) + 4) +
         results.bytesSize();
}

// Layout: seq, rc, nCells, nValues, nBytes; per cell its value count; per
// value u64 + u32 length (string/buffer bytes follow in order, so offsets
// are implied and cannot point anywhere a runner chooses).
bool encodeExtractResult(WireWriter& w, uint32_t seq, int32_t rc, const ExtractResults& results) {
  const size_t nEvents = results.events(), nFields = results.fields();
  size_t nValues = 0;
  for (size_t e = 0; e < nEvents; ++e) {
    for (size_t f = 0; f < nFields; ++f) nValues += results.values(e, f).size();
  }
  w.put<uint32_t>(seq);
  w.put<int32_t>(rc);
  w.put<uint32_t>(static_cast<uint32_t>(nEvents * nFields));
  w.put<uint32_t>(static_cast<uint32_t>(nValues));
  w.put<uint32_t>(static_cast<uint32_t>(results.bytesSize()));
  for (size_t e = 0; e < nEvents; ++e) {
    for (size_t f = 0; f < nFields; ++f) {
      w.put<uint32_t>(static_cast<uint32_t>(results.values(e, f).size()));
    }
  }
  for (size_t e = 0; e < nEvents; ++e) {
    for (size_t f = 0; f < nFields; ++f) {
      for (const FieldValue& v : results.values(e, f)) {
        w.put<uint64_t>(v.u64);
        w.put<uint32_t>(v.length);
      }
    }
  }
  for (size_t e = 0; e < nEvents; ++e) {
    for (size_t f = 0; f < nFields; ++f) {
      for (const FieldValue& v : results.values(e, f)) {
        std::string_view b = results.bytesOf(v);
        w.bytes(b.data(), b.size());
      }
    }
  }
  return w.ok();
}

std::string decodeExtractResult(WireReader& r, uint32_t expectedSeq, size_t events,
                                std::span<const FieldRequest> requests,
                                const std::vector<FieldDescriptor>& schema, int32_t& rc,
                                ExtractResults& out) {
  out.reset(events, requests.size());
  uint32_t seq = 0, nCells = 0, nValues = 0, nBytes = 0;
  if (!r.get(seq) || !r.get(rc) || !r.get(nCells) || !r.get(nValues) || !r.get(nBytes)) {
    return "truncated extraction result";
  }
  if (seq != expectedSeq) return "extraction result for request " + std::to_string(seq) +
                                 ", expected " + std::to_string(expectedSeq);
  if (rc != SS_PLUGIN_SUCCESS) return nCells == 0 ? "" : "failed extraction with values";
  if (nCells != events * requests.size()) return "extraction result with a wrong cell count";
  // Each value needs 12 bytes of the record: a count beyond that is a lie,
  // refused before anything is sized from it.
  if (nValues > r.remaining() / 12 || nBytes > r.remaining()) {
    return "extraction result counts exceed the record";
  }
  auto& values = out.valueStore();
  values.resize(nValues);
  uint64_t assigned = 0;
  for (size_t e = 0; e < events; ++e) {
    for (size_t f = 0; f < requests.size(); ++f) {
      uint32_t count = 0;
      if (!r.get(count)) return "truncated extraction cells";
      if (count > nValues - assigned) return "extraction cells claim more values than sent";
      if (count > 1 && !schema[requests[f].fieldId].isList) {
        return "several values for the non-list field '" + schema[requests[f].fieldId].name + "'";
      }
      out.cell(e, f) = {static_cast<uint32_t>(assigned), count};
      assigned += count;
    }
  }
  if (assigned != nValues) return "extraction result with unassigned values";
  uint64_t offset = 0;
  for (size_t e = 0; e < events; ++e) {
    for (size_t f = 0; f < requests.size(); ++f) {
      const ss_plugin_field_type type = schema[requests[f].fieldId].type;
      const bool hasBytes = type == FTYPE_STRING || type == FTYPE_IPADDR || type == FTYPE_IPNET;
      const ExtractResults::Cell c = out.cell(e, f);
      for (uint32_t i = 0; i < c.count; ++i) {
        FieldValue& v = values[c.first + i];
        if (!r.get(v.u64) || !r.get(v.length)) return "truncated extraction values";
        if (!hasBytes && v.length != 0) return "a number with a byte length";
        if (type == FTYPE_BOOL) v.u64 = v.u64 != 0;
        if (v.length > nBytes - offset) return "extraction values exceed the byte area";
        v.offset = static_cast<uint32_t>(offset);
        offset += v.length;
      }
    }
  }
  if (offset != nBytes) return "extraction byte area of the wrong size";
  std::span<const std::byte> bytes;
  if (!r.view(nBytes, bytes) || r.remaining() != 0) return "extraction result of the wrong size";
  // Copied once out of shared memory: the runner may rewrite the ring later.
  out.byteStore().assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return {};
}

bool encodeParseResult(WireWriter& w, uint32_t seq, int32_t rc) {
  w.put<uint32_t>(seq);
  w.put<int32_t>(rc);
  return w.ok();
}

std::string decodeParseResult(WireReader& r, uint32_t expectedSeq, int32_t& rc) {
  uint32_t seq = 0;
  if (!r.get(seq) || !r.get(rc) || r.remaining() != 0) return "malformed parse result";
  if (seq != expectedSeq) return "parse result for the wrong request";
  return {};
}

std::string_view batchError(std::string_view error) { return error.substr(0, kMaxErrorText); }

size_t batchHeaderSize(std::string_view error) {
  WireSizer s;
  s.put<int32_t>(0);
  s.put<uint8_t>(0);
  s.put<uint32_t>(0);
  s.str(batchError(error));
  return s.size();
}

size_t maxBatchHeaderSize() { return batchHeaderSize("") + kMaxErrorText; }

bool encodeBatchHeader(WireWriter& w, int32_t rc, bool last, bool fieldsFollow, uint32_t events,
                       std::string_view error) {
  w.put<int32_t>(rc);
  w.put<uint8_t>(static_cast<uint8_t>((last ? kBatchLast : 0) | (fieldsFollow ? kBatchFieldsFollow : 0)));
  w.put<uint32_t>(events);
  w.str(batchError(error));
  return w.ok();
}

bool decodeBatchHeader(WireReader& r, BatchHeader& out) {
  uint8_t flags = 0;
  if (!r.get(out.rc) || !r.get(flags) || !r.get(out.events) ||
      !r.str(out.error, kMaxErrorText) || (flags & ~(kBatchLast | kBatchFieldsFollow)) != 0) {
    return false;
  }
  out.last = (flags & kBatchLast) != 0;
  out.fieldsFollow = (flags & kBatchFieldsFollow) != 0;
  if (out.fieldsFollow && !out.last) return false;
  // Every event is at least a header long: a count the record cannot hold
  // is a lie, whatever the events say.
  if (out.events > r.remaining() / kEventHeaderSize) return false;
  if (!out.last) return out.rc == SS_PLUGIN_SUCCESS && out.error.empty() && out.events > 0;
  return out.rc == SS_PLUGIN_SUCCESS || out.rc == SS_PLUGIN_FAILURE ||
         out.rc == SS_PLUGIN_TIMEOUT || out.rc == SS_PLUGIN_EOF;
}

std::string checkBatchEvents(std::span<uint8_t> bytes, uint32_t count, uint32_t pluginId,
                             uint64_t nowNs, std::vector<size_t>& offsets) {
  size_t at = 0;
  for (uint32_t i = 0; i < count; ++i) {
    // checkSourceEvent bounds the event's own length by what is left.
    std::string bad = checkSourceEvent(bytes.data() + at, bytes.size() - at, pluginId, nowNs);
    if (!bad.empty()) return "event " + std::to_string(i) + " of a batch record: " + bad;
    offsets.push_back(at);
    at += eventLen(reinterpret_cast<const ss_plugin_event*>(bytes.data() + at));
  }
  if (at != bytes.size()) {
    return "batch record of " + std::to_string(count) + " events has " +
           std::to_string(bytes.size() - at) + " bytes left over";
  }
  return {};
}

}  // namespace bulkhead::wire
