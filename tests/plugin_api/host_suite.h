// The PluginHost test suite, written once and run against every host
// (InProcessHost in tests/plugin_api, IsolatedHost in tests/supervisor):
// the engine must not be able to tell them apart.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "plugin_api/plugin_host.h"

namespace bulkhead {

using HostFactory = std::function<std::unique_ptr<PluginHost>(const PluginSpec&)>;

struct HostKind {
  std::string name;
  HostFactory make;
};

// Test names and ctest listings show the host by name.
inline void PrintTo(const HostKind& k, std::ostream* os) { *os << k.name; }

class HostSuite : public ::testing::TestWithParam<HostKind> {
 protected:
  std::unique_ptr<PluginHost> load(const std::string& plugin, const std::string& initConfig = "");
};

std::string testPluginPath(const std::string& name);

// Reads batches until EOF (or `maxBatches`); returns every event's payload.
std::vector<std::string> drainPayloads(PluginHost& host, int maxBatches = 100000);

}  // namespace bulkhead
