// What the runner obtained from each sandbox layer. Layers are best effort
// where the kernel may refuse them (namespaces, Landlock); the runner sends
// this report to the supervisor at start so that a missing layer is visible
// rather than silently absent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bulkhead {

enum class LayerState : uint8_t {
  kApplied,      // in force
  kPartial,      // in force with less than asked (e.g. an older Landlock ABI)
  kUnavailable,  // the kernel or environment does not offer it
  kFailed,       // offered but setting it up failed
  kNotRequested  // the configuration or policy left it out
};

std::string_view toString(LayerState state) noexcept;

struct LayerStatus {
  std::string layer;  // "user-namespace", "landlock", ...
  LayerState state = LayerState::kNotRequested;
  std::string detail;  // why, in words a user can act on
};

class SandboxReport {
 public:
  void add(std::string layer, LayerState state, std::string detail = {});
  void add(LayerStatus status);
  // Merges another report's layers after this one's.
  void append(const SandboxReport& other);

  const std::vector<LayerStatus>& layers() const noexcept { return layers_; }
  // The last status recorded for `layer`, or nullptr.
  const LayerStatus* find(std::string_view layer) const noexcept;
  bool applied(std::string_view layer) const noexcept;
  // One line per layer: "landlock: applied (ABI 7)".
  std::string summary() const;

 private:
  std::vector<LayerStatus> layers_;
};

}  // namespace bulkhead
