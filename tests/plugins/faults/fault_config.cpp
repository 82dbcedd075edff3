#include "tests/plugins/faults/fault_config.h"

#include <utility>

#include "tests/plugins/common/json_lite.h"

namespace bulkhead::test_plugins {

namespace {

constexpr std::pair<FaultKind, const char*> kKinds[] = {
    {FaultKind::kNone, "none"},
    {FaultKind::kSegv, "segv"},
    {FaultKind::kAbort, "abort"},
    {FaultKind::kExit0, "exit0"},
    {FaultKind::kStackOverflow, "stack_overflow"},
    {FaultKind::kHang, "hang"},
    {FaultKind::kMemoryBomb, "memory_bomb"},
    {FaultKind::kForkBomb, "fork_bomb"},
    {FaultKind::kExecShell, "exec_shell"},
    {FaultKind::kWriteShadow, "write_shadow"},
    {FaultKind::kSocketInet, "socket_inet"},
    {FaultKind::kKillParent, "kill_parent"},
    {FaultKind::kGarbageRings, "garbage_rings"},
    {FaultKind::kBogusLen, "bogus_len"},
    {FaultKind::kBogusNparams, "bogus_nparams"},
    {FaultKind::kNullEvent, "null_event"},
    {FaultKind::kHugeNevts, "huge_nevts"},
    {FaultKind::kNullArray, "null_array"},
    {FaultKind::kEmptySuccess, "empty_success"},
    {FaultKind::kWrongId, "wrong_id"},
    {FaultKind::kBogusRc, "bogus_rc"},
    {FaultKind::kHugeResLen, "huge_res_len"},
    {FaultKind::kNullRes, "null_res"},
    {FaultKind::kMultiValue, "multi_value"},
    {FaultKind::kBadStringPtr, "bad_string_ptr"},
    {FaultKind::kForgeOutput, "forge_output"},
    // Bounds (issue 12)
    {FaultKind::kHugeBatch, "huge_batch"},
    {FaultKind::kManyEvents, "many_events"},
    {FaultKind::kHugeValue, "huge_value"},
    {FaultKind::kHugeAsync, "huge_async"},
    {FaultKind::kPassFd, "pass_fd"},
    {FaultKind::kHostileError, "hostile_error"},
    {FaultKind::kThreadBomb, "thread_bomb"},
    {FaultKind::kCpuHog, "cpu_hog"},
};

constexpr std::pair<FaultCall, const char*> kCalls[] = {
    {FaultCall::kInit, "init"},       {FaultCall::kOpen, "open"},
    {FaultCall::kNextBatch, "next_batch"}, {FaultCall::kExtract, "extract"},
    {FaultCall::kParse, "parse"},     {FaultCall::kAsync, "async"},
    {FaultCall::kSetAsync, "set_async"}, {FaultCall::kDestroy, "destroy"},
};

bool number(const JsonDocument& doc, const JsonValue& v, uint64_t* out) {
  if (v.kind != JsonValue::Kind::kNumber) return false;
  const auto n = parseDecimalU64(doc.raw(v));
  if (!n) return false;
  *out = *n;
  return true;
}

}  // namespace

const char* faultKindName(FaultKind k) {
  for (const auto& [kind, name] : kKinds) {
    if (kind == k) return name;
  }
  return "?";
}

const char* faultCallName(FaultCall c) {
  for (const auto& [call, name] : kCalls) {
    if (call == c) return name;
  }
  return "?";
}

std::optional<FaultConfig> parseFaultConfig(std::string_view json, std::string* error) {
  FaultConfig c;
  if (json.find_first_not_of(" \t\r\n") == std::string_view::npos) return c;
  const auto doc = JsonDocument::parse(json, error);
  if (!doc) return std::nullopt;
  if (doc->root().kind != JsonValue::Kind::kObject) {
    *error = "init config must be a JSON object";
    return std::nullopt;
  }
  for (const auto& [key, value] : doc->root().members) {
    bool ok = false;
    uint64_t n = 0;
    if (key == "fault" || key == "in") {
      for (const auto& [kind, name] : kKinds) {
        if (key == "fault" && value.kind == JsonValue::Kind::kString && value.string == name) {
          c.kind = kind;
          ok = true;
        }
      }
      for (const auto& [call, name] : kCalls) {
        if (key == "in" && value.kind == JsonValue::Kind::kString && value.string == name) {
          c.in = call;
          ok = true;
        }
      }
    } else if (key == "after") {
      ok = number(*doc, value, &c.after);
    } else if (key == "times") {
      ok = number(*doc, value, &c.times);
    } else if (key == "arm_at_ns") {
      ok = number(*doc, value, &c.armAtNs);
    } else if (key == "disarm_at_ns") {
      ok = number(*doc, value, &c.disarmAtNs);
    } else if (key == "pid") {
      ok = number(*doc, value, &n) && n <= INT32_MAX;
      c.pid = static_cast<int64_t>(n);
    } else if (key == "signal") {
      ok = number(*doc, value, &n) && n >= 1 && n <= 64;
      c.signal = static_cast<int>(n);
    } else if (key == "memory_cap_mb") {
      ok = number(*doc, value, &c.memoryCapMb) && c.memoryCapMb > 0;
    } else if (key == "bytes") {
      ok = number(*doc, value, &c.bytes) && c.bytes > 0 && c.bytes <= (uint64_t{1} << 32);
    } else {
      *error = "unknown init config key '" + key + "'";
      return std::nullopt;
    }
    if (!ok) {
      *error = "bad value for init config key '" + key + "'";
      return std::nullopt;
    }
  }
  return c;
}

}  // namespace bulkhead::test_plugins
