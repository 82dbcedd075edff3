// http_output against real receivers on loopback, started and stopped by
// each test (cpp-httplib): one POST per alert with the JSON body and
// headers falcosidekick reads; a receiver that refuses, answers 500, is
// slow or never answers; TLS with certificates made here (openssl).
#include "outputs/http_channel.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "outputs/alert_outputs.h"
#include "outputs/channel_factory.h"
#include "tests/outputs/sample_alert.h"
#include "tests/outputs/wait_until.h"

namespace bulkhead {
namespace {

struct Received {
  std::string body;
  std::string contentType;
  std::string userAgent;
  int remotePort = 0;
};

// A receiver on 127.0.0.1: records every POST; can be told to answer with
// a status, or to hold each request until released.
class Receiver {
 public:
  explicit Receiver(std::unique_ptr<httplib::Server> server = std::make_unique<httplib::Server>())
      : server_(std::move(server)) {
    server_->Post("/", [this](const httplib::Request& req, httplib::Response& res) {
      std::unique_lock lock(mu_);
      ++entered_;
      changed_.notify_all();
      changed_.wait(lock, [&] { return !holding_; });
      received_.push_back({req.body, req.get_header_value("Content-Type"),
                           req.get_header_value("User-Agent"), req.remote_port});
      res.status = status_;
      res.set_content("ok", "text/plain");
      changed_.notify_all();
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
  }
  ~Receiver() {
    release();
    server_->stop();
    thread_.join();
  }
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  std::string url(const char* scheme = "http") const {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(port_) + "/";
  }
  int port() const { return port_; }
  void hold() {
    std::lock_guard lock(mu_);
    holding_ = true;
  }
  void release() {
    std::lock_guard lock(mu_);
    holding_ = false;
    changed_.notify_all();
  }
  void answer(int status) {
    std::lock_guard lock(mu_);
    status_ = status;
  }
  bool waitEntered(int n) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, kTestWait, [&] { return entered_ >= n; });
  }
  std::vector<Received> received() {
    std::lock_guard lock(mu_);
    return received_;
  }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable changed_;
  bool holding_ = false;
  int status_ = 200;
  int entered_ = 0;
  std::vector<Received> received_;
};

HttpOutputConfig httpTo(const std::string& url, bool keepAlive = true) {
  HttpOutputConfig c;
  c.enabled = true;
  c.url = url;
  c.keepAlive = keepAlive;
  return c;
}

AlertFormat jsonFormat() {
  AlertFormat f;
  f.json = true;
  f.hostname = "host";
  return f;
}

std::unique_ptr<AlertOutputs> outputsTo(HttpOutputConfig config, AlertFormat format,
                                        OutputQueueSettings settings = {}) {
  std::vector<std::unique_ptr<AlertChannel>> channels;
  channels.push_back(std::make_unique<HttpChannel>(std::move(config), format.json, settings.timeout));
  return std::make_unique<AlertOutputs>(std::move(format), std::move(channels), settings);
}

class HttpKeepAlive : public ::testing::TestWithParam<bool> {};

TEST_P(HttpKeepAlive, PostsEachAlertAsJsonWithFalcosHeaders) {
  Receiver receiver;
  auto out = outputsTo(httpTo(receiver.url(), GetParam()), jsonFormat());
  for (int i = 0; i < 3; ++i) out->emit(sampleAlert());
  out->drain();
  EXPECT_EQ(out->notWritten(), 0u);
  const std::vector<Received> got = receiver.received();
  ASSERT_EQ(got.size(), 3u);
  std::set<int> connections;
  for (const Received& r : got) {
    EXPECT_EQ(r.contentType, "application/json");
    EXPECT_EQ(r.userAgent, "falcosecurity/falco");
    const boost::json::object alert = boost::json::parse(r.body).as_object();
    EXPECT_EQ(alert.at("rule").as_string(), "r");
    EXPECT_EQ(alert.at("priority").as_string(), "Warning");
    EXPECT_EQ(alert.at("source").as_string(), "counter");
    EXPECT_EQ(alert.at("hostname").as_string(), "host");
    EXPECT_EQ(alert.at("output").as_string(), "22:13:20.123456789: Warning something happened");
    connections.insert(r.remotePort);
  }
  // keep_alive: one connection for every alert; without, one each.
  EXPECT_EQ(connections.size(), GetParam() ? 1u : 3u);
}

INSTANTIATE_TEST_SUITE_P(KeepAlive, HttpKeepAlive, ::testing::Bool());

// json_output false: the text line, as text/plain (Falco does the same).
TEST(HttpChannel, TextAlertsGoAsTextPlain) {
  Receiver receiver;
  HttpOutputConfig config = httpTo(receiver.url());
  config.userAgent = "agent/1";
  auto out = outputsTo(config, AlertFormat{});
  out->emit(sampleAlert());
  out->drain();
  const std::vector<Received> got = receiver.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].contentType, "text/plain");
  EXPECT_EQ(got[0].userAgent, "agent/1");
  EXPECT_EQ(got[0].body, "22:13:20.123456789: Warning something happened");
}

int closedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);  // nothing listens there now
  return ok ? ntohs(addr.sin_port) : 1;
}

TEST(HttpChannel, ARefusingReceiverIsCounted) {
  const std::string url = "http://127.0.0.1:" + std::to_string(closedPort()) + "/";
  HttpChannel ch(httpTo(url), true, std::chrono::milliseconds(10000));
  const WriteResult r = ch.write("{}", sampleAlert());
  EXPECT_FALSE(r.written);
  EXPECT_NE(r.reason.find("connect"), std::string::npos) << r.reason;

  auto out = outputsTo(httpTo(url), jsonFormat());
  for (int i = 0; i < 5; ++i) out->emit(sampleAlert());
  out->drain();
  ASSERT_EQ(out->notWrittenByChannel().size(), 1u);
  EXPECT_EQ(out->notWrittenByChannel()[0].failed, 5u);
  EXPECT_EQ(out->notWrittenByChannel()[0].target, url);
}

TEST(HttpChannel, AnErrorStatusCountsAsNotWritten) {
  Receiver receiver;
  receiver.answer(500);
  HttpChannel ch(httpTo(receiver.url()), true, std::chrono::milliseconds(10000));
  const WriteResult r = ch.write("{}", sampleAlert());
  EXPECT_FALSE(r.written);
  EXPECT_EQ(r.reason, "HTTP status 500");
}

// The receiver holds every request: the first is in flight, `capacity` wait
// in the queue, the rest are dropped and counted; emit() never waits.
TEST(HttpChannel, ASlowReceiverNeverBlocksEmit) {
  Receiver receiver;
  receiver.hold();
  auto out = outputsTo(httpTo(receiver.url()), jsonFormat(),
                       {.capacity = 4, .timeout = std::chrono::milliseconds(60000)});
  out->emit(sampleAlert());
  ASSERT_TRUE(receiver.waitEntered(1));
  for (int i = 0; i < 19; ++i) out->emit(sampleAlert());
  EXPECT_EQ(out->snapshot().channels[0].dropped, 15u);
  receiver.release();
  ASSERT_TRUE(out->waitIdle(kTestWait));
  const ChannelCounters c = out->snapshot().channels[0];
  EXPECT_EQ(c.written, 5u);
  EXPECT_EQ(c.dropped, 15u);
  EXPECT_EQ(receiver.received().size(), 5u);
}

// A receiver that never answers: each request times out after
// output_timeout, is sent again max_consecutive_timeouts times, then counted.
TEST(HttpChannel, ARequestThatTimesOutIsRetriedThenCounted) {
  Receiver receiver;
  receiver.hold();
  HttpOutputConfig config = httpTo(receiver.url());
  config.maxConsecutiveTimeouts = 1;
  HttpChannel ch(config, true, std::chrono::milliseconds(200));
  const WriteResult r = ch.write("{}", sampleAlert());
  EXPECT_FALSE(r.written);
  EXPECT_NE(r.reason.find("Timeout"), std::string::npos) << r.reason;
  EXPECT_TRUE(receiver.waitEntered(2));  // the first request and its one retry
}

TEST(HttpChannel, CancelEndsAWaitingRequest) {
  Receiver receiver;
  receiver.hold();
  auto out = outputsTo(httpTo(receiver.url()), jsonFormat(),
                       {.capacity = 10, .timeout = std::chrono::milliseconds(100)});
  out->emit(sampleAlert());
  out->emit(sampleAlert());
  ASSERT_TRUE(receiver.waitEntered(1));
  out->drain();  // returns although the receiver never answers
  const ChannelCounters c = out->snapshot().channels[0];
  EXPECT_EQ(c.written + c.failed + c.abandoned, 2u);
  EXPECT_EQ(c.written, 0u);
}

// cancel() from another thread ends a request long before its timeout.
TEST(HttpChannel, CancelEndsARequestBeforeItsTimeout) {
  Receiver receiver;
  receiver.hold();
  HttpChannel ch(httpTo(receiver.url()), true, std::chrono::milliseconds(600000));
  std::thread canceller([&] {
    if (receiver.waitEntered(1)) ch.cancel();
  });
  const WriteResult r = ch.write("{}", sampleAlert());
  canceller.join();
  EXPECT_FALSE(r.written);
  EXPECT_NE(r.reason.find("aborted"), std::string::npos) << r.reason;
  EXPECT_FALSE(ch.write("{}", sampleAlert()).written);  // and every later one
}

