// The alert channels and format that falco.yaml's output keys ask for.
// A new channel is one class in outputs/ and one line in makeChannels().
#pragma once

#include <memory>
#include <vector>

#include "config/config.h"
#include "outputs/alert_channel.h"
#include "outputs/alert_format.h"
#include "outputs/alert_outputs.h"

namespace bulkhead {

// json_output and its json_include_* keys, with this machine's hostname.
AlertFormat makeAlertFormat(const OutputsConfig& config);
// As Falco: FALCO_HOSTNAME when set, else the host's name (the alert's
// "hostname" and evt.hostname).
std::string alertHostname();

// The enabled channels: stdout, file, syslog, program, http. Throws
// std::system_error (a file) or std::runtime_error (libcurl) when a
// channel cannot be set up.
std::vector<std::unique_ptr<AlertChannel>> makeChannels(const OutputsConfig& config);
// outputs_queue.capacity and output_timeout.
OutputQueueSettings makeQueueSettings(const OutputsConfig& config);

}  // namespace bulkhead
