// Store tests, written once for every LedgerStore: each test runs against every backend
// (SQLite, and PostgreSQL on a throwaway server: tests/pg_cluster.h).
#include "ledger/store.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <random>
#include <thread>

#include "ledger/chain.h"
#include "tests/pg_cluster.h"
#include "tests/test_util.h"

namespace prodgate::ledger {
namespace {

// A ledger backend under test: makes fresh stores and can edit them behind the store's back
// (the attacker's view). The tamper statements are written in SQL that SQLite and PostgreSQL
// both accept (replace(), UPDATE … SET seq, DELETE), on the unqualified table names.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  // The same ledger each call, on a connection of its own; nullptr (and a test failure) when
  // it cannot be opened.
  virtual std::unique_ptr<LedgerStore> Open() = 0;
  virtual void Tamper(const std::string& sql) = 0;

 protected:
  static std::unique_ptr<LedgerStore> OpenAt(const std::string& location) {
    auto s = OpenLedger(location, /*create=*/true);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
};

class SqliteBackend : public Backend {
 public:
  std::string name() const override { return "sqlite"; }
  std::unique_ptr<LedgerStore> Open() override { return OpenAt(path()); }
  void Tamper(const std::string& sql) override {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }
  std::string path() const { return dir_ / "ledger.db"; }

 private:
  testing::ScratchDir dir_;
};

// A fresh database on the process's throwaway PostgreSQL server, per test.
class PostgresBackend : public Backend {
 public:
  explicit PostgresBackend(testing::PgCluster& cluster)
      : cluster_(cluster), database_(fmt::format("ledger_{}", ++databases_)) {
    Status s = cluster_.CreateDatabase(database_);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  std::string name() const override { return "postgres"; }
  std::unique_ptr<LedgerStore> Open() override { return OpenAt(cluster_.KeywordString(database_)); }
  // As the superuser, who can switch the append-only triggers off: what any role that owns
  // the tables can do on a ledger that was not provisioned (postgres_store.h).
  void Tamper(const std::string& sql) override {
    Status s = cluster_.Exec(
        database_, "SET search_path TO prodgate; ALTER TABLE events DISABLE TRIGGER USER; " + sql +
                       "; ALTER TABLE events ENABLE ALWAYS TRIGGER events_append_only;"
                       " ALTER TABLE events ENABLE ALWAYS TRIGGER events_no_truncate;");
    EXPECT_TRUE(s.ok()) << s.ToString();
  }

 private:
  static inline int databases_ = 0;
  testing::PgCluster& cluster_;
  std::string database_;
};

EventDraft Draft(std::string kind, Json body) {
  EventDraft d;
  d.actor = "local:test";
  d.kind = std::move(kind);
  d.body = std::move(body);
  return d;
}

// Counts, in projection counters/<id>, how many events named it.
Status ProjectCount(const Event& e, ProjectionTxn& txn) {
  PG_ASSIGN_OR_RETURN(auto cur, txn.Get("counters", e.body["id"].get<std::string>()));
  int64_t n = cur ? (*cur)["n"].get<int64_t>() : 0;
  return txn.Put("counters", e.body["id"].get<std::string>(), {{"n", n + 1}});
}

// Appends an event that counts, in projection counters/<id>, how many events named it.
Result<Event> AppendCount(LedgerStore& store, const std::string& id) {
  return store.Append(
      [&](ProjectionTxn&) -> Result<EventDraft> {
        return Draft("test.count", {{"id", id}});
      },
      ProjectCount);
}

class LedgerStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      auto cluster = testing::SharedPgCluster();
      ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
      backend_ = std::make_unique<PostgresBackend>(**cluster);
    } else {
      backend_ = std::make_unique<SqliteBackend>();
    }
    store_ = backend_->Open();
    ASSERT_TRUE(store_);
  }
  std::unique_ptr<Backend> backend_;
  std::unique_ptr<LedgerStore> store_;
};

