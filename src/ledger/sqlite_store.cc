// The SQLite ledger store: `.prodgate/ledger.db`, WAL, synchronous=FULL.
//
// Schema (format "prodgate.ledger/1"):
//   events(seq INTEGER PRIMARY KEY, hash TEXT UNIQUE, prev TEXT, kind TEXT, doc TEXT)
//     doc: the canonical JSON of the whole event; the other columns repeat it for lookups
//     and are checked against it on every read. Index events_kind(kind, seq).
//   projections(tbl, id, doc)      current state, written in each append's transaction: a
//                                  cache for display, never authority (store.h)
//   meta(key, value)               format
// Ledgers written by earlier versions also hold event_subjects(subject, seq) and checkpoint
// rows in meta; neither is read any more (an index beside the chain decided nothing).
// Appends serialize on SQLite's write lock (BEGIN IMMEDIATE): every appender reads the
// head inside the lock, so concurrent processes form one linear chain.
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "core/file_io.h"
#include "ledger/sqlite_stmt.h"
#include "ledger/sqlite_store.h"

namespace prodgate::ledger {
namespace {

constexpr std::string_view kLedgerFormat = "prodgate.ledger/1";

class SqliteLedger;

class SqliteProjections : public ProjectionTxn {
 public:
  explicit SqliteProjections(SqliteLedger& l) : l_(l) {}
  Result<std::optional<Json>> Get(std::string_view table, std::string_view id) override;
  Result<ProjectionEntries> Entries(std::string_view table) override;
  Status Put(std::string_view table, std::string_view id, const Json& doc) override;
  Status Remove(std::string_view table, std::string_view id) override;

