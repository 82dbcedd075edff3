#include "plugin_api/inprocess_host.h"

#include <algorithm>
#include <cctype>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "plugin_api/event.h"
#include "plugin_api/version.h"
#include "plugin_api/visible_text.h"

namespace bulkhead {

namespace {

// Event code sets (plugin-abi.md §5): an empty set from the plugin means
// every code when its sources include the syscall stream, else only 322.
std::vector<bool> eventTypeSet(const uint16_t* types, uint32_t n,
                               const std::vector<std::string>& sources) {
  std::vector<bool> set;
  if (types != nullptr && n > 0) {
    set.assign(65536, false);
    for (uint32_t i = 0; i < n; ++i) set[types[i]] = true;
    return set;
  }
  const bool syscall =
      sources.empty() || std::find(sources.begin(), sources.end(), "syscall") != sources.end();
  if (syscall) return set;  // empty: every code
  set.assign(65536, false);
  set[PPME_PLUGINEVENT_E] = true;
  return set;
}

bool accepts(const std::vector<bool>& set, const ss_plugin_event* e) {
  return set.empty() || set[eventType(e)];
}

}  // namespace

InProcessHost::InProcessHost(const PluginSpec& spec)
    : lib_(PluginLibrary::load(spec.libraryPath, spec.loadPath)),
      sym_(lib_->sym()),
      info_(lib_->info()),
      owner_(lib_->info().name, this) {
  std::string config = spec.initConfig;
  if (!info_.initSchema.empty()) {
    // The framework hands JSON-schema plugins "{}" for an empty config and
    // refuses a config that is not JSON at all.
    if (config.empty()) config = "{}";
    boost::system::error_code ec;
    boost::json::parse(config, ec);
    if (ec) {
      throw PluginError(lib_->who() + ": init_config is not valid JSON (" + ec.message() +
                        "), but the plugin declares a JSON schema for it");
    }
  }
  ss_plugin_init_input in{};
  in.config = config.c_str();
  in.owner = owner_.owner();
  in.get_owner_last_error = &PluginOwner::getOwnerLastError;
  in.tables = info_.has(CAP_EXTRACTION) || info_.has(CAP_PARSING) ? owner_.tablesInput() : nullptr;
  in.log_fn = &PluginOwner::log;
  ss_plugin_rc rc = SS_PLUGIN_FAILURE;
  state_ = sym_.init(&in, &rc);
  if (rc != SS_PLUGIN_SUCCESS) {
    std::string err = state_ != nullptr ? pluginError() : std::string("(no state, no error message)");
    if (state_ != nullptr) sym_.destroy(state_);
    state_ = nullptr;
    throw PluginError("could not initialize " + lib_->who() + ": " + err);
  }
  readEventTypes();
}

InProcessHost::~InProcessHost() { shutdown(); }

void InProcessHost::shutdown() {
  stopAsync();
  close();
  if (state_ != nullptr) sym_.destroy(state_);
  state_ = nullptr;
}

std::string InProcessHost::pluginError() const {
  // A view, not a copy: the text may be megabytes, of which 4 KiB is shown.
  const char* e = sym_.get_last_error(state_);
  return visibleText(e != nullptr ? std::string_view(e) : std::string_view(), kShownTextBytes);
}

void InProcessHost::readEventTypes() {
  if (info_.has(CAP_EXTRACTION)) {
    uint32_t n = 0;
    const uint16_t* types = sym_.get_extract_event_types != nullptr
                                ? sym_.get_extract_event_types(&n, state_)
                                : nullptr;
    extractTypes_ = eventTypeSet(types, n, info_.extractEventSources);
    if (types != nullptr) info_.extractEventTypes.assign(types, types + n);
  }
  if (info_.has(CAP_PARSING)) {
    uint32_t n = 0;
    const uint16_t* types =
        sym_.get_parse_event_types != nullptr ? sym_.get_parse_event_types(&n, state_) : nullptr;
    parseTypes_ = eventTypeSet(types, n, info_.parseEventSources);
    if (types != nullptr) info_.parseEventTypes.assign(types, types + n);
  }
}

void InProcessHost::open(std::string_view params) {
  if (!info_.has(CAP_SOURCING)) throw PluginError(lib_->who() + " has no event sourcing");
  close();
  std::string p(params);
  ss_plugin_rc rc = SS_PLUGIN_FAILURE;
  instance_ = sym_.open(state_, p.c_str(), &rc);
  if (rc != SS_PLUGIN_SUCCESS) {
    std::string err = pluginError();
    // The framework closes even a failed open; the handle may be NULL.
    sym_.close(state_, instance_);
    instance_ = nullptr;
    throw PluginError("could not open " + lib_->who() + " with params '" +
                      visibleText(p, kShownTextBytes) + "': " + err);
  }
  opened_ = true;
  hostError_.clear();
}

void InProcessHost::close() {
  if (!opened_) return;
  batch_.clear();
  sym_.close(state_, instance_);
  instance_ = nullptr;
  opened_ = false;
}

BatchResult InProcessHost::nextBatch() {
  batch_.clear();
  if (!opened_) {
    hostError_ = "next_batch called without an open capture";
    return {SS_PLUGIN_FAILURE, {}};
  }
  uint32_t n = 0;
  ss_plugin_event** evts = nullptr;
  ss_plugin_rc rc = sym_.next_batch(state_, instance_, &n, &evts);
  if (rc != SS_PLUGIN_SUCCESS && rc != SS_PLUGIN_FAILURE && rc != SS_PLUGIN_TIMEOUT &&
      rc != SS_PLUGIN_EOF) {
    hostError_ = "plugin_next_batch returned the unknown code " +
                 std::to_string(static_cast<int>(rc));
    return {SS_PLUGIN_FAILURE, {}};
  }
  if (rc == SS_PLUGIN_SUCCESS && n == 0) {
    hostError_ = "plugin_next_batch returned SUCCESS with no event";
    return {SS_PLUGIN_FAILURE, {}};
  }
  if (n > 0 && evts == nullptr) {
    hostError_ = "plugin_next_batch returned " + std::to_string(n) + " events and no array";
    return {SS_PLUGIN_FAILURE, {}};
  }
  const uint64_t now = wallClockNs();
  batch_.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    ss_plugin_event* e = evts[i];
    // In-process, the event's extent is whatever its header says: the plugin
    // shares our address space, so this host trusts it as Falco does.
    std::string bad = e == nullptr ? "null event pointer"
                                   : checkSourceEvent(e, eventLen(e),
                                                      info_.id, now);
    if (!bad.empty()) {
      hostError_ = "plugin_next_batch event " + std::to_string(i) + ": " + bad;
      batch_.clear();
      return {SS_PLUGIN_FAILURE, {}};
    }
    batch_.push_back(EventRef{e, nextEventNum_++});
  }
  if (rc == SS_PLUGIN_FAILURE) hostError_.clear();  // the plugin's own error is the one to show
  counters_.batches++;
  counters_.events += n;
  return {rc, batch_};
}

