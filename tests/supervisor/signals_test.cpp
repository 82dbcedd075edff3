// Reloads of the running bulkhead binary: SIGHUP and watch_config_files,
// with the test plugins of tests/plugins. Waits are for what the process
// writes (alerts on stdout, log lines on stderr), with generous bounds.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/loopback_port.h"
#include "tests/supervisor/cli_fixture.h"

extern char** environ;

namespace bulkhead {
namespace {

using namespace std::chrono_literals;

// Every "seq=N" of the alerts, in order.
std::vector<long> seqs(const std::string& out) {
  std::vector<long> v;
  static const std::regex re("seq=([0-9]+)");
  for (auto it = std::sregex_iterator(out.begin(), out.end(), re); it != std::sregex_iterator();
       ++it) {
    v.push_back(std::stol((*it)[1]));
  }
  return v;
}

// The status line of GET `path` on the loopback `port`; "" when refused.
std::string statusLine(int port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  std::string reply;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
      char buf[256];
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n > 0) reply.assign(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return reply.substr(0, reply.find("\r\n"));
}

// The scratch folder is CliFixture's; the process is started here, so that
// the test can signal it while it runs.
class Reload : public testing::CliFixture {
 protected:
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    CliFixture::TearDown();
  }

  void write(const std::string& name, const std::string& text) {
    const auto tmp = dir_ / (name + ".tmp");
    std::ofstream(tmp) << text;
    std::filesystem::rename(tmp, dir_ / name);  // as editors save: whole
  }
  static std::string rule(const std::string& name, const std::string& condition) {
    return "- rule: " + name + "\n  desc: d\n  condition: " + condition + "\n  output: \"" + name +
           " seq=%counter.seq\"\n  priority: WARNING\n  source: counter\n";
  }
  // A counter source at `openParams` and jsonx, isolated unless told.
  std::string config(const std::string& openParams, const std::string& extra = "") {
    return "plugins:\n"
           "  - name: counter\n"
           "    library_path: libcounter.so\n"
           "    open_params: " +
           openParams +
           "\n"
           "  - name: jsonx\n"
           "    library_path: libjsonx.so\n"
           "rules_files: [rules.yaml]\n" +
           extra +
           "bulkhead:\n"
           "  plugins_dir: " BULKHEAD_TEST_PLUGIN_DIR "\n";
  }

  void start() {
    const std::string bin = std::string(BULKHEAD_BINARY_DIR) + "/bulkhead";
    const std::string cfg = (dir_ / "falco.yaml").string();
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, (dir_ / "out").c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_addopen(&fa, 2, (dir_ / "err").c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    std::vector<char*> argv = {const_cast<char*>(bin.c_str()), const_cast<char*>("-c"),
                               const_cast<char*>(cfg.c_str()), nullptr};
    ASSERT_EQ(::posix_spawn(&pid_, bin.c_str(), &fa, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&fa);
  }
  std::string out() const { return read("out"); }
  std::string err() const { return read("err"); }

  // Waits until `done()` holds or the process ends; false after 60 s.
  bool waitFor(const std::function<bool()>& done) {
    const auto until = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < until) {
      if (done()) return true;
      std::this_thread::sleep_for(20ms);
    }
    return done();
  }
  // The exit status once the process has ended (at most 60 s).
  int exitCode() {
    int status = 0;
    const auto until = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < until) {
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(20ms);
    }
    return -1;
  }
  void hup() { ASSERT_EQ(::kill(pid_, SIGHUP), 0); }
  bool healthy(int port) {
    return waitFor([&] { return statusLine(port, "/healthz").find(" 200") != std::string::npos; });
  }
  // Starts a counter source with the web server on `first`, waits until it
  // answers, then reloads a config that puts it on `second`.
  void serveThenReloadOnto(int first, int second) {
    const auto web = [](int port) {
      return "watch_config_files: false\nwebserver:\n  enabled: true\n"
             "  listen_address: 127.0.0.1\n  listen_port: " +
             std::to_string(port) + "\n";
    };
    write("rules.yaml", rule("Every", "counter.seq >= 0"));
    write("falco.yaml", config("count=3000,batch=20,rate=1000", web(first)));
    start();
    ASSERT_TRUE(healthy(first)) << err();
    write("falco.yaml", config("count=3000,batch=20,rate=1000", web(second)));
    hup();
    ASSERT_TRUE(reloadedTimes(1)) << err();
  }
  bool reloadedTimes(size_t n) {
    return waitFor([&] { return testing::countOf(err(), "reloaded:") >= n; });
  }

