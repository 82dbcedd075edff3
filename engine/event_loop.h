// The per-source pipeline: pull a batch from the source plugin's host,
// hand it to the parsing plugins in load order, evaluate the source's rules
// with field values extracted per batch, and emit an Alert per match.
//
// Falco gives every source its own plugin instances; so does bulkhead: a
// SourcePipeline owns nothing but uses hosts made for its source only, and
// runs on its own thread. Calls into the hosts are the only side effects.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "plugin_api/plugin_host.h"
#include "engine/rule_matching.h"
#include "engine/rule_set.h"
#include "engine/value_type.h"

namespace bulkhead {

struct Alert {
  uint64_t timeNs = 0;  // the event's timestamp
  Priority priority = Priority::kDebug;
  std::string rule;
  std::string source;
  std::string output;  // the rule's output, rendered (Falco's "message")
  std::vector<std::string> tags;
  // Each field of the output format, in format order (repeats included);
  // absent values have `present` false (Falco's "<NA>").
  struct Field {
    std::string name;   // as written: "ka.target.name", "json.value[/a/b]"
    std::string value;  // as the output text shows it: "(a,b)" for a list
    bool present = false;
    ValueType type = ValueType::kString;
    bool isList = false;
    std::vector<std::string> items;  // a list's values, each as text
    // A transformed field, "tolower(ka.user.name)": Falco leaves it out of
    // output_fields, which hold the plain field it wraps instead (the entry
    // before it here).
    bool transformed = false;
  };
  std::vector<Field> fields;
  // append_output's extra_fields: JSON output_fields only, after the rest.
  std::vector<Field> extraFields;
};

class AlertSink {
 public:
  virtual ~AlertSink() = default;
  // Called from source threads; implementations serialise themselves.
  virtual void emit(const Alert& alert) = 0;
};

// Written by the pipeline's thread, readable from any (RelaxedCounter).
struct PipelineCounters {
  RelaxedCounter events = 0;
  RelaxedCounter asyncEvents = 0;
  RelaxedCounter batches = 0;
  RelaxedCounter timeouts = 0;
  RelaxedCounter matches = 0;
  RelaxedCounter extractFailures = 0;  // extract calls that failed (values then absent)

  // Adds `o`: the counts of one source over several pipelines (reloads).
  void add(const PipelineCounters& o) {
    events += o.events;
    asyncEvents += o.asyncEvents;
    batches += o.batches;
    timeouts += o.timeouts;
    matches += o.matches;
    extractFailures += o.extractFailures;
  }
};

class SourcePipeline {
 public:
  // `hosts[p]` serves plugin p of `plugins` for this source, or is null.
  // `rules` may be null (a source with no rules still runs: parsers and
  // counters see its events). `minimum`: less severe matches are dropped.
  // `matching`: with kFirst an event alerts for its first matching rule
  // only (as Falco, rules below `minimum` do not count: Falco does not load
  // them); with kAll for every one.
  SourcePipeline(std::string source, std::span<const PluginInfo> plugins,
                 std::vector<PluginHost*> hosts, size_t sourcePlugin, const RuleSet* rules,
                 AlertSink& sink, Priority minimum = Priority::kDebug,
                 RuleMatching matching = RuleMatching::kFirst);

  // One batch, plus the async events that arrived meanwhile. Returns the
  // batch's rc: EOF or FAILURE end the source.
  ss_plugin_rc step();

  const std::string& source() const { return source_; }
  // Any thread may read these while step() runs (metrics, health).
  const PipelineCounters& counters() const { return counters_; }
  // Alerts emitted per rule, indexed like rules()->rules(); empty without
  // rules.
  std::span<const RelaxedCounter> ruleMatches() const { return ruleMatches_; }
  const RuleSet* rules() const { return rules_; }
  // SS_PLUGIN_EOF or SS_PLUGIN_FAILURE once a step() returned it, else
  // SS_PLUGIN_SUCCESS: the source has ended.
  ss_plugin_rc end() const { return static_cast<ss_plugin_rc>(end_.load(std::memory_order_relaxed)); }
  PluginHost& sourceHost() const { return *hosts_[sourcePlugin_]; }
  // Per plugin, the host serving this source or null (as constructed).
  std::span<PluginHost* const> hosts() const { return hosts_; }

 private:
  void process(std::span<const EventRef> events);
  void extractFor(const RequestPlan& plan, std::span<const EventRef> events);
  // Evaluates the conditions over `events` in slices, every slice's
  // extraction queued up front, so that plugins in other processes extract
  // slice i+1 while this thread evaluates slice i. Appends to matches_.
  void evaluateConditions(std::span<const EventRef> events);
  // kFirst: drops from matches_ every match of an event after the first one
  // that alerts.
  void keepFirstMatches();

  std::string source_;
  std::span<const PluginInfo> plugins_;
  std::vector<PluginHost*> hosts_;
  size_t sourcePlugin_;
  const RuleSet* rules_;
  AlertSink& sink_;
  Priority minimum_;
  RuleMatching matching_;
  PipelineCounters counters_;
  std::vector<RelaxedCounter> ruleMatches_;
  std::atomic<int> end_{SS_PLUGIN_SUCCESS};

  // Reused per batch so the steady state does not allocate.
  std::vector<ExtractResults> results_;
  std::vector<const ExtractResults*> resultPtrs_;
  std::vector<Match> matches_;
  std::vector<Match> sliceMatches_;
  std::vector<uint8_t> queued_;  // per slice x plugin: submitExtract() took it
  std::vector<EventRef> matched_;
  std::vector<size_t> matchedIndex_;
  std::vector<std::string> pluginInfo_;  // evt.plugininfo per matched event
  const bool outputsPluginInfo_;         // an output shows evt.plugininfo
  uint64_t firstEventTs_ = 0;            // evt.reltime's origin; 0 until the first event
};

}  // namespace bulkhead
