// A real, throwaway PostgreSQL server for tests.
//
// PgCluster::Start makes a fresh cluster in a new temporary directory (initdb, or a copy of a
// pristine initdb kept beside the test binary), starts it with `pg_ctl start` listening only
// on a Unix socket in that directory (listen_addresses = ''), waits until it accepts
// connections (pg_isready), and hands out connection strings. The destructor stops the server
// and removes the directory.
//
// Root: initdb and the server refuse to run as root. Under root (CI runs as root) every
// server command runs as the unprivileged user `postgres` (made by the Debian package
// postgresql) through setpriv, and the directory belongs to that user; the test process, as
// root, still reaches the socket. As a normal user everything runs as that user.
//
// A test process that dies without cleaning up (SIGKILL, abort, a crash) must not leave a
// server running: each cluster has a watchdog, a shell reading a socket whose other end only
// the test process holds (forked test children hold it until they exit). End-of-file means
// the process is gone, however it ended; the watchdog then stops the server (SIGQUIT to the
// postmaster named in data/postmaster.pid: immediate shutdown) and removes the directory. On
// a normal end the destructor does both itself and tells the watchdog "done".
//
// Policy: missing server binaries, or a server that does not start, are a test FAILURE whose
// message names the fix (scripts/setup) — never a skip. In CI (CI=true) that is the rule the
// message recalls; locally it is the same failure.
//
// Speed: fsync and full_page_writes are off and shared_buffers small, unless the options ask
// for a durable server (a test or measurement about durability).
//
// Header-only, so that unit_tests and e2e_tests use it without a build change; it needs
// tests/test_util.cc (RunCommand), gtest, and libpq (linked through prodgate_ledger).
#pragma once

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "tests/test_util.h"

extern char** environ;

namespace prodgate::testing {

struct PgClusterOptions {
  // fsync and full_page_writes on (the server's defaults): for tests and measurements of
  // durability. Off, a throwaway cluster starts and writes faster.
  bool durable = false;
  // OS users (besides the test process) that may connect, each only as the role of its own
  // name (peer authentication, as a real server authenticates its users); the test process
  // then connects as the superuser by peer too, and nobody else may. Empty: the socket is
  // private to the test process and trusted.
  std::vector<std::string> peer_users;
};

class PgCluster {
 public:
  static constexpr int kPort = 5432;  // the socket's name; the directory is private
  static constexpr const char* kSuperuser = "prodgate";

  static Result<std::unique_ptr<PgCluster>> Start(PgClusterOptions options = {});
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // The directory holding data/, server.log and the server's socket.
  const std::string& dir() const { return dir_; }

  // libpq connection strings for `database`, as `user` (the superuser when empty).
  std::string KeywordString(std::string_view database, std::string_view user = {}) const {
    return fmt::format("host={} port={} user={} dbname={}", dir_, kPort,
                       user.empty() ? kSuperuser : user, database);
  }
  std::string Uri(std::string_view database, std::string_view user = {}) const {
    std::string host;
    for (char c : dir_) host += c == '/' ? std::string("%2F") : std::string(1, c);
    return fmt::format("postgresql://{}@/{}?host={}&port={}", user.empty() ? kSuperuser : user,
                       database, host, kPort);
  }

  // Runs `sql` (one or more statements) in `database` as the superuser.
  Status Exec(std::string_view database, std::string_view sql) const {
    return Query(database, sql).status();
  }
  // Runs `sql` and returns the last statement's rows; a NULL is nullopt.
  Result<std::vector<std::vector<std::optional<std::string>>>> Query(std::string_view database,
                                                                     std::string_view sql) const;
  Status CreateDatabase(std::string_view name) const {
    return Exec("postgres", fmt::format("CREATE DATABASE \"{}\"", name));
  }

  // Stops the server (fast shutdown: sessions are ended, their transactions rolled back) and
  // starts it again on the same data; for tests of a server that goes away.
  Status StopServer();
  Status StartServer();