 private:
  SqliteLedger& l_;
};

int BusyTimeoutMs() {
  // Tests shorten the wait for a locked ledger; a shorter wait only fails sooner (closed).
  if (const char* v = std::getenv("PRODGATE_BUSY_TIMEOUT_MS")) {
    int ms = std::atoi(v);
    if (ms > 0) return ms;
  }
  return 30000;
}

class SqliteLedger : public LedgerStore {
 public:
  SqliteLedger(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteLedger() override {
    stmts_.clear();
    sqlite3_close_v2(db_);
  }

  Status Init(bool create) {
    sqlite3_busy_timeout(db_, BusyTimeoutMs());
    // A ledger file this user may not write (another user's workspace) is opened read-only by
    // SQLite: it can be verified and decided from, and every append fails. Its journal mode
    // is WAL already (a property of the file).
    if (sqlite3_db_readonly(db_, "main") != 1) {
      PG_RETURN_IF_ERROR(Exec("PRAGMA journal_mode=WAL"));
      PG_RETURN_IF_ERROR(Exec("PRAGMA synchronous=FULL"));
    }
    if (create) {
      PG_RETURN_IF_ERROR(Exec(
          "BEGIN IMMEDIATE;"
          "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
          "CREATE TABLE IF NOT EXISTS events(seq INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE,"
          " prev TEXT NOT NULL, kind TEXT NOT NULL, doc TEXT NOT NULL);"
          "CREATE INDEX IF NOT EXISTS events_kind ON events(kind, seq);"
          "CREATE TABLE IF NOT EXISTS projections(tbl TEXT NOT NULL, id TEXT NOT NULL,"
          " doc TEXT NOT NULL, PRIMARY KEY(tbl, id)) WITHOUT ROWID;"
          "INSERT OR IGNORE INTO meta VALUES('format', 'prodgate.ledger/1');"
          "COMMIT;"));
    }
    Stmt s(db_, "SELECT value FROM meta WHERE key='format'");
    if (!s.ok() || s.Step() != SQLITE_ROW || s.Text(0) != kLedgerFormat) {
      return Status::BadInput(fmt::format("{} is not a prodgate ledger ({})", path_, kLedgerFormat),
                              "point --ledger at the workspace's .prodgate/ledger.db");
    }
    return Status::Ok();
  }

  Result<Event> Append(const PrepareFn& prepare, const ProjectFn& project) override {
    PG_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    auto result = AppendInTransaction(prepare, project);
    if (!result.ok()) {
      Rollback();
      return result.status();
    }
    Status commit = Exec("COMMIT");
    if (!commit.ok()) {
      // SQLite may have written the transaction to the WAL before the failure it reports
      // (an fsync error), so whether the event exists is read back, not assumed.
      Rollback();
      return AfterFailedCommit(*result, commit);
    }
    return result;
  }

  Result<Head> ReadHead() override {
    StmtUse s(Cached("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"));
    int rc = s.Step();
    if (rc == SQLITE_DONE) return Head{};
    if (rc != SQLITE_ROW) return Error("reading the head");
    auto hash = DigestFromHex(s.Text(1));
    if (!hash) return Corrupt(s.Int(0), "hash column is not a digest");
    return Head{s.Int(0), *hash};
  }

  Result<int64_t> CountEvents(int64_t up_to) override {
    StmtUse s(Cached("SELECT count(*) FROM events WHERE seq <= ?"));
    s.Bind(1, up_to);
    if (s.Step() != SQLITE_ROW) return Error("counting events");
    return s.Int(0);
  }

  Status ForEachEvent(int64_t from, int64_t to,
                      const std::function<Status(const Event&)>& fn) override {
    Stmt s(db_,
           "SELECT seq, hash, prev, kind, doc FROM events WHERE seq BETWEEN ? AND ? "
           "ORDER BY seq");
    if (!s.ok()) return Error("reading events");
    s.Bind(1, from).Bind(2, to);
    while (true) {
      int rc = s.Step();
      if (rc == SQLITE_DONE) return Status::Ok();
      if (rc != SQLITE_ROW) return Error("reading events");
      PG_ASSIGN_OR_RETURN(Event e, RowToEvent(s));
      PG_RETURN_IF_ERROR(fn(e));
    }
  }

  Result<std::optional<Event>> EventAt(int64_t seq) override {
    StmtUse s(Cached("SELECT seq, hash, prev, kind, doc FROM events WHERE seq = ?"));
    s.Bind(1, seq);
    return OneEvent(s);
  }

  Result<std::optional<Event>> EventWithHash(const Digest& hash) override {
    StmtUse s(Cached("SELECT seq, hash, prev, kind, doc FROM events WHERE hash = ?"));
    s.Bind(1, ToHex(hash));
    return OneEvent(s);
  }

  Result<std::vector<Event>> EventsOfKind(std::string_view kind) override {
    StmtUse s(Cached("SELECT seq, hash, prev, kind, doc FROM events WHERE kind = ? ORDER BY seq"));
    s.Bind(1, kind);
    std::vector<Event> out;
    while (true) {
      int rc = s.Step();
      if (rc == SQLITE_DONE) return out;
      if (rc != SQLITE_ROW) return Error("reading events by kind");
      PG_ASSIGN_OR_RETURN(Event e, RowToEvent(s));
      out.push_back(std::move(e));
    }
  }

  Result<std::optional<Json>> GetProjection(std::string_view table, std::string_view id) override {
    SqliteProjections p(*this);
    return p.Get(table, id);
  }
  Result<ProjectionEntries> ListProjection(std::string_view table) override {
    SqliteProjections p(*this);
    return p.Entries(table);
  }

  Result<ProjectionTables> AllProjections() override {
    Stmt s(db_, "SELECT tbl, id, doc FROM projections ORDER BY tbl, id");
    if (!s.ok()) return Error("reading projections");
    ProjectionTables out;
    while (true) {
      int rc = s.Step();
      if (rc == SQLITE_DONE) return out;
      if (rc != SQLITE_ROW) return Error("reading projections");
      PG_ASSIGN_OR_RETURN(Json doc,
                          ParseDoc(s.Text(2), "projection " + s.Text(0) + "/" + s.Text(1)));
      out[s.Text(0)][s.Text(1)] = std::move(doc);
    }
  }

  Status ReplaceProjections(const ProjectionTables& tables) override {
    PG_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Status s = [&]() -> Status {
      PG_RETURN_IF_ERROR(Exec("DELETE FROM projections"));
      SqliteProjections p(*this);
      for (const auto& [table, docs] : tables) {
        for (const auto& [id, doc] : docs) PG_RETURN_IF_ERROR(p.Put(table, id, doc));
      }
      return Status::Ok();
    }();
    if (!s.ok()) {
      Rollback();
      return s;
    }
    return Exec("COMMIT");
  }

  Result<LedgerProtection> Protection() override {
    LedgerProtection p;
    p.kind = LedgerKind::kLocalFile;
    p.identity = location();
    p.gaps = {fmt::format("{} is a local file: whoever can write it can delete its last events and "
                          "give back a used-up grant (truncation), or replace it",
                          path_),
              "only an executor's own verified checkpoint notices a truncation it has seen past; a "
              "protected PostgreSQL ledger (prodgate ledger provision) refuses it"};
    return p;
  }

  std::string location() const override { return "sqlite:" + path_; }

  // Used by SqliteProjections.
  Stmt& Cached(const char* sql) {
    auto it = stmts_.find(sql);
    if (it == stmts_.end()) it = stmts_.emplace(sql, std::make_unique<Stmt>(db_, sql)).first;
    return *it->second;
  }
  Status Error(const std::string& doing) {
    return Status::Internal(
        fmt::format("ledger {}: {} failed: {}", path_, doing, sqlite3_errmsg(db_)),
        "check that the ledger file is readable and writable and the disk is not full");
  }
  Result<Json> ParseDoc(const std::string& text, const std::string& what) {
    auto j = ParseJson(text, NumberPolicy::kIntegersOnly, what);
    if (!j.ok()) {
      return Status::BadInput(fmt::format("ledger {}: {}", path_, j.status().what()),
                              "the ledger was edited or damaged; run prodgate ledger verify");
    }
    return j;
  }

 private:
  // After a failure the original error is what the caller reports; a failed ROLLBACK leaves
  // the transaction to be rolled back by SQLite when the connection closes.
  void Rollback() { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }

  Status Exec(const char* sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      return Status::Internal(fmt::format("ledger {}: \"{}\" failed: {}", path_, sql, msg),
                              rc == SQLITE_BUSY
                                  ? "another prodgate holds the ledger; try again"
                                  : "check that the ledger is writable and the disk not full");
    }
    return Status::Ok();
  }

