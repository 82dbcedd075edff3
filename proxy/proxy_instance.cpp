#include "proxy/proxy_instance.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include <spdlog/spdlog.h>

#include "plugin_api/event.h"
#include "plugin_api/visible_text.h"
#include "supervisor/isolated_host.h"

namespace bulkhead {

namespace {

std::string requestKey(const FieldRequest& q) {
  std::string k = std::to_string(q.fieldId);
  if (q.argPresent) {
    k += '\0';
    k += std::to_string(q.argIndex);
    k += '\0';
    k += q.argKey;
  }
  return k;
}

FieldRequest requestOf(const ss_plugin_extract_field& f) {
  FieldRequest q;
  q.fieldId = f.field_id;
  q.argPresent = f.arg_present != 0;
  if (q.argPresent) {
    q.argKey = f.arg_key != nullptr ? f.arg_key : "";
    q.argIndex = f.arg_index;
  }
  return q;
}

// The host owns events it passes in; their extent is what their header says.
EventRef refOf(const ss_plugin_event_input* e) { return EventRef{e->evt, e->evtnum}; }

std::string_view sourceOf(const ss_plugin_event_input* e) {
  return e->evtsrc != nullptr ? std::string_view(e->evtsrc) : std::string_view();
}

}  // namespace

ProxyInstance::ProxyInstance(const ProxyBinding& binding, const ss_plugin_init_input& in,
                             const RunnerServices& services)
    : binding_(binding), log_(in.owner, in.log_fn) {
  PluginSpec spec{binding.info.name, binding.libraryPath, in.config != nullptr ? in.config : ""};
  IsolationConfig iso;
  try {
    iso = bindingIsolation(binding);
  } catch (const std::exception& e) {
    throw PluginError(e.what());
  }
  RunnerServices own{services.spawner, services.deathWatch, services.runnerOutput,
                     binding.runnerPath, binding.policyDir, services.deathPollSlice};
  host_ = std::make_unique<IsolatedHost>(spec, iso, own);
  const std::string differs = helloMismatch(binding.info, host_->info());
  if (!differs.empty()) {
    throw PluginError("plugin '" + binding.info.name + "' (" + binding.libraryPath +
                      ") is not the plugin " + binding.path + " was written for: " +
                      visibleText(differs, kShownTextBytes) +
                      "; run `bulkhead wrap` on it again");
  }
  const PluginInfo& info = host_->info();
  mayPrefetch_ = info.has(CAP_EXTRACTION) && !info.has(CAP_PARSING);
  ownSource_ = info.eventSource;
  extractTypes_ = info.extractEventTypes;
  parseTypes_ = info.parseEventTypes;
  spdlog::info("plugin '{}' runs sandboxed in runner pid {}", visibleText(info.name, kShownNameBytes),
               host_->state().workerPid);
}

ProxyInstance::~ProxyInstance() {
  stopAsyncThread();
  const std::lock_guard<std::mutex> lock(mu_);
  host_->shutdown();
}

const char* ProxyInstance::lastError() {
  const std::lock_guard<std::mutex> lock(mu_);
  if (error_.empty()) error_ = host_->lastError();
  return error_.c_str();
}

ss_instance_t* ProxyInstance::open(const char* params, ss_plugin_rc* rc) {
  const std::lock_guard<std::mutex> lock(mu_);
  error_.clear();
  try {
    host_->open(params != nullptr ? params : "");
  } catch (const std::exception& e) {
    error_ = e.what();
    *rc = SS_PLUGIN_FAILURE;
    return nullptr;
  }
  opened_ = true;
  endLogged_ = false;
  announceLearned();
  *rc = SS_PLUGIN_SUCCESS;
  // The handle is only ever given back to this state.
  return reinterpret_cast<ss_instance_t*>(this);
}

void ProxyInstance::close() {
  const std::lock_guard<std::mutex> lock(mu_);
  if (!opened_) return;
  host_->close();
  opened_ = false;
  batchPtrs_.clear();
  batchIndex_.clear();
  batch_ = {};
  batchCols_ = 0;
}

std::optional<size_t> ProxyInstance::batchRow(const ss_plugin_event* e) {
  auto it = batchIndex_.find(e);
  if (it != batchIndex_.end()) {
    cursor_ = it->second;
    return it->second;
  }
  // Events are extracted in the order they were delivered, each maybe
  // more than once: the one last found or the next one.
  const uint32_t len = eventLen(e);
  for (size_t k = cursor_; k < batch_.size() && k <= cursor_ + 1; ++k) {
    const ss_plugin_event* b = batch_[k].evt;
    if (eventLen(b) == len && std::memcmp(b, e, len) == 0) {
      cursor_ = k;
      return k;
    }
  }
  return std::nullopt;
}

ss_plugin_rc ProxyInstance::nextBatch(uint32_t* nevts, ss_plugin_event*** evts) {
  const std::lock_guard<std::mutex> lock(mu_);
  error_.clear();
  *nevts = 0;
  *evts = nullptr;
  batchPtrs_.clear();
  batchIndex_.clear();
  batch_ = {};
  cursor_ = 0;
  batchCols_ = 0;
  BatchResult b = host_->nextBatch();
  if (b.rc == SS_PLUGIN_FAILURE && host_->state().disabled) {
    // The breaker gave up on the plugin: its source ends, the host goes on.
    if (!endLogged_) {
      spdlog::error("plugin '{}' is disabled: its event source ends here",
                    visibleText(binding_.info.name, kShownNameBytes));
      endLogged_ = true;
    }
    error_ = host_->lastError();
    return SS_PLUGIN_EOF;
  }
  if (b.events.empty()) return b.rc;
  batchPtrs_.reserve(b.events.size());
  for (size_t i = 0; i < b.events.size(); ++i) {
    // The ABI hands events out as non-const; the host only reads them.
    batchPtrs_.push_back(const_cast<ss_plugin_event*>(b.events[i].evt));
    batchIndex_.emplace(b.events[i].evt, i);
  }
  batch_ = b.events;
  prefetchBatch(b.events);
  *nevts = static_cast<uint32_t>(batchPtrs_.size());
  *evts = batchPtrs_.data();
  return b.rc;
}

void ProxyInstance::prefetchBatch(std::span<const EventRef> events) {
  if (!mayPrefetch_ || learned_.empty()) return;
  // Answered from the values that came with the batch (setPreExtract).
  if (host_->extract(events, ownSource_, learned_, batchValues_) == SS_PLUGIN_SUCCESS) {
    batchCols_ = learned_.size();
  }
}

void ProxyInstance::announceLearned() {
  if (mayPrefetch_ && !learned_.empty() && !ownSource_.empty()) {
    host_->setPreExtract(ownSource_, learned_);
  }
}

size_t ProxyInstance::learn(const FieldRequest& q) {
  std::string key = requestKey(q);
  auto it = learnedIndex_.find(key);
  if (it != learnedIndex_.end()) return it->second;
  if (learned_.size() >= kMaxLearned) return kMaxLearned;
  learnedIndex_.emplace(std::move(key), learned_.size());
  learned_.push_back(q);
  return learned_.size() - 1;
}

const char* ProxyInstance::progress(uint32_t* pct) {
  const std::lock_guard<std::mutex> lock(mu_);
  Progress p = host_->progress();
  *pct = p.pct;
  text_ = std::move(p.text);
  return text_.c_str();
}

const char* ProxyInstance::eventToString(const ss_plugin_event_input* evt) {
  const std::lock_guard<std::mutex> lock(mu_);
  text_ = host_->eventToString(refOf(evt), sourceOf(evt));
  return text_.c_str();
}

ss_plugin_rc ProxyInstance::extract(const ss_plugin_event_input* evt,
                                    const ss_plugin_field_extract_input* in) {
  const std::lock_guard<std::mutex> lock(mu_);
  for (uint32_t i = 0; i < in->num_fields; ++i) in->fields[i].res_len = 0;
  if (in->num_fields == 0) return SS_PLUGIN_SUCCESS;
  const size_t known = learned_.size();
  cols_.clear();
  bool beyond = false;
  for (uint32_t i = 0; i < in->num_fields; ++i) {
    const size_t c = learn(requestOf(in->fields[i]));
    beyond = beyond || c == kMaxLearned;
    cols_.push_back(c);
  }
  const size_t need = *std::max_element(cols_.begin(), cols_.end());
  const std::string_view source = sourceOf(evt);
  if (learned_.size() != known) announceLearned();  // for the next batches
  if (beyond) {
    // Past what is learned: these fields alone, for this event alone.
    directReqs_.clear();
    for (uint32_t i = 0; i < in->num_fields; ++i) directReqs_.push_back(requestOf(in->fields[i]));
    const EventRef one[] = {refOf(evt)};
    if (host_->extract(one, source, directReqs_, direct_) != SS_PLUGIN_SUCCESS) {
      return SS_PLUGIN_SUCCESS;  // no value: the runner failed, and said so in the log
    }
    for (size_t i = 0; i < cols_.size(); ++i) cols_[i] = i;
    fill(in->fields, in->num_fields, cols_, direct_, 0);
    return SS_PLUGIN_SUCCESS;
  }
  if (batchCols_ > need && source == ownSource_) {
    if (const std::optional<size_t> row = batchRow(evt->evt)) {
      fill(in->fields, in->num_fields, cols_, batchValues_, *row);
      return SS_PLUGIN_SUCCESS;
    }
  }
  if (onePtr_ != evt->evt || oneNum_ != evt->evtnum || oneSource_ != source || oneCols_ <= need) {
    const EventRef one[] = {refOf(evt)};
    onePtr_ = nullptr;
    if (host_->extract(one, source, learned_, oneValues_) != SS_PLUGIN_SUCCESS) {
      return SS_PLUGIN_SUCCESS;  // no value, as above
    }
    onePtr_ = evt->evt;
    oneNum_ = evt->evtnum;
    oneSource_.assign(source);
    oneCols_ = learned_.size();
  }
  fill(in->fields, in->num_fields, cols_, oneValues_, 0);
  return SS_PLUGIN_SUCCESS;
}

bool ProxyInstance::fill(ss_plugin_extract_field* fields, uint32_t n,
                         const std::vector<size_t>& cols, const ExtractResults& r, size_t row) {
  const std::vector<FieldDescriptor>& schema = host_->info().fields;
  // Sized first: the pointers handed out must not move while filling.
  size_t values = 0;
  size_t bytes = 0;
  for (uint32_t i = 0; i < n; ++i) {
    for (const FieldValue& v : r.values(row, cols[i])) {
      ++values;
      bytes += v.length + 1;
    }
  }
  outU64_.clear();
  outBool_.clear();
  outStr_.clear();
  outBuf_.clear();
  outBytes_.clear();
  outU64_.reserve(values);
  outBool_.reserve(values);
  outStr_.reserve(values);
  outBuf_.reserve(values);
  outBytes_.reserve(bytes);
  for (uint32_t i = 0; i < n; ++i) {
    ss_plugin_extract_field& f = fields[i];
    const std::span<const FieldValue> vs = r.values(row, cols[i]);
    if (vs.empty() || f.field_id >= schema.size()) continue;
    const ss_plugin_field_type type = schema[f.field_id].type;
    switch (type) {
      case FTYPE_STRING:
        f.res.str = outStr_.data() + outStr_.size();
        for (const FieldValue& v : vs) {
          const size_t at = outBytes_.size();
          outBytes_.append(r.bytesOf(v));
          outBytes_.push_back('\0');
          outStr_.push_back(outBytes_.data() + at);
        }
        break;
      case FTYPE_BOOL:
        f.res.boolean = outBool_.data() + outBool_.size();
        for (const FieldValue& v : vs) outBool_.push_back(v.u64 != 0);
        break;
      case FTYPE_IPADDR:
      case FTYPE_IPNET:
        f.res.buf = outBuf_.data() + outBuf_.size();
        for (const FieldValue& v : vs) {
          const size_t at = outBytes_.size();
          outBytes_.append(r.bytesOf(v));
          outBuf_.push_back(ss_plugin_byte_buffer{static_cast<uint32_t>(v.length),
                                                  outBytes_.data() + at});
        }
        break;
      default:
        f.res.u64 = outU64_.data() + outU64_.size();
        for (const FieldValue& v : vs) outU64_.push_back(v.u64);
        break;
    }
    f.res_len = vs.size();
  }
  return true;
}

ss_plugin_rc ProxyInstance::parse(const ss_plugin_event_input* evt) {
  const std::lock_guard<std::mutex> lock(mu_);
  const EventRef one[] = {refOf(evt)};
  error_.clear();
  return host_->parse(one, sourceOf(evt));
}

ss_plugin_rc ProxyInstance::setAsyncHandler(ss_plugin_owner_t* owner,
                                            ss_plugin_async_event_handler_t handler) {
  stopAsyncThread();
  const std::lock_guard<std::mutex> lock(mu_);
  if (handler == nullptr) return SS_PLUGIN_SUCCESS;
  try {
    host_->startAsync();
  } catch (const std::exception& e) {
    error_ = e.what();
    return SS_PLUGIN_FAILURE;
  }
  asyncOwner_ = owner;
  asyncHandler_ = handler;
  asyncStop_ = false;
  asyncThread_ = std::thread([this] { asyncLoop(); });
  return SS_PLUGIN_SUCCESS;
}

void ProxyInstance::asyncLoop() {
  std::vector<std::vector<uint8_t>> copies;
  char err[PLUGIN_MAX_ERRLEN];
  uint64_t refused = 0;
  for (;;) {
    copies.clear();
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (asyncStop_) return;
      for (const EventRef& e : host_->drainAsync()) {
        const auto* p = reinterpret_cast<const uint8_t*>(e.evt);
        copies.emplace_back(p, p + eventLen(e.evt));
      }
      if (copies.empty()) {
        asyncCv_.wait_for(lock, std::chrono::milliseconds(5), [this] { return asyncStop_; });
        continue;
      }
    }
    // Outside the lock: the handler may take its time, and the host's
    // thread goes on calling this state meanwhile.
    for (const std::vector<uint8_t>& c : copies) {
      err[0] = '\0';
      if (asyncHandler_(asyncOwner_, reinterpret_cast<const ss_plugin_event*>(c.data()), err) !=
          SS_PLUGIN_SUCCESS) {
        if (refused++ == 0) {
          err[PLUGIN_MAX_ERRLEN - 1] = '\0';
          spdlog::warn("plugin '{}': the host refused an async event: {} (logged once)",
                       visibleText(binding_.info.name, kShownNameBytes),
                       visibleText(err, kShownTextBytes));
        }
      }
    }
  }
}

