#include "supervisor/generation.h"

#include <sys/stat.h>

#include <algorithm>
#include <set>
#include <utility>

#include <spdlog/spdlog.h>

#include "plugin_api/plugin_set.h"
#include "plugin_api/visible_text.h"
#include "supervisor/host_factory.h"

namespace bulkhead {
namespace {

// The same plugin, configured the same way. Where the entry was written
// does not count: moving an entry in falco.yaml changes nothing it does.
bool samePlugin(const PluginConfig& a, const PluginConfig& b) {
  return a.name == b.name && a.libraryPath == b.libraryPath && a.initConfig == b.initConfig &&
         a.openParams == b.openParams && a.isolation == b.isolation;
}

// Stops every host in `hosts` at once (a hung close costs one deadline).
void shutdownAll(const std::vector<PluginHost*>& hosts) {
  if (!hosts.empty()) shutdownHosts(hosts);
}

}  // namespace

Generation::FileStamp Generation::stampOf(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {st.st_dev, st.st_ino, st.st_size,
          static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

Generation::Generation(Config config, const RunnerServices& services, const Generation* previous)
    : config_(std::move(config)), services_(services) {
  try {
    for (size_t p = 0; p < config_.plugins.size(); ++p) {
      const PluginConfig& plugin = config_.plugins[p];
      const FileStamp stamp = stampOf(plugin.libraryPath);
      bool kept = false;
      for (size_t q = 0; previous != nullptr && q < previous->config_.plugins.size(); ++q) {
        if (!samePlugin(previous->config_.plugins[q], plugin) || previous->stamps_[q] != stamp) {
          continue;
        }
        for (const Slot& s : previous->slots_) {
          if (s.plugin != q || s.shared->host->state().disabled) continue;
          slots_.push_back({p, s.source, s.shared});
          kept = true;
        }
        if (kept) infos_.push_back(previous->infos_[q]);
        break;
      }
      if (!kept) {
        auto shared = std::make_shared<SharedHost>();
        shared->host = makeHost(plugin, services_);
        infos_.push_back(shared->host->info());
        slots_.push_back({p, "", std::move(shared)});
      }
      stamps_.push_back(stamp);
      kept_.push_back(kept);
    }
    // A host taken over for a source this configuration no longer has is
    // left to `previous`, which stops and counts it when it retires; each
    // plugin keeps one host (its information) even so.
    std::set<std::string> sources;
    for (const PluginInfo& i : infos_) {
      if (i.has(CAP_SOURCING)) sources.insert(i.eventSource);
    }
    std::vector<bool> hasOne(infos_.size(), false);
    for (const Slot& s : slots_) {
      if (s.source.empty() || sources.count(s.source) > 0) hasOne[s.plugin] = true;
    }
    std::erase_if(slots_, [&](const Slot& s) {
      if (s.source.empty() || sources.count(s.source) > 0) return false;
      if (hasOne[s.plugin]) return true;
      hasOne[s.plugin] = true;
      return false;
    });
    std::vector<LoadedPlugin> loaded;
    for (size_t p = 0; p < infos_.size(); ++p) loaded.push_back({config_.plugins[p].name, &infos_[p]});
    for (const std::string& w : checkPluginSet(loaded)) spdlog::warn("{}", w);
  } catch (...) {
    // Only the hosts made here: those `previous` shares go on.
    std::vector<PluginHost*> fresh;
    for (const Slot& s : slots_) {
      if (s.shared.use_count() == 1) fresh.push_back(s.shared->host.get());
    }
    shutdownAll(fresh);
    throw;
  }
}

Generation::~Generation() {
  // The pipelines first: they call the hosts.
  pipelines_.clear();
}

std::vector<PluginHost*> Generation::pluginHosts() const {
  std::vector<PluginHost*> out(infos_.size(), nullptr);
  for (const Slot& s : slots_) {
    if (out[s.plugin] == nullptr) out[s.plugin] = s.shared->host.get();
  }
  return out;
}

std::shared_ptr<Generation::SharedHost> Generation::hostFor(size_t plugin,
                                                            const std::string& source) {
  for (const Slot& s : slots_) {
    if (s.plugin == plugin && s.source == source) return s.shared;
  }
  for (Slot& s : slots_) {
    if (s.plugin == plugin && s.source.empty()) {
      s.source = source;
      return s.shared;
    }
  }
  // Like Falco's inspector per source: a plugin that serves several
  // sources gets one host per source.
  auto shared = std::make_shared<SharedHost>();
  shared->host = makeHost(config_.plugins[plugin], services_);
  slots_.push_back({plugin, source, shared});
  return shared;
}

std::string Generation::label(const Slot& s) const {
  return visibleText(infos_[s.plugin].name + "@" + s.source, kShownNameBytes);
}

void Generation::start(LoadResult rules, AlertSink& alerts,
                       const std::set<std::string>& enabled) {
  rules_ = std::move(rules);
  for (size_t s = 0; s < infos_.size(); ++s) {
    if (!infos_[s].has(CAP_SOURCING) || enabled.count(infos_[s].eventSource) == 0) continue;
    const std::string& source = infos_[s].eventSource;
    std::vector<PluginHost*> hosts(infos_.size(), nullptr);
    std::vector<std::shared_ptr<SharedHost>> shared(infos_.size());
    for (size_t p = 0; p < infos_.size(); ++p) {
      if (p != s && !attachesToSource(infos_[p], source)) continue;
      shared[p] = hostFor(p, source);
      hosts[p] = shared[p]->host.get();
    }
    // The pipeline first: it tells the source host which fields its rules
    // need, so the first batch can already bring them.
    pipelines_.push_back(std::make_unique<SourcePipeline>(
        source, infos_, hosts, s, rules_.forSource(source), alerts,
        config_.outputs.minimumPriority, config_.ruleMatching));
    SharedHost& own = *shared[s];
    if (!own.opened) {
      try {
        own.host->open(config_.plugins[s].openParams);
        own.opened = true;
      } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        ++failedToOpen_;
        pipelines_.pop_back();
        continue;
      }
    }
    for (size_t p = 0; p < infos_.size(); ++p) {
      if (shared[p] && infos_[p].has(CAP_ASYNC) && !shared[p]->asyncStarted) {
        shared[p]->host->startAsync();
        shared[p]->asyncStarted = true;
      }
    }
  }
}

std::vector<std::pair<std::string, PluginHost*>> Generation::sourceHosts() const {
  std::vector<std::pair<std::string, PluginHost*>> out;
  for (const Slot& s : slots_) {
    if (!s.source.empty()) out.emplace_back(label(s), s.shared->host.get());
  }
  return out;
}

void Generation::retireInto(const Generation& next,
                            std::map<std::string, HostCounters>& retiredHosts,
                            std::map<std::string, PipelineCounters>& retiredPipelines) {
  for (const auto& p : pipelines_) retiredPipelines[p->source()].add(p->counters());
  pipelines_.clear();
  auto sharedWithNext = [&](const Slot& s) {
    return std::any_of(next.slots_.begin(), next.slots_.end(),
                       [&](const Slot& n) { return n.shared == s.shared; });
  };
  std::vector<PluginHost*> retiring;
  std::vector<std::pair<std::string, PluginHost*>> counted;
  for (const Slot& s : slots_) {
    if (sharedWithNext(s)) continue;
    retiring.push_back(s.shared->host.get());
    if (!s.source.empty()) counted.emplace_back(label(s), s.shared->host.get());
  }
  shutdownAll(retiring);
  for (const auto& [name, host] : counted) retiredHosts[name].add(host->counters());
  slots_.clear();
}

void Generation::shutdown() {
  std::vector<PluginHost*> own;
  for (const Slot& s : slots_) {
    if (s.shared.use_count() == 1) own.push_back(s.shared->host.get());
  }
  shutdownAll(own);
}

}  // namespace bulkhead
