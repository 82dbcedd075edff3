#include "supervisor/runner_reply.h"

#include "plugin_api/field_schema.h"
#include "plugin_api/version.h"
#include "plugin_api/visible_text.h"

namespace bulkhead {
namespace {

constexpr size_t kMaxText = size_t{64} * 1024;
constexpr size_t kMaxNames = 1024;

std::vector<std::string> names(capnp::List<capnp::Text>::Reader l, const char* what) {
  if (l.size() > kMaxNames) throw ControlError(ControlError::Kind::kMalformed,
                                               std::string("too many ") + what);
  std::vector<std::string> out;
  for (auto t : l) out.push_back(checkedText(t, what));
  return out;
}

}  // namespace

std::string checkedText(capnp::Text::Reader t, const char* what) {
  if (t.size() > kMaxText) throw ControlError(ControlError::Kind::kMalformed,
                                              std::string("oversized ") + what);
  return std::string(t.cStr(), t.size());
}

std::string shownText(capnp::Text::Reader t, const char* what) {
  return visibleText(checkedText(t, what), kShownTextBytes);
}

// Rebuilds PluginInfo from a runner's hello, checking it as untrusted input.
PluginInfo infoFromHello(Hello::Reader h, const PluginSpec& spec) {
  PluginInfo i;
  i.libraryPath = spec.libraryPath;
  i.name = checkedText(h.getName(), "name");
  const std::string who =
      "plugin '" + visibleText(i.name, kShownNameBytes) + "' (" + spec.libraryPath + ")";
  i.description = checkedText(h.getDescription(), "description");
  i.contact = checkedText(h.getContact(), "contact");
  i.version = checkedText(h.getVersion(), "version");
  i.requiredApiVersion = checkedText(h.getRequiredApiVersion(), "required API version");
  auto required = SemVer::parse(i.requiredApiVersion);
  if (i.name.empty() || !SemVer::parse(i.version) || !required ||
      !isCompatible(frameworkApiVersion(), *required)) {
    throw PluginError(who + ": the runner reported inconsistent plugin info");
  }
  i.capabilities = h.getCapabilities();
  constexpr uint32_t kKnown =
      CAP_SOURCING | CAP_EXTRACTION | CAP_PARSING | CAP_ASYNC | CAP_CAPTURE_LISTENING;
  if (i.capabilities == 0 || (i.capabilities & ~kKnown) != 0) {
    throw PluginError(who + ": the runner reported impossible capabilities");
  }
  i.id = h.getId();
  i.eventSource = checkedText(h.getEventSource(), "event source");
  if (i.has(CAP_SOURCING) && (i.id != 0) != !i.eventSource.empty()) {
    throw PluginError(who + ": the runner reported an id without a source");
  }
  i.fieldsJson = checkedText(h.getFieldsJson(), "fields");
  if (i.has(CAP_EXTRACTION)) i.fields = parseFieldSchema(i.fieldsJson, who);
  i.extractEventSources = names(h.getExtractEventSources(), "extract sources");
  i.parseEventSources = names(h.getParseEventSources(), "parse sources");
  i.asyncEvents = names(h.getAsyncEvents(), "async events");
  i.asyncEventSources = names(h.getAsyncEventSources(), "async sources");
  i.initSchema = checkedText(h.getInitSchema(), "init schema");
  for (uint16_t t : h.getExtractEventTypes()) i.extractEventTypes.push_back(t);
  for (uint16_t t : h.getParseEventTypes()) i.parseEventTypes.push_back(t);
  return i;
}

// The text of a TEXT reply; anything else, malformed included, reads as "".
std::string replyText(const std::optional<ControlMessage>& reply) {
  if (!reply) return {};
  try {
    Reply::Reader r = reply->reader->getRoot<Reply>();
    return r.which() == Reply::TEXT ? checkedText(r.getText(), "text") : std::string();
  } catch (const std::exception&) {
  } catch (const kj::Exception&) {
  }
  return {};
}

bool sameIdentity(const PluginInfo& a, const PluginInfo& b) {
  return a.name == b.name && a.version == b.version && a.id == b.id &&
         a.eventSource == b.eventSource && a.fieldsJson == b.fieldsJson &&
         a.capabilities == b.capabilities && a.asyncEvents == b.asyncEvents;
}

std::vector<std::string> layersFromHello(Hello::Reader hello) {
  std::vector<std::string> layers;
  for (auto l : hello.getSandbox()) {
    layers.push_back(checkedText(l.getName(), "layer") + ": " + checkedText(l.getDetail(), "layer"));
  }
  return layers;
}

std::vector<PluginMetric> metricsFromReply(Reply::Reader reply) {
  const auto malformed = [](const std::string& what) {
    return ControlError(ControlError::Kind::kMalformed, what);
  };
  if (reply.which() != Reply::METRICS) throw malformed("not a metrics reply");
  auto list = reply.getMetrics();
  if (list.size() > kMaxPluginMetrics) {
    throw malformed(std::to_string(list.size()) + " metrics, more than get_metrics may give");
  }
  std::vector<PluginMetric> out;
  for (unsigned i = 0; i < list.size(); ++i) {
    const uint8_t type = list[i].getValueType();
    if (!knownValueType(type)) throw malformed("metric " + std::to_string(i) + ": value type");
    PluginMetric m;
    m.name = checkedText(list[i].getName(), "metric name");
    m.monotonic = list[i].getMonotonic();
    m.type = static_cast<ss_plugin_metric_value_type>(type);
    m.bits = list[i].getValue();
    if (!validPluginMetric(m)) throw malformed("metric " + std::to_string(i) + ": name");
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace bulkhead