void ProxyInstance::stopAsyncThread() {
  {
    const std::lock_guard<std::mutex> lock(mu_);
    asyncStop_ = true;
  }
  asyncCv_.notify_all();
  if (asyncThread_.joinable()) asyncThread_.join();
  const std::lock_guard<std::mutex> lock(mu_);
  if (asyncHandler_ != nullptr) host_->stopAsync();
  asyncHandler_ = nullptr;
  asyncOwner_ = nullptr;
}

ss_plugin_metric* ProxyInstance::metrics(uint32_t* n) {
  const std::lock_guard<std::mutex> lock(mu_);
  metrics_ = host_->pluginMetrics();
  abiMetrics_.clear();
  // The host puts the plugin's name in front itself.
  const std::string prefix = binding_.info.name + ".";
  for (PluginMetric& m : metrics_) {
    if (m.name.compare(0, prefix.size(), prefix) == 0) m.name.erase(0, prefix.size());
  }
  for (const PluginMetric& m : metrics_) {
    ss_plugin_metric a{};
    a.name = m.name.c_str();
    a.type = m.monotonic ? SS_PLUGIN_METRIC_TYPE_MONOTONIC : SS_PLUGIN_METRIC_TYPE_NON_MONOTONIC;
    a.value_type = m.type;
    std::memcpy(&a.value, &m.bits, sizeof a.value);
    abiMetrics_.push_back(a);
  }
  *n = static_cast<uint32_t>(abiMetrics_.size());
  return abiMetrics_.empty() ? nullptr : abiMetrics_.data();
}

uint16_t* ProxyInstance::extractEventTypes(uint32_t* n) {
  *n = static_cast<uint32_t>(extractTypes_.size());
  return extractTypes_.empty() ? nullptr : extractTypes_.data();
}

uint16_t* ProxyInstance::parseEventTypes(uint32_t* n) {
  *n = static_cast<uint32_t>(parseTypes_.size());
  return parseTypes_.empty() ? nullptr : parseTypes_.data();
}

}  // namespace bulkhead