Progress InProcessHost::progress() {
  Progress p;
  if (sym_.get_progress == nullptr || !opened_) return p;
  p.text = pluginString(sym_.get_progress(state_, instance_, &p.pct));
  return p;
}

std::vector<PluginMetric> InProcessHost::pluginMetrics() {
  if (sym_.get_metrics == nullptr || state_ == nullptr) return {};
  // 3.5 declared the metric enums with other numbers; 3.6 made them usable.
  const std::optional<SemVer> required = SemVer::parse(info().requiredApiVersion);
  if (!required || *required < SemVer{3, 6, 0}) return {};
  uint32_t n = 0;
  const ss_plugin_metric* m = sym_.get_metrics(state_, &n);
  return copyPluginMetrics(m, n, info().name);
}

void InProcessHost::setSource(std::string_view source) {
  if (source != source_) source_.assign(source);
}

std::string InProcessHost::eventToString(const EventRef& e, std::string_view source) {
  if (sym_.event_to_string != nullptr) {
    setSource(source);
    ss_plugin_event_input in{e.evt, e.num, source_.c_str()};
    return pluginString(sym_.event_to_string(state_, &in));
  }
  // The framework's fallback: the payload if printable, else "<binary>".
  std::string_view data = eventType(e.evt) == PPME_PLUGINEVENT_E ? pluginEventPayload(e.evt)
                                                                 : std::string_view();
  std::string out = "datalen=" + std::to_string(data.size()) + " data=";
  std::string_view head = data.substr(0, 50);
  bool printable = std::all_of(head.begin(), head.end(),
                               [](char c) { return std::isprint(static_cast<unsigned char>(c)); });
  out += printable ? std::string(head) : std::string("<binary>");
  return out;
}

