#include "supervisor/sandbox_summary.h"

#include <spdlog/spdlog.h>

#include "plugin_api/visible_text.h"

namespace bulkhead {

namespace {

bool isOn(const std::string& layer) {
  const size_t colon = layer.find(": ");
  if (colon == std::string::npos) return false;
  const std::string_view state = std::string_view(layer).substr(colon + 2);
  return state.starts_with("applied") || state.starts_with("partial");
}

}  // namespace

std::string sandboxSummary(int pid, const IsolationConfig& config,
                           const std::vector<std::string>& layers) {
  size_t on = 0;
  std::string off;
  for (const std::string& l : layers) {
    if (isOn(l)) {
      ++on;
    } else {
      off += (off.empty() ? "" : ", ") + l.substr(0, l.find(": "));
    }
  }
  std::string line = "runner pid " + std::to_string(pid) + ", isolation " +
                     isolationModeName(config.mode) + ", policy " + config.policy + ", sandbox " +
                     std::to_string(on) + "/" + std::to_string(layers.size()) + " layers on";
  if (!off.empty()) line += " (off: " + off + ")";
  return line;
}

void logSandbox(const std::string& who, int pid, const IsolationConfig& config,
                const std::vector<std::string>& layers) {
  spdlog::info("{}: {}", who, visibleText(sandboxSummary(pid, config, layers), kShownTextBytes));
  if (!spdlog::should_log(spdlog::level::debug)) return;
  std::string all;
  for (const std::string& l : layers) all += (all.empty() ? "" : "; ") + l;
  spdlog::debug("{}: runner pid {} sandbox: {}", who, pid, visibleText(all, kShownTextBytes));
}

}  // namespace bulkhead