  pid_t pid_ = -1;
};

// The source is kept across three reloads (its entry is unchanged): its
// events go on from where they were, none lost and none twice.
TEST_F(Reload, SighupKeepsAnUnchangedSourceAndLosesNoEvent) {
  write("rules.yaml", rule("Every", "counter.seq >= 0"));
  write("falco.yaml", config("count=6000,batch=20,rate=1500", "watch_config_files: false\n"));
  start();
  for (size_t i = 1; i <= 3; ++i) {
    ASSERT_TRUE(waitFor([&] { return seqs(out()).size() >= 1000 * i; })) << err();
    hup();
    ASSERT_TRUE(reloadedTimes(i)) << err();
  }
  EXPECT_EQ(exitCode(), 0) << err();
  const std::vector<long> got = seqs(out());
  ASSERT_EQ(got.size(), 6000u) << err();
  for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], static_cast<long>(i));
  EXPECT_NE(err().find("events 6000"), std::string::npos) << err();
  EXPECT_NE(err().find("restarts 0"), std::string::npos) << err();
}

// New rules apply from the reload on; the source goes on.
TEST_F(Reload, SighupAppliesChangedRules) {
  write("rules.yaml", rule("Before", "counter.seq >= 0"));
  write("falco.yaml", config("count=4000,batch=20,rate=1000", "watch_config_files: false\n"));
  start();
  ASSERT_TRUE(waitFor([&] { return testing::countOf(out(), "Before seq=") >= 200; })) << err();
  write("rules.yaml", rule("After", "counter.seq >= 0"));
  hup();
  ASSERT_TRUE(reloadedTimes(1)) << err();
  EXPECT_EQ(exitCode(), 0) << err();
  const std::string o = out();
  const std::vector<long> got = seqs(o);
  ASSERT_EQ(got.size(), 4000u) << err();
  for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], static_cast<long>(i));
  EXPECT_GT(testing::countOf(o, "After seq="), 0u);
  // Every Before precedes every After.
  EXPECT_LT(o.rfind("Before seq="), o.find("After seq="));
}

// A reload whose rules do not compile changes nothing: the old rules go
// on, and the error names the file and line.
TEST_F(Reload, BrokenRulesKeepThePreviousConfiguration) {
  write("rules.yaml", rule("Kept", "counter.seq >= 0"));
  write("falco.yaml", config("count=3000,batch=20,rate=1000", "watch_config_files: false\n"));
  start();
  ASSERT_TRUE(waitFor([&] { return testing::countOf(out(), "Kept seq=") >= 200; })) << err();
  write("rules.yaml", rule("Broken", "counter.nosuchfield = 1"));
  hup();
  ASSERT_TRUE(waitFor([&] { return err().find("reload failed") != std::string::npos; })) << err();
  EXPECT_EQ(exitCode(), 0) << err();
  EXPECT_EQ(testing::countOf(out(), "Kept seq="), 3000u) << err();
  EXPECT_EQ(testing::countOf(out(), "Broken"), 0u);
  EXPECT_NE(err().find("rules.yaml:"), std::string::npos) << err();
}

// A changed plugin entry restarts that plugin: the counter source is
// opened again with its new parameters.
TEST_F(Reload, ChangedOpenParamsReopenTheSource) {
  write("rules.yaml", rule("Every", "counter.seq >= 0"));
  write("falco.yaml", config("count=100000,batch=20,rate=1000", "watch_config_files: false\n"));
  start();
  ASSERT_TRUE(waitFor([&] { return seqs(out()).size() >= 200; })) << err();
  write("falco.yaml", config("count=50,batch=10", "watch_config_files: false\n"));
  hup();
  EXPECT_EQ(exitCode(), 0) << err();
  const std::vector<long> got = seqs(out());
  ASSERT_GE(got.size(), 250u);
  // The last 50 alerts are the new source's 0..49.
  for (size_t i = 0; i < 50; ++i) EXPECT_EQ(got[got.size() - 50 + i], static_cast<long>(i));
  EXPECT_EQ(testing::countOf(err(), "reloaded:"), 1u) << err();
}