TEST_P(LedgerStoreTest, AppendsFormOneHashChainFromGenesis) {
  auto e1 = AppendCount(*store_, "a");
  auto e2 = AppendCount(*store_, "b");
  ASSERT_TRUE(e1.ok() && e2.ok()) << e1.status().ToString() << e2.status().ToString();
  EXPECT_EQ(e1->seq, 1);
  EXPECT_EQ(e1->prev, kGenesisPrev);
  EXPECT_EQ(e2->seq, 2);
  EXPECT_EQ(e2->prev, e1->hash);
  EXPECT_EQ(e2->hash, Sha256Of(*e2->Preimage()));
  auto head = store_->ReadHead();
  EXPECT_EQ(head->seq, 2);
  EXPECT_EQ(head->hash, e2->hash);
  auto chain = VerifyChain(*store_);
  EXPECT_TRUE(chain->ok) << chain->problem;
  EXPECT_EQ(chain->events, 2);
}

TEST_P(LedgerStoreTest, ProjectionsAreWrittenInTheSameTransaction) {
  ASSERT_TRUE(AppendCount(*store_, "a").ok());
  ASSERT_TRUE(AppendCount(*store_, "a").ok());
  auto doc = store_->GetProjection("counters", "a");
  ASSERT_TRUE(doc.ok() && *doc);
  EXPECT_EQ((**doc)["n"], 2);
  EXPECT_EQ(store_->EventsOfKind("test.count")->size(), 2u);
}

// Which events are of a kind is read from the events themselves: no index beside the chain.
TEST_P(LedgerStoreTest, EventsOfAKindAreReadFromTheEventsInOrder) {
  for (const char* kind : {"test.a", "test.b", "test.a"}) {
    auto r = store_->Append(
        [&](ProjectionTxn&) -> Result<EventDraft> { return Draft(kind, Json::object()); },
        [](const Event&, ProjectionTxn&) { return Status::Ok(); });
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  auto a = store_->EventsOfKind("test.a");
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->size(), 2u);
  EXPECT_EQ((*a)[0].seq, 1);
  EXPECT_EQ((*a)[1].seq, 3);
  EXPECT_EQ(store_->EventsOfKind("test.c")->size(), 0u);
  // A kind column edited behind the store is corruption, not a different answer.
  backend_->Tamper("UPDATE events SET kind = 'test.c' WHERE seq = 2");
  EXPECT_FALSE(store_->EventsOfKind("test.c").ok());
}

TEST_P(LedgerStoreTest, RefusedPrepareWritesNothing) {
  ASSERT_TRUE(AppendCount(*store_, "a").ok());
  auto r = store_->Append(
      [](ProjectionTxn&) -> Result<EventDraft> { return Status::BadInput("refused on purpose"); },
      [](const Event&, ProjectionTxn&) { return Status::Ok(); });
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(store_->ReadHead()->seq, 1);
}

TEST_P(LedgerStoreTest, FailedProjectionRollsBackTheEvent) {
  auto r = store_->Append(
      [](ProjectionTxn&) -> Result<EventDraft> { return Draft("test.x", Json::object()); },
      [](const Event&, ProjectionTxn& txn) -> Status {
        PG_RETURN_IF_ERROR(txn.Put("t", "x", {{"written", true}}));
        return Status::Internal("projection failed on purpose");
      });
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(store_->ReadHead()->seq, 0);
  EXPECT_FALSE(*store_->GetProjection("t", "x"));
}

TEST_P(LedgerStoreTest, FloatInABodyIsRefused) {
  auto r = store_->Append(
      [](ProjectionTxn&) -> Result<EventDraft> {
        return Draft("test.x", {{"ratio", 0.5}});
      },
      [](const Event&, ProjectionTxn&) { return Status::Ok(); });
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.status().what().find("float"), std::string::npos) << r.status().what();
  EXPECT_EQ(store_->ReadHead()->seq, 0);
}

TEST_P(LedgerStoreTest, EditedEventIsNamedByVerify) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(AppendCount(*store_, "a").ok());
  backend_->Tamper(
      "UPDATE events SET doc = replace(doc, '\"id\":\"a\"', '\"id\":\"z\"') WHERE seq = 3");
  auto r = VerifyChain(*store_);
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->first_bad_seq, 3);
  EXPECT_NE(r->problem.find("edited"), std::string::npos) << r->problem;
}

TEST_P(LedgerStoreTest, DeletedEventIsFound) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(AppendCount(*store_, "a").ok());
  backend_->Tamper("DELETE FROM events WHERE seq = 2");
  auto r = VerifyChain(*store_);
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->first_bad_seq, 2);
  EXPECT_NE(r->problem.find("missing"), std::string::npos) << r->problem;
}

