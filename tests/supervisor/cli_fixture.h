// Runs the built bulkhead binary on a scratch folder's falco.yaml: its
// exit code, stdout and stderr. The folder is removed after the test.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace bulkhead::testing {

struct CliResult {
  int code = -1;
  std::string out;  // stdout alone
  std::string err;  // stderr alone
  std::string all() const { return out + err; }
};

class CliFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("bulkhead_cli_flags_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  std::string read(const std::string& name) const {
    std::ifstream in(dir_ / name);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // counter (1000 events, batches of 50) and jsonx; `plugins` more entries.
  static std::string config(const std::string& extra = "", const std::string& plugins = "") {
    return "plugins:\n"
           "  - name: counter\n"
           "    library_path: libcounter.so\n"
           "    open_params: count=1000,batch=50\n"
           "  - name: jsonx\n"
           "    library_path: libjsonx.so\n" +
           plugins + "rules_files: [rules.yaml]\n" + extra +
           "bulkhead:\n"
           "  plugins_dir: " BULKHEAD_TEST_PLUGIN_DIR "\n";
  }

  // `args` go to a shell after -c falco.yaml; a run that hangs is killed
  // after a generous bound, so a broken -M fails instead of blocking.
  CliResult run(const std::string& args) {
    const std::string cmd = "cd " + dir_.string() + " && timeout -s KILL 120 " +
                            std::string(BULKHEAD_BINARY_DIR) + "/bulkhead -c " +
                            path("falco.yaml") + " " + args + " 2>" + path("stderr");
    CliResult r;
    std::FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) return r;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    const int status = ::pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.err = read("stderr");
    return r;
  }

  std::filesystem::path dir_;
};

inline size_t countOf(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

}  // namespace bulkhead::testing
