// sandbox_probe: applies every sandbox layer of a runner to itself, the way
// bulkhead-runner will, and prints what the kernel granted and what each
// step cost. A diagnostic for a new host, not a test (no assertions).
//
//   sandbox_probe [--profile NAME] [--library PATH] [--input TEXT]...
#include <dlfcn.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "policies/policy_search.h"
#include "sandbox_runner/sandbox.h"
#include "sandbox_runner/seccomp_phases.h"

namespace {

using Clock = std::chrono::steady_clock;

double microsSince(Clock::time_point t) {
  return std::chrono::duration<double, std::micro>(Clock::now() - t).count();
}

// Mean cost of one cheap syscall, to show what the filter adds per call.
double nanosPerGetppid() {
  constexpr int kCalls = 200000;
  auto t = Clock::now();
  for (int i = 0; i < kCalls; ++i) ::syscall(SYS_getppid);
  return microsSince(t) * 1000.0 / kCalls;
}

}  // namespace

int main(int argc, char** argv) {
  std::string profile = "default";
  std::string library;
  std::vector<std::string> inputs;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--profile" && i + 1 < argc) {
      profile = argv[++i];
    } else if (a == "--library" && i + 1 < argc) {
      library = argv[++i];
    } else if (a == "--input" && i + 1 < argc) {
      inputs.emplace_back(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: %s [--profile NAME] [--library PATH] [--input TEXT]...\n",
                   argv[0]);
      return 2;
    }
  }
  try {
    auto t = Clock::now();
    bulkhead::Policy policy = bulkhead::loadPolicy(
        profile, bulkhead::policySearchDirs(BULKHEAD_BINARY_DIR "/policies", {}));
    const double loadUs = microsSince(t);
    t = Clock::now();
    bulkhead::PhasedSeccomp phases(policy);
    const double compileUs = microsSince(t);

    bulkhead::SandboxConfig config;
    config.keepFds = {1, 2};
    config.isolation.netNamespace = !policy.allowNetwork;
    std::vector<std::string_view> texts(inputs.begin(), inputs.end());
    config.landlock = bulkhead::landlockRulesFor(policy, library, texts);
    const double before = nanosPerGetppid();
    t = Clock::now();
    bulkhead::SandboxReport report = bulkhead::applySandboxLayers(config);
    const double layersUs = microsSince(t);
    t = Clock::now();
    if (int rc = phases.enterLoading(); rc != 0) {
      std::fprintf(stderr, "loading filter: %s\n", std::strerror(rc));
      return 1;
    }
    const double loadingUs = microsSince(t);
    if (!library.empty() && ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL) == nullptr) {
      std::fprintf(stderr, "dlopen: %s\n", ::dlerror());
      return 1;
    }
    t = Clock::now();
    if (int rc = phases.enterServing(); rc != 0) {
      std::fprintf(stderr, "serving filter: %s\n", std::strerror(rc));
      return 1;
    }
    const double servingUs = microsSince(t);
    const double after = nanosPerGetppid();

    std::printf("profile %s (%s)\n%s", policy.name.c_str(), policy.files.front().c_str(),
                report.summary().c_str());
    std::printf("seccomp: loading %zu + serving %zu BPF instructions\n",
                phases.loading().instructions().size(), phases.serving().instructions().size());
    std::printf(
        "time: load profile %.0f us, compile both filters %.0f us, layers 1-4 %.0f us, "
        "install loading %.1f us, install serving %.1f us\n",
        loadUs, compileUs, layersUs, loadingUs, servingUs);
    std::printf("getppid: %.0f ns before, %.0f ns under both filters\n", before, after);
    std::fflush(stdout);
    ::_exit(0);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sandbox_probe: %s\n", e.what());
    return 1;
  }
}
