// bulkhead's own log lines (crash reports, restarts, what runners print),
// sent through the host's logger: the log_fn a libsinsp host hands every
// plugin at init, with "bulkhead" as the component.
//
// The proxy shares the process with its host and possibly other proxies,
// which all use one spdlog registry. Each proxy instance installs its sink
// as the default logger while it lives and puts the previous one back
// when it ends. A line logged while the host's log_fn is running (a host
// whose own logging goes through spdlog) goes to the previous logger
// instead, never round again.
#pragma once

#include <memory>

#include <spdlog/logger.h>

#include "plugin_api/plugin_api.h"

namespace bulkhead {

class FalcoLogSink;

class FalcoLog {
 public:
  // Installs the sink; a NULL log_fn (a host older than API 3.5) leaves
  // the default logger as it is.
  FalcoLog(ss_plugin_owner_t* owner, ss_plugin_log_fn_t logFn);
  ~FalcoLog();
  FalcoLog(const FalcoLog&) = delete;
  FalcoLog& operator=(const FalcoLog&) = delete;

 private:
  std::shared_ptr<FalcoLogSink> sink_;
  std::shared_ptr<spdlog::logger> logger_;
  std::shared_ptr<spdlog::logger> previous_;
};

}  // namespace bulkhead
