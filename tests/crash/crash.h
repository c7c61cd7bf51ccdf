// Shared by the crash and I/O-fault tests (docs/robustness.md): running the real prodgate
// binary with a chosen environment, killing it at a chosen moment, a tmpfs of a fixed size,
// and the checks every test makes afterwards.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdlib>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace prodgate::testing {

using Json = nlohmann::json;
using Env = std::map<std::string, std::string>;  // variables set (or replaced) for the child

// Runs prodgate with `args` in `cwd`, the test's environment plus `env`; waits for it.
RunResult Pg(std::vector<std::string> args, const std::string& cwd, const Env& env = {});

// How a run that was to be killed ended.
struct KillOutcome {
  bool killed = false;     // SIGKILL arrived while it ran; false: it had already exited
  bool triggered = false;  // the trigger fired before the run exited
  int exit_code = -1;      // when it exited by itself
};

// When to kill: `delay` after the trigger first holds, polled every 200 µs with what the
// run wrote to stderr so far (no trigger: `delay` after the start).
struct KillPlan {
  std::function<bool(const std::string& stderr_so_far)> trigger;
  std::chrono::microseconds delay{0};
};

// Starts prodgate (stdout to /dev/null), kills it with SIGKILL as `plan` says and reaps it.
// A run that exited before the signal is reported with its exit code.
KillOutcome RunPgAndKill(std::vector<std::string> args, const std::string& cwd,
                         const KillPlan& plan, const Env& env = {});

// Runs prodgate to its end and returns, for every trigger, the microseconds from the start
// to when it first held (-1: never), and last the whole run's duration.
std::vector<int64_t> MeasurePhases(
    std::vector<std::string> args, const std::string& cwd,
    const std::vector<std::function<bool(const std::string&)>>& triggers, const Env& env = {});

// The median wall time of `runs` calls of `f`, in microseconds.
int64_t MedianMicros(int runs, const std::function<void()>& f);

// Counts of a family of kill trials, safe to update from several workers.
struct TrialCounts {
  std::mutex mu;
  int killed = 0, finished = 0;
  std::map<std::string, int> outcomes;  // what a check found after the kill, by name
  std::vector<std::string> failures;    // one line per broken invariant

  void Add(bool was_killed, const std::string& outcome);
  void Fail(const std::string& what);
  // "killed 187 mid-run, 13 finished; absent 120, whole 80"
  std::string Summary();
};

// Runs `trials` trials on `workers` threads. `setup(worker)` prepares a worker (its own
// scratch directory and workspace); `trial(worker, i)` runs trial i on it. Reports every
// broken invariant (at most 20) as a test failure and prints the counts.
void RunTrials(const std::string& family, int trials, int workers,
               const std::function<void(int worker)>& setup,
               const std::function<void(int worker, int i)>& trial, TrialCounts& counts);

// The checks after every kill or fault, through the binary. Each returns "" or the problem.
std::string LedgerVerifies(const std::string& ws);    // ledger verify, exit 0
std::string ProjectionsAgree(const std::string& ws);  // ledger rebuild, exit 0, no difference
// Every event of the ledger (ledger log --json), oldest first; nullopt when it cannot be read.
std::optional<std::vector<Json>> LedgerEvents(const std::string& ws);

// The logical hash root (hex) of the SQLite database at `path`, read through the library
// (what `prodgate db hash` prints, without starting the binary and hashing it for the
// report's tool digest on every trial); "" when it cannot be hashed.
std::string DbRoot(const std::string& path);
// The same through the binary: prodgate db hash sqlite:PATH --json, field root.
std::string CliDbRoot(const std::string& path);

// Makes a workspace (prodgate init) in `dir`; "" or the problem.
std::string InitWorkspace(const std::string& dir);

std::string Example(const std::string& file);  // examples/fix7/<file>

// Payload paths of a bag ("data/..."), sorted, from a walk of its data/ directory.
std::vector<std::string> PayloadOf(const std::string& bag);

// Whether this test binary (hence prodgate, built with the same flags) is instrumented by
// AddressSanitizer: LD_PRELOAD of the fault shim is not run under ASan (the ASan runtime
// must come first in the library list).
bool AddressSanitizerBuild();

// A tmpfs mounted on a fresh directory, unmounted (lazily, whatever is open) on destruction.
// Needs root; `error()` says why it is not mounted.
class Tmpfs {
 public:
  explicit Tmpfs(const std::string& size);  // "2m"
  ~Tmpfs();
  Tmpfs(const Tmpfs&) = delete;
  Tmpfs& operator=(const Tmpfs&) = delete;
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  const std::string& path() const { return dir_.path(); }
  std::string operator/(std::string_view rel) const { return dir_ / rel; }

 private:
  ScratchDir dir_;
  bool mounted_ = false;
  std::string error_;
};

// Skips the test when not root, except under CI=true, where it fails instead.
#define PRODGATE_REQUIRE_ROOT(what)                                                       \
  do {                                                                                    \
    if (::geteuid() != 0) {                                                               \
      const char* ci = std::getenv("CI");                                                 \
      if (ci != nullptr && std::string(ci) == "true") {                                   \
        FAIL() << what << " needs root (to mount a tmpfs), and CI=true: CI runs as root"; \
      }                                                                                   \
      GTEST_SKIP() << what << " needs root (to mount a tmpfs); skipped";                  \
    }                                                                                     \
  } while (0)

}  // namespace prodgate::testing
