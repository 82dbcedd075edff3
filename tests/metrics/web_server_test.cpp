// The web server on loopback: routes, status codes, content types, a port
// in use, and TLS with a self-signed certificate made here.
#include <httplib.h>

#include "metrics/web_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "metrics/prometheus_text.h"

namespace bulkhead {
namespace {

using ::testing::HasSubstr;

WebserverConfig loopback() {
  WebserverConfig c;
  c.enabled = true;
  c.listenAddress = "127.0.0.1";
  c.listenPort = 0;
  c.threadiness = 2;
  return c;
}

WebHandlers handlers(int healthStatus = 200) {
  WebHandlers h;
  h.health = [healthStatus] {
    return WebAnswer{healthStatus, "application/json", R"({"status": "ok"})"};
  };
  h.versions = [] { return WebAnswer{200, "application/json", R"({"falco_version": "x"})"}; };
  h.metrics = [] {
    return WebAnswer{200, std::string(kPrometheusContentType), "# TYPE a gauge\na 1\n"};
  };
  return h;
}

TEST(WebServer, AnswersItsThreeEndpoints) {
  WebServer server(loopback(), handlers());
  httplib::Client client("127.0.0.1", server.port());
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, R"({"status": "ok"})");
  EXPECT_EQ(health->get_header_value("Content-Type"), "application/json");
  auto versions = client.Get("/versions");
  ASSERT_TRUE(versions);
  EXPECT_EQ(versions->status, 200);
  EXPECT_THAT(versions->body, HasSubstr("falco_version"));
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->get_header_value("Content-Type"), "text/plain; version=0.0.4");
  auto other = client.Get("/nothing");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
}

TEST(WebServer, HealthzPathIsConfigurableAndNotARegex) {
  WebserverConfig c = loopback();
  c.healthzEndpoint = "/live.z";
  WebServer server(c, handlers(503));
  httplib::Client client("127.0.0.1", server.port());
  auto health = client.Get("/live.z");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 503);
  auto near = client.Get("/liveXz");
  ASSERT_TRUE(near);
  EXPECT_EQ(near->status, 404);
  EXPECT_EQ(client.Get("/healthz")->status, 404);
}

TEST(WebServer, NoMetricsHandlerMeansNoMetrics) {
  WebHandlers h = handlers();
  h.metrics = nullptr;
  WebServer server(loopback(), h);
  httplib::Client client("127.0.0.1", server.port());
  EXPECT_EQ(client.Get("/metrics")->status, 404);
}

TEST(WebServer, PortInUseNamesTheKey) {
  WebServer first(loopback(), handlers());
  WebserverConfig c = loopback();
  c.listenPort = static_cast<uint16_t>(first.port());
  try {
    WebServer second(c, handlers());
    ADD_FAILURE() << "bound a port in use";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("webserver.listen_port"));
  }
}

TEST(WebServer, StopsWhileIdleAndTwice) {
  WebServer server(loopback(), handlers());
  server.stop();
  server.stop();
  httplib::Client client("127.0.0.1", server.port());
  EXPECT_FALSE(client.Get("/healthz"));
}

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "bulkhead-web-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(WebServer, ServesTlsWithTheCertificateFile) {
  if (std::system("command -v openssl > /dev/null 2>&1") != 0) {
    GTEST_SKIP() << "openssl command not installed: cannot make a test certificate";
  }
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string key = dir.path() + "/key.pem";
  const std::string cert = dir.path() + "/cert.pem";
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                          "-addext subjectAltName=IP:127.0.0.1 -keyout " +
                          key + " -out " + cert + " > /dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  // Falco's ssl_certificate: one file with the key and the certificate.
  const std::string pem = dir.path() + "/falco.pem";
  {
    std::ofstream out(pem);
    out << std::ifstream(key).rdbuf() << std::ifstream(cert).rdbuf();
  }
  WebserverConfig c = loopback();
  c.sslEnabled = true;
  c.sslCertificate = pem;
  WebServer server(c, handlers());

  httplib::SSLClient tls("127.0.0.1", server.port());
  tls.set_ca_cert_path(cert.c_str());
  tls.enable_server_certificate_verification(true);
  auto health = tls.Get("/healthz");
  ASSERT_TRUE(health) << httplib::to_string(health.error());
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, R"({"status": "ok"})");

  // Plain HTTP to the TLS port gets no answer.
  httplib::Client plain("127.0.0.1", server.port());
  plain.set_read_timeout(5, 0);
  auto refused = plain.Get("/healthz");
  EXPECT_TRUE(!refused || refused->status != 200);
}

TEST(WebServer, UnreadableCertificateNamesTheKey) {
  WebserverConfig c = loopback();
  c.sslEnabled = true;
  c.sslCertificate = "/nonexistent/falco.pem";
  try {
    WebServer server(c, handlers());
    ADD_FAILURE() << "started without a certificate";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("webserver.ssl_certificate"));
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/falco.pem"));
  }
}

}  // namespace
}  // namespace bulkhead
