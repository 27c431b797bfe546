//===- ThreadPool.h - A small fork-join pool --------------------*- C++ -*-===//
//
// Runs fn(begin, end) over the parts of a range on persistent worker
// threads and the calling thread. One job at a time: a caller that finds
// the pool busy (another thread's job) runs its range inline instead, so
// concurrent callers never wait on each other's work.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_BASE_THREADPOOL_H
#define CIMRT_SRC_BASE_THREADPOOL_H

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace cim::rt {

/// The most threads a pool (a simulator device's) may be asked for.
inline constexpr unsigned kMaxPoolThreads = 256;

class ThreadPool {
public:
  /// A pool of up to `threads` (counting the caller's). Threads the system
  /// cannot start (a process or memory limit) are done without: the pool
  /// keeps those that started, and results never depend on the count.
  explicit ThreadPool(unsigned threads) {
    for (unsigned i = 1; i < threads; ++i) {
      try {
        workers_.emplace_back([this] { work(); });
      } catch (const std::system_error &) {
        break;
      }
    }
  }
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread &t : workers_)
      t.join();
  }
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  unsigned size() const { return unsigned(workers_.size()) + 1; }

  /// fn(begin, end) over [0, n) in up to size() parts of at least
  /// `minPart` each.
  void run(int64_t n, int64_t minPart,
           const std::function<void(int64_t, int64_t)> &fn) {
    int64_t parts = std::min<int64_t>(size(), n / std::max<int64_t>(1, minPart));
    std::unique_lock<std::mutex> busy(jobMutex_, std::try_to_lock);
    if (parts <= 1 || !busy.owns_lock()) {
      if (n > 0)
        fn(0, n);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &fn;
      n_ = n;
      parts_ = parts;
      next_ = 1; // part 0 is the caller's
      done_ = 0;
      ++generation_;
    }
    wake_.notify_all();
    runPart(0);
    std::unique_lock<std::mutex> lock(mutex_);
    finished_.wait(lock, [&] { return done_ == parts_ - 1; });
    job_ = nullptr;
  }

private:
  void runPart(int64_t part) {
    int64_t chunk = (n_ + parts_ - 1) / parts_;
    int64_t b = part * chunk, e = std::min(n_, b + chunk);
    if (b < e)
      (*job_)(b, e);
  }

  void work() {
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_)
        return;
      seen = generation_;
      while (job_ && next_ < parts_) {
        int64_t part = next_++;
        lock.unlock();
        runPart(part);
        lock.lock();
        if (++done_ == parts_ - 1)
          finished_.notify_one();
      }
    }
  }

  std::vector<std::thread> workers_;
  std::mutex jobMutex_; // held by the caller whose job runs
  std::mutex mutex_;
  std::condition_variable wake_, finished_;
  const std::function<void(int64_t, int64_t)> *job_ = nullptr;
  int64_t n_ = 0, parts_ = 0, next_ = 0, done_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
};

} // namespace cim::rt

#endif // CIMRT_SRC_BASE_THREADPOOL_H