 private:
  PgCluster() = default;
  Status Init(PgClusterOptions options);
  // Runs a server command as the server's user, in the cluster's directory.
  RunResult RunAsServerUser(std::vector<std::string> argv) const;
  std::string Bin(std::string_view tool) const { return bin_dir_ + "/" + std::string(tool); }
  Status SpawnWatchdog();
  Status MakeData();
  std::string LogTail() const;

  pid_t owner_ = 0;  // the process that started it; a forked child never stops it
  std::string bin_dir_;
  std::string dir_;
  std::optional<passwd> server_user_;  // set when running as root
  int watchdog_socket_ = -1;
  pid_t watchdog_ = 0;
  bool running_ = false;
};

// The cluster shared by every test of this process: started on the first call, stopped after
// the last test by a gtest environment (and by its watchdog if the process dies). A failure
// to start is returned to every caller, named once.
Result<PgCluster*> SharedPgCluster();

// ---------------------------------------------------------------------------------------------
// Implementation.

namespace pg_cluster_internal {

inline bool InCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string_view(ci) == "true";
}

inline constexpr const char* kSetupFix =
    "run scripts/setup (it installs the Debian package postgresql: initdb, pg_ctl, postgres), "
    "then run the tests again";

inline Status Failure(std::string what, std::string fix = kSetupFix) {
  if (InCi()) what += " (CI=true: the PostgreSQL tests must run)";
  return Status::Internal(std::move(what), std::move(fix));
}

// The newest /usr/lib/postgresql/N/bin with a server, else the directory of pg_ctl in PATH.
inline std::optional<std::string> FindServerBinDir() {
  namespace fs = std::filesystem;
  auto complete = [](const fs::path& d) {
    std::error_code ec;
    return fs::exists(d / "initdb", ec) && fs::exists(d / "pg_ctl", ec) &&
           fs::exists(d / "postgres", ec) && fs::exists(d / "pg_isready", ec);
  };
  std::vector<std::pair<int, fs::path>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    int version = std::atoi(entry.path().filename().c_str());
    if (version > 0 && complete(entry.path() / "bin")) found.emplace_back(version, entry.path());
  }
  if (!found.empty())
    return (std::max_element(found.begin(), found.end())->second / "bin").string();
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "";
  while (!rest.empty()) {
    size_t colon = rest.find(':');
    fs::path d(rest.substr(0, colon));
    if (!d.empty() && complete(d)) return d.string();
    rest = colon == std::string_view::npos ? "" : rest.substr(colon + 1);
  }
  return std::nullopt;
}

// The watchdog (see the top of this file); $1 is the cluster's directory. "done" on stdin:
// the cluster was stopped and removed; end-of-file without it: the test process is gone.
inline constexpr const char* kWatchdogScript = R"sh(
trap '' INT TERM HUP QUIT PIPE
IFS= read -r word
[ "$word" = done ] && exit 0
pidfile="$1/data/postmaster.pid"
if [ -f "$pidfile" ]; then
  pid=$(head -n 1 "$pidfile")
  if [ -n "$pid" ] && [ "$(cat /proc/$pid/comm 2>/dev/null)" = postgres ]; then
    kill -QUIT "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  fi
fi
rm -rf -- "$1"
)sh";

struct Shared {
  std::mutex mu;
  std::unique_ptr<PgCluster> cluster;
  std::optional<Status> failure;
};

// Never destroyed by static destructors: a forked test child that calls exit() must not stop
// the parent's server. The environment below stops it.
inline Shared& TheShared() {
  static Shared* shared = new Shared;
  return *shared;
}

class Environment : public ::testing::Environment {
 public:
  void TearDown() override {
    Shared& s = TheShared();
    std::lock_guard<std::mutex> lock(s.mu);
    s.cluster.reset();
  }
};

inline ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new Environment);

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};

}  // namespace pg_cluster_internal

