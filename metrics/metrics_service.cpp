#include "metrics/metrics_service.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "metrics/health.h"
#include "metrics/prometheus_text.h"
#include "metrics/snapshot_fields.h"
#include "outputs/channel_factory.h"

namespace bulkhead {

PluginMetricsRefresh::PluginMetricsRefresh(
    const MetricsConfig& metrics, const std::vector<std::unique_ptr<SourcePipeline>>& pipelines)
    : pipelines_(pipelines),
      on_(metrics.enabled && metrics.pluginsMetricsEnabled),
      next_(pipelines.size()) {}

void PluginMetricsRefresh::afterStep(size_t source) {
  if (!on_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now < next_[source]) return;
  next_[source] = now + std::chrono::seconds(1);
  for (PluginHost* h : pipelines_[source]->hosts()) {
    if (h != nullptr) h->refreshMetrics();
  }
}

MetricsInputs metricsInputs(const std::vector<std::unique_ptr<SourcePipeline>>& pipelines,
                            const std::vector<std::pair<std::string, PluginHost*>>& hosts,
                            const std::vector<PluginInfo>& plugins, const AlertOutputs* alerts) {
  MetricsInputs in;
  for (const auto& p : pipelines) in.pipelines.push_back(p.get());
  for (const auto& [name, host] : hosts) in.hosts.push_back({name, host});
  for (const PluginInfo& i : plugins) in.pluginVersions.emplace_back(i.name, i.version);
  in.alerts = alerts;
  in.hostname = alertHostname();
  // Falco's start_ts is the process' start, not this call's.
  in.startNs = epochNs();
  if (std::optional<ProcUsage> self = readProcUsage(getpid())) {
    in.startNs -= static_cast<uint64_t>(self->ageSeconds * 1e9);
  }
  return in;
}

MetricsService::MetricsService(const WebserverConfig& web, const MetricsConfig& metrics,
                               MetricsInputs inputs, AlertSink& alerts)
    : config_(metrics), inputs_(std::move(inputs)), alerts_(&alerts) {
  if (config_.enabled && !config_.outputFile.empty()) {
    outputFd_ = ::open(config_.outputFile.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (outputFd_ < 0) {
      throw std::runtime_error("metrics.output_file: cannot open " + config_.outputFile + ": " +
                               std::strerror(errno));
    }
  }
  if (web.enabled) {
    WebHandlers h;
    // Health looks at sources and plugins only: no /proc reads per probe.
    MetricsConfig healthConfig = config_;
    healthConfig.resourceUtilizationEnabled = false;
    healthConfig.rulesCountersEnabled = false;
    healthConfig.pluginsMetricsEnabled = false;
    h.health = [this, healthConfig] {
      Health health = healthOf(snapshot(healthConfig));
      return WebAnswer{health.ok ? 200 : 503, "application/json", healthJson(health)};
    };
    h.versions = [this] {
      std::lock_guard<std::mutex> lock(inputsMu_);
      return WebAnswer{200, "application/json", versionsJson(inputs_)};
    };
    if (web.prometheusMetricsEnabled && config_.enabled) {
      // metrics.*_enabled choose the families of /metrics too, as in Falco.
      h.metrics = [this] {
        return WebAnswer{200, std::string(kPrometheusContentType),
                         prometheusText(snapshot(config_), config_)};
      };
    } else if (web.prometheusMetricsEnabled) {
      spdlog::warn("webserver.prometheus_metrics_enabled needs metrics.enabled: /metrics is not "
                   "served");
    }
    web_ = std::make_unique<WebServer>(web, std::move(h));
    spdlog::info("web server listening on {} port {}{}", web.listenAddress, web_->port(),
                 web.sslEnabled ? " (TLS)" : "");
  }
  if (config_.enabled && (config_.outputRule || outputFd_ >= 0)) {
    ticker_ = std::thread([this] { runTicks(); });
  }
}

MetricsService::~MetricsService() {
  stop();
  if (outputFd_ >= 0) ::close(outputFd_);
}

void MetricsService::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  if (web_) web_->stop();
}

void MetricsService::setInputs(MetricsInputs inputs, AlertSink& alerts) {
  std::lock_guard<std::mutex> lock(inputsMu_);
  inputs_ = std::move(inputs);
  alerts_ = &alerts;
}

Snapshot MetricsService::snapshot(const MetricsConfig& config) {
  std::lock_guard<std::mutex> lock(inputsMu_);
  return takeSnapshot(inputs_, config);
}

void MetricsService::runTicks() {
  std::optional<Snapshot> previous;
  uint64_t sample = 0;
  auto next = std::chrono::steady_clock::now();
  for (;;) {
    next += std::chrono::milliseconds(config_.intervalMs);
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (wake_.wait_until(lock, next, [this] { return stopping_; })) return;
    }
    tick(++sample, previous);
  }
}

void MetricsService::tick(uint64_t sample, std::optional<Snapshot>& previous) {
  Snapshot s = snapshot(config_);
  boost::json::object fields = snapshotFields(s, previous ? &*previous : nullptr, config_);
  if (config_.outputRule) {
    // Under the lock: setInputs() may be about to drop these outputs.
    std::lock_guard<std::mutex> lock(inputsMu_);
    alerts_->emit(snapshotAlert(s, fields));
  }
  if (outputFd_ >= 0) {
    const std::string line = snapshotFileLine(sample, fields);
    // One write per line with O_APPEND: a reader never sees half of one.
    const ssize_t n = ::write(outputFd_, line.data(), line.size());
    if (n != static_cast<ssize_t>(line.size())) {
      spdlog::warn("metrics.output_file {}: could not append sample {}: {}", config_.outputFile,
                   sample, n < 0 ? std::strerror(errno) : "short write");
    }
  }
  previous = std::move(s);
}

}  // namespace bulkhead
