// A real Prometheus server, started here on loopback with a scratch config
// and storage, scrapes a bulkhead /metrics endpoint; the test asks its
// HTTP API until the bulkhead_ metric with a hostile label shows up.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "metrics/prometheus_text.h"
#include "metrics/web_server.h"
#include "test_snapshot.h"
#include "tests/loopback_port.h"

extern char** environ;

namespace bulkhead {
namespace {

class PrometheusProcess {
 public:
  PrometheusProcess(const std::string& dir, int port, int targetPort) {
    const std::string config = dir + "/prometheus.yml";
    std::ofstream(config) << "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                          << "scrape_configs:\n  - job_name: bulkhead\n    static_configs:\n"
                          << "      - targets: ['127.0.0.1:" << targetPort << "']\n";
    std::vector<std::string> args = {"prometheus",
                                     "--config.file=" + config,
                                     "--storage.tsdb.path=" + dir + "/data",
                                     "--web.listen-address=127.0.0.1:" + std::to_string(port),
                                     "--log.level=warn"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (::posix_spawnp(&pid_, "prometheus", nullptr, nullptr, argv.data(), environ) != 0) pid_ = -1;
  }
  ~PrometheusProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  pid_t pid() const { return pid_; }
  bool running() const {
    int status = 0;
    return pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == 0;
  }

 private:
  pid_t pid_ = -1;
};

TEST(PrometheusServer, ScrapesBulkheadMetrics) {
  if (std::system("command -v prometheus > /dev/null 2>&1") != 0) {
    GTEST_SKIP() << "prometheus not installed (Debian package prometheus)";
  }
  std::string dir = (std::filesystem::temp_directory_path() / "bulkhead-prom-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);

  WebserverConfig w;
  w.enabled = true;
  w.listenAddress = "127.0.0.1";
  w.listenPort = 0;
  w.threadiness = 1;
  WebHandlers h;
  h.health = [] { return WebAnswer{200, "application/json", R"({"status": "ok"})"}; };
  h.versions = h.health;
  h.metrics = [] {
    return WebAnswer{200, std::string(kPrometheusContentType),
                     prometheusText(testing::hostileSnapshot(), MetricsConfig{})};
  };
  WebServer target(w, h);

  const int port = testing::freeLoopbackPort();
  ASSERT_GT(port, 0);
  {
    PrometheusProcess prom(dir, port, target.port());
    ASSERT_GT(prom.pid(), 0) << "cannot start prometheus";
    httplib::Client api("127.0.0.1", port);
    api.set_connection_timeout(1, 0);
    // Event-driven: ask until the series is there; the bound only ends a
    // test that would otherwise hang (startup, then the first scrapes).
    const auto bound = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    std::string found;
    while (std::chrono::steady_clock::now() < bound && found.empty()) {
      ASSERT_TRUE(prom.running()) << "prometheus exited";
      auto r = api.Get("/api/v1/query?query=bulkhead_plugin_restarts_total");
      if (r && r->status == 200) {
        boost::system::error_code ec;
        boost::json::value v = boost::json::parse(r->body, ec);
        if (!ec && v.at("data").at("result").as_array().size() > 0) found = r->body;
      }
      if (found.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ASSERT_FALSE(found.empty()) << "bulkhead_plugin_restarts_total never showed up";
    boost::json::value v = boost::json::parse(found);
    bool sawHostile = false;
    for (const auto& series : v.at("data").at("result").as_array()) {
      const auto& plugin = series.at("metric").at("plugin").as_string();
      if (plugin == testing::kHostilePlugin.substr(0, 5) + "\xEF\xBF\xBD@src") {
        sawHostile = true;
        EXPECT_EQ(series.at("value").as_array()[1].as_string(), "2");
      }
    }
    EXPECT_TRUE(sawHostile) << found;
    // The rule with quotes, a backslash and a newline in its name, intact.
    auto rules = api.Get("/api/v1/query?query=falcosecurity_falco_rules_matches_total");
    ASSERT_TRUE(rules);
    boost::json::value rv = boost::json::parse(rules->body);
    ASSERT_EQ(rv.at("data").at("result").as_array().size(), 1u) << rules->body;
    EXPECT_EQ(rv.at("data").at("result").as_array()[0].at("metric").at("rule_name").as_string(),
              testing::kHostileRule);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace bulkhead
