#include "supervisor/wrap_command.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <stdexcept>
#include <string_view>

#include <CLI/CLI.hpp>
#include <yaml-cpp/yaml.h>

#include "config/isolation_reader.h"
#include "config/yaml_node_reader.h"
#include "plugin_api/visible_text.h"
#include "supervisor/proxy_binding.h"
#include "supervisor/elf_symbols.h"
#include "supervisor/host_factory.h"
#include "supervisor/install_paths.h"
#include "supervisor/isolated_host.h"

namespace bulkhead {

namespace fs = std::filesystem;

namespace {

// Every function of the plugin ABI (plugin_api.h); other plugin_* names a
// library exports (an SDK's own helpers) are no part of it.
constexpr std::string_view kAbiFunctions[] = {
    "plugin_get_required_api_version", "plugin_get_version", "plugin_get_name",
    "plugin_get_description", "plugin_get_contact", "plugin_init", "plugin_destroy",
    "plugin_get_last_error", "plugin_get_init_schema", "plugin_set_config", "plugin_get_metrics",
    "plugin_get_required_event_schema_version", "plugin_get_id", "plugin_get_event_source",
    "plugin_open", "plugin_close", "plugin_next_batch", "plugin_get_progress",
    "plugin_list_open_params", "plugin_event_to_string", "plugin_get_fields",
    "plugin_extract_fields", "plugin_get_extract_event_sources", "plugin_get_extract_event_types",
    "plugin_parse_event", "plugin_get_parse_event_sources", "plugin_get_parse_event_types",
    "plugin_get_async_events", "plugin_get_async_event_sources", "plugin_set_async_event_handler",
    "plugin_dump_state", "plugin_capture_open", "plugin_capture_close"};

std::vector<std::string> pluginFunctions(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const std::string& n : names) {
    if (std::find(std::begin(kAbiFunctions), std::end(kAbiFunctions), n) !=
        std::end(kAbiFunctions)) {
      out.push_back(n);
    }
  }
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// "libk8saudit.so" -> "k8saudit": what messages call the plugin until its
// hello gives its name.
std::string nameFromFile(const fs::path& p) {
  std::string n = p.stem().string();
  if (n.rfind("lib", 0) == 0 && n.size() > 3) n.erase(0, 3);
  return n;
}

}  // namespace

WrapResult wrapPlugin(const WrapRequest& req, const RunnerServices& services) {
  std::error_code ec;
  const fs::path plugin = fs::canonical(req.plugin, ec);
  if (ec) throw std::runtime_error(req.plugin + ": " + ec.message());
  const fs::path output = fs::absolute(req.output);
  const std::vector<std::string> pluginExports = exportedSymbols(plugin.string());
  if (has(pluginExports, "bulkhead_proxy_marker")) {
    throw std::runtime_error(plugin.string() + " is a bulkhead proxy already; wrap the plugin itself");
  }
  if (fs::equivalent(plugin, output, ec)) {
    throw std::runtime_error(output.string() + ": the proxy would replace the plugin it wraps");
  }

  YAML::Node settings;
  IsolationConfig iso;
  if (!req.settingsFile.empty()) {
    try {
      settings = YAML::LoadFile(req.settingsFile);
    } catch (const YAML::Exception& e) {
      throw std::runtime_error(req.settingsFile + ": " + e.what());
    }
    YamlNodeReader reader(req.settingsFile);
    iso = readIsolation(reader, settings, "settings", IsolationConfig{});
  }

  // The plugin's own account of itself, from a sandboxed runner.
  PluginSpec spec{nameFromFile(plugin), plugin.string(), req.initConfig};
  PluginInfo info;
  {
    IsolatedHost host(spec, iso, services);
    info = host.info();
    host.shutdown();
  }

  WrapResult result;
  result.pluginName = info.name;
  const std::vector<std::string> offered = pluginFunctions(exportedSymbols(req.proxyLibrary));
  std::vector<std::string> hide;
  for (const std::string& f : offered) {
    (has(pluginExports, f) ? result.exports : hide).push_back(f);
  }
  for (const std::string& f : pluginFunctions(pluginExports)) {
    if (!has(offered, f)) result.notForwarded.push_back(f);
  }

  const fs::path tmp = output.string() + ".tmp";
  fs::copy_file(req.proxyLibrary, tmp, fs::copy_options::overwrite_existing, ec);
  if (ec) throw std::runtime_error(tmp.string() + ": " + ec.message());
  try {
    hideSymbols(tmp.string(), hide, "bulkhead_proxy_marker");
    ::chmod(tmp.c_str(), 0755);
    fs::rename(tmp, output);
  } catch (...) {
    fs::remove(tmp, ec);
    throw;
  }

  ProxyBinding b;
  b.path = bindingPathFor(output.string());
  b.libraryPath = plugin.string();
  b.runnerPath = services.runnerPath;
  b.policyDir = services.policyDir;
  b.isolation = settings;
  b.info = info;
  b.exports = result.exports;
  writeBinding(b);
  result.bindingPath = b.path;
  return result;
}

int runWrap(int argc, char** argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"Writes a proxy plugin library that runs <plugin> sandboxed inside Falco", "bulkhead wrap"};
  WrapRequest req;
  app.add_option("plugin", req.plugin, "The plugin library to wrap")->required();
  app.add_option("-o,--output", req.output, "The proxy library to write")->required();
  app.add_option("--settings", req.settingsFile,
                 "YAML file with the isolation keys of falco.yaml's bulkhead.plugins.<name>");
  app.add_option("--init-config", req.initConfig,
                 "init_config for the one start-up that reads the plugin's description");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e, out, err);
  }
  const InstallPaths paths = findInstallPaths(executableDir());
  req.proxyLibrary = (fs::path(paths.runner).parent_path() / "libbulkhead_proxy.so").string();
  try {
    Spawner spawner;
    DeathWatch deathWatch;
    RunnerOutput runnerOutput;
    const RunnerServices services{spawner, deathWatch, runnerOutput, paths.runner, paths.policyDir};
    const WrapResult r = wrapPlugin(req, services);
    const std::string name = visibleText(r.pluginName, kShownNameBytes);
    out << "wrapped plugin '" << name << "' (" << req.plugin << ") into " << req.output << "\n"
        << "binding: " << r.bindingPath << "\n";
    for (const std::string& f : r.notForwarded) {
      err << "warning: the proxy does not forward " << f << "; Falco will not see it\n";
    }
    out << "in falco.yaml: - name: " << name << "\n"
        << "                 library_path: " << fs::absolute(req.output).string() << "\n";
    return 0;
  } catch (const std::exception& e) {
    err << "Error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace bulkhead
