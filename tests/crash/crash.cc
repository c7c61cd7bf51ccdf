#include "tests/crash/crash.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <thread>

#include "core/sha256.h"
#include "db/database.h"

extern char** environ;

namespace prodgate::testing {
namespace {

// The test's environment with `env` set on top, as "K=V" strings.
std::vector<std::string> ChildEnvironment(const Env& env) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    std::string key = kv.substr(0, kv.find('='));
    if (!env.count(key)) out.push_back(kv);
  }
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

// Starts PRODGATE_BIN `args` in `cwd`: stdout and stderr to the given descriptors.
pid_t Start(std::vector<std::string> args, const std::string& cwd, const Env& env, int out_fd,
            int err_fd) {
  args.insert(args.begin(), PRODGATE_BIN);
  std::vector<std::string> envs = ChildEnvironment(env);
  return SpawnChild(args, cwd, out_fd, err_fd, &envs);
}

std::string ReadAndRemove(const std::string& path) {
  std::string bytes = ReadFileOrDie(path);
  ::unlink(path.c_str());
  return bytes;
}

}  // namespace

RunResult Pg(std::vector<std::string> args, const std::string& cwd, const Env& env) {
  char out_name[] = "/tmp/prodgate-crash-out-XXXXXX";
  char err_name[] = "/tmp/prodgate-crash-err-XXXXXX";
  int out_fd = ::mkstemp(out_name);
  int err_fd = ::mkstemp(err_name);
  RunResult r;
  pid_t pid = Start(std::move(args), cwd, env, out_fd, err_fd);
  if (pid > 0) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  ::close(out_fd);
  ::close(err_fd);
  r.out = ReadAndRemove(out_name);
  r.err = ReadAndRemove(err_name);
  return r;
}

namespace {

// A run of prodgate with stderr in a file that can be read while it runs.
class WatchedRun {
 public:
  WatchedRun(std::vector<std::string> args, const std::string& cwd, const Env& env) {
    char name[] = "/tmp/prodgate-crash-err-XXXXXX";
    err_fd_ = ::mkstemp(name);
    err_name_ = name;
    int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    pid_ = Start(std::move(args), cwd, env, null_fd, err_fd_);
    ::close(null_fd);
  }
  ~WatchedRun() {
    if (pid_ > 0 && !reaped_) Reap(true);
    ::close(err_fd_);
    ::unlink(err_name_.c_str());
  }
  bool started() const { return pid_ > 0; }
  // Whether it has exited (and is reaped).
  bool Exited() {
    if (reaped_) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      reaped_ = true;
      status_ = status;
    }
    return reaped_;
  }
  std::string Stderr() const { return ReadFileOrDie(err_name_); }
  // Kills it (when asked) and waits for it; returns the wait status.
  int Reap(bool kill) {
    if (!reaped_) {
      if (kill) ::kill(pid_, SIGKILL);  // an exited process stays a zombie until reaped
      while (::waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
      }
      reaped_ = true;
    }
    return status_;
  }

 private:
  pid_t pid_ = -1;
  int err_fd_ = -1;
  std::string err_name_;
  bool reaped_ = false;
  int status_ = 0;
};

constexpr std::chrono::microseconds kPoll{200};

}  // namespace

KillOutcome RunPgAndKill(std::vector<std::string> args, const std::string& cwd,
                         const KillPlan& plan, const Env& env) {
  KillOutcome k;
  WatchedRun run(std::move(args), cwd, env);
  if (!run.started()) return k;
  if (plan.trigger) {
    while (!run.Exited() && !plan.trigger(run.Stderr())) std::this_thread::sleep_for(kPoll);
    k.triggered = !run.Exited();
  } else {
    k.triggered = true;
  }
  std::this_thread::sleep_for(plan.delay);
  int status = run.Reap(/*kill=*/true);
  k.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  if (WIFEXITED(status)) k.exit_code = WEXITSTATUS(status);
  return k;
}

std::vector<int64_t> MeasurePhases(
    std::vector<std::string> args, const std::string& cwd,
    const std::vector<std::function<bool(const std::string&)>>& triggers, const Env& env) {
  std::vector<int64_t> at(triggers.size(), -1);
  auto start = std::chrono::steady_clock::now();
  auto since = [&] {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                 start)
        .count();
  };
  WatchedRun run(std::move(args), cwd, env);
  while (run.started() && !run.Exited()) {
    std::string err = run.Stderr();
    for (size_t i = 0; i < triggers.size(); ++i) {
      if (at[i] < 0 && triggers[i](err)) at[i] = since();
    }
    std::this_thread::sleep_for(kPoll);
  }
  at.push_back(since());
  return at;
}

