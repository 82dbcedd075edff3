// Ring suite of bench/run: cross-process throughput of 64 B, 1 KiB and 16 KiB
// records through the shared-memory ring, a socketpair and a pipe (one
// syscall per record, and batched like the ring's commits); ping-pong round
// trips; the CPU an idle waiting consumer burns. The producer is always a
// forked child; the parent consumes and is timed (wall clock).
#include <benchmark/benchmark.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "bench/bench_transport.h"
#include "shm_ring/ring_consumer.h"
#include "shm_ring/ring_producer.h"
#include "shm_ring/ring_set.h"

namespace bulkhead::bench {
namespace {

using namespace std::chrono_literals;
// 1 MiB: on a loaded machine the producer runs ahead through the consumer's
// scheduling gaps (a 256 KiB ring measured about half the throughput).
constexpr std::uint64_t kRingCapacity = 1 << 20;
constexpr std::array<std::uint64_t, 2> kCaps{kRingCapacity, kRingCapacity};
// Publish (commit/release) every 32 records or every eighth of the ring,
// whichever comes first: large records would otherwise fill the whole ring
// before the peer sees any of it, and the two sides would take turns.
constexpr std::size_t kBatch = 32;
constexpr std::uint64_t kPublishBytes = kRingCapacity / 8;
constexpr std::uint32_t kTag = 1;

// Runs `body` in a forked child that exits with its return value.
template <typename Body>
pid_t forkChild(Body&& body) {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(body());
  return pid;
}

bool reapOk(pid_t pid, rusage* usage = nullptr) {
  int status = 0;
  rusage ignored{};
  if (::wait4(pid, &status, 0, usage ? usage : &ignored) != pid) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::vector<std::byte> payloadSource(std::size_t size) {
  std::vector<std::byte> v(size);
  for (std::size_t i = 0; i < size; ++i) v[i] = static_cast<std::byte>(i * 131);
  return v;
}

void setThroughputCounters(benchmark::State& state, std::size_t size) {
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
}

// --- throughput -----------------------------------------------------------

void ringThroughput(benchmark::State& state, std::size_t size) {
  RingSet set = RingSet::create(kCaps, "bench-ring");
  const std::int64_t records = state.max_iterations;
  const auto source = payloadSource(size);
  const pid_t child = forkChild([&] {
    RingProducer p(set.ring(0));
    for (std::int64_t seq = 0; seq < records; ++seq) {
      std::span<std::byte> out;
      if (p.tryReserve(kTag, static_cast<std::uint32_t>(size), out) != RingStatus::kOk &&
          p.reserve(kTag, static_cast<std::uint32_t>(size), out, RingClock::now() + 60s) !=
              RingStatus::kOk) {
        return 1;
      }
      std::memcpy(out.data(), source.data(), size);
      std::memcpy(out.data(), &seq, 8);
      if (seq % kBatch == kBatch - 1 || p.pendingBytes() >= kPublishBytes) p.commit();
    }
    p.commit();
    return 0;
  });
  RingConsumer c(set.ring(0), 1u << kTag);
  std::int64_t expect = 0;
  for (auto _ : state) {
    RingRecord rec;
    if (c.tryPeek(rec) != RingStatus::kOk &&
        c.peek(rec, RingClock::now() + 60s) != RingStatus::kOk) {
      state.SkipWithError("ring peek failed");
      break;
    }
    std::int64_t seq;
    std::memcpy(&seq, rec.payload.data(), 8);
    if (seq != expect++ || rec.payload.size() != size) {
      state.SkipWithError("ring record out of order");
      break;
    }
    if (expect % kBatch == 0 || c.pendingBytes() >= kPublishBytes) c.release();
  }
  c.release();
  if (!reapOk(child)) state.SkipWithError("ring producer failed");
  setThroughputCounters(state, size);
}

// A byte stream (socketpair or pipe) carrying the same framed records.
void streamThroughput(benchmark::State& state, std::size_t size, bool socket, std::size_t batch) {
  int fds[2];
  if ((socket ? ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds)
              : ::pipe2(fds, O_CLOEXEC)) != 0) {
    state.SkipWithError("socketpair/pipe failed");
    return;
  }
  const UniqueFd readEnd(fds[0]), writeEnd(fds[1]);
  const std::int64_t records = state.max_iterations;
  const auto source = payloadSource(size);
  const pid_t child = forkChild([&] {
    std::vector<std::byte> payload = source;
    FrameWriter w(writeEnd.get(), size, batch);
    for (std::int64_t seq = 0; seq < records; ++seq) {
      std::memcpy(payload.data(), &seq, 8);
      if (!w.write(kTag, payload)) return 1;
    }
    return w.flush() ? 0 : 1;
  });
  FrameReader r(readEnd.get(), size);
  std::int64_t expect = 0;
  for (auto _ : state) {
    std::span<const std::byte> payload;
    if (!r.next(payload)) {
      state.SkipWithError("stream read failed");
      break;
    }
    std::int64_t seq;
    std::memcpy(&seq, payload.data(), 8);
    if (seq != expect++ || payload.size() != size) {
      state.SkipWithError("stream record out of order");
      break;
    }
  }
  if (!reapOk(child)) state.SkipWithError("stream producer failed");
  setThroughputCounters(state, size);
}

// --- round trip -------------------------------------------------------------

// Ping on ring 0, pong on ring 1, 64 B each way, with the given wait policy:
// pure spinning (no syscall at all), spin then sched_yield (gives the core
// away when other work is runnable), or park at once (every hop is a futex
// wake).
void ringRoundTrip(benchmark::State& state, RingWaitOptions wait) {
  RingSet set = RingSet::create(kCaps, "bench-rtt");
  const std::int64_t rounds = state.max_iterations;
  const pid_t child = forkChild([&] {
    RingConsumer in(set.ring(0), 1u << kTag);
    RingProducer out(set.ring(1));
    for (std::int64_t i = 0; i < rounds; ++i) {
      RingRecord rec;
      if (in.peek(rec, RingClock::now() + 60s, wait) != RingStatus::kOk) return 1;
      std::span<std::byte> o;
      if (out.reserve(kTag, 64, o, RingClock::now() + 60s, wait) != RingStatus::kOk) return 2;
      std::memcpy(o.data(), rec.payload.data(), 64);
      in.release();
      out.commit();
    }
    return 0;
  });
  RingProducer out(set.ring(0));
  RingConsumer in(set.ring(1), 1u << kTag);
  const auto source = payloadSource(64);
  for (auto _ : state) {
    std::span<std::byte> o;
    RingRecord rec;
    if (out.reserve(kTag, 64, o, RingClock::now() + 60s, wait) != RingStatus::kOk) {
      state.SkipWithError("ping reserve failed");
      break;
    }
    std::memcpy(o.data(), source.data(), 64);
    out.commit();
    if (in.peek(rec, RingClock::now() + 60s, wait) != RingStatus::kOk) {
      state.SkipWithError("pong peek failed");
      break;
    }
    benchmark::DoNotOptimize(rec.payload[63]);
    in.release();
  }
  if (!reapOk(child)) state.SkipWithError("echo child failed");
}

void socketpairRoundTrip(benchmark::State& state) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    state.SkipWithError("socketpair failed");
    return;
  }
  const UniqueFd mine(fds[0]), theirs(fds[1]);
  const std::int64_t rounds = state.max_iterations;
  const pid_t child = forkChild([&] {
    std::array<std::byte, 72> buf;
    for (std::int64_t i = 0; i < rounds; ++i) {
      if (!readAll(theirs.get(), buf) || !writeAll(theirs.get(), buf)) return 1;
    }
    return 0;
  });
  std::array<std::byte, 72> buf{};
  for (auto _ : state) {
    if (!writeAll(mine.get(), buf) || !readAll(mine.get(), buf)) {
      state.SkipWithError("socketpair echo failed");
      break;
    }
  }
  if (!reapOk(child)) state.SkipWithError("echo child failed");
}