bool InProcessHost::copyValues(const ss_plugin_extract_field& f, ExtractResults& out,
                               ExtractResults::Cell& cell) {
  if (f.res_len == 0) return true;
  if (f.res_len > kMaxValuesPerField || f.res.str == nullptr) return false;
  // Several values for a field its schema says is not a list: refused
  // here as the isolated host refuses it, so both answer alike.
  if (f.res_len > 1 && f.flist == 0) return false;
  auto& values = out.valueStore();
  auto& bytes = out.byteStore();
  cell.first = static_cast<uint32_t>(values.size());
  cell.count = static_cast<uint32_t>(f.res_len);
  for (uint64_t i = 0; i < f.res_len; ++i) {
    FieldValue v;
    switch (f.ftype) {
      case FTYPE_STRING: {
        const char* s = f.res.str[i];
        std::string_view sv = s != nullptr ? std::string_view(s) : std::string_view();
        if (bytes.size() + sv.size() > kMaxResultBytes) return false;
        v.offset = static_cast<uint32_t>(bytes.size());
        v.length = static_cast<uint32_t>(sv.size());
        bytes.append(sv);
        break;
      }
      case FTYPE_BOOL:
        v.u64 = f.res.boolean[i] != 0;
        break;
      case FTYPE_IPADDR:
      case FTYPE_IPNET: {
        const ss_plugin_byte_buffer& b = f.res.buf[i];
        if (b.len > 0 && b.ptr == nullptr) return false;
        if (bytes.size() + b.len > kMaxResultBytes) return false;
        v.offset = static_cast<uint32_t>(bytes.size());
        v.length = b.len;
        bytes.append(static_cast<const char*>(b.ptr), b.len);
        break;
      }
      default:  // UINT64, RELTIME, ABSTIME
        v.u64 = f.res.u64[i];
        break;
    }
    values.push_back(v);
  }
  return true;
}