  Status Corrupt(int64_t seq, const std::string& what) {
    return Status::BadInput(fmt::format("ledger {}: event {}: {}", path_, seq, what),
                            "the ledger was edited or damaged; run prodgate ledger verify");
  }

  Result<Event> RowToEvent(Stmt& s) {
    int64_t seq = s.Int(0);
    PG_ASSIGN_OR_RETURN(Json doc, ParseDoc(s.Text(4), fmt::format("event {}", seq)));
    auto e = Event::FromJson(doc);
    if (!e.ok()) return Corrupt(seq, e.status().what());
    if (e->seq != seq || ToHex(e->hash) != s.Text(1) || ToHex(e->prev) != s.Text(2) ||
        e->kind != s.Text(3)) {
      return Corrupt(seq, "its columns disagree with its document");
    }
    return e;
  }

  Result<std::optional<Event>> OneEvent(Stmt& s) {
    int rc = s.Step();
    if (rc == SQLITE_DONE) return std::optional<Event>();
    if (rc != SQLITE_ROW) return Error("reading an event");
    PG_ASSIGN_OR_RETURN(Event e, RowToEvent(s));
    return std::optional<Event>(std::move(e));
  }

  Result<Event> AppendInTransaction(const PrepareFn& prepare, const ProjectFn& project) {
    PG_ASSIGN_OR_RETURN(Head head, ReadHead());
    if (head.seq > 0) {
      // Never chain onto a head that does not hash to itself.
      PG_ASSIGN_OR_RETURN(std::optional<Event> last, EventAt(head.seq));
      PG_ASSIGN_OR_RETURN(Digest recomputed, ComputeEventHash(*last));
      if (recomputed != last->hash) {
        return Corrupt(head.seq, "the head event does not hash to its recorded hash");
      }
    }
    SqliteProjections txn(*this);
    PG_ASSIGN_OR_RETURN(EventDraft draft, prepare(txn));
    Event e;
    e.seq = head.seq + 1;
    e.prev = head.hash;
    e.at = NowUtc();
    e.actor = std::move(draft.actor);
    e.kind = std::move(draft.kind);
    e.body = std::move(draft.body);
    PG_ASSIGN_OR_RETURN(std::string preimage, e.Preimage());
    e.hash = Sha256Of(preimage);
    if (draft.sign) {
      PG_ASSIGN_OR_RETURN(e.sig, draft.sign(preimage));
    }
    PG_ASSIGN_OR_RETURN(std::string doc, CanonicalJson(e.ToJson(), NumberPolicy::kIntegersOnly));
    StmtUse ins(Cached("INSERT INTO events(seq, hash, prev, kind, doc) VALUES(?, ?, ?, ?, ?)"));
    ins.Bind(1, e.seq).Bind(2, ToHex(e.hash)).Bind(3, ToHex(e.prev)).Bind(4, e.kind).Bind(5, doc);
    if (ins.Step() != SQLITE_DONE) return Error("appending an event");
    PG_RETURN_IF_ERROR(project(e, txn));
    return e;
  }

