// The alert channels and format that falco.yaml's output keys ask for.
// A new channel is one class in outputs/ and one line in makeChannels().
#pragma once

#include <memory>
#include <vector>

#include "config/config.h"
#include "outputs/alert_channel.h"
#include "outputs/alert_format.h"

namespace bulkhead {

// json_output and its json_include_* keys, with this machine's hostname.
AlertFormat makeAlertFormat(const OutputsConfig& config);
// As Falco: FALCO_HOSTNAME when set, else the host's name (the alert's
// "hostname" and evt.hostname).
std::string alertHostname();

// The enabled channels, in Falco's order (stdout, then file). Throws
// std::system_error when a channel cannot be opened.
std::vector<std::unique_ptr<AlertChannel>> makeChannels(const OutputsConfig& config);

}  // namespace bulkhead
