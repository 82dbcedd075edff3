#include "engine/event_loop.h"

#include <algorithm>

#include "engine/batch_values.h"
#include "plugin_api/event.h"
#include "plugin_api/plugin_set.h"

namespace bulkhead {

namespace {

bool usesEngineField(const RequestPlan& plan, EngineField f) {
  return std::any_of(plan.slots().begin(), plan.slots().end(), [f](const Slot& s) {
    return s.plugin == kEnginePlugin && s.index == static_cast<uint32_t>(f);
  });
}

Alert::Field alertField(const OutputPart& part, const FieldValueSource& values, size_t event) {
  Alert::Field f;
  f.name = part.field.text();
  const FieldReader field(values, event, part.slot, part.chain);
  const size_t n = field.count();
  f.present = n > 0;
  f.type = part.type;
  f.isList = part.isList;
  f.transformed = part.transformed;
  if (f.present) f.value = renderField(part, values, event);
  if (f.isList) {
    for (size_t i = 0; i < n; ++i) f.items.push_back(formatValue(part.type, field.at(i)));
  }
  return f;
}

}  // namespace

SourcePipeline::SourcePipeline(std::string source, std::span<const PluginInfo> plugins,
                               std::vector<PluginHost*> hosts, size_t sourcePlugin,
                               const RuleSet* rules, AlertSink& sink, Priority minimum,
                               RuleMatching matching)
    : source_(std::move(source)),
      plugins_(plugins),
      hosts_(std::move(hosts)),
      sourcePlugin_(sourcePlugin),
      rules_(rules),
      sink_(sink),
      minimum_(minimum),
      matching_(matching),
      ruleMatches_(rules != nullptr ? rules->rules().size() : 0),
      results_(plugins.size()),
      resultPtrs_(plugins.size(), nullptr),
      outputsPluginInfo_(rules != nullptr &&
                         usesEngineField(rules->outputPlan(), EngineField::kPluginInfo)) {
  // The source plugin's own condition fields are wanted for every batch:
  // its host may ship them with the batch. Not when it also parses: its
  // parse must see an event before its extraction does.
  PluginHost* host = hosts_[sourcePlugin_];
  if (host != nullptr && rules_ != nullptr && !plugins_[sourcePlugin_].has(CAP_PARSING)) {
    std::span<const FieldRequest> wanted = rules_->conditionPlan().requests(sourcePlugin_);
    if (!wanted.empty()) host->setPreExtract(source_, wanted);
  }
}

ss_plugin_rc SourcePipeline::step() {
  BatchResult b = hosts_[sourcePlugin_]->nextBatch();
  counters_.batches++;
  if (b.rc == SS_PLUGIN_TIMEOUT) counters_.timeouts++;
  if (!b.events.empty()) {
    counters_.events += b.events.size();
    process(b.events);
  }
  // Async events join the stream between batches, as the framework hands
  // them out on timeouts and between events.
  for (size_t p = 0; p < plugins_.size(); ++p) {
    if (hosts_[p] == nullptr || !plugins_[p].has(CAP_ASYNC)) continue;
    std::span<const EventRef> async = hosts_[p]->drainAsync();
    if (async.empty()) continue;
    counters_.asyncEvents += async.size();
    process(async);
  }
  if (b.rc == SS_PLUGIN_EOF || b.rc == SS_PLUGIN_FAILURE) {
    end_.store(b.rc, std::memory_order_relaxed);
  }
  return b.rc;
}

void SourcePipeline::extractFor(const RequestPlan& plan, std::span<const EventRef> events) {
  std::fill(resultPtrs_.begin(), resultPtrs_.end(), nullptr);
  for (size_t p = 0; p < plugins_.size(); ++p) {
    if (hosts_[p] == nullptr || plan.requests(p).empty()) continue;
    if (hosts_[p]->extract(events, source_, plan.requests(p), results_[p]) != SS_PLUGIN_SUCCESS) {
      // The failed plugin's values are absent: conditions on them do not
      // match, outputs show <NA>. Counted, never silent.
      counters_.extractFailures++;
      continue;
    }
    resultPtrs_[p] = &results_[p];
  }
}

void SourcePipeline::evaluateConditions(std::span<const EventRef> events) {
  // Slices of at least kMinSlice events: each costs a request and a wake-up
  // per extracting plugin, so small batches stay whole.
  constexpr size_t kMinSlice = 16;
  constexpr size_t kMaxSlices = 4;
  const RequestPlan& plan = rules_->conditionPlan();
  const size_t slices = std::clamp<size_t>(events.size() / kMinSlice, 1, kMaxSlices);
  const size_t per = (events.size() + slices - 1) / slices;
  auto slice = [&](size_t i) {
    const size_t begin = std::min(i * per, events.size());
    return events.subspan(begin, std::min(per, events.size() - begin));
  };
  const size_t np = plugins_.size();
  queued_.assign(slices * np, 0);
  for (size_t p = 0; p < np; ++p) {
    if (hosts_[p] == nullptr || plan.requests(p).empty()) continue;
    // In order, and no more once a host declines: extract() must not run
    // on a host while a later slice of it is still queued.
    for (size_t i = 0; i < slices; ++i) {
      if (!hosts_[p]->submitExtract(slice(i), source_, plan.requests(p))) break;
      queued_[i * np + p] = 1;
    }
  }
  for (size_t i = 0; i < slices; ++i) {
    const std::span<const EventRef> part = slice(i);
    std::fill(resultPtrs_.begin(), resultPtrs_.end(), nullptr);
    for (size_t p = 0; p < np; ++p) {
      if (hosts_[p] == nullptr || plan.requests(p).empty()) continue;
      const ss_plugin_rc rc =
          queued_[i * np + p] != 0
              ? hosts_[p]->collectExtract(results_[p])
              : hosts_[p]->extract(part, source_, plan.requests(p), results_[p]);
      if (rc != SS_PLUGIN_SUCCESS) {
        // The failed plugin's values are absent: conditions on them do not
        // match, outputs show <NA>. Counted, never silent.
        counters_.extractFailures++;
        continue;
      }
      resultPtrs_[p] = &results_[p];
    }
    sliceMatches_.clear();
    BatchValues values(plan, part, source_, plugins_, resultPtrs_, {}, firstEventTs_);
    rules_->evaluate(values, part.size(), sliceMatches_);
    const size_t base = static_cast<size_t>(part.data() - events.data());
    for (Match m : sliceMatches_) {
      m.event += base;
      matches_.push_back(m);
    }
  }
}

void SourcePipeline::keepFirstMatches() {
  // matches_ is in event order, then rule (load) order: the first match of
  // an event that passes the minimum is its first rule that Falco loaded.
  size_t kept = 0;
  size_t alerted = SIZE_MAX;  // the last event that has its alert
  for (const Match& m : matches_) {
    if (m.event == alerted) continue;
    if (rules_->rules()[m.rule].priority <= minimum_) alerted = m.event;
    matches_[kept++] = m;
  }
  matches_.resize(kept);
}

void SourcePipeline::process(std::span<const EventRef> events) {
  if (firstEventTs_ == 0 && !events.empty()) firstEventTs_ = eventTs(events[0].evt);
  // Parse before any extraction, every parser in load order (ABI guarantee).
  for (size_t p = 0; p < plugins_.size(); ++p) {
    if (hosts_[p] == nullptr || !plugins_[p].has(CAP_PARSING)) continue;
    if (!servesSource(plugins_[p].parseEventSources, source_)) continue;
    hosts_[p]->parse(events, source_);
  }
  if (rules_ == nullptr || rules_->rules().empty()) return;

  matches_.clear();
  evaluateConditions(events);
  if (matching_ == RuleMatching::kFirst) keepFirstMatches();
  if (matches_.empty()) return;
  counters_.matches += matches_.size();

  // Output fields are extracted only for the events that matched.
  matched_.clear();
  matchedIndex_.assign(events.size(), SIZE_MAX);
  for (const Match& m : matches_) {
    if (matchedIndex_[m.event] == SIZE_MAX) {
      matchedIndex_[m.event] = matched_.size();
      matched_.push_back(events[m.event]);
    }
  }
  extractFor(rules_->outputPlan(), matched_);
  // evt.plugininfo: the source plugin's text for the event, as Falco asks
  // its plugin_event_to_string; only for outputs, only for matched events.
  pluginInfo_.clear();
  if (outputsPluginInfo_) {
    for (const EventRef& e : matched_) pluginInfo_.push_back(sourceHost().eventToString(e, source_));
  }
  BatchValues values(rules_->outputPlan(), matched_, source_, plugins_, resultPtrs_, pluginInfo_,
                     firstEventTs_);
  for (const Match& m : matches_) {
    const CompiledRule& rule = rules_->rules()[m.rule];
    if (rule.priority > minimum_) continue;
    ruleMatches_[m.rule]++;
    const size_t e = matchedIndex_[m.event];
    Alert a;
    a.timeNs = eventTs(events[m.event].evt);
    a.priority = rule.priority;
    a.rule = rule.name;
    a.source = source_;
    a.tags = rule.tags;
    a.output = rules_->renderOutput(m.rule, values, e);
    for (const OutputPart& part : rule.output.parts()) {
      if (!part.isField) continue;
      // As libsinsp's formatter lists them: the plain field a transformer
      // wraps, then the transformed one.
      if (part.transformed) a.fields.push_back(alertField(part.untransformed(), values, e));
      a.fields.push_back(alertField(part, values, e));
    }
    for (const CompiledRule::ExtraField& x : rule.extraFields) {
      Alert::Field f;
      const auto& parts = x.format.parts();
      if (x.raw && parts.size() == 1 && parts[0].isField) {
        f = alertField(parts[0], values, e);
      } else {
        f.present = true;
        f.value = x.format.render(values, e);
      }
      f.name = x.key;
      a.extraFields.push_back(std::move(f));
    }
    sink_.emit(a);
  }
}

}  // namespace bulkhead
