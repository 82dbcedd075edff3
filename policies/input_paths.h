// Real plugins read their input from paths the user wrote into open_params
// or init_config (k8saudit a file, cloudtrail a directory, both often as
// file:// URLs or JSON values). These functions find those paths so Landlock
// can let the plugin read them without extra configuration. The texts come
// from the user's configuration, which is trusted; the plugin is not, so
// nothing here grants more than the user named.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bulkhead {

// Candidate absolute paths in `text`:
//  - if it parses as JSON, every string value (recursively) that is an
//    absolute path or a file:// URL;
//  - otherwise tokens separated by whitespace, ',', ';', quotes or '=' that
//    are absolute paths or file:// URLs.
// file://host/p and file:///p give /p; %XX escapes are decoded. A glob
// (k8saudit accepts /var/log/audit/*.log) gives the directory above its
// first wildcard. Paths are normalised lexically, deduplicated in order of
// appearance, and "/" itself is never returned (it would defeat Landlock).
std::vector<std::string> extractInputPaths(std::string_view text);

// extractInputPaths over several texts (open_params, init_config), merged.
std::vector<std::string> extractInputPathsFrom(const std::vector<std::string_view>& texts);

}  // namespace bulkhead
