// What main() starts once the sources are built and stops before the
// hosts: the web server (webserver:) and the metrics interval (metrics:).
//
//   MetricsService m(config.webserver, config.metrics,
//                    metricsInputs(pipelines, hosts, infos, &alerts), alerts);
//   ... run the sources ...
//   m.stop();
//
// Every interval (metrics.enabled) a snapshot goes out as Falco's "Falco
// internal: metrics snapshot" event through the alert outputs
// (metrics.output_rule) and as one JSON line appended to
// metrics.output_file. /metrics answers when both metrics.enabled and
// webserver.prometheus_metrics_enabled are set, as in Falco.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "config/config.h"
#include "engine/event_loop.h"
#include "metrics/snapshot.h"
#include "metrics/web_server.h"
#include "outputs/alert_outputs.h"

namespace bulkhead {

// The inputs from what main() builds; `hosts` are ("plugin@source", host)
// with the name already made visible.
MetricsInputs metricsInputs(const std::vector<std::unique_ptr<SourcePipeline>>& pipelines,
                            const std::vector<std::pair<std::string, PluginHost*>>& hosts,
                            const std::vector<PluginInfo>& plugins, const AlertOutputs* alerts);

// Asks the plugins of each source for their own metrics (get_metrics) on
// that source's thread, where plugin calls belong, at most once a second;
// snapshots read what the last asking got (PluginHost::lastMetrics). Off
// unless metrics.enabled and plugins_metrics_enabled.
class PluginMetricsRefresh {
 public:
  PluginMetricsRefresh(const MetricsConfig& metrics,
                       const std::vector<std::unique_ptr<SourcePipeline>>& pipelines);
  // After a step of source `source`, on its thread.
  void afterStep(size_t source);

 private:
  const std::vector<std::unique_ptr<SourcePipeline>>& pipelines_;
  bool on_;
  std::vector<std::chrono::steady_clock::time_point> next_;  // one per source thread
};

class MetricsService {
 public:
  // Throws std::runtime_error when the web server cannot listen or the
  // output file cannot be opened.
  MetricsService(const WebserverConfig& web, const MetricsConfig& metrics, MetricsInputs inputs,
                 AlertSink& alerts);
  ~MetricsService();  // stop()
  MetricsService(const MetricsService&) = delete;
  MetricsService& operator=(const MetricsService&) = delete;

  // Replaces what snapshots read and where output_rule sends them (a reload
  // built new pipelines, hosts and alert outputs). Returns once no snapshot
  // reads the old ones: they may go right after.
  void setInputs(MetricsInputs inputs, AlertSink& alerts);

  // The web server's port, or -1 without one.
  int webPort() const { return web_ ? web_->port() : -1; }
  // Stops the interval and the web server; no call reaches a host after.
  void stop();

 private:
  Snapshot snapshot(const MetricsConfig& config);
  void tick(uint64_t sample, std::optional<Snapshot>& previous);
  void runTicks();

  MetricsConfig config_;
  std::mutex inputsMu_;  // held while a snapshot reads inputs_ or goes to alerts_
  MetricsInputs inputs_;
  AlertSink* alerts_;
  int outputFd_ = -1;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread ticker_;
  std::unique_ptr<WebServer> web_;
};

}  // namespace bulkhead