// --- idle -------------------------------------------------------------------

// A consumer waiting on an empty ring for one second: the CPU time it used,
// from the kernel's accounting of the child (wait4), in microseconds.
void idleConsumer(benchmark::State& state, bool withPidfd) {
  RingSet set = RingSet::create(kCaps, "bench-idle");
  const int parentPidfd =
      withPidfd ? static_cast<int>(::syscall(SYS_pidfd_open, ::getpid(), 0)) : -1;
  double cpuUs = 0;
  for (auto _ : state) {
    const pid_t child = forkChild([&] {
      RingConsumer c(set.ring(0), 1u << kTag);
      RingRecord rec;
      return c.peek(rec, RingClock::now() + 1s, RingWaitOptions{.pidfd = parentPidfd}) ==
                     RingStatus::kTimeout
                 ? 0
                 : 1;
    });
    rusage usage{};
    if (!reapOk(child, &usage)) state.SkipWithError("idle consumer did not time out");
    cpuUs = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 +
            static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
  }
  if (parentPidfd >= 0) ::close(parentPidfd);
  state.counters["cpu_us_per_s"] = cpuUs;
}

// --- registration and RESULT lines -------------------------------------------

struct Size {
  std::size_t bytes;
  const char* label;
};
constexpr std::array<Size, 3> kSizes{{{64, "64B"}, {1024, "1KiB"}, {16384, "16KiB"}}};

