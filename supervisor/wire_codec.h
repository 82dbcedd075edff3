// Encoding and checked decoding of the ring records in wire.h. The engine
// side decodes what a runner wrote: every count, offset and length is checked
// against the record before use, and a failed check is the runner's fault.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "plugin_host.h"
#include "wire.h"

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

// ---- source batches ----
bool encodeBatchEnd(WireWriter& w, int32_t rc, std::string_view error);
bool decodeBatchEnd(WireReader& r, int32_t& rc, std::string& error);

}  // namespace bulkhead::wire
