// Reads the plugin schema files in BULKHEAD_SHARED_DATA/plugin-schemas (the
// info and get_fields output of real plugins, as JSON) into PluginInfos.
#pragma once

#include <string>

#include "plugin_api/plugin_info.h"

namespace bulkhead::test {

PluginInfo loadSchema(const std::string& path);
std::string readFile(const std::string& path);

}  // namespace bulkhead::test
