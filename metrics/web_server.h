// The embedded web server (cpp-httplib, Debian's libcpp-httplib): Falco's /healthz (path from
// webserver.k8s_healthz_endpoint), /versions and, when enabled, /metrics,
// over HTTP or HTTPS (webserver.ssl_enabled, one PEM file holding the
// certificate and its key, as Falco reads webserver.ssl_certificate).
//
// Requests are served on the server's own threads (webserver.threadiness;
// 0: one per CPU); each answer is built by a callback at request time, so
// a scrape reads the counters when it is made and the engine threads never
// wait for it.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "config/config.h"

namespace httplib {
class Server;
}

namespace bulkhead {

struct WebAnswer {
  int status = 200;
  std::string contentType;
  std::string body;
};

struct WebHandlers {
  std::function<WebAnswer()> health;
  std::function<WebAnswer()> versions;
  std::function<WebAnswer()> metrics;  // empty: /metrics is not served
};

class WebServer {
 public:
  // Binds now: a port in use or an unreadable certificate throws
  // std::runtime_error naming the address or file and the webserver key.
  // listenPort 0 binds a free port (tests; port() tells which).
  WebServer(const WebserverConfig& config, WebHandlers handlers);
  ~WebServer();  // stop()
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  int port() const { return port_; }
  // Stops accepting, waits for the requests under way and the thread.
  void stop();

 private:
  std::unique_ptr<httplib::Server> server_;
  WebHandlers handlers_;
  std::string healthz_;
  int port_ = 0;
  std::atomic<bool> listenEnded_{false};
  std::thread thread_;
};

}  // namespace bulkhead
