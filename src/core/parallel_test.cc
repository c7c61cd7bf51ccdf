#include "core/parallel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace prodgate {
namespace {

// Records every call: how often each item ran, and whether a worker id was ever used by
// two threads at once (callers keep per-worker buffers indexed by it).
struct Recorder {
  Recorder(size_t n, unsigned workers)
      : calls(std::make_unique<std::atomic<int>[]>(n)),
        busy(std::make_unique<std::atomic<bool>[]>(std::max(workers, 1u))),
        n(n),
        workers(std::max(workers, 1u)) {
    for (size_t i = 0; i < n; ++i) calls[i] = 0;
    for (unsigned w = 0; w < this->workers; ++w) busy[w] = false;
  }

  void Call(size_t item, unsigned worker) {
    if (item >= n || worker >= workers) {
      out_of_range.fetch_add(1);
      return;
    }
    if (busy[worker].exchange(true)) shared_worker.fetch_add(1);
    calls[item].fetch_add(1);
    busy[worker] = false;
  }

  // Number of items not called exactly once.
  size_t Miscounted() const {
    size_t bad = 0;
    for (size_t i = 0; i < n; ++i) bad += calls[i].load() != 1;
    return bad;
  }

  std::unique_ptr<std::atomic<int>[]> calls;
  std::unique_ptr<std::atomic<bool>[]> busy;
  std::atomic<int> out_of_range{0};
  std::atomic<int> shared_worker{0};
  size_t n;
  unsigned workers;
};

TEST(CoreParallel, WorkerCountIsPositive) { EXPECT_GE(WorkerCount(), 1u); }

TEST(CoreParallel, ZeroItemsNeverCalls) {
  for (unsigned workers : {0u, 1u, 4u}) {
    int calls = 0;
    ParallelFor(0, workers, [&](size_t, unsigned) { ++calls; });
    EXPECT_EQ(calls, 0) << workers << " workers";
  }
}

TEST(CoreParallel, OneItemCalledOnce) {
  for (unsigned workers : {0u, 1u, 8u}) {
    std::vector<std::pair<size_t, unsigned>> seen;
    ParallelFor(1, workers, [&](size_t i, unsigned w) { seen.emplace_back(i, w); });
    ASSERT_EQ(seen.size(), 1u) << workers << " workers";
    EXPECT_EQ(seen[0].first, 0u);
    EXPECT_LT(seen[0].second, std::max(workers, 1u));
  }
}

TEST(CoreParallel, ManyItemsEachCalledExactlyOnce) {
  const size_t kItems = 20000;
  for (unsigned workers : {1u, 2u, 3u, 8u, WorkerCount()}) {
    SCOPED_TRACE(testing::Message() << workers << " workers");
    Recorder r(kItems, workers);
    ParallelFor(kItems, workers, [&](size_t i, unsigned w) { r.Call(i, w); });
    EXPECT_EQ(r.out_of_range.load(), 0);
    EXPECT_EQ(r.Miscounted(), 0u);
    EXPECT_EQ(r.shared_worker.load(), 0);
  }
}

TEST(CoreParallel, MoreWorkersThanItems) {
  for (size_t n : {2u, 3u, 5u}) {
    Recorder r(n, 16);
    ParallelFor(n, 16, [&](size_t i, unsigned w) { r.Call(i, w); });
    EXPECT_EQ(r.out_of_range.load(), 0) << n;
    EXPECT_EQ(r.Miscounted(), 0u) << n;
    EXPECT_EQ(r.shared_worker.load(), 0) << n;
  }
}

TEST(CoreParallel, SingleWorkerRunsInIncreasingOrderOnWorkerZero) {
  std::vector<size_t> order;
  bool only_worker_zero = true;
  ParallelFor(100, 1, [&](size_t i, unsigned w) {
    order.push_back(i);
    only_worker_zero = only_worker_zero && w == 0;
  });
  ASSERT_EQ(order.size(), 100u);
  for (size_t i = 0; i < order.size(); ++i) EXPECT_EQ(order[i], i);
  EXPECT_TRUE(only_worker_zero);
}

TEST(CoreParallel, PerWorkerBuffersSeeEveryItem) {
  // The usage pattern the header promises: unsynchronized per-worker accumulators.
  const unsigned kWorkers = 4;
  const size_t kItems = 10000;
  std::vector<uint64_t> sums(kWorkers, 0);
  ParallelFor(kItems, kWorkers, [&](size_t i, unsigned w) { sums[w] += i; });
  uint64_t total = 0;
  for (uint64_t s : sums) total += s;
  EXPECT_EQ(total, uint64_t{kItems} * (kItems - 1) / 2);
}

}  // namespace
}  // namespace prodgate
