// Tests of what only the PostgreSQL store has: locations, the database it accepts, byte-exact
// documents, hostile server defaults, failed writes (a revoked privilege, a server that goes
// away), and the throwaway test server itself. The LedgerStore behaviour both stores share is
// tested once, for both, in store_test.cc.
#include "ledger/postgres_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "ledger/chain.h"
#include "tests/pg_cluster.h"
#include "tests/test_util.h"

namespace prodgate::ledger {
namespace {

using Clock = std::chrono::steady_clock;

EventDraft Draft(std::string kind, Json body) {
  EventDraft d;
  d.actor = "local:test";
  d.kind = std::move(kind);
  d.body = std::move(body);
  return d;
}

Status ProjectCount(const Event& e, ProjectionTxn& txn) {
  PG_ASSIGN_OR_RETURN(auto cur, txn.Get("counters", e.body["id"].get<std::string>()));
  int64_t n = cur ? (*cur)["n"].get<int64_t>() : 0;
  return txn.Put("counters", e.body["id"].get<std::string>(), {{"n", n + 1}});
}

Result<Event> AppendCount(LedgerStore& store, const std::string& id) {
  return store.Append(
      [&](ProjectionTxn&) -> Result<EventDraft> {
        return Draft("test.count", {{"id", id}});
      },
      ProjectCount);
}

// A fresh database on the process's shared test server.
class PostgresLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = testing::SharedPgCluster();
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    cluster_ = *cluster;
    database_ = fmt::format("pgledger_{}", ++databases_);
    Status s = cluster_->CreateDatabase(database_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  std::unique_ptr<LedgerStore> Open(const std::string& location, bool create = true) {
    auto s = OpenLedger(location, create);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  std::string Scalar(const std::string& sql) {
    auto rows = cluster_->Query(database_, sql);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok() || rows->empty() || rows->front().empty() || !rows->front().front()) return "";
    return *rows->front().front();
  }

  static inline int databases_ = 0;
  testing::PgCluster* cluster_ = nullptr;
  std::string database_;
};

TEST(PostgresLocation, UrisAndKeywordStringsArePostgresPathsAreNot) {
  for (const char* yes : {"postgresql://db.internal/ledger", "postgres://u@h:5433/l",
                          "host=/tmp/x dbname=y", "  dbname = ledger", "service=ledger"}) {
    EXPECT_TRUE(IsPostgresLocation(yes)) << yes;
  }
  for (const char* no : {"/srv/.prodgate/ledger.db", "ledger.db", "./a=b.db", "=x", ""}) {
    EXPECT_FALSE(IsPostgresLocation(no)) << no;
  }
}

TEST_F(PostgresLedgerTest, UriAndKeywordStringOpenTheSameLedger) {
  auto by_keywords = Open(cluster_->KeywordString(database_));
  ASSERT_TRUE(by_keywords);
  ASSERT_TRUE(AppendCount(*by_keywords, "a").ok());
  auto by_uri = Open(cluster_->Uri(database_), /*create=*/false);
  ASSERT_TRUE(by_uri);
  EXPECT_EQ(by_uri->ReadHead()->hash, by_keywords->ReadHead()->hash);
  EXPECT_EQ(by_uri->location(), cluster_->Uri(database_));
  // A password (ignored by this server's trust authentication) is not in location().
  auto with_password = Open(cluster_->KeywordString(database_) + " password=s3cret");
  ASSERT_TRUE(with_password);
  EXPECT_EQ(with_password->location().find("s3cret"), std::string::npos);
  EXPECT_EQ(with_password->ReadHead()->seq, 1);
}

TEST_F(PostgresLedgerTest, ADatabaseWithoutALedgerIsAnErrorUnlessCreating) {
  auto r = OpenLedger(cluster_->KeywordString(database_), /*create=*/false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().what().find("no prodgate ledger"), std::string::npos)
      << r.status().ToString();
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'prodgate'"), "0");
  ASSERT_TRUE(Open(cluster_->KeywordString(database_), /*create=*/true));
  EXPECT_EQ(Scalar("SELECT value FROM prodgate.meta WHERE key = 'format'"), "prodgate.ledger/1");
}

// Processes that open a fresh database with create at once make one ledger: creation
// serializes on an advisory lock (CREATE … IF NOT EXISTS alone races in PostgreSQL).
TEST_F(PostgresLedgerTest, ConcurrentCreatorsMakeOneLedger) {
  constexpr int kCreators = 6;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kCreators; ++t) {
    threads.emplace_back([&] {
      auto s = OpenLedger(cluster_->KeywordString(database_), /*create=*/true);
      if (!s.ok()) {
        ADD_FAILURE() << s.status().ToString();
        ++failures;
      } else if (!AppendCount(**s, "c").ok()) {
        ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM prodgate.meta WHERE key = 'format'"), "1");
  auto store = Open(cluster_->KeywordString(database_), /*create=*/false);
  ASSERT_TRUE(store);
  EXPECT_EQ(VerifyChain(*store)->events, kCreators);
}

TEST_F(PostgresLedgerTest, AnUnreachableServerIsAClearError) {
  auto r = OpenLedger("host=/nonexistent/prodgate port=5432 dbname=ledger", /*create=*/true);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().what().find("cannot connect to the ledger host=/nonexistent/prodgate"),
            std::string::npos)
      << r.status().ToString();
  EXPECT_NE(r.status().fix().find("running"), std::string::npos);
}

TEST_F(PostgresLedgerTest, ADatabaseThatIsNotUtf8IsRefused) {
  std::string db = database_ + "_ascii";
  ASSERT_TRUE(cluster_
                  ->Exec("postgres", fmt::format("CREATE DATABASE {} ENCODING 'SQL_ASCII' "
                                                 "TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'",
                                                 db))
                  .ok());
  auto r = OpenLedger(cluster_->KeywordString(db), /*create=*/true);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().what().find("not UTF8"), std::string::npos) << r.status().ToString();
}

// jsonb would reorder keys and re-escape strings; the document column holds the exact bytes
// that were hashed, and the keys sort as bytes.
TEST_F(PostgresLedgerTest, DocumentsAreStoredByteForByteAsText) {
  auto store = Open(cluster_->KeywordString(database_));
  ASSERT_TRUE(store);
  Json body = {{"zeta", 1},
               {"alpha", {{"b", "Grüße \u2014 \"q\""}, {"a", Json::array({3, 1})}}},
               {"Z", "\u00e9"}};
  auto e =
      store->Append([&](ProjectionTxn&) -> Result<EventDraft> { return Draft("test.bytes", body); },
                    [](const Event& e, ProjectionTxn& txn) -> Status {
                      PG_RETURN_IF_ERROR(txn.Put("t", "b", e.body));
                      PG_RETURN_IF_ERROR(txn.Put("t", "a", e.body));
                      return txn.Put("t", "B", e.body);
                    });
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(Scalar("SELECT doc FROM prodgate.events WHERE seq = 1"),
            *CanonicalJson(e->ToJson(), NumberPolicy::kIntegersOnly));
  EXPECT_EQ(Scalar("SELECT doc FROM prodgate.projections WHERE tbl = 't' AND id = 'a'"),
            *CanonicalJson(body, NumberPolicy::kIntegersOnly));
  EXPECT_EQ(Scalar("SELECT string_agg(DISTINCT data_type, ',') FROM information_schema.columns "
                   "WHERE table_schema = 'prodgate' AND column_name = 'doc'"),
            "text");
  // "B" < "a" < "b" in bytes (a locale's collation would put "B" between them).
  auto rows = cluster_->Query(database_, "SELECT id FROM prodgate.projections ORDER BY id");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0][0], "B");
  EXPECT_EQ((*rows)[1][0], "a");
  EXPECT_EQ((*rows)[2][0], "b");
}

// The store sets its isolation, durability and read-write mode per transaction: server or
// database defaults that would break the chain (REPEATABLE READ would read a stale head under
// the lock) change nothing.
TEST_F(PostgresLedgerTest, HostileServerDefaultsDoNotChangeTheSerialization) {
  ASSERT_TRUE(Open(cluster_->KeywordString(database_)));
  ASSERT_TRUE(cluster_
                  ->Exec("postgres",
                         fmt::format("ALTER DATABASE {0} SET default_transaction_isolation = "
                                     "'repeatable read'; ALTER DATABASE {0} SET synchronous_commit "
                                     "= off; ALTER DATABASE {0} SET default_transaction_read_only "
                                     "= on",
                                     database_))
                  .ok());
  constexpr int kThreads = 4, kEach = 50;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto s = OpenLedger(cluster_->KeywordString(database_), /*create=*/false);
      if (!s.ok()) {
        ++failures;
        return;
      }
      for (int i = 0; i < kEach; ++i) {
        auto r = AppendCount(**s, "t" + std::to_string(t));
        if (!r.ok()) {
          ADD_FAILURE() << r.status().ToString();
          ++failures;
          return;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  auto store = Open(cluster_->KeywordString(database_));
  ASSERT_TRUE(store);
  auto chain = VerifyChain(*store);
  EXPECT_TRUE(chain->ok) << chain->problem;
  EXPECT_EQ(chain->events, kThreads * kEach);
}

// A writer that cannot get the lock within the busy timeout fails, says why, and writes
// nothing; the holder is not disturbed.
TEST_F(PostgresLedgerTest, AWriterThatCannotGetTheLockFailsAndWritesNothing) {
  auto holder = Open(cluster_->KeywordString(database_));
  auto waiter = Open(cluster_->KeywordString(database_));
  ASSERT_TRUE(holder && waiter);
  ::setenv("PRODGATE_BUSY_TIMEOUT_MS", "300", 1);
  Result<Event> waited = Status::Internal("not run");
  auto held = holder->Append(
      [&](ProjectionTxn&) -> Result<EventDraft> {
        waited = AppendCount(*waiter, "w");
        return Draft("test.count", {{"id", "h"}});
      },
      ProjectCount);
  ::unsetenv("PRODGATE_BUSY_TIMEOUT_MS");
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  ASSERT_FALSE(waited.ok());
  EXPECT_NE(waited.status().what().find("taking the ledger's write lock failed"), std::string::npos)
      << waited.status().ToString();
  EXPECT_EQ(waited.status().fix(), "another prodgate holds the ledger; try again");
  EXPECT_EQ(Scalar("SELECT count(*) FROM prodgate.events"), "1");
  EXPECT_FALSE(*waiter->GetProjection("counters", "w"));
  auto next = AppendCount(*waiter, "w");  // the connection is usable again
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->seq, 2);
}

// A write the server refuses fails the append, and nothing of it is written: first the event
// (EXECUTE on the append function revoked: no role inserts into events itself), then the
// projection after the event was appended (the event is rolled back with it).
TEST_F(PostgresLedgerTest, ARevokedPrivilegeFailsTheAppendAndWritesNothing) {
  auto owner = Open(cluster_->KeywordString(database_));
  ASSERT_TRUE(owner);
  ASSERT_TRUE(AppendCount(*owner, "a").ok());
  std::string role = database_ + "_appender";
  ASSERT_TRUE(
      cluster_
          ->Exec(database_, fmt::format("CREATE ROLE {0} LOGIN;"
                                        "GRANT USAGE ON SCHEMA prodgate TO {0};"
                                        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN "
                                        "SCHEMA prodgate TO {0};"
                                        "REVOKE EXECUTE ON FUNCTION prodgate.append(text, text) "
                                        "FROM PUBLIC",
                                        role))
          .ok());
  auto appender = Open(cluster_->KeywordString(database_, role), /*create=*/false);
  ASSERT_TRUE(appender);
  auto r = AppendCount(*appender, "a");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().what().find("appending an event failed: permission denied"),
            std::string::npos)
      << r.status().ToString();
  EXPECT_NE(r.status().fix().find("grant"), std::string::npos) << r.status().ToString();

  ASSERT_TRUE(cluster_
                  ->Exec(database_, fmt::format("GRANT EXECUTE ON FUNCTION prodgate.append(text, "
                                                "text) TO {0};"
                                                "REVOKE INSERT, UPDATE ON prodgate.projections "
                                                "FROM {0}",
                                                role))
                  .ok());
  r = AppendCount(*appender, "a");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().what().find("writing a projection failed: permission denied"),
            std::string::npos)
      << r.status().ToString();