inline Result<std::unique_ptr<PgCluster>> PgCluster::Start(PgClusterOptions options) {
  std::unique_ptr<PgCluster> c(new PgCluster);
  Status s = c->Init(options);
  if (!s.ok()) return s;
  return c;
}

inline Status PgCluster::Init(PgClusterOptions options) {
  using pg_cluster_internal::Failure;
  owner_ = ::getpid();
  auto bin = pg_cluster_internal::FindServerBinDir();
  if (!bin) {
    return Failure(
        "the PostgreSQL server is not installed (no initdb, pg_ctl, postgres and pg_isready in "
        "/usr/lib/postgresql/*/bin or PATH), so the PostgreSQL tests cannot run");
  }
  bin_dir_ = *bin;
  if (::geteuid() == 0) {
    passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr) {
      return Failure(
          "the tests run as root, which initdb and the server refuse, and there is no user "
          "`postgres` to run them as",
          std::string(pg_cluster_internal::kSetupFix) +
              " (the package makes the user postgres); or run the tests as a normal user");
    }
    server_user_ = *pw;
  }
  // The socket path must fit in sun_path (108 bytes).
  const char* tmp = std::getenv("TMPDIR");
  std::string base = tmp && *tmp ? tmp : "/tmp";
  if (base.size() > 60) base = "/tmp";
  std::string templ = base + "/prodgate-pg-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) {
    return Failure(fmt::format("cannot make a directory in {} for the test cluster", base));
  }
  dir_ = templ;
  if (server_user_ && ::chown(dir_.c_str(), server_user_->pw_uid, server_user_->pw_gid) != 0) {
    return Failure(fmt::format("cannot give {} to the user postgres", dir_));
  }
  PG_RETURN_IF_ERROR(SpawnWatchdog());
  PG_RETURN_IF_ERROR(MakeData());
  std::string conf = fmt::format(
      "\n# prodgate test cluster\n"
      "listen_addresses = ''\n"
      "unix_socket_directories = '{}'\n"
      "unix_socket_permissions = {}\n"
      "port = {}\n"
      "max_connections = 64\n"
      "shared_buffers = 16MB\n"
      "fsync = {}\n"
      "full_page_writes = {}\n"
      "synchronous_commit = on\n"
      "max_wal_size = 1GB\n"
      "log_min_messages = warning\n",
      dir_, options.peer_users.empty() ? "0700" : "0777", kPort, options.durable ? "on" : "off",
      options.durable ? "on" : "off");
  auto write = [&](const std::string& name, const std::string& text, const char* mode) {
    std::FILE* f = std::fopen((dir_ + "/data/" + name).c_str(), mode);
    bool ok = f != nullptr && std::fputs(text.c_str(), f) >= 0;
    if (f != nullptr) ok &= std::fclose(f) == 0;
    return ok;
  };
  if (!write("postgresql.conf", conf, "a")) {
    return Failure(fmt::format("cannot configure the test cluster in {}", dir_));
  }
  if (!options.peer_users.empty()) {
    // Peer authentication only: the test process (and the server's own user) as the
    // superuser, every other OS user as the role of its name.
    passwd* me = ::getpwuid(::geteuid());
    std::string ident = fmt::format("harness {} {}\nharness postgres {}\n",
                                    me != nullptr ? me->pw_name : "root", kSuperuser, kSuperuser);
    for (const auto& u : options.peer_users) ident += fmt::format("harness {} {}\n", u, u);
    if (!write("pg_hba.conf", "local all all peer map=harness\n", "w") ||
        !write("pg_ident.conf", ident, "w") || ::chmod(dir_.c_str(), 0711) != 0) {
      return Failure(fmt::format("cannot set peer authentication in {}", dir_));
    }
  }
  return StartServer();
}

