#include "engine/version_check.h"


namespace bulkhead {

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
      auto want = SemVer::parseStrict(alt.version);
      auto have = SemVer::parse(loaded->version);
      if (!want || !have || !isCompatible(*have, *want)) {
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