// watch_config_files (Falco's default: on): saving the rules file reloads.
TEST_F(Reload, SavingAWatchedFileReloads) {
  write("rules.yaml", rule("Before", "counter.seq >= 0"));
  write("falco.yaml", config("count=4000,batch=20,rate=1000"));
  start();
  ASSERT_TRUE(waitFor([&] { return testing::countOf(out(), "Before seq=") >= 200; })) << err();
  write("rules.yaml", rule("After", "counter.seq >= 0"));
  ASSERT_TRUE(reloadedTimes(1)) << err();
  EXPECT_EQ(exitCode(), 0) << err();
  EXPECT_GT(testing::countOf(out(), "After seq="), 0u) << err();
  EXPECT_EQ(seqs(out()).size(), 4000u);
}

// SIGTERM still drains and prints the counters, summed over the reloads.
TEST_F(Reload, StopAfterAReloadPrintsCountersOfTheWholeRun) {
  write("rules.yaml", rule("Every", "counter.seq >= 0"));
  write("falco.yaml", config("count=1000000,batch=20,rate=1000", "watch_config_files: false\n"));
  start();
  ASSERT_TRUE(waitFor([&] { return seqs(out()).size() >= 200; })) << err();
  hup();
  ASSERT_TRUE(reloadedTimes(1)) << err();
  ASSERT_TRUE(waitFor([&] { return seqs(out()).size() >= 400; })) << err();
  ASSERT_EQ(::kill(pid_, SIGTERM), 0);
  EXPECT_EQ(exitCode(), 0) << err();
  const size_t alerts = seqs(out()).size();
  EXPECT_NE(err().find("bulkhead: " + std::to_string(alerts) + " alerts"), std::string::npos)
      << err();
  EXPECT_NE(err().find("events " + std::to_string(alerts) + " "), std::string::npos) << err();
}

// logrotate: rename the alert file, SIGUSR1, and the next alerts go to a
// new file of the old name; none lost, none twice.
TEST_F(Reload, SigusrOneReopensTheAlertFileAfterARename) {
  write("rules.yaml", rule("Every", "counter.seq >= 0"));
  const std::string file = (dir_ / "alerts.txt").string();
  write("falco.yaml", config("count=3000,batch=20,rate=1000",
                             "watch_config_files: false\nstdout_output: {enabled: false}\n"
                             "file_output: {enabled: true, keep_alive: true, filename: " +
                                 file + "}\n"));
  start();
  ASSERT_TRUE(waitFor([&] { return seqs(read("alerts.txt")).size() >= 300; })) << err();
  std::filesystem::rename(file, file + ".1");
  ASSERT_EQ(::kill(pid_, SIGUSR1), 0);
  ASSERT_TRUE(waitFor([&] { return seqs(read("alerts.txt")).size() >= 100; })) << err();
  EXPECT_EQ(exitCode(), 0) << err();
  std::vector<long> got = seqs(read("alerts.txt.1"));
  const size_t before = got.size();
  for (long s : seqs(read("alerts.txt"))) got.push_back(s);
  ASSERT_EQ(got.size(), 3000u) << err();
  for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], static_cast<long>(i));
  EXPECT_GE(before, 300u);
  EXPECT_NE(err().find("reopening the alert outputs"), std::string::npos) << err();
}

// A reload that removes a source while the extractor beside it stays: the
// extractor's host for that source is stopped with the old configuration
// and still counted at exit; the other source goes on undisturbed.
TEST_F(Reload, ASourceRemovedByAReloadIsStoppedAndCounted) {
  write("rules.yaml", rule("Every", "counter.seq >= 0"));
  const std::string fault =
      "  - name: fault\n    library_path: libfault.so\n"
      "    init_config: '{\"fault\":\"none\"}'\n    open_params: count=0,rate=200,batch=4\n";
  std::string both = config("count=3000,batch=20,rate=1000", "watch_config_files: false\n");
  both.insert(both.find("rules_files:"), fault);
  write("falco.yaml", both);
  start();
  ASSERT_TRUE(waitFor([&] { return seqs(out()).size() >= 300; })) << err();
  write("falco.yaml", config("count=3000,batch=20,rate=1000", "watch_config_files: false\n"));
  hup();
  ASSERT_TRUE(reloadedTimes(1)) << err();
  EXPECT_EQ(exitCode(), 0) << err();
  const std::vector<long> got = seqs(out());
  ASSERT_EQ(got.size(), 3000u) << err();
  for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], static_cast<long>(i));
  EXPECT_NE(err().find("plugins kept running: counter, jsonx; started anew: none"),
            std::string::npos)
      << err();
  EXPECT_NE(err().find("plugin jsonx@fault"), std::string::npos) << err();
  EXPECT_NE(err().find("source fault"), std::string::npos) << err();
}

