// PluginLibrary: one dlopen'ed plugin library, its resolved symbols and what
// it says about itself. Loading follows the framework's order (plugin-abi.md
// §6): resolve symbols, check the required API version, read the info
// functions, detect capabilities, read the stateless metadata. Everything
// here runs before plugin_init and needs no plugin state.
#pragma once

#include <memory>
#include <string>

#include "plugin_api/plugin_api.h"
#include "plugin_api/plugin_info.h"

namespace bulkhead {

// Every exported function, NULL where the library does not export it.
struct PluginSymbols {
  plugin_get_required_api_version_fn get_required_api_version = nullptr;
  plugin_get_version_fn get_version = nullptr;
  plugin_get_name_fn get_name = nullptr;
  plugin_get_description_fn get_description = nullptr;
  plugin_get_contact_fn get_contact = nullptr;
  plugin_init_fn init = nullptr;
  plugin_destroy_fn destroy = nullptr;
  plugin_get_last_error_fn get_last_error = nullptr;
  plugin_get_init_schema_fn get_init_schema = nullptr;
  plugin_set_config_fn set_config = nullptr;
  plugin_get_metrics_fn get_metrics = nullptr;
  plugin_get_required_event_schema_version_fn get_required_event_schema_version = nullptr;
  plugin_get_id_fn get_id = nullptr;
  plugin_get_event_source_fn get_event_source = nullptr;
  plugin_open_fn open = nullptr;
  plugin_close_fn close = nullptr;
  plugin_next_batch_fn next_batch = nullptr;
  plugin_get_progress_fn get_progress = nullptr;
  plugin_list_open_params_fn list_open_params = nullptr;
  plugin_event_to_string_fn event_to_string = nullptr;
  plugin_get_fields_fn get_fields = nullptr;
  plugin_extract_fields_fn extract_fields = nullptr;
  plugin_get_extract_event_sources_fn get_extract_event_sources = nullptr;
  plugin_get_extract_event_types_fn get_extract_event_types = nullptr;
  plugin_parse_event_fn parse_event = nullptr;
  plugin_get_parse_event_sources_fn get_parse_event_sources = nullptr;
  plugin_get_parse_event_types_fn get_parse_event_types = nullptr;
  plugin_get_async_events_fn get_async_events = nullptr;
  plugin_get_async_event_sources_fn get_async_event_sources = nullptr;
  plugin_set_async_event_handler_fn set_async_event_handler = nullptr;
  plugin_dump_state_fn dump_state = nullptr;
  plugin_capture_open_fn capture_open = nullptr;
  plugin_capture_close_fn capture_close = nullptr;
};

class PluginLibrary {
 public:
  // Loads and checks the library; throws PluginError naming the path, the
  // plugin (once known) and the symbol or version at fault.
  // `loadPath`, when given, is what dlopen opens; `path` names the library
  // in the info and in every message.
  static std::shared_ptr<const PluginLibrary> load(const std::string& path,
                                                   const std::string& loadPath = {});

  PluginLibrary(const PluginLibrary&) = delete;
  PluginLibrary& operator=(const PluginLibrary&) = delete;
  ~PluginLibrary();

  const PluginSymbols& sym() const { return sym_; }
  // Static info; extract/parse event types are filled in by the host after
  // init, since they need a state.
  const PluginInfo& info() const { return info_; }
  // "plugin 'name' (path)" for error messages.
  const std::string& who() const { return who_; }

 private:
  PluginLibrary() = default;
  void resolveSymbols();
  void checkApiVersion();
  void readInfo();
  void detectCapabilities();
  void readMetadata();

  void* handle_ = nullptr;
  PluginSymbols sym_;
  PluginInfo info_;
  std::string who_;
};

// A metadata string returned by a plugin, NULL read as empty.
inline std::string pluginString(const char* s) { return s == nullptr ? std::string() : s; }

}  // namespace bulkhead
