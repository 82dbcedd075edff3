// The proxy library as a libsinsp host sees it: loaded in-process by
// InProcessHost (the reference host, which calls a plugin as Falco does),
// with the plugin itself in a sandboxed runner behind it.
#include <dlfcn.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "plugin_api/inprocess_host.h"
#include "supervisor/proxy_binding.h"
#include "supervisor/elf_symbols.h"
#include "supervisor/wrap_command.h"
#include "supervisor/isolated_host.h"
#include "tests/plugin_api/host_suite.h"
#include "tests/proxy/proxy_fixture.h"
#include "tests/supervisor/counter_alerts.h"
#include "tests/supervisor/test_services.h"

namespace bulkhead {
namespace {

namespace fs = std::filesystem;
using testing::wrappedPlugin;

std::unique_ptr<PluginHost> throughProxy(const PluginSpec& s) {
  PluginSpec p = s;
  p.libraryPath = wrappedPlugin(s.libraryPath);
  return std::make_unique<InProcessHost>(p);
}

INSTANTIATE_TEST_SUITE_P(Proxy, HostSuite, ::testing::Values(HostKind{"proxy", throughProxy}),
                         [](const auto& info) { return info.param.name; });

std::string plugin(const std::string& name) {
  return std::string(BULKHEAD_TEST_PLUGIN_DIR) + "/lib" + name + ".so";
}

PluginSpec specOf(const std::string& name, const std::string& config = "") {
  return PluginSpec{name, plugin(name), config};
}

FieldRequest field(const PluginInfo& info, const std::string& name) {
  for (uint32_t i = 0; i < info.fields.size(); ++i) {
    if (info.fields[i].name == name) {
      FieldRequest q;
      q.fieldId = i;
      return q;
    }
  }
  ADD_FAILURE() << "no field " << name;
  return {};
}

// --- what the copy exports -------------------------------------------------

TEST(ProxyWrap, TheCopyExportsWhatThePluginExportsAndTheProxyForwards) {
  const std::string copy = wrappedPlugin(plugin("counter"));
  std::vector<std::string> mine = exportedSymbols(copy);
  std::vector<std::string> theirs = exportedSymbols(plugin("counter"));
  std::erase(mine, "bulkhead_proxy_marker");
  std::erase(theirs, "plugin_list_open_params");  // not forwarded
  EXPECT_EQ(mine, theirs);
  // The host finds exactly those: a hidden function is found under no name.
  void* h = dlopen(wrappedPlugin(plugin("jsonx")).c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(h, nullptr) << dlerror();
  EXPECT_NE(dlsym(h, "plugin_extract_fields"), nullptr);
  EXPECT_EQ(dlsym(h, "plugin_next_batch"), nullptr);  // jsonx only extracts
  EXPECT_EQ(dlsym(h, "plugin_open"), nullptr);
  dlclose(h);
}

TEST(ProxyWrap, TheHostSeesThePluginsOwnDescription) {
  for (const char* name : {"counter", "jsonx", "ticker", "stateful", "fault"}) {
    SCOPED_TRACE(name);
    InProcessHost direct(specOf(name));
    PluginSpec p = specOf(name);
    p.libraryPath = wrappedPlugin(p.libraryPath);
    InProcessHost proxied(p);
    const PluginInfo& a = direct.info();
    const PluginInfo& b = proxied.info();
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.version, b.version);
    EXPECT_EQ(a.requiredApiVersion, b.requiredApiVersion);
    EXPECT_EQ(a.capabilities, b.capabilities);
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.eventSource, b.eventSource);
    EXPECT_EQ(a.fieldsJson, b.fieldsJson);
    EXPECT_EQ(a.extractEventSources, b.extractEventSources);
    EXPECT_EQ(a.parseEventSources, b.parseEventSources);
    EXPECT_EQ(a.asyncEvents, b.asyncEvents);
    EXPECT_EQ(a.initSchema, b.initSchema);
    EXPECT_EQ(a.extractEventTypes, b.extractEventTypes);
  }
}

TEST(ProxyWrap, AProxyIsNotWrappedAgain) {
  WrapRequest req;
  req.plugin = wrappedPlugin(plugin("counter"));
  req.output = testing::scratchDir("again") + "/libagain.so";
  req.proxyLibrary = BULKHEAD_BINARY_DIR "/libbulkhead_proxy.so";
  try {
    wrapPlugin(req, testServices());
    FAIL() << "wrapped a proxy";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("is a bulkhead proxy already"), std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(fs::exists(req.output));
}

TEST(ProxyWrap, ABadSettingsFileNamesItsLine) {
  WrapRequest req;
  req.plugin = plugin("counter");
  req.output = testing::scratchDir("badsettings") + "/libc.so";
  req.settingsFile = testing::scratchDir("badsettings") + "/s.yaml";
  std::ofstream(req.settingsFile) << "policy: default\nlimits:\n  memory_mb: lots\n";
  req.proxyLibrary = BULKHEAD_BINARY_DIR "/libbulkhead_proxy.so";
  try {
    wrapPlugin(req, testServices());
    FAIL() << "took a bad settings file";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("s.yaml:3"), std::string::npos) << e.what();
  }
}

// The command itself: what it prints, and its exit status.
std::pair<int, std::string> runBulkhead(const std::string& args) {
  const std::string cmd = std::string(BULKHEAD_BINARY_DIR) + "/bulkhead " + args + " 2>&1";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while (p != nullptr && (n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = p != nullptr ? ::pclose(p) : -1;
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST(ProxyWrap, TheCommandSaysWhatToPutInFalcoYaml) {
  const std::string out = testing::scratchDir("command") + "/libcounter-proxy.so";
  auto [code, text] = runBulkhead("wrap " + plugin("counter") + " -o " + out);
  EXPECT_EQ(code, 0) << text;
  EXPECT_NE(text.find("library_path: " + out), std::string::npos) << text;
  EXPECT_NE(text.find("does not forward plugin_list_open_params"), std::string::npos) << text;
  EXPECT_TRUE(fs::exists(bindingPathFor(out)));
  std::tie(code, text) = runBulkhead("wrap " + plugin("counter"));
  EXPECT_NE(code, 0);
  EXPECT_NE(text.find("--output"), std::string::npos) << text;
  std::tie(code, text) = runBulkhead("wrap /nonexistent/libx.so -o " + out + ".2");
  EXPECT_EQ(code, 1);
  EXPECT_NE(text.find("/nonexistent/libx.so"), std::string::npos) << text;
}

TEST(ElfSymbols, TruncatedOrForeignFilesAreRefusedByName) {
  const std::vector<char> lib = [] {
    std::ifstream in(plugin("counter"), std::ios::binary);
    return std::vector<char>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }();
  EXPECT_FALSE(exportedSymbolsIn(lib, "whole").empty());
  for (size_t cut : {size_t{0}, size_t{10}, size_t{64}, lib.size() / 2}) {
    SCOPED_TRACE(cut);
    try {
      // Cut short, the section headers (at the end) are out of bounds.
      exportedSymbolsIn(std::vector<char>(lib.begin(), lib.begin() + cut), "cut");
      ADD_FAILURE() << "a truncated file was read";
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()).rfind("cut: ", 0), 0u) << e.what();
    }
  }
  EXPECT_THROW(exportedSymbolsIn(std::vector<char>(4096, 'x'), "text"), std::runtime_error);
}

// --- the binding --------------------------------------------------------------

// A copy of a wrapped proxy whose binding `edit` rewrites.
std::string editedCopy(const std::string& name, const std::string& from, const std::string& to) {
  const std::string src = wrappedPlugin(plugin("counter"));
  const std::string dir = testing::scratchDir(name);
  const std::string copy = dir + "/libcounter-proxy.so";
  fs::copy_file(src, copy, fs::copy_options::overwrite_existing);
  std::ifstream in(bindingPathFor(src));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  std::ofstream(bindingPathFor(copy)) << text;
  return copy;
}

TEST(ProxyBinding, APluginChangedSinceWrappingIsRefusedAtInit) {
  const std::string copy = editedCopy("changed", "version: \"0.1.0\"", "version: \"0.0.9\"");
  try {
    InProcessHost h(PluginSpec{"counter", copy, ""});
    FAIL() << "a changed plugin was accepted";
  } catch (const PluginError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("version is now '0.1.0', was '0.0.9'"), std::string::npos) << m;
    EXPECT_NE(m.find("bulkhead wrap"), std::string::npos) << m;
  }
}

TEST(ProxyBinding, AProxyWithoutItsBindingFailsInitSayingWhy) {
  const std::string dir = testing::scratchDir("unbound");
  const std::string copy = dir + "/libunbound.so";
  fs::copy_file(BULKHEAD_BINARY_DIR "/libbulkhead_proxy.so", copy,
                fs::copy_options::overwrite_existing);
  // The raw library exports every function; the checks before init then
  // refuse it for its empty field list, or init does: either names the file.
  try {
    InProcessHost h(PluginSpec{"unbound", copy, ""});
    FAIL() << "an unbound proxy loaded";
  } catch (const PluginError& e) {
    EXPECT_NE(std::string(e.what()).find("unbound"), std::string::npos) << e.what();
  }
}

TEST(ProxyBinding, IsolationSettingsInTheBindingReachTheRunner) {
  // A policy that does not exist: the proxy's init fails on it, naming it.
  const std::string copy = editedCopy("policy", "isolation:\n  {}", "isolation:\n  policy: nosuch");
  try {
    InProcessHost h(PluginSpec{"counter", copy, ""});
    FAIL() << "an unknown policy was accepted";
  } catch (const PluginError& e) {
    EXPECT_NE(std::string(e.what()).find("nosuch"), std::string::npos) << e.what();
  }
}

// --- alerts -----------------------------------------------------------------

class CollectingSink : public AlertSink {
 public:
  void emit(const Alert& a) override {
    std::string line = a.rule + "|" + a.output + "|";
    for (const auto& f : a.fields) line += f.name + "=" + (f.present ? f.value : "<NA>") + ";";
    lines.push_back(line);
  }
  std::vector<std::string> lines;
};


enum class Kind { kInProcess, kIsolated, kProxy };

std::vector<std::string> alertsWith(Kind kind) {
  std::vector<std::unique_ptr<PluginHost>> hosts;
  for (const char* name : {"counter", "jsonx"}) {
    const PluginSpec spec = specOf(name);
    switch (kind) {
      case Kind::kInProcess:
        hosts.push_back(std::make_unique<InProcessHost>(spec));
        break;
      case Kind::kIsolated:
        hosts.push_back(std::make_unique<IsolatedHost>(spec, testIsolation(), testServices()));
        break;
      case Kind::kProxy:
        hosts.push_back(throughProxy(spec));
        break;
    }
  }
  CollectingSink sink;
  testing::runCounterRules(*hosts[0], *hosts[1], testing::kCounterRules, sink);
  return sink.lines;
}

TEST(ProxyAlerts, EqualInProcessAndIsolatedAlerts) {
  const std::vector<std::string> inprocess = alertsWith(Kind::kInProcess);
  ASSERT_GT(inprocess.size(), 100u);
  EXPECT_EQ(alertsWith(Kind::kIsolated), inprocess);
  EXPECT_EQ(alertsWith(Kind::kProxy), inprocess);
}

// libsinsp asks one field of one event per call, in whatever order its
// rules need them; every answer must be the one a whole-batch request gets.
TEST(ProxyExtraction, OneFieldPerCallAnswersAsTheWholeBatch) {
  InProcessHost direct(specOf("counter"));
  auto proxied = throughProxy(specOf("counter"));
  auto jsonDirect = std::make_unique<InProcessHost>(specOf("jsonx"));
  auto jsonProxied = throughProxy(specOf("jsonx"));
  std::vector<FieldRequest> reqs = {field(direct.info(), "counter.seq"),
                                    field(direct.info(), "counter.msg"),
                                    field(direct.info(), "counter.tags"),
                                    field(direct.info(), "counter.ip")};
  FieldRequest tag = field(direct.info(), "counter.tag");
  tag.argPresent = true;
  tag.argIndex = 1;
  tag.argKey = "1";
  reqs.push_back(tag);
  FieldRequest jv = field(jsonDirect->info(), "jsonx.value");
  jv.argPresent = true;
  jv.argKey = "/msg";
  direct.open("count=300,batch=40");
  proxied->open("count=300,batch=40");
  ExtractResults want, got;
  size_t compared = 0;
  for (int b = 0; b < 20; ++b) {
    BatchResult x = direct.nextBatch();
    BatchResult y = proxied->nextBatch();
    ASSERT_EQ(x.events.size(), y.events.size());
    if (x.events.empty()) {
      if (x.rc == SS_PLUGIN_EOF) break;
      continue;
    }
    ASSERT_EQ(direct.extract(x.events, "counter", reqs, want), SS_PLUGIN_SUCCESS);
    for (size_t e = 0; e < y.events.size(); ++e) {
      // Every other event as a copy: a host need not pass the pointer
      // next_batch gave it.
      const auto* bytes = reinterpret_cast<const uint8_t*>(y.events[e].evt);
      const std::vector<uint8_t> copy(bytes, bytes + y.events[e].evt->len);
      const EventRef asked = e % 2 == 0 ? y.events[e]
                                        : EventRef{reinterpret_cast<const ss_plugin_event*>(
                                                       copy.data()),
                                                   y.events[e].num};
      // The fields in another order for every event, one per call.
      for (size_t k = 0; k < reqs.size(); ++k) {
        const size_t r = (k + e) % reqs.size();
        ASSERT_EQ(proxied->extract({&asked, 1}, "counter", {&reqs[r], 1}, got),
                  SS_PLUGIN_SUCCESS);
        std::vector<std::string> a, c;
        for (const FieldValue& v : want.values(e, r)) {
          a.push_back(std::to_string(v.u64) + ":" + std::string(want.bytesOf(v)));
        }
        for (const FieldValue& v : got.values(0, 0)) {
          c.push_back(std::to_string(v.u64) + ":" + std::string(got.bytesOf(v)));
        }
        ASSERT_EQ(a, c) << "event " << e << " request " << r;
        ++compared;
      }
      // An extract-only plugin on another plugin's events.
      ExtractResults jw, jg;
      ASSERT_EQ(jsonDirect->extract({&x.events[e], 1}, "counter", {&jv, 1}, jw), SS_PLUGIN_SUCCESS);
      ASSERT_EQ(jsonProxied->extract({&y.events[e], 1}, "counter", {&jv, 1}, jg), SS_PLUGIN_SUCCESS);
      ASSERT_EQ(jw.values(0, 0).size(), jg.values(0, 0).size());
      if (!jw.values(0, 0).empty()) {
        EXPECT_EQ(jw.bytesOf(jw.values(0, 0)[0]), jg.bytesOf(jg.values(0, 0)[0]));
      }
    }
  }
  EXPECT_GT(compared, 1000u);
}

// --- async and parse ---------------------------------------------------------

TEST(ProxyAsync, EventsComeThroughTheHostsHandlerFromTheProxysThread) {
  auto ticker = throughProxy(specOf("ticker", R"({"interval_ms": 1, "max": 30})"));
  ticker->startAsync();
  size_t n = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (n < 30 && std::chrono::steady_clock::now() < until) {
    n += ticker->drainAsync().size();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ticker->stopAsync();
  EXPECT_EQ(n, 30u);
}

}  // namespace
}  // namespace bulkhead