// New webserver settings take effect at a reload: the server moves to the
// new port, and the source goes on meanwhile.
TEST_F(Reload, WebserverSettingsChangedByAReloadTakeEffect) {
  const int first = testing::freeLoopbackPort();
  int second = testing::freeLoopbackPort();
  while (second == first) second = testing::freeLoopbackPort();
  ASSERT_GT(first, 0);
  ASSERT_GT(second, 0);
  ASSERT_NO_FATAL_FAILURE(serveThenReloadOnto(first, second));
  ASSERT_TRUE(healthy(second)) << err();
  EXPECT_EQ(statusLine(first, "/healthz"), "");
  EXPECT_NE(err().find("webserver and metrics started with the new settings"), std::string::npos)
      << err();
  EXPECT_EQ(exitCode(), 0) << err();
  EXPECT_EQ(seqs(out()).size(), 3000u) << err();
}

// Settings that cannot start (the new port is taken) are logged, and the
// server goes on with the previous ones.
TEST_F(Reload, WebserverSettingsThatCannotStartKeepThePreviousOnes) {
  const int first = testing::freeLoopbackPort();
  ASSERT_GT(first, 0);
  const int taken = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(taken, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(taken, 1), 0);
  ASSERT_EQ(::getsockname(taken, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int second = ntohs(addr.sin_port);
  ASSERT_NO_FATAL_FAILURE(serveThenReloadOnto(first, second));
  ASSERT_TRUE(waitFor([&] { return err().find("cannot start") != std::string::npos; })) << err();
  EXPECT_TRUE(healthy(first)) << err();
  ::close(taken);
  EXPECT_EQ(exitCode(), 0) << err();
  EXPECT_EQ(seqs(out()).size(), 3000u) << err();
}

// In-process plugins get the runners' environment defaults (GOMAXPROCS=1
// for Go plugins, ...) by bulkhead starting itself again with them, before
// anything runs; a variable the user set keeps the user's value.
using InProcessEnvironment = Reload;

TEST_F(InProcessEnvironment, DefaultsReachTheProcessAndTheUsersValuesStay) {
  write("rules.yaml", rule("Every", "counter.seq >= 0"));
  write("falco.yaml",
        "plugins:\n  - name: counter\n    library_path: libcounter.so\n"
        "    open_params: count=0,rate=200\nrules_files: [rules.yaml]\n"
        "bulkhead:\n  plugins_dir: " BULKHEAD_TEST_PLUGIN_DIR "\n"
        "  defaults:\n    isolation: inprocess\n");
  const char* had = std::getenv("GOMAXPROCS");
  const std::string saved = had != nullptr ? had : "";
  ::unsetenv("GOMAXPROCS");
  ::setenv("GOTRACEBACK", "all", 1);
  start();
  if (had != nullptr) ::setenv("GOMAXPROCS", saved.c_str(), 1);
  ::unsetenv("GOTRACEBACK");
  ASSERT_TRUE(waitFor([&] { return testing::countOf(out(), "Every seq=") >= 5; })) << err();
  std::ifstream in("/proc/" + std::to_string(pid_) + "/environ");
  std::set<std::string> env;
  for (std::string e; std::getline(in, e, '\0');) env.insert(e);
  EXPECT_EQ(env.count("GOMAXPROCS=1"), 1u);
  EXPECT_EQ(env.count("MALLOC_ARENA_MAX=2"), 1u);
  EXPECT_EQ(env.count("GOTRACEBACK=all"), 1u);
  EXPECT_EQ(env.count("GOTRACEBACK=single"), 0u);
  ASSERT_EQ(::kill(pid_, SIGTERM), 0);
  EXPECT_EQ(exitCode(), 0) << err();
  // The config was read silently the first time: its lines come once.
  EXPECT_EQ(testing::countOf(err(), "running 1 source(s)"), 1u) << err();
}

}  // namespace
}  // namespace bulkhead