  // The COMMIT of `e` failed with `commit`: the event is read back by its hash. There: it is
  // in the ledger, but not confirmed durable (the outcome is unknown). Not there: nothing
  // was written.
  Result<Event> AfterFailedCommit(const Event& e, const Status& commit) {
    return FailedCommit(location(), e, commit, EventWithHash(e.hash));
  }

  sqlite3* db_;
  std::string path_;
  std::map<std::string, std::unique_ptr<Stmt>> stmts_;
};

Result<std::optional<Json>> SqliteProjections::Get(std::string_view table, std::string_view id) {
  StmtUse s(l_.Cached("SELECT doc FROM projections WHERE tbl = ? AND id = ?"));
  s.Bind(1, table).Bind(2, id);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<Json>();
  if (rc != SQLITE_ROW) return l_.Error("reading a projection");
  PG_ASSIGN_OR_RETURN(Json doc, l_.ParseDoc(s.Text(0), fmt::format("projection {}/{}", table, id)));
  return std::optional<Json>(std::move(doc));
}

Result<ProjectionEntries> SqliteProjections::Entries(std::string_view table) {
  StmtUse s(l_.Cached("SELECT id, doc FROM projections WHERE tbl = ? ORDER BY id"));
  s.Bind(1, table);
  ProjectionEntries out;
  while (true) {
    int rc = s.Step();
    if (rc == SQLITE_DONE) return out;
    if (rc != SQLITE_ROW) return l_.Error("listing projections");
    std::string id = s.Text(0);
    PG_ASSIGN_OR_RETURN(Json doc,
                        l_.ParseDoc(s.Text(1), fmt::format("projection {}/{}", table, id)));
    out.emplace_back(std::move(id), std::move(doc));
  }
}

Status SqliteProjections::Put(std::string_view table, std::string_view id, const Json& doc) {
  PG_ASSIGN_OR_RETURN(std::string text, CanonicalJson(doc, NumberPolicy::kIntegersOnly));
  StmtUse s(l_.Cached("INSERT OR REPLACE INTO projections(tbl, id, doc) VALUES(?, ?, ?)"));
  s.Bind(1, table).Bind(2, id).Bind(3, text);
  if (s.Step() != SQLITE_DONE) return l_.Error("writing a projection");
  return Status::Ok();
}

Status SqliteProjections::Remove(std::string_view table, std::string_view id) {
  StmtUse s(l_.Cached("DELETE FROM projections WHERE tbl = ? AND id = ?"));
  s.Bind(1, table).Bind(2, id);
  if (s.Step() != SQLITE_DONE) return l_.Error("removing a projection");
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<LedgerStore>> OpenSqliteLedger(const std::string& path, bool create) {
  if (!create && !std::filesystem::exists(path)) {
    return Status::BadInput(fmt::format("no ledger at {}", path),
                            "run `prodgate init` to create the workspace, or pass --workspace");
  }
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status::BadInput(fmt::format("cannot open ledger {}: {}", path, msg),
                            "check the path and its permissions");
  }
  if (sqlite3_db_readonly(db, "main") == 1 && !create) {
    // Another user's ledger (say, the agent's workspace read by the operator): read as an
    // immutable file, without the locks and the -shm file a reader of a WAL database would
    // have to create where it may not write. prodgate never writes it; a writer changing it
    // meanwhile gives reads that fail the chain's verification, never a state that passes.
    sqlite3_close_v2(db);
    std::string uri = "file:";
    for (char c : path) {
      if (c == '%' || c == '?' || c == '#') {
        uri += fmt::format("%{:02X}", static_cast<unsigned char>(c));
      } else {
        uri += c;
      }
    }
    uri += "?immutable=1";
    db = nullptr;
    rc = sqlite3_open_v2(uri.c_str(), &db,
                         SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
      sqlite3_close_v2(db);
      return Status::BadInput(fmt::format("cannot open ledger {} to read it: {}", path, msg),
                              "check the path and its permissions");
    }
  }
  auto store = std::make_unique<SqliteLedger>(db, path);
  PG_RETURN_IF_ERROR(store->Init(create));
  return std::unique_ptr<LedgerStore>(std::move(store));
}

}  // namespace prodgate::ledger