  EXPECT_EQ(Scalar("SELECT count(*) FROM prodgate.events"), "1");
  EXPECT_EQ((**owner->GetProjection("counters", "a"))["n"], 1);
  // The failed appends released the lock: the owner appends at once.
  auto next = AppendCount(*owner, "a");
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->seq, 2);
  EXPECT_TRUE(VerifyChain(*owner)->ok);
}

// The protected ledger (ProvisionPostgresLedger): what each role may do, by privileges and
// by triggers, and what Protection() says of it, as each role sees it.
class ProvisionedLedger : public PostgresLedgerTest {
 protected:
  void SetUp() override {
    PostgresLedgerTest::SetUp();
    prefix_ = database_ + "_p";
    writer_ = database_ + "_w";
    reader_ = database_ + "_r";
    glass_ = database_ + "_g";
    for (const auto& r : {writer_, reader_, glass_}) {
      ASSERT_TRUE(cluster_->Exec(database_, fmt::format("CREATE ROLE {} LOGIN", r)).ok());
    }
    ProvisionOptions o;
    o.prefix = prefix_;
    o.writers = {writer_};
    o.readers = {reader_};
    o.break_glass = {glass_};
    auto p = ProvisionPostgresLedger(cluster_->KeywordString(database_), o);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(p->owner, prefix_ + "_owner");
  }
  std::unique_ptr<LedgerStore> As(const std::string& role) {
    return Open(cluster_->KeywordString(database_, role), /*create=*/false);
  }
  // SQL as `role` on its own connection: the server's answer.
  Status SqlAs(const std::string& role, const std::string& sql) {
    PGconn* c = PQconnectdb(cluster_->KeywordString(database_, role).c_str());
    std::unique_ptr<PGconn, void (*)(PGconn*)> hold(c, PQfinish);
    if (PQstatus(c) != CONNECTION_OK) return Status::Internal(PQerrorMessage(c));
    PGresult* r = PQexec(c, sql.c_str());
    ExecStatusType st = PQresultStatus(r);
    std::string err = PQresultErrorMessage(r);
    PQclear(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::Ok();
    return Status::BadInput(err);
  }
  std::string prefix_, writer_, reader_, glass_;
};

TEST_F(ProvisionedLedger, AWriterAppendsAndCannotChangeHistory) {
  auto writer = As(writer_);
  ASSERT_TRUE(writer);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(AppendCount(*writer, "a").ok());
  auto p = writer->Protection();
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->kind, LedgerKind::kPostgresProtected);
  EXPECT_TRUE(p->gaps.empty()) << p->gaps.front();
  for (const char* sql :
       {"UPDATE prodgate.events SET kind = 'x' WHERE seq = 1", "DELETE FROM prodgate.events",
        "TRUNCATE prodgate.events", "INSERT INTO prodgate.events VALUES (9, 'h', 'p', 'k', '{}')",
        "ALTER TABLE prodgate.events DISABLE TRIGGER USER",
        "DROP TRIGGER events_append_only ON "
        "prodgate.events"}) {
    Status s = SqlAs(writer_, sql);
    EXPECT_FALSE(s.ok()) << sql;
    EXPECT_TRUE(s.what().find("permission denied") != std::string::npos ||
                s.what().find("must be owner") != std::string::npos)
        << sql << ": " << s.what();
  }
  // The append function refuses what does not follow the head, whoever calls it.
  Status forged = SqlAs(writer_, "SELECT prodgate.append('{}', '{\"seq\":2,\"prev\":\"" +
                                     std::string(64, '0') + "\"}')");
  EXPECT_FALSE(forged.ok());
  EXPECT_NE(forged.what().find("does not follow the head"), std::string::npos) << forged.what();
  EXPECT_TRUE(VerifyChain(*writer)->ok);
  EXPECT_EQ(VerifyChain(*writer)->events, 3);
}

