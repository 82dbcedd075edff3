// `bulkhead wrap <plugin.so> -o <proxy.so>`: makes a copy of the proxy
// library that stands in for one plugin inside Falco (or any libsinsp
// host), and the binding file beside it (proxy_binding.h).
//
// The plugin is started once, sandboxed like any isolated plugin, to take
// its hello; its exported functions are read from its file. The copy
// exports the plugin_* functions the plugin exports and the proxy can
// forward, and no other, so the host detects the same capabilities.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "supervisor/runner_services.h"

namespace bulkhead {

struct WrapRequest {
  std::string plugin;        // the plugin library
  std::string output;        // the proxy copy to write
  std::string settingsFile;  // YAML map of bulkhead.plugins.<name> keys; "": defaults
  std::string initConfig;    // for the one start-up; "": none
  std::string proxyLibrary;  // libbulkhead_proxy.so to copy
};

// What was written, for the operator.
struct WrapResult {
  std::string pluginName;
  std::string bindingPath;
  std::vector<std::string> exports;     // what the copy exports
  std::vector<std::string> notForwarded;  // plugin functions the proxy does not forward
};

// Throws std::exception with a message naming the file at fault.
WrapResult wrapPlugin(const WrapRequest& req, const RunnerServices& services);

// The subcommand: argv[0] is "wrap". Returns the exit status.
int runWrap(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace bulkhead
