#include "plugin_api/plugin_owner.h"

#include <spdlog/spdlog.h>

#include "plugin_api/visible_text.h"

namespace bulkhead {

namespace {

// No table exists, so every table-scoped callback is reached only by a
// plugin that ignored a NULL from get_table; each answers with a failure
// value of its own type rather than crashing.
const ss_plugin_table_fieldinfo* listFields(ss_plugin_table_t*, uint32_t* n) {
  if (n != nullptr) *n = 0;
  return nullptr;
}
ss_plugin_table_field_t* noField(ss_plugin_table_t*, const char*, ss_plugin_state_type) {
  return nullptr;
}
const char* noTableName(ss_plugin_table_t*) { return nullptr; }
uint64_t noTableSize(ss_plugin_table_t*) { return UINT64_MAX; }
ss_plugin_table_entry_t* noEntry(ss_plugin_table_t*, const ss_plugin_state_data*) {
  return nullptr;
}
ss_plugin_rc noRead(ss_plugin_table_t*, ss_plugin_table_entry_t*, const ss_plugin_table_field_t*,
                    ss_plugin_state_data*) {
  return SS_PLUGIN_FAILURE;
}
void noRelease(ss_plugin_table_t*, ss_plugin_table_entry_t*) {}
ss_plugin_bool noIterate(ss_plugin_table_t*, ss_plugin_table_iterator_func_t,
                         ss_plugin_table_iterator_state_t*) {
  return 0;
}
ss_plugin_rc noClear(ss_plugin_table_t*) { return SS_PLUGIN_FAILURE; }
ss_plugin_rc noErase(ss_plugin_table_t*, const ss_plugin_state_data*) { return SS_PLUGIN_FAILURE; }
ss_plugin_table_entry_t* noCreate(ss_plugin_table_t*) { return nullptr; }
void noDestroy(ss_plugin_table_t*, ss_plugin_table_entry_t*) {}
ss_plugin_table_entry_t* noAdd(ss_plugin_table_t*, const ss_plugin_state_data*,
                               ss_plugin_table_entry_t*) {
  return nullptr;
}
ss_plugin_rc noWrite(ss_plugin_table_t*, ss_plugin_table_entry_t*, const ss_plugin_table_field_t*,
                     const ss_plugin_state_data*) {
  return SS_PLUGIN_FAILURE;
}

ss_plugin_table_info* listTables(ss_plugin_owner_t*, uint32_t* n) {
  static ss_plugin_table_info none{};
  if (n != nullptr) *n = 0;
  return &none;
}
ss_plugin_table_t* getTable(ss_plugin_owner_t* o, const char* name, ss_plugin_state_type) {
  PluginOwner::from(o)->setLastError(std::string("table '") + (name ? name : "(null)") +
                                     "' does not exist: bulkhead exposes no state tables");
  return nullptr;
}
ss_plugin_rc addTable(ss_plugin_owner_t* o, const ss_plugin_table_input* in) {
  PluginOwner::from(o)->setLastError(std::string("cannot add table '") +
                                     (in && in->name ? in->name : "(null)") +
                                     "': bulkhead does not support plugin-defined tables");
  return SS_PLUGIN_FAILURE;
}

}  // namespace

PluginOwner::PluginOwner(std::string pluginName)
    : pluginName_(visibleText(pluginName, kShownNameBytes)) {
  fieldsExt_ = {listFields, noField, noField};
  reader_ = {noTableName, noTableSize, noEntry, noRead};
  readerExt_ = {noTableName, noTableSize, noEntry, noRead, noRelease, noIterate};
  writer_ = {noClear, noErase, noCreate, noDestroy, noAdd, noWrite};
  writerExt_ = writer_;
  tables_.list_tables = listTables;
  tables_.get_table = getTable;
  tables_.add_table = addTable;
  tables_.fields = fieldsExt_;
  tables_.fields_ext = &fieldsExt_;
  tables_.reader_ext = &readerExt_;
  tables_.writer_ext = &writerExt_;
}

const char* PluginOwner::getOwnerLastError(ss_plugin_owner_t* o) {
  PluginOwner* f = from(o);
  return f == nullptr || f->lastError_.empty() ? nullptr : f->lastError_.c_str();
}

void PluginOwner::log(ss_plugin_owner_t* o, const char* component, const char* msg,
                      ss_plugin_log_severity sev) {
  spdlog::level::level_enum level = spdlog::level::info;
  switch (sev) {
    case SS_PLUGIN_LOG_SEV_FATAL:
    case SS_PLUGIN_LOG_SEV_CRITICAL:
      level = spdlog::level::critical;
      break;
    case SS_PLUGIN_LOG_SEV_ERROR:
      level = spdlog::level::err;
      break;
    case SS_PLUGIN_LOG_SEV_WARNING:
      level = spdlog::level::warn;
      break;
    case SS_PLUGIN_LOG_SEV_NOTICE:
    case SS_PLUGIN_LOG_SEV_INFO:
      level = spdlog::level::info;
      break;
    case SS_PLUGIN_LOG_SEV_DEBUG:
      level = spdlog::level::debug;
      break;
    case SS_PLUGIN_LOG_SEV_TRACE:
      level = spdlog::level::trace;
      break;
  }
  const PluginOwner* f = from(o);
  const std::string& name = f != nullptr ? f->pluginName_ : std::string();
  // The plugin writes these lines itself: a newline in them must not start
  // a line of our log that the plugin made up.
  spdlog::log(level, "[{}] {}{}{}", name,
              component ? visibleText(component, kShownNameBytes) : std::string(),
              component ? ": " : "", msg ? visibleText(msg, kShownTextBytes) : std::string());
}

}  // namespace bulkhead
