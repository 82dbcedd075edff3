#include "plugin_api/plugin_library.h"

#include <dlfcn.h>

#include "plugin_api/field_schema.h"
#include "plugin_api/version.h"
#include "plugin_api/visible_text.h"

namespace bulkhead {

namespace {

// Resolves one symbol into its typed slot; dlsym hands back void*, and
// POSIX guarantees a function pointer survives the round trip.
template <typename Fn>
void resolve(void* handle, const char* name, Fn& slot) {
  slot = reinterpret_cast<Fn>(dlsym(handle, name));
}

}  // namespace

static_assert(sizeof(PluginSymbols) == 33 * sizeof(void*),
              "a new PluginSymbols member must also be resolved in resolveSymbols()");

std::shared_ptr<const PluginLibrary> PluginLibrary::load(const std::string& path,
                                                         const std::string& loadPath) {
  std::shared_ptr<PluginLibrary> lib(new PluginLibrary());
  lib->who_ = "plugin library " + path;
  lib->info_.libraryPath = path;
  // RTLD_LOCAL keeps two plugins' symbols apart; RTLD_NOW surfaces a missing
  // dependency here, as a load error, instead of at the first call.
  const std::string& opened = loadPath.empty() ? path : loadPath;
  lib->handle_ = dlopen(opened.c_str(), RTLD_LOCAL | RTLD_NOW);
  if (lib->handle_ == nullptr) {
    const char* err = dlerror();
    throw PluginError("cannot load plugin library " + path + ": " +
                      // The loader's message quotes the library's own symbol names.
                      (err ? visibleText(err, kShownTextBytes) : std::string("dlopen failed")));
  }
  lib->resolveSymbols();
  lib->checkApiVersion();
  lib->readInfo();
  lib->detectCapabilities();
  lib->readMetadata();
  return lib;
}

PluginLibrary::~PluginLibrary() {
  if (handle_ != nullptr) dlclose(handle_);
}

void PluginLibrary::resolveSymbols() {
#define BULKHEAD_RESOLVE(n) resolve(handle_, "plugin_" #n, sym_.n)
  BULKHEAD_RESOLVE(get_required_api_version);
  BULKHEAD_RESOLVE(get_version);
  BULKHEAD_RESOLVE(get_name);
  BULKHEAD_RESOLVE(get_description);
  BULKHEAD_RESOLVE(get_contact);
  BULKHEAD_RESOLVE(init);
  BULKHEAD_RESOLVE(destroy);
  BULKHEAD_RESOLVE(get_last_error);
  BULKHEAD_RESOLVE(get_init_schema);
  BULKHEAD_RESOLVE(set_config);
  BULKHEAD_RESOLVE(get_metrics);
  BULKHEAD_RESOLVE(get_required_event_schema_version);
  BULKHEAD_RESOLVE(get_id);
  BULKHEAD_RESOLVE(get_event_source);
  BULKHEAD_RESOLVE(open);
  BULKHEAD_RESOLVE(close);
  BULKHEAD_RESOLVE(next_batch);
  BULKHEAD_RESOLVE(get_progress);
  BULKHEAD_RESOLVE(list_open_params);
  BULKHEAD_RESOLVE(event_to_string);
  BULKHEAD_RESOLVE(get_fields);
  BULKHEAD_RESOLVE(extract_fields);
  BULKHEAD_RESOLVE(get_extract_event_sources);
  BULKHEAD_RESOLVE(get_extract_event_types);
  BULKHEAD_RESOLVE(parse_event);
  BULKHEAD_RESOLVE(get_parse_event_sources);
  BULKHEAD_RESOLVE(get_parse_event_types);
  BULKHEAD_RESOLVE(get_async_events);
  BULKHEAD_RESOLVE(get_async_event_sources);
  BULKHEAD_RESOLVE(set_async_event_handler);
  BULKHEAD_RESOLVE(dump_state);
  BULKHEAD_RESOLVE(capture_open);
  BULKHEAD_RESOLVE(capture_close);
#undef BULKHEAD_RESOLVE
  const std::pair<const char*, bool> required[] = {
      {"get_required_api_version", sym_.get_required_api_version != nullptr},
      {"get_version", sym_.get_version != nullptr},
      {"get_name", sym_.get_name != nullptr},
      {"get_description", sym_.get_description != nullptr},
      {"get_contact", sym_.get_contact != nullptr},
      {"init", sym_.init != nullptr},
      {"destroy", sym_.destroy != nullptr},
      {"get_last_error", sym_.get_last_error != nullptr},
  };
  for (const auto& [name, present] : required) {
    if (!present) {
      throw PluginError(who_ + " does not export the required symbol plugin_" + name +
                        ": it is not a Falco plugin, or it is broken");
    }
  }
}

void PluginLibrary::checkApiVersion() {
  std::string required = pluginString(sym_.get_required_api_version());
  std::optional<SemVer> v = SemVer::parse(required);
  SemVer ours = frameworkApiVersion();
  if (!v) {
    throw PluginError(who_ + ": plugin_get_required_api_version returned '" +
                      visibleText(required, kShownNameBytes) +
                      "', not a version of the form X.Y.Z");
  }
  if (!isCompatible(ours, *v)) {
    throw PluginError(who_ + " requires plugin API " + v->str() + ", but bulkhead implements " +
                      ours.str() +
                      (v->major != ours.major ? " (the major versions differ)"
                                              : " (the plugin needs a newer minor version)"));
  }
  info_.requiredApiVersion = required;
}

void PluginLibrary::readInfo() {
  info_.name = pluginString(sym_.get_name());
  if (info_.name.empty()) throw PluginError(who_ + ": plugin_get_name returned an empty name");
  // Every message about this plugin starts with who_: its name is made
  // visible once, here.
  who_ = "plugin '" + visibleText(info_.name, kShownNameBytes) + "' (" + info_.libraryPath + ")";
  info_.description = pluginString(sym_.get_description());
  info_.contact = pluginString(sym_.get_contact());
  info_.version = pluginString(sym_.get_version());
  if (!SemVer::parse(info_.version)) {
    throw PluginError(who_ + ": plugin_get_version returned '" +
                      visibleText(info_.version, kShownNameBytes) +
                      "', not a version of the form X.Y.Z");
  }
}

void PluginLibrary::detectCapabilities() {
  std::string broken;
  auto markBroken = [&](const std::string& why) { broken += (broken.empty() ? "" : "; ") + why; };

  const int sourcingSyms = (sym_.open != nullptr) + (sym_.close != nullptr) +
                           (sym_.next_batch != nullptr);
  if (sourcingSyms == 3) {
    info_.id = sym_.get_id != nullptr ? sym_.get_id() : 0;
    // The framework passes this to strlen: NULL is read as "no source".
    info_.eventSource = sym_.get_event_source != nullptr
                            ? pluginString(sym_.get_event_source())
                            : std::string();
    if ((info_.id != 0) != !info_.eventSource.empty()) {
      markBroken("event sourcing needs both a non-zero id and an event source, or neither");
    } else {
      info_.capabilities |= CAP_SOURCING;
    }
    if (info_.eventSource == "syscall") {
      markBroken("the event source name 'syscall' is reserved");
    }
  } else if (sourcingSyms != 0) {
    markBroken("event sourcing needs plugin_open, plugin_close and plugin_next_batch together");
  }

  if (sym_.extract_fields != nullptr && sym_.get_fields == nullptr) {
    markBroken("plugin_extract_fields is exported without plugin_get_fields");
  } else if (sym_.extract_fields != nullptr) {
    info_.capabilities |= CAP_EXTRACTION;
  }
  if (sym_.parse_event != nullptr) info_.capabilities |= CAP_PARSING;
  if (sym_.set_async_event_handler != nullptr && sym_.get_async_events == nullptr) {
    markBroken("plugin_set_async_event_handler is exported without plugin_get_async_events");
  } else if (sym_.set_async_event_handler != nullptr) {
    info_.capabilities |= CAP_ASYNC;
  }
  if (sym_.capture_open != nullptr && sym_.capture_close == nullptr) {
    markBroken("plugin_capture_open is exported without plugin_capture_close");
  } else if (sym_.capture_open != nullptr) {
    info_.capabilities |= CAP_CAPTURE_LISTENING;
  }

  if (!broken.empty()) throw PluginError(who_ + " is broken: " + broken);
  if (info_.capabilities == CAP_NONE) {
    throw PluginError(who_ +
                      " does not implement any capability (event sourcing, field extraction, "
                      "event parsing, async events or capture listening)");
  }
}

void PluginLibrary::readMetadata() {
  if (info_.has(CAP_EXTRACTION)) {
    info_.fieldsJson = pluginString(sym_.get_fields());
    info_.fields = parseFieldSchema(info_.fieldsJson, who_);
    if (sym_.get_extract_event_sources != nullptr) {
      info_.extractEventSources = parseStringList(pluginString(sym_.get_extract_event_sources()),
                                                  who_, "plugin_get_extract_event_sources");
    }
  }
  if (info_.has(CAP_PARSING) && sym_.get_parse_event_sources != nullptr) {
    info_.parseEventSources = parseStringList(pluginString(sym_.get_parse_event_sources()), who_,
                                              "plugin_get_parse_event_sources");
  }
  if (info_.has(CAP_ASYNC)) {
    std::string names = pluginString(sym_.get_async_events());
    if (names.empty()) throw PluginError(who_ + ": plugin_get_async_events returned nothing");
    info_.asyncEvents = parseStringList(names, who_, "plugin_get_async_events");
    if (sym_.get_async_event_sources != nullptr) {
      info_.asyncEventSources = parseStringList(pluginString(sym_.get_async_event_sources()), who_,
                                                "plugin_get_async_event_sources");
    }
  }
  // A sourcing plugin always serves its own source (plugin-abi.md §5), so
  // its source set is never empty, never "all sources".
  auto addOwnSource = [&](std::vector<std::string>& sources) {
    if (info_.eventSource.empty()) return;
    for (const std::string& s : sources) {
      if (s == info_.eventSource) return;
    }
    sources.push_back(info_.eventSource);
  };
  addOwnSource(info_.extractEventSources);
  addOwnSource(info_.parseEventSources);
  addOwnSource(info_.asyncEventSources);
  if (sym_.get_init_schema != nullptr) {
    ss_plugin_schema_type type = SS_PLUGIN_SCHEMA_NONE;
    const char* schema = sym_.get_init_schema(&type);
    if (type == SS_PLUGIN_SCHEMA_JSON) {
      info_.initSchema = pluginString(schema);
    } else if (type != SS_PLUGIN_SCHEMA_NONE) {
      throw PluginError(who_ + ": plugin_get_init_schema returned unknown schema type " +
                        std::to_string(static_cast<int>(type)));
    }
  }
}

}  // namespace bulkhead