void registerAll() {
  for (const Size& s : kSizes) {
    const std::size_t n = s.bytes;
    const std::string l = s.label;
    benchmark::RegisterBenchmark(("ring/" + l).c_str(), [n](benchmark::State& st) {
      ringThroughput(st, n);
    })->UseRealTime();
    benchmark::RegisterBenchmark(("socketpair/" + l).c_str(), [n](benchmark::State& st) {
      streamThroughput(st, n, true, 1);
    })->UseRealTime();
    benchmark::RegisterBenchmark(("socketpair_batch32/" + l).c_str(), [n](benchmark::State& st) {
      streamThroughput(st, n, true, kBatch);
    })->UseRealTime();
    benchmark::RegisterBenchmark(("pipe/" + l).c_str(), [n](benchmark::State& st) {
      streamThroughput(st, n, false, 1);
    })->UseRealTime();
    benchmark::RegisterBenchmark(("pipe_batch32/" + l).c_str(), [n](benchmark::State& st) {
      streamThroughput(st, n, false, kBatch);
    })->UseRealTime();
  }
  benchmark::RegisterBenchmark("rtt/ring_spin", [](benchmark::State& st) {
    ringRoundTrip(st, RingWaitOptions{.spin = 60s});
  })->UseRealTime();
  benchmark::RegisterBenchmark("rtt/ring_spin_yield", [](benchmark::State& st) {
    ringRoundTrip(st, RingWaitOptions{.spin = 20us, .yield = 60s});
  })->UseRealTime();
  benchmark::RegisterBenchmark("rtt/ring_futex", [](benchmark::State& st) {
    ringRoundTrip(st, RingWaitOptions{.spin = 0ns, .yield = 0ns});
  })->UseRealTime();
  benchmark::RegisterBenchmark("rtt/socketpair", socketpairRoundTrip)->UseRealTime();
  benchmark::RegisterBenchmark("idle/ring_consumer_1s",
                               [](benchmark::State& st) { idleConsumer(st, false); })
      ->Iterations(1)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("idle/ring_consumer_pidfd_1s",
                               [](benchmark::State& st) { idleConsumer(st, true); })
      ->Iterations(1)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
}

