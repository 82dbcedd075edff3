// One configuration at work, a "generation": the hosts of its plugins, its
// compiled rules, its alert outputs and one pipeline per source. bulkhead
// starts with one; a reload (SIGHUP, or a watched file that changed) builds
// the next from the files on disk while the sources are paused between two
// batches, then swaps them.
//
// What a reload keeps: every host whose plugin entry is unchanged (library,
// init_config, open_params, every isolation setting), whose library file is
// the same file (device, inode, size, mtime) and whose plugin is not
// disabled by its breaker. Such a host's runner goes on, and a source it
// serves stays open, so the reload loses none of its events. Everything
// else is shut down and started anew (a disabled plugin gets a fresh host:
// a reload is how an operator re-enables it).
//
// What a reload never does is leave bulkhead half-configured: the new
// config, its plugins and its rules are loaded first, beside the running
// generation. If any of that fails, the new generation is dropped and the
// old one resumes as it was (reloadFailed in the log, with the reason).
// Only after that point are the replaced hosts stopped; a source that then
// fails to open is a failed source, as at start.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "engine/event_loop.h"
#include "engine/rules_loader.h"
#include "plugin_api/plugin_host.h"
#include "supervisor/runner_services.h"

namespace bulkhead {

class Generation {
 public:
  // Loads every plugin of `config`: one host each, or, where `previous` has
  // a host that may be kept (see above), that host, shared. Throws
  // PluginError when a plugin cannot be loaded; the hosts made so far are
  // shut down and `previous` is unchanged.
  Generation(Config config, const RunnerServices& services, const Generation* previous = nullptr);
  ~Generation();
  Generation(const Generation&) = delete;
  Generation& operator=(const Generation&) = delete;

  const Config& config() const { return config_; }
  // infos()[p] is config().plugins[p]'s.
  const std::vector<PluginInfo>& infos() const { return infos_; }
  // kept()[p]: plugin p's hosts were taken over from the previous generation.
  const std::vector<bool>& kept() const { return kept_; }
  // One host per plugin, for its information (--list-plugins, --list).
  std::vector<PluginHost*> pluginHosts() const;

  // Builds one pipeline per source with `rules` (kept until destruction)
  // and `alerts` (must outlive this generation's pipelines), opens every
  // source not open yet and starts async events where not started. A
  // source that fails to open is logged and counted in failedToOpen();
  // the others run.
  // Only the sources in `enabled` run (--enable-source, --disable-source).
  void start(LoadResult rules, AlertSink& alerts, const std::set<std::string>& enabled);
  size_t failedToOpen() const { return failedToOpen_; }

  const std::vector<std::unique_ptr<SourcePipeline>>& pipelines() const { return pipelines_; }
  // Every host that serves a source, labelled "plugin@source".
  std::vector<std::pair<std::string, PluginHost*>> sourceHosts() const;

  // Stops and forgets every host of this generation that `next` does not
  // share (at once: shutdownHosts), adding their counters and this
  // generation's pipeline counters to `retired*`. Call before next.start(),
  // so that a replaced source is closed before its successor opens (a
  // webhook's port, say).
  void retireInto(const Generation& next, std::map<std::string, HostCounters>& retiredHosts,
                  std::map<std::string, PipelineCounters>& retiredPipelines);

  // Every host only this generation holds, stopped at once: at the end of
  // the run, or when a reload drops this generation before it started.
  void shutdown();

 private:
  // A host shared between generations, with what has been done to it.
  struct SharedHost {
    std::unique_ptr<PluginHost> host;
    bool opened = false;
    bool asyncStarted = false;
  };
  // Plugin `plugin`'s host for `source` (empty: none yet, information only).
  struct Slot {
    size_t plugin = 0;
    std::string source;
    std::shared_ptr<SharedHost> shared;
  };
  // What identifies a library file on disk, to notice one replaced in place.
  struct FileStamp {
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;
    int64_t mtimeNs = 0;
    bool operator==(const FileStamp&) const = default;
  };
  static FileStamp stampOf(const std::string& path);

  std::shared_ptr<SharedHost> hostFor(size_t plugin, const std::string& source);
  std::string label(const Slot& s) const;

  Config config_;
  const RunnerServices& services_;
  std::vector<PluginInfo> infos_;
  std::vector<FileStamp> stamps_;
  std::vector<bool> kept_;
  std::vector<Slot> slots_;
  LoadResult rules_;
  std::vector<std::unique_ptr<SourcePipeline>> pipelines_;
  size_t failedToOpen_ = 0;
};

}  // namespace bulkhead
