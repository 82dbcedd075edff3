#include "sandbox_runner/sandbox_report.h"

namespace bulkhead {

std::string_view toString(LayerState state) noexcept {
  switch (state) {
    case LayerState::kApplied:
      return "applied";
    case LayerState::kPartial:
      return "partial";
    case LayerState::kUnavailable:
      return "unavailable";
    case LayerState::kFailed:
      return "failed";
    case LayerState::kNotRequested:
      return "not requested";
  }
  return "unknown";
}

void SandboxReport::add(std::string layer, LayerState state, std::string detail) {
  layers_.push_back(LayerStatus{std::move(layer), state, std::move(detail)});
}

void SandboxReport::add(LayerStatus status) { layers_.push_back(std::move(status)); }

void SandboxReport::append(const SandboxReport& other) {
  layers_.insert(layers_.end(), other.layers_.begin(), other.layers_.end());
}

const LayerStatus* SandboxReport::find(std::string_view layer) const noexcept {
  for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) {
    if (it->layer == layer) return &*it;
  }
  return nullptr;
}

bool SandboxReport::applied(std::string_view layer) const noexcept {
  const LayerStatus* s = find(layer);
  return s != nullptr && (s->state == LayerState::kApplied || s->state == LayerState::kPartial);
}

std::string SandboxReport::summary() const {
  std::string out;
  for (const auto& l : layers_) {
    out += l.layer;
    out += ": ";
    out += toString(l.state);
    if (!l.detail.empty()) {
      out += " (";
      out += l.detail;
      out += ')';
    }
    out += '\n';
  }
  return out;
}

}  // namespace bulkhead