int64_t MedianMicros(int runs, const std::function<void()>& f) {
  std::vector<int64_t> t;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - start)
                    .count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

void TrialCounts::Add(bool was_killed, const std::string& outcome) {
  std::lock_guard<std::mutex> lock(mu);
  (was_killed ? killed : finished)++;
  outcomes[(was_killed ? "killed: " : "finished: ") + outcome]++;
}

void TrialCounts::Fail(const std::string& what) {
  std::lock_guard<std::mutex> lock(mu);
  failures.push_back(what);
}

std::string TrialCounts::Summary() {
  std::lock_guard<std::mutex> lock(mu);
  std::string s = fmt::format("killed {} mid-run, {} finished", killed, finished);
  for (const auto& [name, n] : outcomes) s += fmt::format("\n    {:4}  {}", n, name);
  return s;
}

void RunTrials(const std::string& family, int trials, int workers,
               const std::function<void(int worker)>& setup,
               const std::function<void(int worker, int i)>& trial, TrialCounts& counts) {
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      setup(w);
      for (int i = w; i < trials; i += workers) {
        trial(w, i);
        std::lock_guard<std::mutex> lock(counts.mu);
        if (counts.failures.size() >= 20) return;  // enough to see the pattern
      }
    });
  }
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const auto& f : counts.failures) ADD_FAILURE() << family << ": " << f;
  std::string summary = counts.Summary();
  std::cout << "[ counts   ] " << family << ": " << trials << " trials in "
            << fmt::format("{:.1f}", seconds) << " s: " << summary << "\n";
  ::testing::Test::RecordProperty("counts", summary);
}

std::string LedgerVerifies(const std::string& ws) {
  RunResult r = Pg({"ledger", "verify"}, ws);
  if (r.exit_code == 0) return "";
  return fmt::format("ledger verify exit {}: {}{}", r.exit_code, r.out, r.err);
}

std::string ProjectionsAgree(const std::string& ws) {
  RunResult r = Pg({"ledger", "rebuild"}, ws);
  if (r.exit_code == 0 && r.out.starts_with("OK")) return "";
  return fmt::format("ledger rebuild exit {}: {}{}", r.exit_code, r.out, r.err);
}

std::optional<std::vector<Json>> LedgerEvents(const std::string& ws) {
  RunResult r = Pg({"ledger", "log", "--json"}, ws);
  if (r.exit_code != 0) return std::nullopt;
  std::vector<Json> events;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return std::nullopt;
    events.push_back(std::move(j));
  }
  return events;
}

std::string DbRoot(const std::string& path) {
  auto db = db::OpenTarget("sqlite:" + path, db::OpenMode::kReadOnly);
  if (!db.ok()) return "";
  auto h = (*db)->Hash();
  return h.ok() && h->complete ? ToHex(h->root) : "";
}

std::string CliDbRoot(const std::string& path) {
  RunResult r = Pg({"db", "hash", "sqlite:" + path, "--json"}, ".");
  if (r.exit_code != 0) return "";
  Json j = Json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.contains("root") || !j["root"].is_string()) return "";
  return j["root"];
}

std::string InitWorkspace(const std::string& dir) {
  RunResult r = Pg({"init", "."}, dir);
  return r.exit_code == 0 ? "" : "prodgate init: " + r.err;
}

std::string Example(const std::string& file) {
  return std::string(PRODGATE_SOURCE_DIR) + "/examples/fix7/" + file;
}

std::vector<std::string> PayloadOf(const std::string& bag) {
  std::vector<std::string> paths;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(bag + "/data", ec);
       !ec && it != std::filesystem::end(it); it.increment(ec)) {
    if (it->is_regular_file())
      paths.push_back(std::filesystem::relative(it->path(), bag).generic_string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

bool AddressSanitizerBuild() {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return true;
#else
  return false;
#endif
#else
  return false;
#endif
}

Tmpfs::Tmpfs(const std::string& size) {
  std::string options = "size=" + size + ",mode=0755";
  if (::mount("tmpfs", dir_.path().c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
    error_ = fmt::format("mount -t tmpfs -o {} tmpfs {}: {}", options, dir_.path(),
                         std::strerror(errno));
    return;
  }
  mounted_ = true;
}

Tmpfs::~Tmpfs() {
  if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
}

}  // namespace prodgate::testing
