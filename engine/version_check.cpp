#include "engine/version_check.h"

#include <charconv>

namespace bulkhead {

std::optional<SemVer> SemVer::parse(std::string_view text) {
  SemVer v;
  uint32_t* parts[] = {&v.major, &v.minor, &v.patch};
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int i = 0; i < 3; ++i) {
    if (p == end || *p < '0' || *p > '9') return std::nullopt;
    auto [next, ec] = std::from_chars(p, end, *parts[i]);
    if (ec != std::errc()) return std::nullopt;
    p = next;
    if (i < 2) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
  }
  if (p != end) return std::nullopt;
  return v;
}

std::string SemVer::toString() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

bool SemVer::satisfies(const SemVer& required) const {
  return major == required.major && *this >= required;
}

std::vector<Diagnostic> checkPluginRequirements(std::span<const PluginRequirement> reqs,
                                                std::span<const PluginInfo> plugins) {
  std::vector<Diagnostic> out;
  for (const auto& req : reqs) {
    Diagnostic d;
    d.file = req.file;
    d.line = req.line;
    d.column = req.column;
    d.item = "required_plugin_versions";
    bool decided = false;
    for (const auto& alt : req.names) {
      const PluginInfo* loaded = nullptr;
      for (const auto& p : plugins) {
        if (p.name == alt.name) loaded = &p;
      }
      if (!loaded) continue;
      decided = true;
      auto want = SemVer::parse(alt.version);
      auto have = SemVer::parse(loaded->version);
      if (!want || !have || !have->satisfies(*want)) {
        d.message = "plugin '" + alt.name + "' version " + loaded->version +
                    " is loaded but the rules require a version compatible with " + alt.version +
                    " (same major, at least that version)";
        out.push_back(d);
      }
      break;
    }
    if (!decided) {
      d.message = "plugin requirement not satisfied, must load one of:";
      for (size_t i = 0; i < req.names.size(); ++i) {
        d.message += (i ? ", " : " ") + req.names[i].name + " (>= " + req.names[i].version + ")";
      }
      out.push_back(d);
    }
  }
  return out;
}

}  // namespace bulkhead
