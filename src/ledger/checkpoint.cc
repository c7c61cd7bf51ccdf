#include "ledger/checkpoint.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include "ledger/sqlite_stmt.h"

namespace prodgate::ledger {

constexpr std::string_view kCheckpointFormat = "prodgate.checkpoint/1";

class Checkpoint::Statements {
 public:
  explicit Statements(sqlite3* db) : db_(db) {}
  Stmt& Cached(const char* sql) {
    auto it = stmts_.find(sql);
    if (it == stmts_.end()) it = stmts_.emplace(sql, std::make_unique<Stmt>(db_, sql)).first;
    return *it->second;
  }

 private:
  sqlite3* db_;
  std::map<std::string, std::unique_ptr<Stmt>> stmts_;
};

Checkpoint::Checkpoint(sqlite3* db, std::string path)
    : db_(db), stmts_(std::make_unique<Statements>(db)), path_(std::move(path)) {}

Checkpoint::~Checkpoint() {
  if (in_txn_) Rollback();
  stmts_.reset();
  sqlite3_close_v2(db_);
}

Status Checkpoint::Exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string msg = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return Status::Internal(fmt::format("checkpoint {}: \"{}\" failed: {}", path_, sql, msg),
                          "check that the checkpoint's directory is writable and the disk not "
                          "full (or remove the file: the chain is then verified from genesis)");
}

Status Checkpoint::Error(const std::string& doing) {
  return Status::Internal(
      fmt::format("checkpoint {}: {} failed: {}", path_, doing, sqlite3_errmsg(db_)),
      "remove the file: the chain is then verified again from genesis");
}

Result<std::unique_ptr<Checkpoint>> Checkpoint::Open(const std::string& dir, const Digest& genesis,
                                                     std::string_view fold_version) {
  std::string path = fmt::format("{}/{}.db", dir, ToHex(genesis));
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
      nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status::Internal(fmt::format("cannot open the checkpoint {}: {}", path, msg),
                            "check the state directory (PRODGATE_STATE_DIR) and its permissions");
  }
  std::unique_ptr<Checkpoint> c(new Checkpoint(db, path));
  sqlite3_busy_timeout(db, 30000);
  PG_RETURN_IF_ERROR(c->Exec("PRAGMA journal_mode=WAL"));
  PG_RETURN_IF_ERROR(c->Exec("PRAGMA synchronous=FULL"));
  PG_RETURN_IF_ERROR(
      c->Exec("BEGIN IMMEDIATE;"
              "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
              "CREATE TABLE IF NOT EXISTS state(tbl TEXT NOT NULL, id TEXT NOT NULL,"
              " doc TEXT NOT NULL, PRIMARY KEY(tbl, id)) WITHOUT ROWID;"
              "COMMIT;"));
  // A checkpoint of another format or other rules is emptied, under the write lock.
  PG_RETURN_IF_ERROR(c->Begin());
  Stmt s(db,
         "SELECT (SELECT value FROM meta WHERE key='format'),"
         " (SELECT value FROM meta WHERE key='fold')");
  if (!s.ok() || s.Step() != SQLITE_ROW) {
    c->Rollback();
    return c->Error("reading the checkpoint's format");
  }
  if (s.Text(0) != kCheckpointFormat || s.Text(1) != fold_version) {
    s.Reset();
    Status cleared = c->Clear();
    if (cleared.ok()) {
      Stmt w(db, "INSERT OR REPLACE INTO meta VALUES('format', ?), ('fold', ?)");
      w.Bind(1, kCheckpointFormat).Bind(2, fold_version);
      if (w.Step() != SQLITE_DONE) cleared = c->Error("writing the checkpoint's format");
    }
    if (!cleared.ok()) {
      c->Rollback();
      return cleared;
    }
  }
  PG_RETURN_IF_ERROR(c->Commit());
  return c;
}

