// Encoding and checked decoding of the ring records in wire.h. The engine
// side decodes what a runner wrote: every count, offset and length is checked
// against the record before use, and a failed check is the runner's fault.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "plugin_api/plugin_host.h"
#include "protocol/wire.h"

namespace bulkhead::wire {

// ---- requests (engine -> runner) ----

size_t extractRequestSize(std::string_view source, std::span<const FieldRequest> requests,
                          std::span<const EventRef> events);
bool encodeExtractRequest(WireWriter& w, uint32_t seq, std::string_view source,
                          std::span<const FieldRequest> requests, std::span<const EventRef> events);
size_t parseRequestSize(std::string_view source, std::span<const EventRef> events);
bool encodeParseRequest(WireWriter& w, uint32_t seq, std::string_view source,
                        std::span<const EventRef> events);

// A decoded request; events point into the record.
struct DecodedRequest {
  uint32_t seq = 0;
  std::string source;
  std::vector<FieldRequest> fields;  // empty for parse
  std::vector<EventRef> events;
};
bool decodeExtractRequest(WireReader& r, DecodedRequest& out);
bool decodeParseRequest(WireReader& r, DecodedRequest& out);

// ---- responses (runner -> engine) ----

size_t extractResultSize(const ExtractResults& results);
bool encodeExtractResult(WireWriter& w, uint32_t seq, int32_t rc, const ExtractResults& results);
// Fills `out` for `events` x `fields` after checking the record; returns an
// empty string when good, else what is wrong.
std::string decodeExtractResult(WireReader& r, uint32_t expectedSeq, size_t events,
                                std::span<const FieldRequest> requests,
                                const std::vector<FieldDescriptor>& schema, int32_t& rc,
                                ExtractResults& out);

bool encodeParseResult(WireWriter& w, uint32_t seq, int32_t rc);
std::string decodeParseResult(WireReader& r, uint32_t expectedSeq, int32_t& rc);

// ---- source batches (kBatch) ----

// What precedes the events of a kBatch record. `rc` and `error` mean
// something only in the last record of a batch.
struct BatchHeader {
  int32_t rc = 0;
  bool last = false;
  bool fieldsFollow = false;  // a kBatchFields record comes next (last only)
  uint32_t events = 0;
  std::string error;
};
// The error text a batch record carries: at most this long.
std::string_view batchError(std::string_view error);
size_t batchHeaderSize(std::string_view error);
// The largest header a batch record can have (its error text at the limit).
size_t maxBatchHeaderSize();
bool encodeBatchHeader(WireWriter& w, int32_t rc, bool last, bool fieldsFollow, uint32_t events,
                       std::string_view error);
// Reads the header; the reader is then at the first event.
bool decodeBatchHeader(WireReader& r, BatchHeader& out);

// Checks `count` source events lying back to back in `bytes` (the engine's
// own copy of a record's event area) and applies the framework's fix-ups
// (checkSourceEvent). The events must fill `bytes` exactly. Appends each
// event's offset within `bytes` to `offsets`. Empty string when good.
std::string checkBatchEvents(std::span<uint8_t> bytes, uint32_t count, uint32_t pluginId,
                             uint64_t nowNs, std::vector<size_t>& offsets);

}  // namespace bulkhead::wire