TEST_F(ProvisionedLedger, TheTriggersRefuseEvenTheSuperuserAndTheOwner) {
  auto writer = As(writer_);
  ASSERT_TRUE(writer && AppendCount(*writer, "a").ok());
  // The superuser passes every privilege check, and still meets the ENABLE ALWAYS triggers.
  Status s = cluster_->Exec(database_, "DELETE FROM prodgate.events");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.what().find("append-only"), std::string::npos) << s.what();
  EXPECT_FALSE(cluster_->Exec(database_, "TRUNCATE prodgate.events").ok());
  EXPECT_FALSE(
      cluster_
          ->Exec(database_, fmt::format("SET ROLE {}_owner; DELETE FROM prodgate.events", prefix_))
          .ok());
  EXPECT_EQ(Scalar("SELECT count(*) FROM prodgate.events"), "1");
  // A member of the break-glass role may change history: the one door, and it shows.
  EXPECT_TRUE(SqlAs(glass_, "UPDATE prodgate.events SET doc = doc WHERE seq = 1").ok());
  auto glass = As(glass_);
  ASSERT_TRUE(glass);
  auto p = glass->Protection();
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->kind, LedgerKind::kPostgresUnprotected);
  bool named = false;
  for (const auto& g : p->gaps) named |= g.find("break-glass") != std::string::npos;
  EXPECT_TRUE(named) << p->gaps.size();
}

