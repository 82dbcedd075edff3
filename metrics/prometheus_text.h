// The Prometheus text exposition format (version 0.0.4): a writer that
// keeps every metric family contiguous with one HELP and one TYPE line, and
// the rendering of a Snapshot into it.
//
// Label values come from plugins and rules files, i.e. untrusted: each is
// escaped as the format requires (backslash, double quote and newline;
// invalid UTF-8 becomes U+FFFD, since the format is UTF-8). Label names
// built from text (a rule's tags) keep only [a-zA-Z0-9_].
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"
#include "metrics/snapshot.h"

namespace bulkhead {

inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4";

std::string escapeLabelValue(std::string_view value);
// A valid label name: other bytes become '_', a leading digit gets one.
std::string sanitizeLabelName(std::string_view name);

using Labels = std::vector<std::pair<std::string, std::string>>;

class PrometheusWriter {
 public:
  // Starts a family; samples added until the next family() belong to it.
  // `type`: "counter", "gauge" or "histogram".
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(const Labels& labels, double value);
  void sample(const Labels& labels, uint64_t value);
  // A sample of the family's name plus `suffix` (a histogram's _bucket,
  // _sum and _count).
  void sample(std::string_view suffix, const Labels& labels, double value);
  const std::string& text() const { return text_; }

 private:
  void samplePrefix(std::string_view suffix, const Labels& labels);

  std::string text_;
  std::string name_;
};

// Every metric of `s` that `config` enables (config.h; the names are in
// README.md's "Health and metrics").
std::string prometheusText(const Snapshot& s, const MetricsConfig& config);

}  // namespace bulkhead
