// Runs independent work items on every core.
#pragma once

#include <cstddef>
#include <functional>

namespace prodgate {

// Number of worker threads to use: the cores this process may run on (at least 1).
unsigned WorkerCount();

// Calls fn(item, worker) for every item in [0, n), on up to `workers` threads. Items are
// taken in increasing order from a shared counter, so callers sort the heaviest items
// first for balance. `worker` is in [0, workers) and lets callers keep per-thread buffers.
// Returns when every call has returned.
void ParallelFor(size_t n, unsigned workers, const std::function<void(size_t, unsigned)>& fn);

}  // namespace prodgate