ss_plugin_rc InProcessHost::extract(std::span<const EventRef> events, std::string_view source,
                                    std::span<const FieldRequest> requests, ExtractResults& out) {
  out.reset(events.size(), requests.size());
  if (!info_.has(CAP_EXTRACTION)) {
    hostError_ = lib_->who() + " has no field extraction";
    return SS_PLUGIN_FAILURE;
  }
  counters_.extractions += events.size() * requests.size();
  // Plugins built on plugin-sdk-go (json, k8saudit, cloudtrail) keep one
  // result buffer per field id: two requests of one id in one call (the
  // same field under two arguments) would both read the value written last.
  // Falco asks for one field per call; the requests go in rounds instead,
  // each with every field id at most once, so the common case stays one
  // call per event.
  const size_t nFields = info_.fields.size();
  idUses_.assign(nFields, 0);
  size_t rounds = 0;  // the most requests any one field id has
  for (const FieldRequest& q : requests) {
    if (q.fieldId >= nFields) {
      hostError_ = "extract request for field id " + std::to_string(q.fieldId) + " of " +
                   std::to_string(nFields);
      return SS_PLUGIN_FAILURE;
    }
    rounds = std::max<size_t>(rounds, ++idUses_[q.fieldId]);
  }
  fieldSlots_.resize(requests.size());
  slotRequest_.clear();
  roundEnds_.clear();
  for (size_t round = 0; round < rounds; ++round) {
    std::fill(idUses_.begin(), idUses_.end(), 0);
    for (size_t r = 0; r < requests.size(); ++r) {
      // Request r is in the round equal to the number of earlier requests
      // of its field id.
      if (idUses_[requests[r].fieldId]++ == round) slotRequest_.push_back(r);
    }
    roundEnds_.push_back(slotRequest_.size());
  }
  for (size_t k = 0; k < slotRequest_.size(); ++k) {
    const FieldRequest& q = requests[slotRequest_[k]];
    const FieldDescriptor& d = info_.fields[q.fieldId];
    ss_plugin_extract_field& f = fieldSlots_[k];
    f = ss_plugin_extract_field{};
    f.field_id = q.fieldId;
    f.field = d.name.c_str();
    f.arg_key = q.argPresent ? q.argKey.c_str() : nullptr;
    f.arg_index = q.argPresent ? q.argIndex : 0;
    f.arg_present = q.argPresent;
    f.ftype = d.type;
    f.flist = d.isList;
  }
  setSource(source);
  ss_plugin_field_extract_input in{};
  in.owner = owner_.owner();
  in.get_owner_last_error = &PluginOwner::getOwnerLastError;
  in.table_reader = owner_.reader();
  in.table_reader_ext = owner_.readerExt();
  in.value_offsets = nullptr;
  for (size_t e = 0; e < events.size(); ++e) {
    if (!accepts(extractTypes_, events[e].evt)) continue;
    ss_plugin_event_input ev{events[e].evt, events[e].num, source_.c_str()};
    size_t begin = 0;
    for (size_t end : roundEnds_) {
      for (size_t k = begin; k < end; ++k) fieldSlots_[k].res_len = 0;
      in.num_fields = static_cast<uint32_t>(end - begin);
      in.fields = fieldSlots_.data() + begin;
      // A failed call leaves this round's cells empty: no value.
      if (sym_.extract_fields(state_, &ev, &in) == SS_PLUGIN_SUCCESS) {
        // Copy now: the plugin may reuse its result memory on the next call.
        for (size_t k = begin; k < end; ++k) {
          const size_t r = slotRequest_[k];
          if (!copyValues(fieldSlots_[k], out, out.cell(e, r))) {
            hostError_ = "plugin_extract_fields returned an oversized or malformed value for '" +
                         visibleText(info_.fields[requests[r].fieldId].name, kShownNameBytes) +
                         "'";
            out.reset(events.size(), requests.size());
            return SS_PLUGIN_FAILURE;
          }
        }
      }
      begin = end;
    }
  }
  return SS_PLUGIN_SUCCESS;
}

ss_plugin_rc InProcessHost::parse(std::span<const EventRef> events, std::string_view source) {
  if (!info_.has(CAP_PARSING)) return SS_PLUGIN_NOT_SUPPORTED;
  setSource(source);
  ss_plugin_event_parse_input in{};
  in.owner = owner_.owner();
  in.get_owner_last_error = &PluginOwner::getOwnerLastError;
  in.table_reader = owner_.reader();
  in.table_writer = owner_.writer();
  in.table_reader_ext = owner_.readerExt();
  in.table_writer_ext = owner_.writerExt();
  ss_plugin_rc result = SS_PLUGIN_SUCCESS;
  counters_.parsed += events.size();
  for (const EventRef& e : events) {
    if (!accepts(parseTypes_, e.evt)) continue;
    ss_plugin_event_input ev{e.evt, e.num, source_.c_str()};
    if (sym_.parse_event(state_, &ev, &in) != SS_PLUGIN_SUCCESS) result = SS_PLUGIN_FAILURE;
  }
  return result;
}

