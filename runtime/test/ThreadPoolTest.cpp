//===- ThreadPoolTest.cpp - The simulator's fork-join pool ------*- C++ -*-===//
//
// Every index of a range is visited exactly once, whatever the pool's size;
// a pool whose threads the system cannot start (here: a default stack no
// address space can hold) runs the work on the caller alone and shuts down
// without waiting on threads that never started.
//
//===----------------------------------------------------------------------===//

#include "base/ThreadPool.h"

#include <gtest/gtest.h>

#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <vector>

namespace {

using cim::rt::ThreadPool;

/// Runs fn over [0, n) on `pool` and returns how often each index was seen.
std::vector<int> visits(ThreadPool &pool, int64_t n, int64_t minPart) {
  std::vector<std::atomic<int>> seen(static_cast<size_t>(n));
  pool.run(n, minPart, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i)
      seen[size_t(i)].fetch_add(1);
  });
  std::vector<int> out;
  for (auto &s : seen)
    out.push_back(s.load());
  return out;
}

TEST(ThreadPool, EveryIndexOnce) {
  for (unsigned threads : {1u, 2u, 5u}) {
    ThreadPool pool(threads);
    EXPECT_GE(pool.size(), 1u);
    EXPECT_LE(pool.size(), threads);
    for (int64_t n : {0, 1, 7, 1000})
      for (int64_t minPart : {1, 64})
        EXPECT_EQ(visits(pool, n, minPart), std::vector<int>(size_t(n), 1))
            << threads << " threads, n " << n << ", minPart " << minPart;
  }
}

/// Makes every thread started without attributes ask for a stack of 2^50
/// bytes (more than a 47-bit address space holds) while it lives.
class UnstartableThreads {
public:
  UnstartableThreads() {
    ok_ = pthread_getattr_default_np(&old_) == 0;
    pthread_attr_t huge;
    pthread_attr_init(&huge);
    ok_ = ok_ && pthread_attr_setstacksize(&huge, size_t(1) << 50) == 0 &&
          pthread_setattr_default_np(&huge) == 0;
    pthread_attr_destroy(&huge);
  }
  ~UnstartableThreads() {
    pthread_setattr_default_np(&old_);
    pthread_attr_destroy(&old_);
  }
  bool ok() const { return ok_; }

private:
  pthread_attr_t old_;
  bool ok_ = false;
};

TEST(ThreadPool, SurvivesThreadsTheSystemCannotStart) {
  unsigned size;
  std::vector<int> seen;
  {
    UnstartableThreads limit;
    ASSERT_TRUE(limit.ok());
    ThreadPool pool(16);
    size = pool.size();
    seen = visits(pool, 1000, 1);
  } // the pool's destructor must return
  EXPECT_EQ(size, 1u);
  EXPECT_EQ(seen, std::vector<int>(1000, 1));
  // Threads start again once the stack size is ordinary.
  ThreadPool pool(2);
  EXPECT_EQ(visits(pool, 1000, 1), std::vector<int>(1000, 1));
}

} // namespace
