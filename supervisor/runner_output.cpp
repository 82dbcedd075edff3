#include "supervisor/runner_output.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>
#include <unordered_map>
#include <utility>

#include <spdlog/spdlog.h>

#include "plugin_api/visible_text.h"

namespace bulkhead {

OutputLimiter::OutputLimiter(std::string plugin, OutputLimits limits, Emit emit)
    : plugin_(std::move(plugin)),
      limits_(limits),
      emit_(std::move(emit)),
      lineTokens_(limits.linesPerSecond),
      byteTokens_(limits.bytesPerSecond) {}

void OutputLimiter::refill(Clock::time_point now) {
  if (!started_) {
    started_ = true;
    last_ = now;
    return;
  }
  const double s = std::chrono::duration<double>(now - last_).count();
  if (s <= 0) return;
  last_ = now;
  lineTokens_ = std::min(limits_.linesPerSecond, lineTokens_ + s * limits_.linesPerSecond);
  byteTokens_ = std::min(limits_.bytesPerSecond, byteTokens_ + s * limits_.bytesPerSecond);
}

void OutputLimiter::line(std::string_view text, Clock::time_point now) {
  refill(now);
  const bool cut = text.size() > limits_.maxLineBytes;
  const size_t cost = std::min(text.size(), limits_.maxLineBytes) + 1;
  if (lineTokens_ < 1 || byteTokens_ < static_cast<double>(cost)) {
    if (unreportedLines_ == 0) firstUnreported_ = now;
    ++unreportedLines_;
    unreportedBytes_ += text.size() + 1;
    ++counts_.droppedLines;
    counts_.droppedBytes += text.size() + 1;
    return;
  }
  lineTokens_ -= 1;
  byteTokens_ -= static_cast<double>(cost);
  ++counts_.lines;
  if (cut) ++counts_.cutLines;
  std::string shown = visibleText(text.substr(0, limits_.maxLineBytes));
  if (cut) shown += " ...(line cut at " + std::to_string(limits_.maxLineBytes) + " bytes)";
  emit_("plugin '" + visibleText(plugin_) + "' output: " + shown);
}

OutputLimiter::Clock::time_point OutputLimiter::summaryDue() const {
  if (unreportedLines_ == 0) return Clock::time_point::max();
  return firstUnreported_ + limits_.summaryInterval;
}

void OutputLimiter::flushSummary(Clock::time_point now, bool force) {
  if (unreportedLines_ == 0 || (!force && now < summaryDue())) return;
  emit_("plugin '" + visibleText(plugin_) + "': " + std::to_string(unreportedLines_) +
        " lines (" + std::to_string(unreportedBytes_) +
        " bytes) of its output dropped, over the bound of " +
        std::to_string(static_cast<uint64_t>(limits_.linesPerSecond)) + " lines or " +
        std::to_string(static_cast<uint64_t>(limits_.bytesPerSecond)) + " bytes per second");
  unreportedLines_ = 0;
  unreportedBytes_ = 0;
}

struct RunnerOutput::Impl {
  struct Pipe {
    UniqueFd fd;
    std::string plugin;
    std::string partial;      // bytes after the last newline
    bool continuing = false;  // a cut line's rest is being skipped
  };
  OutputLimits limits;
  OutputLimiter::Emit emit;
  UniqueFd epoll;
  UniqueFd wake;  // eventfd: readable once the reader is to end
  mutable std::mutex mu;  // guards pipes and limiters
  std::unordered_map<int, Pipe> pipes;
  std::map<std::string, OutputLimiter> limiters;
  std::thread thread;