TEST_F(ProvisionedLedger, ProtectionNamesEveryWayARoleCouldRewriteHistory) {
  auto gaps_of = [&](const std::string& role) {
    auto store = role.empty() ? Open(cluster_->KeywordString(database_), false) : As(role);
    EXPECT_TRUE(store);
    auto p = store->Protection();
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    std::string all;
    for (const auto& g : p->gaps) all += g + "\n";
    return std::make_pair(p->kind, all);
  };
  EXPECT_EQ(gaps_of(reader_).first, LedgerKind::kPostgresProtected);
  auto [kind, su] = gaps_of("");
  EXPECT_EQ(kind, LedgerKind::kPostgresUnprotected);
  EXPECT_NE(su.find("superuser"), std::string::npos) << su;
  // A privilege granted behind the provisioning.
  ASSERT_TRUE(
      cluster_->Exec(database_, fmt::format("GRANT DELETE ON prodgate.events TO {}", writer_))
          .ok());
  auto [k1, g1] = gaps_of(writer_);
  EXPECT_EQ(k1, LedgerKind::kPostgresUnprotected);
  EXPECT_NE(g1.find("DELETE"), std::string::npos) << g1;
  ASSERT_TRUE(
      cluster_->Exec(database_, fmt::format("REVOKE DELETE ON prodgate.events FROM {}", writer_))
          .ok());
  // A trigger that no longer fires always.
  ASSERT_TRUE(
      cluster_->Exec(database_, "ALTER TABLE prodgate.events ENABLE TRIGGER events_append_only")
          .ok());
  auto [k2, g2] = gaps_of(writer_);
  EXPECT_EQ(k2, LedgerKind::kPostgresUnprotected);
  EXPECT_NE(g2.find("triggers"), std::string::npos) << g2;
  ASSERT_TRUE(
      cluster_
          ->Exec(database_, "ALTER TABLE prodgate.events ENABLE ALWAYS TRIGGER events_append_only")
          .ok());
  // An append function replaced by one that checks nothing.
  ASSERT_TRUE(cluster_
                  ->Exec(database_,
                         "CREATE OR REPLACE FUNCTION prodgate.append(p_doc text, p_preimage text) "
                         "RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER AS $$ BEGIN RETURN 0; "
                         "END $$")
                  .ok());
  auto [k3, g3] = gaps_of(writer_);
  EXPECT_EQ(k3, LedgerKind::kPostgresUnprotected);
  EXPECT_NE(g3.find("functions"), std::string::npos) << g3;
}

