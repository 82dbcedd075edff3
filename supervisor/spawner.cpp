#include "supervisor/spawner.h"

#include <exception>
#include <memory>

namespace bulkhead {

Spawner::Spawner() : thread_([this] { loop(); }) {}

Spawner::~Spawner() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  thread_.join();
}

void Spawner::loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return !jobs_.empty() || stopping_; });
    if (jobs_.empty()) return;
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    job = nullptr;  // what it owns goes before anyone hears it is done
    lock.lock();
    ++done_;
    cv_.notify_all();
  }
}

uint64_t Spawner::enqueue(std::function<void()> job) {
  jobs_.push_back(std::move(job));
  cv_.notify_all();
  return ++queued_;
}

void Spawner::post(std::function<void()> job) {
  std::lock_guard lock(mu_);
  enqueue(std::move(job));
}

ChildProcess Spawner::spawn(const std::string& path, const std::vector<std::string>& argv,
                            const std::vector<std::string>& env, std::span<const int> passFds,
                            const SpawnOptions& options) {
  ChildProcess child;
  std::exception_ptr error;
  std::unique_lock lock(mu_);
  const uint64_t ticket = enqueue([&] {
    try {
      child = ChildProcess::forkExec(path, argv, env, passFds, options);
    } catch (...) {
      error = std::current_exception();
    }
  });
  cv_.wait(lock, [&] { return done_ >= ticket; });
  lock.unlock();
  if (error) std::rethrow_exception(error);
  return child;
}

std::future<ChildProcess> Spawner::spawnAsync(std::string path, std::vector<std::string> argv,
                                              std::vector<std::string> env,
                                              std::vector<UniqueFd> passFds,
                                              SpawnOptions options) {
  auto promise = std::make_shared<std::promise<ChildProcess>>();
  std::future<ChildProcess> result = promise->get_future();
  auto fds = std::make_shared<std::vector<UniqueFd>>(std::move(passFds));
  std::lock_guard lock(mu_);
  enqueue([promise, fds, options = std::move(options), path = std::move(path),
           argv = std::move(argv), env = std::move(env)] {
    try {
      std::vector<int> raw;
      for (const UniqueFd& fd : *fds) raw.push_back(fd.get());
      SpawnOptions o = options;
      if (o.prepare) o.joinCgroups = o.prepare();
      ChildProcess child = ChildProcess::forkExec(path, argv, env, raw, o);
      fds->clear();  // the child has its copies; ours go before the result is seen
      promise->set_value(std::move(child));
    } catch (...) {
      fds->clear();
      promise->set_exception(std::current_exception());
    }
  });
  return result;
}

}  // namespace bulkhead