  OutputLimiter& limiter(const std::string& plugin) {
    auto it = limiters.find(plugin);
    if (it == limiters.end()) it = limiters.emplace(plugin, OutputLimiter(plugin, limits, emit)).first;
    return it->second;
  }
  void take(Pipe& p, std::string_view bytes, OutputLimiter::Clock::time_point now);
  enum class Read { kMore, kEmpty, kEnd };
  Read readSome(Pipe& p);
  void close(int fd);
  void run();
};

void RunnerOutput::Impl::take(Pipe& p, std::string_view bytes,
                              OutputLimiter::Clock::time_point now) {
  OutputLimiter& l = limiter(p.plugin);
  while (!bytes.empty()) {
    const size_t nl = bytes.find('\n');
    const std::string_view piece = bytes.substr(0, nl);
    if (!p.continuing) p.partial.append(piece.substr(0, limits.maxLineBytes + 1 - p.partial.size()));
    if (nl == std::string_view::npos) {
      if (!p.continuing && p.partial.size() > limits.maxLineBytes) {
        // A line too long to hold: logged cut now, its rest skipped.
        l.line(p.partial, now);
        p.partial.clear();
        p.continuing = true;
      }
      return;
    }
    if (!p.continuing) l.line(p.partial, now);
    p.partial.clear();
    p.continuing = false;
    bytes.remove_prefix(nl + 1);
  }
}

RunnerOutput::Impl::Read RunnerOutput::Impl::readSome(Pipe& p) {
  char buf[65536];
  const ssize_t n = ::read(p.fd.get(), buf, sizeof buf);
  if (n < 0 && errno == EINTR) return Read::kMore;
  if (n < 0 && errno == EAGAIN) return Read::kEmpty;
  if (n <= 0) return Read::kEnd;
  take(p, std::string_view(buf, static_cast<size_t>(n)), OutputLimiter::Clock::now());
  return Read::kMore;
}

void RunnerOutput::Impl::close(int fd) {
  auto it = pipes.find(fd);
  if (it == pipes.end()) return;
  Pipe& p = it->second;
  if (!p.partial.empty() && !p.continuing) limiter(p.plugin).line(p.partial, OutputLimiter::Clock::now());
  ::epoll_ctl(epoll.get(), EPOLL_CTL_DEL, fd, nullptr);
  pipes.erase(it);
}

void RunnerOutput::Impl::run() {
  for (;;) {
    int timeoutMs = -1;
    {
      std::lock_guard lock(mu);
      auto due = OutputLimiter::Clock::time_point::max();
      for (const auto& [name, l] : limiters) due = std::min(due, l.summaryDue());
      if (due != OutputLimiter::Clock::time_point::max()) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(
            due - OutputLimiter::Clock::now());
        timeoutMs = static_cast<int>(std::clamp<int64_t>(left.count(), 0, 60'000));
      }
    }
    epoll_event events[16];
    const int n = ::epoll_wait(epoll.get(), events, 16, timeoutMs);
    if (n < 0 && errno != EINTR) {
      spdlog::error("runner output reader: epoll_wait: {}", std::strerror(errno));
      return;
    }
    std::lock_guard lock(mu);
    bool stopping = false;
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == wake.get()) {
        stopping = true;
        continue;
      }
      auto it = pipes.find(fd);
      if (it != pipes.end() && readSome(it->second) == Read::kEnd) close(fd);
    }
    const auto now = OutputLimiter::Clock::now();
    for (auto& [name, l] : limiters) l.flushSummary(now, stopping);
    if (stopping) return;
  }
}

RunnerOutput::RunnerOutput(OutputLimits limits, OutputLimiter::Emit emit) : impl_(new Impl) {
  impl_->limits = limits;
  impl_->emit = emit ? std::move(emit) : [](const std::string& line) { spdlog::info("{}", line); };
  impl_->epoll.reset(sysCall("epoll_create1", [] { return ::epoll_create1(EPOLL_CLOEXEC); }));
  impl_->wake.reset(sysCall("eventfd", [] { return ::eventfd(0, EFD_CLOEXEC); }));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = impl_->wake.get();
  sysCall("epoll_ctl(ADD)",
          [&] { return ::epoll_ctl(impl_->epoll.get(), EPOLL_CTL_ADD, impl_->wake.get(), &ev); });
  impl_->thread = std::thread([this] { impl_->run(); });
}

RunnerOutput::~RunnerOutput() {
  const uint64_t one = 1;
  while (::write(impl_->wake.get(), &one, sizeof one) < 0 && errno == EINTR) {
  }
  impl_->thread.join();
  // What the runners wrote before they ended is still logged.
  std::lock_guard lock(impl_->mu);
  for (auto& [fd, p] : impl_->pipes) {
    while (impl_->readSome(p) == Impl::Read::kMore) {
    }
  }
  while (!impl_->pipes.empty()) impl_->close(impl_->pipes.begin()->first);
  for (auto& [name, l] : impl_->limiters) l.flushSummary(OutputLimiter::Clock::now(), true);
}

void RunnerOutput::add(UniqueFd readEnd, const std::string& plugin) noexcept {
  try {
    std::lock_guard lock(impl_->mu);
    const int fd = readEnd.get();
    // Never blocks the reader: a runner that keeps the pipe open but quiet
    // must not stall the others, nor the final drain.
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
      spdlog::error("plugin '{}': cannot watch its output: {}", visibleText(plugin),
                    std::strerror(errno));
      return;
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (::epoll_ctl(impl_->epoll.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
      spdlog::error("plugin '{}': cannot watch its output: {}", visibleText(plugin),
                    std::strerror(errno));
      return;
    }
    impl_->pipes[fd] = Impl::Pipe{std::move(readEnd), plugin, {}, false};
  } catch (const std::exception& e) {
    spdlog::error("plugin '{}': cannot watch its output: {}", visibleText(plugin), e.what());
  }
}

void RunnerOutput::closeEnded() noexcept {
  std::lock_guard lock(impl_->mu);
  std::vector<int> ended;
  for (auto& [fd, p] : impl_->pipes) {
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, 0) <= 0) continue;
    Impl::Read r = Impl::Read::kMore;
    while (r == Impl::Read::kMore) r = impl_->readSome(p);
    if (r == Impl::Read::kEnd) ended.push_back(fd);
  }
  for (int fd : ended) impl_->close(fd);
}

OutputCounts RunnerOutput::counts(const std::string& plugin) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->limiters.find(plugin);
  return it == impl_->limiters.end() ? OutputCounts{} : it->second.counts();
}

}  // namespace bulkhead
