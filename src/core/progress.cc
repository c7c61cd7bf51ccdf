#include "core/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace prodgate {

Progress::Progress(std::string label, uint64_t total_files, uint64_t total_bytes, bool enabled)
    : label_(std::move(label)), total_files_(total_files), total_bytes_(total_bytes) {
  if (enabled && ::isatty(STDERR_FILENO)) thread_ = std::thread([this] { Run(); });
}

Progress::~Progress() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Progress::Run() {
  using namespace std::chrono_literals;
  std::unique_lock<std::mutex> lock(mu_);
  if (cv_.wait_for(lock, 1s, [this] { return stop_; })) return;
  constexpr double kMiB = 1024.0 * 1024.0;
  auto start = std::chrono::steady_clock::now() - 1s;
  while (true) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    uint64_t b = bytes_.load(std::memory_order_relaxed);
    std::string line = fmt::format("\r{}: {}/{} files, {:.0f}/{:.0f} MiB, {:.0f} MiB/s ", label_,
                                   files_.load(std::memory_order_relaxed), total_files_, b / kMiB,
                                   total_bytes_ / kMiB, b / kMiB / secs);
    std::fputs(line.c_str(), stderr);
    shown_ = true;
    if (cv_.wait_for(lock, 200ms, [this] { return stop_; })) break;
  }
  if (shown_) std::fputs("\r\033[K", stderr);
}

}  // namespace prodgate