Status Checkpoint::ReadHead() {
  StmtUse s(
      stmts_->Cached("SELECT (SELECT value FROM meta WHERE key='seq'),"
                     " (SELECT value FROM meta WHERE key='hash'),"
                     " (SELECT value FROM meta WHERE key='verified_at')"));
  if (s.Step() != SQLITE_ROW) return Error("reading the checkpoint's head");
  std::string seq = s.Text(0), hash = s.Text(1);
  verified_at_ = s.Text(2);
  if (seq.empty()) {
    head_ = Head{};
    return Status::Ok();
  }
  auto d = DigestFromHex(hash);
  char* end = nullptr;
  long long n = std::strtoll(seq.c_str(), &end, 10);
  if (!d || end == seq.c_str() || *end != '\0' || n < 1) {
    return Status::Internal(fmt::format("checkpoint {}: its head is malformed", path_),
                            "remove the file: the chain is then verified again from genesis");
  }
  head_ = Head{n, *d};
  return Status::Ok();
}

Status Checkpoint::Begin() {
  PG_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  in_txn_ = true;
  Status s = ReadHead();
  if (!s.ok()) Rollback();
  return s;
}

Status Checkpoint::Commit() {
  Status s = Exec("COMMIT");
  if (!s.ok()) Rollback();
  in_txn_ = false;
  return s;
}

void Checkpoint::Rollback() {
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  in_txn_ = false;
}

Status Checkpoint::SetHead(const Head& head) {
  StmtUse s(stmts_->Cached(
      "INSERT OR REPLACE INTO meta VALUES('seq', ?), ('hash', ?), ('verified_at', ?)"));
  std::string seq = std::to_string(head.seq), hash = ToHex(head.hash), at = NowUtc();
  s.Bind(1, std::string_view(seq)).Bind(2, std::string_view(hash)).Bind(3, std::string_view(at));
  if (s.Step() != SQLITE_DONE) return Error("writing the checkpoint's head");
  head_ = head;
  verified_at_ = at;
  return Status::Ok();
}

Status Checkpoint::Clear() {
  PG_RETURN_IF_ERROR(
      Exec("DELETE FROM state; DELETE FROM meta WHERE key IN ('seq', 'hash', "
           "'verified_at')"));
  head_ = Head{};
  verified_at_.clear();
  return Status::Ok();
}

Result<std::optional<Json>> Checkpoint::Get(std::string_view table, std::string_view id) {
  StmtUse s(stmts_->Cached("SELECT doc FROM state WHERE tbl = ? AND id = ?"));
  s.Bind(1, table).Bind(2, id);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<Json>();
  if (rc != SQLITE_ROW) return Error("reading the verified state");
  auto doc = ParseJson(s.Text(0), NumberPolicy::kIntegersOnly, path_);
  if (!doc.ok()) return Error("parsing the verified state");
  return std::optional<Json>(std::move(*doc));
}

Result<ProjectionEntries> Checkpoint::Entries(std::string_view table) {
  StmtUse s(stmts_->Cached("SELECT id, doc FROM state WHERE tbl = ? ORDER BY id"));
  s.Bind(1, table);
  ProjectionEntries out;
  while (true) {
    int rc = s.Step();
    if (rc == SQLITE_DONE) return out;
    if (rc != SQLITE_ROW) return Error("listing the verified state");
    auto doc = ParseJson(s.Text(1), NumberPolicy::kIntegersOnly, path_);
    if (!doc.ok()) return Error("parsing the verified state");
    out.emplace_back(s.Text(0), std::move(*doc));
  }
}

Status Checkpoint::Put(std::string_view table, std::string_view id, const Json& doc) {
  PG_ASSIGN_OR_RETURN(std::string text, CanonicalJson(doc, NumberPolicy::kIntegersOnly));
  StmtUse s(stmts_->Cached("INSERT OR REPLACE INTO state(tbl, id, doc) VALUES(?, ?, ?)"));
  s.Bind(1, table).Bind(2, id).Bind(3, std::string_view(text));
  if (s.Step() != SQLITE_DONE) return Error("writing the verified state");
  return Status::Ok();
}

Status Checkpoint::Remove(std::string_view table, std::string_view id) {
  StmtUse s(stmts_->Cached("DELETE FROM state WHERE tbl = ? AND id = ?"));
  s.Bind(1, table).Bind(2, id);
  if (s.Step() != SQLITE_DONE) return Error("removing from the verified state");
  return Status::Ok();
}

}  // namespace prodgate::ledger