// Prints the usual table and keeps each run's numbers for the RESULT lines.
class CapturingReporter : public benchmark::ConsoleReporter {
 public:
  // No colour codes unless a terminal reads us: a reset sequence would
  // otherwise start the first RESULT line and break line-based parsing.
  CapturingReporter() : ConsoleReporter(::isatty(STDOUT_FILENO) ? OO_Defaults : OO_Tabular) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
      Numbers& n = results[run.benchmark_name()];
      if (auto it = run.counters.find("items_per_second"); it != run.counters.end()) {
        n.itemsPerSecond = it->second;
      }
      if (auto it = run.counters.find("bytes_per_second"); it != run.counters.end()) {
        n.bytesPerSecond = it->second;
      }
      if (auto it = run.counters.find("cpu_us_per_s"); it != run.counters.end()) {
        n.cpuUsPerSecond = it->second;
      }
      n.realNsPerIteration = run.GetAdjustedRealTime() *
                             benchmark::GetTimeUnitMultiplier(benchmark::kNanosecond) /
                             benchmark::GetTimeUnitMultiplier(run.time_unit);
    }
  }
  struct Numbers {
    double itemsPerSecond = 0, bytesPerSecond = 0, cpuUsPerSecond = -1, realNsPerIteration = 0;
  };
  std::map<std::string, Numbers> results;
};

void printResults(const CapturingReporter& r) {
  const auto get = [&](const std::string& name) -> const CapturingReporter::Numbers* {
    for (const auto& [key, value] : r.results) {
      if (key.rfind(name + "/", 0) == 0) return &value;  // names carry a /real_time suffix
    }
    return nullptr;
  };
  const auto line = [](const std::string& name, double v) {
    std::printf("RESULT %s %.4g\n", name.c_str(), v);
  };
  for (const Size& s : kSizes) {
    const std::string l = s.label;
    const auto* ring = get("ring/" + l);
    for (const char* t : {"ring", "socketpair", "socketpair_batch32", "pipe", "pipe_batch32"}) {
      if (const auto* n = get(std::string(t) + "/" + l)) {
        line(std::string(t) + "_" + l + "_records_per_s", n->itemsPerSecond);
        line(std::string(t) + "_" + l + "_GB_per_s", n->bytesPerSecond / 1e9);
      }
    }
    if (!ring) continue;
    for (const char* t : {"socketpair", "socketpair_batch32", "pipe", "pipe_batch32"}) {
      const auto* n = get(std::string(t) + "/" + l);
      if (n && n->itemsPerSecond > 0) {
        line(std::string("ring_vs_") + t + "_" + l, ring->itemsPerSecond / n->itemsPerSecond);
      }
    }
  }
  if (const auto* n = get("rtt/ring_spin")) line("ring_rtt_ns", n->realNsPerIteration);
  if (const auto* n = get("rtt/ring_spin_yield")) {
    line("ring_rtt_spin_yield_ns", n->realNsPerIteration);
  }
  if (const auto* n = get("rtt/ring_futex")) line("ring_rtt_futex_ns", n->realNsPerIteration);
  if (const auto* n = get("rtt/socketpair")) line("socketpair_rtt_ns", n->realNsPerIteration);
  if (const auto* n = get("idle/ring_consumer_1s")) {
    line("ring_idle_consumer_cpu_us_per_s", n->cpuUsPerSecond);
  }
  if (const auto* n = get("idle/ring_consumer_pidfd_1s")) {
    line("ring_idle_consumer_pidfd_cpu_us_per_s", n->cpuUsPerSecond);
  }
}

}  // namespace
}  // namespace bulkhead::bench

int main(int argc, char** argv) {
  // A producer that dies must not kill the benchmark with SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  bulkhead::bench::registerAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  bulkhead::bench::CapturingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::fflush(stdout);
  bulkhead::bench::printResults(reporter);
  return 0;
}