TEST_P(LedgerStoreTest, ReorderedEventsAreFound) {
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(AppendCount(*store_, "a").ok());
  // Swap the documents of events 2 and 3 together with their columns.
  backend_->Tamper(
      "UPDATE events SET seq = -2 WHERE seq = 2; UPDATE events SET seq = 2 WHERE seq = 3;"
      "UPDATE events SET seq = 3 WHERE seq = -2;");
  auto r = VerifyChain(*store_);
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->first_bad_seq, 2);
}

TEST_P(LedgerStoreTest, TruncationIsFoundWithTheExpectedHead) {
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(AppendCount(*store_, "a").ok());
  Digest head = store_->ReadHead()->hash;
  EXPECT_TRUE(VerifyChain(*store_, head)->ok);
  backend_->Tamper("DELETE FROM events WHERE seq = 4");
  EXPECT_TRUE(VerifyChain(*store_)->ok);  // a shorter chain is still a chain…
  auto r = VerifyChain(*store_, head);    // …but not the one whose head was recorded
  EXPECT_FALSE(r->ok);
  EXPECT_NE(r->problem.find("truncated"), std::string::npos) << r->problem;
}

TEST_P(LedgerStoreTest, AppendRefusesToChainOntoATamperedHead) {
  ASSERT_TRUE(AppendCount(*store_, "a").ok());
  backend_->Tamper(
      "UPDATE events SET doc = replace(doc, '\"id\":\"a\"', '\"id\":\"q\"') WHERE seq = 1");
  store_ = backend_->Open();
  ASSERT_TRUE(store_);
  auto r = AppendCount(*store_, "b");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(store_->ReadHead()->seq, 1);
}

// A verification while other processes append: the count of events it compares with the
// head counts only events up to that head, so a concurrent append is never a broken chain.
TEST_P(LedgerStoreTest, VerifyingWhileOthersAppendIsNeverAFalseFailure) {
  ASSERT_TRUE(AppendCount(*store_, "a").ok());
  pid_t pid = ::fork();
  if (pid == 0) {
    auto store = backend_->Open();
    if (!store) _exit(1);
    for (int i = 0; i < 300; ++i) {
      if (!AppendCount(*store, "w").ok()) _exit(1);
    }
    _exit(0);
  }
  int checks = 0;
  for (int status = 0; ::waitpid(pid, &status, WNOHANG) == 0; ++checks) {
    auto r = VerifyChain(*store_);
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(r->ok) << "check " << checks << ": " << r->problem;
  }
  EXPECT_GT(checks, 0);
  EXPECT_TRUE(VerifyChain(*store_)->ok);
}

TEST_P(LedgerStoreTest, ColumnsThatDisagreeWithTheDocumentAreCorruption) {
  ASSERT_TRUE(AppendCount(*store_, "a").ok());
  backend_->Tamper("UPDATE events SET kind = 'grant.issue' WHERE seq = 1");
  auto r = VerifyChain(*store_);
  EXPECT_FALSE(r->ok);
  EXPECT_NE(r->problem.find("disagree"), std::string::npos) << r->problem;
}