TEST_F(PostgresLedgerTest, ALedgerItsRoleOwnsIsUnprotected) {
  auto store = Open(cluster_->KeywordString(database_));
  ASSERT_TRUE(store);
  auto p = store->Protection();
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->kind, LedgerKind::kPostgresUnprotected);
  std::string all;
  for (const auto& g : p->gaps) all += g;
  EXPECT_NE(all.find("never provisioned"), std::string::npos) << all;
}

// The server goes away in the middle of an append (after prepare() ran, before the event is
// written): the append fails, nothing is written, and once the server is back the same store
// reconnects and chains onto the last committed event.
TEST(PostgresServerLoss, AnAppendWhoseServerStopsFailsAndWritesNothing) {
  auto cluster = testing::PgCluster::Start();
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  testing::PgCluster& c = **cluster;
  ASSERT_TRUE(c.CreateDatabase("ledger").ok());
  auto opened = OpenLedger(c.KeywordString("ledger"), /*create=*/true);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  LedgerStore& store = **opened;
  ASSERT_TRUE(AppendCount(store, "a").ok());
  ASSERT_TRUE(AppendCount(store, "a").ok());

  auto r = store.Append(
      [&](ProjectionTxn&) -> Result<EventDraft> {
        Status stopped = c.StopServer();
        EXPECT_TRUE(stopped.ok()) << stopped.ToString();
        return Draft("test.count", {{"id", "a"}});
      },
      ProjectCount);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_NE(r.status().what().find("appending an event failed"), std::string::npos)
      << r.status().ToString();
  EXPECT_NE(r.status().fix().find("running and reachable"), std::string::npos)
      << r.status().ToString();

  // While it is down, every append fails too.
  r = AppendCount(store, "a");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().what().find(c.dir()), std::string::npos) << r.status().ToString();

  ASSERT_TRUE(c.StartServer().ok());
  EXPECT_EQ(store.ReadHead()->seq, 2);
  EXPECT_EQ((**store.GetProjection("counters", "a"))["n"], 2);
  auto next = AppendCount(store, "a");
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->seq, 3);
  auto chain = VerifyChain(store);
  EXPECT_TRUE(chain->ok) << chain->problem;
}

