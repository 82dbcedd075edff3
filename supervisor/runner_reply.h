// Reading what a runner answers on its control channel. Everything in a
// reply is untrusted: texts and lists are bounded, the hello's plugin
// information is checked as carefully as a plugin library's own.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "plugin_api/plugin_host.h"
#include "plugin_api/plugin_info.h"
#include "protocol/control.capnp.h"
#include "protocol/control_channel.h"

namespace bulkhead {

// A text of at most 64 KiB; longer is a malformed message (ControlError).
std::string checkedText(capnp::Text::Reader t, const char* what);
// checkedText for an error or other text shown to the operator: made
// visible and bounded (visible_text.h).
std::string shownText(capnp::Text::Reader t, const char* what);

// PluginInfo rebuilt from a runner's hello. Throws PluginError when it is
// inconsistent, ControlError when it is oversized.
PluginInfo infoFromHello(Hello::Reader hello, const PluginSpec& spec);

// The sandbox layers a hello reports, one line each ("seccomp: applied:
// policy default").
std::vector<std::string> layersFromHello(Hello::Reader hello);

// The text of a TEXT reply; anything else, malformed included, reads as "".
std::string replyText(const std::optional<ControlMessage>& reply);

// The metrics of a METRICS reply, each as copyPluginMetrics() could have
// made it; more of them, a bad name or an unknown value type is a
// malformed message (ControlError).
std::vector<PluginMetric> metricsFromReply(Reply::Reader reply);

// True when a restarted runner's plugin is the one the host first loaded.
bool sameIdentity(const PluginInfo& a, const PluginInfo& b);

}  // namespace bulkhead