// Two appenders on separate connections: while one holds its append open inside prepare(),
// the other waits; it then chains onto the first and its prepare() sees the first's state.
TEST_P(LedgerStoreTest, AnAppendWaitsForTheOneInProgressAndChainsOntoIt) {
  auto other = backend_->Open();
  ASSERT_TRUE(other);
  ASSERT_TRUE(AppendCount(*store_, "x").ok());
  std::promise<void> first_inside, release_first;
  std::atomic<bool> first_released{false}, second_in_prepare{false};
  std::optional<int64_t> second_saw;
  Result<Event> first = Status::Internal("not run"), second = Status::Internal("not run");
  std::thread first_thread([&] {
    first = store_->Append(
        [&](ProjectionTxn&) -> Result<EventDraft> {
          first_inside.set_value();
          release_first.get_future().wait();
          first_released = true;
          return Draft("test.count", {{"id", "x"}});
        },
        ProjectCount);
  });
  first_inside.get_future().wait();
  std::thread second_thread([&] {
    second = other->Append(
        [&](ProjectionTxn& txn) -> Result<EventDraft> {
          second_in_prepare = true;
          EXPECT_TRUE(first_released) << "the second append ran inside the first";
          PG_ASSIGN_OR_RETURN(auto cur, txn.Get("counters", "x"));
          second_saw = cur ? (*cur)["n"].get<int64_t>() : 0;
          return Draft("test.count", {{"id", "x"}});
        },
        ProjectCount);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(second_in_prepare) << "the second append did not wait for the first";
  release_first.set_value();
  first_thread.join();
  second_thread.join();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(first->seq, 2);
  EXPECT_EQ(second->seq, 3);
  EXPECT_EQ(second->prev, first->hash);
  EXPECT_EQ(second_saw, 2);  // the count as of the head it chained onto
  EXPECT_EQ((**store_->GetProjection("counters", "x"))["n"], 3);
  auto chain = VerifyChain(*store_);
  EXPECT_TRUE(chain->ok) << chain->problem;
  EXPECT_EQ(chain->events, 3);
}

// 8 processes × 500 appends at once: one linear chain of 4000, no fork, no lost event.
TEST_P(LedgerStoreTest, ConcurrentAppendersFromManyProcessesFormOneChain) {
  constexpr int kProcs = 8, kEach = 500;
  std::vector<pid_t> pids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = ::fork();
    if (pid == 0) {
      auto store = backend_->Open();
      if (!store) _exit(1);
      for (int i = 0; i < kEach; ++i) {
        if (!AppendCount(*store, "p" + std::to_string(p)).ok()) _exit(1);
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
  auto r = VerifyChain(*store_);
  EXPECT_TRUE(r->ok) << r->problem;
  EXPECT_EQ(r->events, kProcs * kEach);
  for (int p = 0; p < kProcs; ++p) {
    auto doc = store_->GetProjection("counters", "p" + std::to_string(p));
    ASSERT_TRUE(doc.ok() && *doc);
    EXPECT_EQ((**doc)["n"], kEach);
  }
}

// A writer killed with SIGKILL at random points, 200 times: the chain always verifies, and
// every event that exists is counted in its projection (no half-written append).
TEST_P(LedgerStoreTest, WriterKilledAtRandomPointsNeverLeavesAHalfWrittenEvent) {
  std::mt19937 rng(20261121);
  for (int trial = 0; trial < 200; ++trial) {
    pid_t pid = ::fork();
    if (pid == 0) {
      auto store = backend_->Open();
      if (!store) _exit(1);
      while (true) (void)AppendCount(*store, "k");
    }
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 20000));
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    if (trial % 50 == 49) {
      auto r = VerifyChain(*store_);
      ASSERT_TRUE(r->ok) << "trial " << trial << ": " << r->problem;
    }
  }
  auto r = VerifyChain(*store_);
  ASSERT_TRUE(r->ok) << r->problem;
  EXPECT_GT(r->events, 0);
  auto doc = store_->GetProjection("counters", "k");
  ASSERT_TRUE(doc.ok() && *doc);
  EXPECT_EQ((**doc)["n"], r->events);
}

INSTANTIATE_TEST_SUITE_P(Stores, LedgerStoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(LedgerEvent, TimesAreStrictRfc3339Utc) {
  EXPECT_EQ(ParseUtc("2026-06-12T00:00:00Z"), 1781222400);
  EXPECT_EQ(FormatUtc(1781222400), "2026-06-12T00:00:00Z");
  for (const char* bad : {"2026-06-12T00:00:00", "2026-06-12 00:00:00Z", "2026-02-30T00:00:00Z",
                          "2026-06-12T00:00:00+00:00", "2026-06-12T24:00:00Z", ""}) {
    EXPECT_FALSE(ParseUtc(bad)) << bad;
  }
}

TEST(LedgerEvent, FromJsonIsStrict) {
  Event e;
  e.seq = 1;
  e.at = "2026-06-12T00:00:00Z";
  e.actor = "local:x";
  e.kind = "k";
  e.hash = *ComputeEventHash(e);
  Json j = e.ToJson();
  EXPECT_TRUE(Event::FromJson(j).ok());
  Json extra = j;
  extra["x"] = 1;
  EXPECT_FALSE(Event::FromJson(extra).ok());
  Json no_body = j;
  no_body.erase("body");
  EXPECT_FALSE(Event::FromJson(no_body).ok());
  Json bad_time = j;
  bad_time["at"] = "yesterday";
  EXPECT_FALSE(Event::FromJson(bad_time).ok());
}

}  // namespace
}  // namespace prodgate::ledger