ss_plugin_rc InProcessHost::onAsyncEvent(ss_plugin_owner_t* o, const ss_plugin_event* evt,
                                         char* err) {
  auto* owner = static_cast<Owner*>(PluginOwner::from(o));
  InProcessHost* h = owner->host;
  const uint32_t len = evt != nullptr ? eventLen(evt) : 0;
  std::string bad = checkAsyncEvent(evt, len, h->info_.asyncEvents);
  if (!bad.empty()) {
    if (err != nullptr) {
      std::snprintf(err, PLUGIN_MAX_ERRLEN, "%s", bad.c_str());
    }
    return SS_PLUGIN_FAILURE;
  }
  if (h->asyncSink_ != nullptr) {
    if (!h->asyncSink_(h->asyncSinkCtx_, evt, len)) {
      h->asyncDropped_.fetch_add(1, std::memory_order_relaxed);
    }
    return SS_PLUGIN_SUCCESS;
  }
  // Copied: the plugin keeps ownership of its pointer.
  std::vector<uint8_t> copy(reinterpret_cast<const uint8_t*>(evt),
                            reinterpret_cast<const uint8_t*>(evt) + len);
  {
    std::lock_guard lock(h->asyncMu_);
    if (h->asyncQueue_.size() < kAsyncQueueMax) {
      h->asyncQueue_.push_back(std::move(copy));
      return SS_PLUGIN_SUCCESS;
    }
  }
  // Like the framework, a full queue drops the event and still answers
  // SUCCESS; unlike it, the loss is counted and said.
  uint64_t dropped = h->asyncDropped_.fetch_add(1, std::memory_order_relaxed) + 1;
  if (dropped == 1 || dropped % 1000 == 0) {
    spdlog::warn("[{}] async event queue full ({} events): {} async events dropped so far",
                 h->owner_.pluginName(), kAsyncQueueMax, dropped);
  }
  return SS_PLUGIN_SUCCESS;
}

void InProcessHost::startAsync() {
  if (!info_.has(CAP_ASYNC) || asyncStarted_) return;
  if (sym_.set_async_event_handler(state_, owner_.owner(), &onAsyncEvent) != SS_PLUGIN_SUCCESS) {
    throw PluginError("could not start async events of " + lib_->who() + ": " + pluginError());
  }
  asyncStarted_ = true;
}

std::span<const EventRef> InProcessHost::drainAsync() {
  asyncDrained_.clear();
  asyncRefs_.clear();
  {
    std::lock_guard lock(asyncMu_);
    asyncDrained_.swap(asyncQueue_);
  }
  const uint64_t now = wallClockNs();
  for (std::vector<uint8_t>& e : asyncDrained_) {
    auto* evt = reinterpret_cast<ss_plugin_event*>(e.data());
    if (eventTs(evt) == UINT64_MAX) storeAt<uint64_t>(evt, 0, now);
    asyncRefs_.push_back(EventRef{evt, nextEventNum_++});
  }
  counters_.asyncEvents += asyncRefs_.size();
  return asyncRefs_;
}

void InProcessHost::stopAsync() {
  if (!asyncStarted_) return;
  // NULL asks the plugin to stop its producers and wait for them.
  sym_.set_async_event_handler(state_, owner_.owner(), nullptr);
  asyncStarted_ = false;
}

std::string InProcessHost::lastError() {
  if (!hostError_.empty()) return hostError_;
  return state_ != nullptr ? pluginError() : std::string();
}

}  // namespace bulkhead

namespace bulkhead {

HostCounters InProcessHost::counters() const {
  HostCounters c = counters_;
  c.asyncDropped = asyncDropped_.load(std::memory_order_relaxed);
  return c;
}

}  // namespace bulkhead
