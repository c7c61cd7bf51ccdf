// I/O faults through the real binary (issue 7): a full file system (a small tmpfs) and
// write/fsync failures injected by tests/crash/faultshim.c, for a ledger append, seal
// --keep, a packet build and a rehearsal. Every run either succeeds whole or exits non-zero
// with a message that says what failed; afterwards the ledger verifies, no half-written
// artifact verifies as a whole one, and a rehearsal target is as before or restorable from
// its snapshot. docs/robustness.md lists the cases.
#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "core/sha256.h"
#include "db/database.h"
#include "tests/crash/crash.h"

namespace prodgate::testing {
namespace {

namespace fs = std::filesystem;

// "" when a failed run failed clearly: an exit code of prodgate's (not a signal), and a
// message naming the I/O problem.
std::string ClearFailure(const RunResult& r) {
  const std::string all = r.out + r.err;
  if (r.exit_code < 1 || r.exit_code > 3) {
    return fmt::format("exit {} (not 1, 2 or 3): {}", r.exit_code, all);
  }
  if (all.find("terminate called") != std::string::npos) return "an uncaught exception: " + all;
  for (const char* phrase : {"No space left on device", "Input/output error", "Disk quota",
                             "disk I/O error", "database or disk is full"}) {
    if (all.find(phrase) != std::string::npos) return "";
  }
  return "no message names the I/O problem: " + all;
}

// One command that writes, with the checks to make after it ran (with or without success).
struct Scenario {
  std::string name;
  // Builds the fixture in `dir` (a workspace): "" or the problem.
  std::function<std::string(const std::string& dir)> prepare;
  std::function<std::vector<std::string>(const std::string& dir, int run)> args;
  // After run `run` exited with `r`, faults gone: "" or the broken invariant. Also removes
  // the run's artifacts so that the next run starts the same.
  std::function<std::string(const std::string& dir, int run, const RunResult& r)> check;
  Env env;  // more environment for the run (TMPDIR); "{dir}" is replaced by `dir`
};

Env Expand(const Env& env, const std::string& dir) {
  Env out;
  for (auto [k, v] : env) {
    if (size_t at = v.find("{dir}"); at != std::string::npos) v.replace(at, 5, dir);
    out[k] = v;
  }
  return out;
}

std::string Blob(size_t n, int salt) {
  std::string b(n, '\0');
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<char>('a' + (i * 7919 + salt) % 26);
  return b;
}

// --- ledger append ---------------------------------------------------------------------

Scenario LedgerAppend() {
  auto events = std::make_shared<size_t>(0);
  Scenario s;
  s.name = "ledger append (blocker add)";
  s.prepare = [events](const std::string& dir) -> std::string {
    if (std::string e = InitWorkspace(dir); !e.empty()) return e;
    *events = LedgerEvents(dir).value_or(std::vector<Json>{}).size();
    return "";
  };
  s.args = [](const std::string&, int run) {
    const std::string id = "F-" + std::to_string(run);
    return std::vector<std::string>{"blocker", "add",        "--id",     id,
                                    "--item",  "item " + id, "--blocks", "cutover"};
  };
  s.check = [events](const std::string& dir, int run, const RunResult& r) -> std::string {
    if (std::string e = LedgerVerifies(dir); !e.empty()) return e;
    if (std::string e = ProjectionsAgree(dir); !e.empty()) return e;
    auto now = LedgerEvents(dir);
    if (!now) return "ledger log --json failed";
    const std::string id = "F-" + std::to_string(run);
    const bool shown = Pg({"blocker", "show", id}, dir).exit_code == 0;
    std::string problem;
    if (r.exit_code == 0 && now->size() != *events + 1) {
      problem = fmt::format("exit 0 but {} events before, {} after", *events, now->size());
    } else if (r.exit_code != 0 && now->size() != *events) {
      // A failed command may still have committed (a fault after the commit): then the
      // event must be the whole one.
      if (now->size() != *events + 1 || now->back()
                                                .value("body", Json::object())
                                                .value("blocker", Json::object())
                                                .value("id", "") != id) {
        problem =
            fmt::format("exit {}: {} events before, {} after", r.exit_code, *events, now->size());
      }
    }
    if (problem.empty() && shown != (now->size() == *events + 1)) {
      problem = "blocker show disagrees with the events";
    }
    *events = now->size();
    return problem;
  };
  return s;
}

// --- seal --keep -------------------------------------------------------------------------

Scenario SealKeep(size_t bytes) {
  Scenario s;
  s.name = "seal --keep";
  s.prepare = [bytes](const std::string& dir) -> std::string {
    if (std::string e = InitWorkspace(dir); !e.empty()) return e;
    for (int f = 0; f < 6; ++f) {
      WriteFile(dir + "/tree/f" + std::to_string(f) + ".txt", Blob(bytes / 6, f));
    }
    WriteFile(dir + "/tree/sub/readme.md", "# tree\n");
    return "";
  };
  s.args = [](const std::string&, int) {
    return std::vector<std::string>{"seal", "tree", "--keep"};
  };
  s.check = [](const std::string& dir, int, const RunResult& r) -> std::string {
    const std::string manifest = dir + "/tree/prodgate.seal.json";
    std::string problem;
    if (fs::exists(manifest)) {
      RunResult v = Pg({"verify", "--root", dir + "/tree"}, dir);
      if (v.exit_code != 0) problem = "the manifest left behind does not verify: " + v.out + v.err;
    } else if (r.exit_code == 0) {
      problem = "exit 0 without a manifest";
    }
    // Every kept object is whole: its bytes hash to its name.
    std::error_code ec;
    const std::string objects = dir + "/tree/.prodgate/objects";
    for (auto it = fs::recursive_directory_iterator(objects, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (!it->is_regular_file()) continue;
      const std::string name =
          it->path().parent_path().filename().string() + it->path().filename().string();
      if (name.size() == 64 && ToHex(Sha256Of(ReadFileOrDie(it->path().string()))) != name) {
        problem += " a kept object is not what its name says: " + it->path().string();
      }
    }
    fs::remove(manifest, ec);
    fs::remove_all(dir + "/tree/.prodgate", ec);
    return problem;
  };
  return s;
}

// --- packet build ------------------------------------------------------------------------

Scenario PacketBuild(size_t bytes) {
  auto whole = std::make_shared<std::vector<std::string>>();
  Scenario s;
  s.name = "packet build";
  s.env = {{"TMPDIR", "{dir}/tmp"}};
  s.prepare = [bytes, whole](const std::string& dir) -> std::string {
    if (std::string e = InitWorkspace(dir); !e.empty()) return e;
    for (int f = 0; f < 3; ++f) {
      WriteFile(dir + "/files/part-" + std::to_string(f) + ".txt", Blob(bytes / 3, f));
    }
    WriteFile(dir + "/notes.md", "# notes\n");
    fs::create_directories(dir + "/tmp");
    RunResult r = Pg({"packet", "build", "--out", dir + "/reference", "files", "notes.md"}, dir,
                     {{"TMPDIR", dir + "/tmp"}});
    if (r.exit_code != 0) return "packet build: " + r.err;
    *whole = PayloadOf(dir + "/reference");
    std::error_code ec;
    fs::remove_all(dir + "/reference", ec);
    return "";
  };
  s.args = [](const std::string& dir, int) {
    return std::vector<std::string>{"packet",        "build", "--out",
                                    dir + "/packet", "files", "notes.md"};
  };
  s.check = [whole](const std::string& dir, int, const RunResult& r) -> std::string {
    const std::string out = dir + "/packet";
    std::string problem;
    std::error_code ec;
    if (fs::exists(out)) {
      RunResult v = Pg({"packet", "verify", out}, dir);
      if (v.exit_code != 0) problem = "the packet left behind does not verify: " + v.out + v.err;
      if (PayloadOf(out) != *whole) problem += " the packet does not hold the whole payload";
    } else if (r.exit_code == 0) {
      problem = "exit 0 without a packet";
    }
    // A build that returned cleans up after itself: no temporary bag, no scratch.
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (e.path().filename().string().starts_with(".packet.bag-")) {
        problem += " a temporary bag was left: " + e.path().string();
        fs::remove_all(e.path(), ec);
      }
    }
    if (!fs::is_empty(dir + "/tmp", ec)) problem += " the scratch directory was left in TMPDIR";
    for (const auto& e : fs::directory_iterator(dir + "/tmp", ec)) fs::remove_all(e.path(), ec);
    fs::remove_all(out, ec);
    return problem;
  };
  return s;
}

// --- rehearsal -----------------------------------------------------------------------------

// `out_base`: where the rehearsal outputs go ("" for the workspace).
Scenario Rehearsal(std::string out_base) {
  auto original = std::make_shared<std::string>();
  Scenario s;
  s.name = "rehearse";
  s.prepare = [original](const std::string& dir) -> std::string {
    if (std::string e = InitWorkspace(dir); !e.empty()) return e;
    RunResult r = Pg({"surrogate", "--spec", Example("surrogate.toml"), "--seed", "7", "--out",
                      "sqlite:clone.db"},
                     dir);
    if (r.exit_code != 0) return "surrogate: " + r.err;
    *original = DbRoot(dir + "/clone.db");
    return original->empty() ? "cannot hash the clone" : "";
  };
  auto out_of = [out_base](const std::string& dir, int run) {
    return (out_base.empty() ? dir : out_base) + "/out-" + std::to_string(run);
  };
  s.args = [out_of](const std::string& dir, int run) {
    return std::vector<std::string>{"rehearse",
                                    "--target",
                                    "sqlite:clone.db",
                                    "--apply",
                                    Example("apply.sql"),
                                    "--rollback",
                                    Example("rollback.sql"),
                                    "--out",
                                    out_of(dir, run),
                                    "--production",
                                    "prod=sqlite:" + dir + "/prod.db"};
  };
  s.check = [original, out_of](const std::string& dir, int run, const RunResult& r) -> std::string {
    const std::string out = out_of(dir, run);
    std::string problem;
    if (DbRoot(dir + "/clone.db") != *original) {
      const std::string snapshot = out + "/.snapshot";
      if (!fs::exists(snapshot)) {
        problem = "the target differs from the original and there is no snapshot " + snapshot;
      } else {
        auto db = db::OpenTarget("sqlite:" + dir + "/clone.db", db::OpenMode::kReadWrite);
        Status st = db.ok() ? (*db)->Restore(snapshot) : db.status();
        if (!st.ok() || DbRoot(dir + "/clone.db") != *original) {
          problem =
              "restoring from " + snapshot + " does not give the original back: " + st.ToString();
        }
      }
      if (problem.empty() && r.exit_code == 0) {
        problem = "exit 0 and the target was not put back (restored only from the snapshot)";
      }
    }
    if (std::string e = LedgerVerifies(dir); !e.empty()) return problem + " " + e;
    auto events = LedgerEvents(dir);
    if (!events) return problem + " ledger log --json failed";
    int recorded = 0;
    for (const Json& e : *events) {
      const Json body = e.value("body", Json::object());
      if (e.value("kind", "") != "rehearsal.result" || body.value("out", "") != out) continue;
      ++recorded;
      const std::string report = out + "/rehearsal.json";
      if (!fs::exists(report) ||
          ToHex(Sha256Of(ReadFileOrDie(report))) != body.value("report_sha256", "")) {
        problem += " rehearsal.result without " + report + " of the recorded digest";
      }
    }
    if (r.exit_code <= 1 && recorded != 1) {
      // Exit 0 (PASS) or 1 (FAIL): a verdict was reached and must be in the ledger.
      problem += fmt::format(" exit {} with {} rehearsal.result events", r.exit_code, recorded);
    }
    std::error_code ec;
    fs::remove_all(out, ec);
    return problem;
  };
  return s;
}

// --- running them ----------------------------------------------------------------------------

// Fills the file system of `dir` with dir/.ballast until `free_bytes` are left.
std::string FillLeaving(const std::string& dir, uint64_t free_bytes) {
  const std::string ballast = dir + "/.ballast";
  ::unlink(ballast.c_str());
  struct statvfs v;
  if (::statvfs(dir.c_str(), &v) != 0) return "statvfs " + dir;
  const uint64_t avail = static_cast<uint64_t>(v.f_bavail) * v.f_frsize;
  if (avail <= free_bytes) return "";
  int fd = ::open(ballast.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return "cannot create " + ballast;
  int rc = ::posix_fallocate(fd, 0, static_cast<off_t>(avail - free_bytes));
  ::close(fd);
  return rc == 0 ? "" : "cannot fill " + dir;
}

struct Tally {
  int runs = 0, succeeded = 0, failed = 0;
  std::string Text() const {
    return fmt::format("{} runs: {} succeeded, {} failed cleanly", runs, succeeded, failed);
  }
};

// Runs `s` once (args for `run`), then checks it without faults. Returns the failure text.
std::string RunAndCheck(const Scenario& s, const std::string& dir, int run, const Env& env,
                        Tally& tally, const std::string& label,
                        const std::function<void()>& before_check = nullptr) {
  RunResult r = Pg(s.args(dir, run), dir, env);
  if (before_check) before_check();
  ++tally.runs;
  std::string problem;
  if (r.exit_code == 0) {
    ++tally.succeeded;
  } else {
    ++tally.failed;
    problem = ClearFailure(r);
    // The error line, or else the FAIL step of a report.
    std::string said;
    std::istringstream lines(r.err + r.out);
    for (std::string line; std::getline(lines, line);) {
      if (said.empty() &&
          (line.starts_with("prodgate:") || line.find(" FAIL ") != std::string::npos))
        said = line;
    }
    std::cout << "[ faults   ]   " << label << ": exit " << r.exit_code << ": " << said << "\n";
  }
  std::string after = s.check(dir, run, r);
  if (!after.empty()) problem += (problem.empty() ? "" : "; ") + after;
  if (problem.empty()) return "";
  return fmt::format("{} [{}]: {}\n  stderr: {}", s.name, label, problem, r.err);
}

// ---------------------------------------------------------------------------------------
// A full file system: the command's output on a 2 MiB tmpfs, filled until only `free`
// bytes are left, for a range of `free`; then space is given back and the same command
// must succeed (nothing was left in the way).

void RunOnFullDisk(Scenario s, Tmpfs& fs_dir, const std::vector<uint64_t>& frees,
                   const std::string& prepare_dir) {
  ASSERT_EQ(s.prepare(prepare_dir), "") << s.name;
  Tally tally;
  int run = 0;
  for (uint64_t free : frees) {
    ASSERT_EQ(FillLeaving(fs_dir.path(), free), "");
    // The checks run with the space given back: on a full disk even reading the ledger
    // fails (SQLite cannot create its WAL index), with a clear error.
    std::string problem = RunAndCheck(s, prepare_dir, run++, Expand(s.env, prepare_dir), tally,
                                      fmt::format("{} bytes free", free),
                                      [&] { ::unlink((fs_dir / ".ballast").c_str()); });
    EXPECT_EQ(problem, "");
  }
  ::unlink((fs_dir / ".ballast").c_str());
  std::string problem =
      RunAndCheck(s, prepare_dir, run++, Expand(s.env, prepare_dir), tally, "space back");
  EXPECT_EQ(problem, "");
  EXPECT_GT(tally.failed, 0) << s.name << ": the disk never ran full";
  std::cout << "[ faults   ] full disk, " << s.name << ": " << tally.Text() << "\n";
}

class FullDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    PRODGATE_REQUIRE_ROOT("the full-disk test");
    tmpfs_ = std::make_unique<Tmpfs>("2m");
    ASSERT_TRUE(tmpfs_->mounted()) << tmpfs_->error();
  }
  std::unique_ptr<Tmpfs> tmpfs_;
};

TEST_F(FullDisk, LedgerAppendFailsCleanlyAndLosesNothing) {
  RunOnFullDisk(LedgerAppend(), *tmpfs_,
                {0, 4096, 16384, 32768, 36864, 40960, 45056, 49152, 57344, 65536}, tmpfs_->path());
}

TEST_F(FullDisk, SealKeepFailsCleanlyAndLeavesNoPartialManifest) {
  RunOnFullDisk(SealKeep(600 << 10), *tmpfs_, {0, 4096, 65536, 256 << 10, 512 << 10},
                tmpfs_->path());
}

TEST_F(FullDisk, PacketBuildFailsCleanlyAndLeavesNoHalfBag) {
  RunOnFullDisk(PacketBuild(300 << 10), *tmpfs_, {0, 4096, 65536, 256 << 10, 512 << 10, 700 << 10},
                tmpfs_->path());
}

TEST_F(FullDisk, RehearsalWithItsOutputOnAFullDiskLeavesTheTargetAsItWas) {
  // The workspace and the clone on the ordinary disk; --out (report, sealed change,
  // snapshot) on the tmpfs.
  ScratchDir ws;
  RunOnFullDisk(Rehearsal(tmpfs_->path()), *tmpfs_, {0, 4096, 65536, 256 << 10, 768 << 10},
                ws.path());
}

// ---------------------------------------------------------------------------------------
// Injected failures: the fault shim makes the (N+1)th matching call and (persistent) every
// later one fail, or (transient) just that one, for N across the whole range of calls the
// command makes.

struct CallSet {
  const char* calls;
  const char* errno_name;
};
constexpr CallSet kCallSets[] = {{"write,writev,pwrite,copy", "ENOSPC"},
                                 {"write,writev,pwrite,copy", "EIO"},
                                 {"fsync,fdatasync", "EIO"}};

// How many matching calls one run of `s` makes (run `run`), by the shim's tally.
long CountCalls(const Scenario& s, const std::string& dir, int run, const char* calls) {
  const std::string tally = dir + "/../tally-" + std::to_string(run);
  Env env = Expand(s.env, dir);
  env["LD_PRELOAD"] = PRODGATE_FAULTSHIM;
  env["PRODGATE_FAULT_CALL"] = calls;
  env["PRODGATE_FAULT_AFTER"] = "1000000000";
  env["PRODGATE_FAULT_TALLY"] = tally;
  RunResult r = Pg(s.args(dir, run), dir, env);
  EXPECT_EQ(r.exit_code, 0) << s.name << " without a fault: " << r.err;
  (void)s.check(dir, run, r);
  std::string lines = fs::exists(tally) ? ReadFileOrDie(tally) : "";
  ::unlink(tally.c_str());
  // The command's own tally is the last line (children, if any, exit first).
  std::istringstream in(lines);
  long n = 0;
  for (std::string line; std::getline(in, line);) n = std::atol(line.c_str());
  return n;
}

void RunUnderShim(Scenario s, int points) {
  if (AddressSanitizerBuild()) {
    GTEST_SKIP() << "the fault shim is an LD_PRELOAD library; not run under AddressSanitizer";
  }
  ScratchDir base;
  const std::string dir = base / "ws";
  fs::create_directories(dir);
  ASSERT_EQ(s.prepare(dir), "") << s.name;
  int run = 0;
  for (const CallSet& set : kCallSets) {
    const long total = CountCalls(s, dir, run++, set.calls);
    ASSERT_GT(total, 0) << s.name << " makes no " << set.calls << " call the shim sees";
    // N = 0, 1, 2, then evenly up to the last call.
    std::vector<long> ns = {0, 1, 2};
    for (int p = 1; p <= points; ++p) ns.push_back(total * p / (points + 1));
    ns.push_back(total - 1);
    std::sort(ns.begin(), ns.end());
    ns.erase(std::unique(ns.begin(), ns.end()), ns.end());
    Tally tally;
    for (size_t k = 0; k < ns.size(); ++k) {
      if (ns[k] >= total) continue;
      const bool transient = k % 2 == 1;
      Env env = Expand(s.env, dir);
      env["LD_PRELOAD"] = PRODGATE_FAULTSHIM;
      env["PRODGATE_FAULT_CALL"] = set.calls;
      env["PRODGATE_FAULT_ERRNO"] = set.errno_name;
      env["PRODGATE_FAULT_AFTER"] = std::to_string(ns[k]);
      if (transient) env["PRODGATE_FAULT_TIMES"] = "1";
      std::string problem =
          RunAndCheck(s, dir, run++, env, tally,
                      fmt::format("{} {} after {} of {} calls{}", set.calls, set.errno_name, ns[k],
                                  total, transient ? ", once" : ""));
      EXPECT_EQ(problem, "");
    }
    std::cout << "[ faults   ] shim, " << s.name << ", " << set.calls << " " << set.errno_name
              << " (" << total << " calls): " << tally.Text() << "\n";
  }
}

// An fsync that fails at any point of a `gate run` (the intent's COMMIT, the finish's, the
// checkpoint after): the command runs only when its intent is in the ledger, and what the
// message says about the intent is what the ledger then holds. The store reads the event
// back after a failed COMMIT: "not in the ledger" and "holds it" are checked, never assumed.
TEST(InjectedFaults, GateRunSaysWhatBecameOfItsIntent) {
  if (AddressSanitizerBuild()) {
    GTEST_SKIP() << "the fault shim is an LD_PRELOAD library; not run under AddressSanitizer";
  }
  ScratchDir base;
  const std::string dir = base / "ws";
  fs::create_directories(dir);
  ASSERT_EQ(InitWorkspace(dir), "");
  ASSERT_EQ(
      Pg({"key", "new", "--name", "alice", "--role", "owner", "--out", base / "alice.pem"}, dir)
          .exit_code,
      0);
  ASSERT_EQ(Pg({"trust", "add", base / "alice.pub.json"}, dir).exit_code, 0);
  auto intents = [&]() {
    size_t n = 0;
    for (const auto& e : LedgerEvents(dir).value_or(std::vector<Json>{})) {
      n += e.value("kind", "") == "action.intent";
    }
    return n;
  };
  Env counting = {{"LD_PRELOAD", PRODGATE_FAULTSHIM},
                  {"PRODGATE_FAULT_CALL", "fsync,fdatasync"},
                  {"PRODGATE_FAULT_PATH", ".prodgate/ledger.db"},
                  {"PRODGATE_FAULT_AFTER", "1000000000"},
                  {"PRODGATE_FAULT_TALLY", base / "tally"}};
  ASSERT_EQ(
      Pg({"grant", "issue", "--action", "apply", "--scope", "clone", "--key", base / "alice.pem"},
         dir)
          .exit_code,
      0);
  ASSERT_EQ(
      Pg({"gate", "run", "--action", "apply", "--scope", "clone", "--", "true"}, dir, counting)
          .exit_code,
      0);
  // One line per process at its exit: the command's child first, prodgate's own last.
  long total = 0;
  std::istringstream tally(ReadFileOrDie(base / "tally"));
  for (std::string line; std::getline(tally, line);) total = std::atol(line.c_str());
  ASSERT_GE(total, 2) << "a gate run makes at least the intent's and the finish's syncs";
  int unknown_or_not_written = 0;
  for (long after = 0; after < total; ++after) {
    SCOPED_TRACE(fmt::format("the fsync after {} of {} fails", after, total));
    ASSERT_EQ(
        Pg({"grant", "issue", "--action", "apply", "--scope", "clone", "--key", base / "alice.pem"},
           dir)
            .exit_code,
        0);
    const size_t before = intents();
    const std::string marker = base / fmt::format("ran-{}", after);
    Env env = {{"LD_PRELOAD", PRODGATE_FAULTSHIM},
               {"PRODGATE_FAULT_CALL", "fsync,fdatasync"},
               {"PRODGATE_FAULT_PATH", ".prodgate/ledger.db"},
               {"PRODGATE_FAULT_AFTER", std::to_string(after)},
               {"PRODGATE_FAULT_TIMES", "1"},
               {"PRODGATE_FAULT_ERRNO", "EIO"}};
    RunResult r = Pg(
        {"gate", "run", "--action", "apply", "--scope", "clone", "--", "touch", marker}, dir, env);
    const bool ran = fs::exists(marker);
    const size_t now = intents();
    EXPECT_EQ(r.err.find("refused"), std::string::npos) << r.err;
    if (r.exit_code == 0) {
      EXPECT_TRUE(ran);
      EXPECT_EQ(now, before + 1);
    } else if (r.err.find("did NOT run") != std::string::npos ||
               r.err.find("did not run") != std::string::npos) {
      ++unknown_or_not_written;
      EXPECT_FALSE(ran) << r.err;
      if (r.err.find("not in the ledger") != std::string::npos) {
        EXPECT_EQ(now, before) << r.err;
      } else if (r.err.find("holds it") != std::string::npos) {
        EXPECT_EQ(now, before + 1) << r.err;
        EXPECT_NE(r.err.find("not confirmed"), std::string::npos) << r.err;
      } else {
        ADD_FAILURE() << "the message does not say whether the intent was written: " << r.err;
      }
    } else {
      // The command ran; only its finish could not be recorded, and the message says so.
      EXPECT_TRUE(ran) << r.err;
      EXPECT_EQ(now, before + 1);
      EXPECT_NE(r.err.find("the command ran"), std::string::npos) << r.err;
    }
    EXPECT_EQ(LedgerVerifies(dir), "");
  }
  EXPECT_GT(unknown_or_not_written, 0) << "no fault reached the intent's COMMIT";
}

TEST(InjectedFaults, LedgerAppend) { RunUnderShim(LedgerAppend(), 10); }
TEST(InjectedFaults, SealKeep) { RunUnderShim(SealKeep(256 << 10), 10); }
TEST(InjectedFaults, PacketBuild) { RunUnderShim(PacketBuild(128 << 10), 10); }
TEST(InjectedFaults, Rehearsal) { RunUnderShim(Rehearsal(""), 10); }

}  // namespace
}  // namespace prodgate::testing
