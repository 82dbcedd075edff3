#include "metrics/web_server.h"

// With CPPHTTPLIB_OPENSSL_SUPPORT (from cpp-httplib's pkg-config flags):
// SSLServer for webserver.ssl_enabled.
#include <httplib.h>

#include <sys/socket.h>

#include <chrono>
#include <stdexcept>

namespace bulkhead {

namespace {

std::unique_ptr<httplib::Server> makeServer(const WebserverConfig& config) {
  if (!config.sslEnabled) return std::make_unique<httplib::Server>();
  auto server = std::make_unique<httplib::SSLServer>(config.sslCertificate.c_str(),
                                                     config.sslCertificate.c_str());
  if (!server->is_valid()) {
    throw std::runtime_error("webserver.ssl_certificate: cannot load a certificate and its "
                             "private key from " + config.sslCertificate +
                             " (one PEM file holding both)");
  }
  return server;
}

}  // namespace

WebServer::WebServer(const WebserverConfig& config, WebHandlers handlers)
    : server_(makeServer(config)),
      handlers_(std::move(handlers)),
      healthz_(config.healthzEndpoint) {
  const unsigned threads =
      config.threadiness > 0 ? config.threadiness : std::max(1U, std::thread::hardware_concurrency());
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // httplib's default adds SO_REUSEPORT, which lets a second bulkhead share
  // the port silently; SO_REUSEADDR alone still allows a quick restart.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  // One route for every path: the healthz path comes from the config and
  // httplib's patterns are regular expressions.
  server_->Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
    const std::function<WebAnswer()>* handler = nullptr;
    if (req.path == healthz_) {
      handler = &handlers_.health;
    } else if (req.path == "/versions") {
      handler = &handlers_.versions;
    } else if (req.path == "/metrics" && handlers_.metrics) {
      handler = &handlers_.metrics;
    }
    if (handler == nullptr || !*handler) {
      res.status = 404;
      res.set_content("not found\n", "text/plain");
      return;
    }
    WebAnswer a = (*handler)();
    res.status = a.status;
    res.set_content(a.body, a.contentType.c_str());
  });
  if (config.listenPort == 0) {
    port_ = server_->bind_to_any_port(config.listenAddress);
  } else {
    port_ = server_->bind_to_port(config.listenAddress, config.listenPort) ? config.listenPort : -1;
  }
  if (port_ <= 0) {
    throw std::runtime_error("webserver: cannot listen on " + config.listenAddress + " port " +
                             std::to_string(config.listenPort) +
                             " (in use, or not an address of this host); change "
                             "webserver.listen_address or webserver.listen_port");
  }
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    listenEnded_.store(true);
  });
  // stop() does nothing to a server that is not running yet, and the
  // thread would then serve on: wait until it runs.
  while (!server_->is_running() && !listenEnded_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

WebServer::~WebServer() { stop(); }

void WebServer::stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

}  // namespace bulkhead