inline RunResult PgCluster::RunAsServerUser(std::vector<std::string> argv) const {
  if (server_user_) {
    argv.insert(argv.begin(),
                {"setpriv", fmt::format("--reuid={}", server_user_->pw_uid),
                 fmt::format("--regid={}", server_user_->pw_gid), "--init-groups", "--"});
  }
  return RunCommand(argv, dir_);
}

inline Status PgCluster::SpawnWatchdog() {
  // A socket pair rather than a pipe: "done" is sent with MSG_NOSIGNAL, so a watchdog that
  // died cannot kill the test process with SIGPIPE.
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return pg_cluster_internal::Failure("cannot make the test cluster's watchdog socket");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group: a Ctrl-C to the tests' group leaves it to clean up.
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<std::string> argv = {"bash", "-c", pg_cluster_internal::kWatchdogScript,
                                   "prodgate-pg-watchdog", dir_};
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  int rc = ::posix_spawnp(&watchdog_, "bash", &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(fds[0]);
  if (rc != 0) {
    ::close(fds[1]);
    watchdog_ = 0;
    return pg_cluster_internal::Failure("cannot start the test cluster's watchdog (bash)");
  }
  watchdog_socket_ = fds[1];
  return Status::Ok();
}

// data/: a copy of a pristine initdb kept beside the test binary (initdb takes a second or
// more; a copy a tenth of that), made by the first cluster that finds none.
inline Status PgCluster::MakeData() {
  namespace fs = std::filesystem;
  std::error_code ec;
  RunResult version = RunCommand({Bin("postgres"), "--version"});
  std::string
      tag;  // "postgres (PostgreSQL) 15.18 (Debian …)" -> "postgres-PostgreSQL-15-18-Debian-…"
  for (char c : version.out) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      tag += c;
    } else if (!tag.empty() && tag.back() != '-') {
      tag += '-';
    }
  }
  uid_t uid = server_user_ ? server_user_->pw_uid : ::geteuid();
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  fs::path pristine =
      ec ? fs::path() : exe.parent_path() / fmt::format("pg-initdb-{}uid{}", tag, uid);
  struct stat st;
  bool usable = !pristine.empty() && ::stat((pristine / "PG_VERSION").c_str(), &st) == 0 &&
                st.st_uid == uid && ::stat(pristine.c_str(), &st) == 0 && st.st_uid == uid &&
                (st.st_mode & 077) == 0;
  if (usable) {
    RunResult cp = RunCommand({"cp", "-a", "--", pristine.string(), dir_ + "/data"});
    if (cp.exit_code == 0) return Status::Ok();
    fs::remove_all(dir_ + "/data", ec);
  }
  RunResult init =
      RunAsServerUser({Bin("initdb"), "-D", dir_ + "/data", "-U", kSuperuser, "--auth=trust",
                       "--encoding=UTF8", "--no-locale", "--no-sync", "--no-instructions"});
  if (init.exit_code != 0) {
    return pg_cluster_internal::Failure(
        fmt::format("initdb of the test cluster in {} failed (exit {}): {}{}", dir_, init.exit_code,
                    init.out, init.err));
  }
  if (!pristine.empty() && !usable) {
    // Publish atomically: a half-copied directory is never seen under the final name, and of
    // two clusters racing to publish one wins, the other removes its copy.
    std::string staging = fmt::format("{}.tmp-{}", pristine.string(), ::getpid());
    fs::remove_all(staging, ec);
    if (RunCommand({"cp", "-a", "--", dir_ + "/data", staging}).exit_code == 0) {
      fs::remove_all(pristine, ec);
      fs::rename(staging, pristine, ec);
    }
    fs::remove_all(staging, ec);
  }
  return Status::Ok();
}

