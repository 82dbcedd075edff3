// The plugin's owner, the `ss_plugin_owner_t*` side of the ABI: what a
// plugin may call back into while it runs. One PluginOwner is the owner of
// one plugin state; it lives at a fixed address for the state's whole
// lifetime, as the ABI promises that owner and log_fn stay the same.
//
// Tables: bulkhead offers an empty table registry for now. Every function
// the ABI version promises is there and answers (a plugin asking for a
// table gets NULL and a reason through get_owner_last_error), so real
// plugins that probe for tables fail cleanly instead of calling NULL.
#pragma once

#include <string>

#include "plugin_api/plugin_api.h"

namespace bulkhead {

class PluginOwner {
 public:
  explicit PluginOwner(std::string pluginName);
  PluginOwner(const PluginOwner&) = delete;
  PluginOwner& operator=(const PluginOwner&) = delete;

  ss_plugin_owner_t* owner() { return this; }
  static PluginOwner* from(ss_plugin_owner_t* o) { return static_cast<PluginOwner*>(o); }

  // The plugin's name as log lines show it (visible_text.h).
  const std::string& pluginName() const { return pluginName_; }
  void setLastError(std::string e) { lastError_ = std::move(e); }

  // Inputs for the plugin calls; the pointers inside stay valid while this
  // object lives.
  const ss_plugin_init_tables_input* tablesInput() const { return &tables_; }
  ss_plugin_table_reader_vtable_ext* readerExt() { return &readerExt_; }
  ss_plugin_table_writer_vtable_ext* writerExt() { return &writerExt_; }
  const ss_plugin_table_reader_vtable& reader() const { return reader_; }
  const ss_plugin_table_writer_vtable& writer() const { return writer_; }

  static const char* getOwnerLastError(ss_plugin_owner_t* o);
  static void log(ss_plugin_owner_t* o, const char* component, const char* msg,
                  ss_plugin_log_severity sev);

 private:
  std::string pluginName_;
  std::string lastError_;
  ss_plugin_init_tables_input tables_{};
  ss_plugin_table_fields_vtable_ext fieldsExt_{};
  ss_plugin_table_reader_vtable reader_{};
  ss_plugin_table_reader_vtable_ext readerExt_{};
  ss_plugin_table_writer_vtable writer_{};
  ss_plugin_table_writer_vtable_ext writerExt_{};
};

}  // namespace bulkhead
