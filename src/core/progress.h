// Progress of long work, shown on stderr when it is a terminal.
//
// Silent when stderr is not a TTY or when disabled (--quiet), and for work that finishes
// within the first second. Thread-safe: workers call Add from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace prodgate {

class Progress {
 public:
  Progress(std::string label, uint64_t total_files, uint64_t total_bytes, bool enabled);
  ~Progress();  // stops the display and clears its line
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Add(uint64_t files, uint64_t bytes) {
    files_.fetch_add(files, std::memory_order_relaxed);
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
  }

 private:
  void Run();

  std::string label_;
  uint64_t total_files_, total_bytes_;
  std::atomic<uint64_t> files_{0}, bytes_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool shown_ = false;
  std::thread thread_;
};

}  // namespace prodgate