inline Status PgCluster::StartServer() {
  RunResult start = RunAsServerUser({Bin("pg_ctl"), "-D", dir_ + "/data", "-l",
                                     dir_ + "/server.log", "-w", "-t", "60", "-s", "start"});
  if (start.exit_code != 0) {
    return pg_cluster_internal::Failure(
        fmt::format("the test PostgreSQL server in {} did not start (pg_ctl exit {}): {}{}\n{}",
                    dir_, start.exit_code, start.out, start.err, LogTail()));
  }
  running_ = true;
  RunResult ready =
      RunCommand({Bin("pg_isready"), "-q", "-h", dir_, "-p", std::to_string(kPort), "-t", "30"});
  if (ready.exit_code != 0) {
    return pg_cluster_internal::Failure(fmt::format(
        "the test PostgreSQL server in {} does not accept connections (pg_isready exit {})\n{}",
        dir_, ready.exit_code, LogTail()));
  }
  return Status::Ok();
}

inline Status PgCluster::StopServer() {
  if (!running_) return Status::Ok();
  RunResult stop = RunAsServerUser(
      {Bin("pg_ctl"), "-D", dir_ + "/data", "-m", "fast", "-w", "-t", "60", "-s", "stop"});
  if (stop.exit_code != 0) {
    return Status::Internal(fmt::format("pg_ctl stop in {} failed (exit {}): {}{}", dir_,
                                        stop.exit_code, stop.out, stop.err));
  }
  running_ = false;
  return Status::Ok();
}

inline std::string PgCluster::LogTail() const {
  std::FILE* f = std::fopen((dir_ + "/server.log").c_str(), "r");
  if (f == nullptr) return "(no server log)";
  std::string log;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) log.append(buf, n);
  std::fclose(f);
  if (log.size() > 2000) log = "…" + log.substr(log.size() - 2000);
  return "server log:\n" + log;
}

inline PgCluster::~PgCluster() {
  if (::getpid() != owner_) return;
  if (running_) {
    Status s = StopServer();
    if (!s.ok()) {
      // The watchdog stops it when the pipe closes below.
      std::fprintf(stderr, "PgCluster: %s\n", s.ToString().c_str());
    }
  }
  if (!running_ && !dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    if (watchdog_socket_ >= 0) (void)::send(watchdog_socket_, "done\n", 5, MSG_NOSIGNAL);
  }
  if (watchdog_socket_ >= 0) ::close(watchdog_socket_);
  if (watchdog_ > 0) ::waitpid(watchdog_, nullptr, 0);
}

inline Result<std::vector<std::vector<std::optional<std::string>>>> PgCluster::Query(
    std::string_view database, std::string_view sql) const {
  std::unique_ptr<PGconn, pg_cluster_internal::ConnDeleter> conn(
      PQconnectdb(KeywordString(database).c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return Status::Internal(fmt::format("cannot connect to the test cluster's database {}: {}",
                                        database, PQerrorMessage(conn.get())));
  }
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  std::unique_ptr<PGresult, pg_cluster_internal::ResultDeleter> r(
      PQexec(conn.get(), std::string(sql).c_str()));
  ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    return Status::Internal(
        fmt::format("in database {}: {}\n  failed: {}", database, sql, PQerrorMessage(conn.get())));
  }
  std::vector<std::vector<std::optional<std::string>>> rows;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    auto& row = rows.emplace_back();
    for (int j = 0; j < PQnfields(r.get()); ++j) {
      if (PQgetisnull(r.get(), i, j)) {
        row.emplace_back();
      } else {
        row.emplace_back(std::string(PQgetvalue(r.get(), i, j),
                                     static_cast<size_t>(PQgetlength(r.get(), i, j))));
      }
    }
  }
  return rows;
}

inline Result<PgCluster*> SharedPgCluster() {
  pg_cluster_internal::Shared& s = pg_cluster_internal::TheShared();
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.cluster) return s.cluster.get();
  if (s.failure) return *s.failure;
  auto c = PgCluster::Start();
  if (!c.ok()) {
    s.failure = c.status();
    return c.status();
  }
  s.cluster = std::move(c).value();
  return s.cluster.get();
}

}  // namespace prodgate::testing