// echo: the receiver's answer on stdout, control characters made visible.
TEST(HttpChannel, EchoShowsTheAnswerOnStdout) {
  Receiver receiver;
  HttpOutputConfig config = httpTo(receiver.url());
  config.echo = true;
  HttpChannel ch(config, true, std::chrono::milliseconds(10000));
  ::testing::internal::CaptureStdout();
  const bool written = ch.write("{}", sampleAlert()).written;
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_TRUE(written);
  EXPECT_EQ(out, "ok\n");
}

// The factory builds every enabled channel, in order.
TEST(HttpChannel, TheFactoryBuildsEveryEnabledChannel) {
  OutputsConfig config;
  config.stdoutEnabled = false;
  config.syslog.enabled = true;
  config.program.enabled = true;
  config.program.program = "cat > /dev/null";
  config.http = httpTo("http://127.0.0.1:1/");
  const std::vector<std::unique_ptr<AlertChannel>> channels = makeChannels(config);
  ASSERT_EQ(channels.size(), 3u);
  EXPECT_EQ(channels[0]->kind(), "syslog_output");
  EXPECT_EQ(channels[1]->kind(), "program_output");
  EXPECT_EQ(channels[2]->kind(), "http_output");
  EXPECT_EQ(makeQueueSettings(config).capacity, kDefaultOutputsQueueCapacity);
  EXPECT_EQ(makeQueueSettings(config).timeout, std::chrono::milliseconds(2000));
}

TEST(HttpChannel, UserAndPasswordAreNotLogged) {
  EXPECT_EQ(urlForLog("https://u:secret@host:80/a@b"), "https://host:80/a@b");
  EXPECT_EQ(urlForLog("http://host/"), "http://host/");
}

// Certificates for one test, made with the openssl command.
class Certificates {
 public:
  Certificates() {
    std::string pattern = ::testing::TempDir() + "/tls-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) return;
    dir_ = pattern;
    ok_ = make("server", "/CN=localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost") &&
          make("client", "/CN=bulkhead-client", "subjectAltName=DNS:client");
  }
  ~Certificates() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  Certificates(const Certificates&) = delete;
  Certificates& operator=(const Certificates&) = delete;
  bool ok() const { return ok_; }
  std::string cert(const char* who) const { return dir_ + "/" + who + ".crt"; }
  std::string key(const char* who) const { return dir_ + "/" + who + ".key"; }

 private:
  bool make(const char* who, const char* subject, const char* san) {
    const std::string command = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                                "-nodes -days 2 -subj " + std::string(subject) + " -addext " + san +
                                " -keyout " + key(who) + " -out " + cert(who) + " >/dev/null 2>&1";
    return std::system(command.c_str()) == 0;
  }
  std::string dir_;
  bool ok_ = false;
};

TEST(HttpChannelTls, VerifiesTheReceiverWithCaCertOrNotWithInsecure) {
  Certificates certs;
  if (!certs.ok()) GTEST_SKIP() << "the openssl command could not make a certificate";
  Receiver receiver(std::make_unique<httplib::SSLServer>(certs.cert("server").c_str(),
                                                         certs.key("server").c_str()));
  const std::string url = receiver.url("https");

  HttpOutputConfig trusted = httpTo(url);
  trusted.caCert = certs.cert("server");
  EXPECT_TRUE(HttpChannel(trusted, true, std::chrono::milliseconds(10000)).write("{}", sampleAlert()).written);

  const WriteResult unknown =
      HttpChannel(httpTo(url), true, std::chrono::milliseconds(10000)).write("{}", sampleAlert());
  EXPECT_FALSE(unknown.written);  // the self-signed certificate is in no system store

  HttpOutputConfig insecure = httpTo(url);
  insecure.insecure = true;
  EXPECT_TRUE(HttpChannel(insecure, true, std::chrono::milliseconds(10000)).write("{}", sampleAlert()).written);
  EXPECT_EQ(receiver.received().size(), 2u);
}

TEST(HttpChannelTls, MtlsPresentsTheClientCertificate) {
  Certificates certs;
  if (!certs.ok()) GTEST_SKIP() << "the openssl command could not make a certificate";
  // The receiver accepts only clients whose certificate the client one signs.
  Receiver receiver(std::make_unique<httplib::SSLServer>(
      certs.cert("server").c_str(), certs.key("server").c_str(), certs.cert("client").c_str()));
  HttpOutputConfig config = httpTo(receiver.url("https"));
  config.caCert = certs.cert("server");

  EXPECT_FALSE(HttpChannel(config, true, std::chrono::milliseconds(10000)).write("{}", sampleAlert()).written);

  config.mtls = true;
  config.clientCert = certs.cert("client");
  config.clientKey = certs.key("client");
  EXPECT_TRUE(HttpChannel(config, true, std::chrono::milliseconds(10000)).write("{}", sampleAlert()).written);
  EXPECT_EQ(receiver.received().size(), 1u);
}

}  // namespace
}  // namespace bulkhead