// The test server's watchdog: a test process killed with SIGKILL leaves no server running
// and no directory behind.
TEST(PgClusterWatchdog, AKilledTestProcessLeavesNoServerBehind) {
  int report[2];  // close-on-exec: the server the child starts must not hold it open
  ASSERT_EQ(::pipe2(report, O_CLOEXEC), 0);
  pid_t child = ::fork();
  if (child == 0) {
    ::close(report[0]);
    auto c = testing::PgCluster::Start();
    std::string dir = c.ok() ? (*c)->dir() : "";
    if (::write(report[1], dir.data(), dir.size()) < 0) _exit(1);
    ::close(report[1]);
    while (true) ::pause();
  }
  ::close(report[1]);
  std::string dir;
  char buf[256];
  ssize_t n;
  while ((n = ::read(report[0], buf, sizeof buf)) > 0) dir.append(buf, static_cast<size_t>(n));
  ::close(report[0]);
  ASSERT_FALSE(dir.empty()) << "the child could not start a cluster";
  std::string pid_line = testing::ReadFileOrDie(dir + "/data/postmaster.pid");
  pid_t postmaster = std::atoi(pid_line.c_str());
  ASSERT_GT(postmaster, 0);
  ASSERT_EQ(::kill(postmaster, 0), 0);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  auto deadline = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < deadline && (std::filesystem::exists(dir) || ::kill(postmaster, 0) == 0)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
  EXPECT_NE(::kill(postmaster, 0), 0) << "the postmaster " << postmaster << " still runs";
}

// Not a test: the measurement behind docs/ledger.md's numbers. Appends per second, one
// transaction each, on PostgreSQL with fsync and synchronous_commit on, against the SQLite
// store (synchronous=FULL) on the same disk. Run with
//   unit_tests --gtest_also_run_disabled_tests --gtest_filter='*MeasureAppendRate*'
TEST(PostgresLedgerMeasure, DISABLED_MeasureAppendRate) {
  constexpr int kAppends = 2000;
  auto append = [](LedgerStore& store, int i) {
    return store.Append(
        [&](ProjectionTxn&) -> Result<EventDraft> {
          std::string root = ToHex(Sha256Of(std::to_string(i)));
          return Draft(
              "evidence.add",
              {{"root", root},
               {"dir", fmt::format("/srv/evidence/lane-{:06}/packet", i)},
               {"manifest", fmt::format("/srv/evidence/lane-{:06}/packet/prodgate.seal.json", i)}});
        },
        [](const Event& e, ProjectionTxn& txn) {
          return txn.Put("evidence", e.body["root"].get<std::string>(), e.body);
        });
  };
  auto cluster = testing::PgCluster::Start({.durable = true, .peer_users = {}});
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  ASSERT_TRUE((*cluster)->CreateDatabase("ledger").ok());
  auto fsync = (*cluster)->Query("ledger", "SHOW fsync");
  ASSERT_TRUE(fsync.ok() && (*fsync)[0][0] == "on");
  auto pg = OpenLedger((*cluster)->KeywordString("ledger"), /*create=*/true);
  ASSERT_TRUE(pg.ok()) << pg.status().ToString();
  testing::ScratchDir dir;
  auto sqlite = OpenLedger(dir / "ledger.db", /*create=*/true);
  ASSERT_TRUE(sqlite.ok());
  for (int i = 0; i < 50; ++i) {  // warm up
    ASSERT_TRUE(append(**pg, -1 - i).ok());
    ASSERT_TRUE(append(**sqlite, -1 - i).ok());
  }
  // Interleaved rounds, so that both stores share the disk's weather.
  constexpr int kRounds = 8;
  double pg_seconds = 0, sqlite_seconds = 0;
  for (int round = 0; round < kRounds; ++round) {
    for (LedgerStore* store : {pg->get(), sqlite->get()}) {
      auto t0 = Clock::now();
      for (int i = round * kAppends / kRounds; i < (round + 1) * kAppends / kRounds; ++i) {
        ASSERT_TRUE(append(*store, i).ok());
      }
      double s = std::chrono::duration<double>(Clock::now() - t0).count();
      (store == pg->get() ? pg_seconds : sqlite_seconds) += s;
    }
  }
  std::printf("appends/s, %d appends each, one transaction each, %d interleaved rounds:\n",
              kAppends, kRounds);
  std::printf("  postgresql (fsync=on, synchronous_commit=on): %.0f\n", kAppends / pg_seconds);
  std::printf("  sqlite (WAL, synchronous=FULL):               %.0f\n", kAppends / sqlite_seconds);
  std::printf("  postgresql / sqlite: %.2f\n", sqlite_seconds / pg_seconds);
}

// Not a test: 8 processes × 500 appends on a durable server (fsync on), the duration of the
// store test ConcurrentAppendersFromManyProcessesFormOneChain with real flushes. Run with
//   unit_tests --gtest_also_run_disabled_tests --gtest_filter='*MeasureConcurrentAppends*'
TEST(PostgresLedgerMeasure, DISABLED_MeasureConcurrentAppends) {
  constexpr int kProcs = 8, kEach = 500;
  auto cluster = testing::PgCluster::Start({.durable = true, .peer_users = {}});
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  ASSERT_TRUE((*cluster)->CreateDatabase("ledger").ok());
  std::string location = (*cluster)->KeywordString("ledger");
  ASSERT_TRUE(OpenLedger(location, /*create=*/true).ok());
  auto t0 = Clock::now();
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = ::fork();
    if (pid == 0) {
      auto store = OpenLedger(location, /*create=*/false);
      if (!store.ok()) _exit(1);
      for (int i = 0; i < kEach; ++i) {
        if (!AppendCount(**store, "p" + std::to_string(p)).ok()) _exit(1);
      }
      _exit(0);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  auto store = OpenLedger(location, /*create=*/false);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(VerifyChain(**store)->events, kProcs * kEach);
  std::printf("%d processes x %d appends, postgresql fsync=on: %.1f s (%.0f appends/s)\n", kProcs,
              kEach, seconds, kProcs * kEach / seconds);
}

}  // namespace
}  // namespace prodgate::ledger
