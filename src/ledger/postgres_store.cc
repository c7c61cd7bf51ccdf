// The PostgreSQL ledger store: one chain for a team, appended to by many processes on many
// hosts. Same interface and semantics as the SQLite store (sqlite_store.cc).
//
// Location: a "postgresql://…" / "postgres://…" URI or a libpq keyword string, handed to libpq
// as given. The store adds client_encoding=UTF8 (always), and connect_timeout=10 and
// application_name "prodgate" unless the location sets them.
//
// Schema "prodgate" (format "prodgate.ledger/1"):
//   events(seq BIGINT PRIMARY KEY, hash TEXT UNIQUE, prev TEXT, kind TEXT, doc TEXT)
//     doc: the canonical JSON of the whole event; the other columns repeat it for lookups
//     and are checked against it on every read. Index events_kind(kind, seq).
//   projections(tbl, id, doc)      current state, written in each append's transaction: a
//                                  cache for display, never authority (store.h)
//   meta(key, value)               format; breakglass_role once provisioned
// and the functions every writer goes through (kFunctions):
//   prodgate.lock_head()           takes the ledger's write lock, returns the head
//   prodgate.append(doc, preimage) appends one event, refusing it unless its seq is the
//                                  head's + 1, its prev the head's hash, its hash the SHA-256
//                                  of the preimage, and the doc the preimage plus hash and sig
//   prodgate.refuse_rewrite()      the trigger behind events_append_only (BEFORE UPDATE OR
//                                  DELETE, per row) and events_no_truncate (BEFORE TRUNCATE),
//                                  both ENABLE ALWAYS: only a role granted the break-glass
//                                  role named in meta passes, whatever its privileges (a
//                                  superuser too, unless it drops the triggers)
// The append function is SECURITY DEFINER: on a provisioned ledger (ProvisionPostgresLedger)
// the tables and functions belong to a NOLOGIN owner role, writers may only EXECUTE the two
// functions, read events and meta, and write the projections cache, so no writer can change
// or remove an event, by privileges and by the triggers. Protection() reports what the
// connected role could do beyond appending.
// Documents are TEXT, never jsonb: jsonb reorders keys and renormalizes numbers and strings,
// and the chain hashes bytes. Keys are COLLATE "C", so every ORDER BY is a byte order, as in
// SQLite and std::map. The database must be UTF8 (checked on open): the bytes we store are
// the bytes we read back.
//
// Serialization. Every write transaction (append, projection rebuild) begins with
//   BEGIN ISOLATION LEVEL READ COMMITTED, READ WRITE;
//   SET LOCAL synchronous_commit = on; SET LOCAL lock_timeout = …;
//   SELECT * FROM prodgate.lock_head()
// which locks the format row of prodgate.meta (SELECT … FOR UPDATE, as the function's owner)
// and reads the head only after that row lock is granted. The lock is held to COMMIT or
// ROLLBACK, so appends run one at a time. READ COMMITTED takes a fresh snapshot for every
// statement, and PostgreSQL makes a transaction's commit visible before it releases its locks,
// so every statement after the lock (the head read, all that prepare() reads, the projection
// writes) sees every append committed before ours, and no other append can commit until ours
// ends. Hence: the head we chain onto is the last committed event, nobody else can write its
// successor (no fork), nothing committed is skipped (no lost event), and prepare() decides on
// the state as of that head. seq PRIMARY KEY and hash UNIQUE reject a fork even from a writer
// that bypasses the lock: its commit fails and writes nothing.
//   READ COMMITTED is set, never taken from default_transaction_isolation: under REPEATABLE
// READ the snapshot is taken by the lock statement before it waits, and the head read would
// miss the append it waited for.
//   Why not SERIALIZABLE with retry: any two appends conflict (both read the head and write
// its successor), so under contention SSI aborts all but one, often only at COMMIT, after
// prepare() ran and the event was signed; the caller would have to run prepare (which need
// not be idempotent) and its signer (a person or an agent holding a key) again, in a retry
// storm where a queue does the same work in order. SSI also guarantees nothing about
// transactions that run at another level, and its coarse predicate locks abort even
// non-conflicting work. A lock waits instead of failing, and the wait is bounded.
//   Why a row lock rather than pg_advisory_xact_lock: both serialize; the row lock belongs to
// this ledger's own table, so no other application's advisory key can collide with it; it
// is taken through lock_head(), which only writers may execute, so a reader cannot stall the
// appenders; it
// shows in pg_locks against prodgate.meta; and it checks the ledger's format under the lock.
// It costs one tuple-lock WAL record per append, small beside the commit flush. (Creating
// the schema, when no row exists yet, serializes on a transaction-level advisory lock.)
//
// Durability: synchronous_commit = on is set in every write transaction, whatever the
// server's default: COMMIT returns only when the commit record is flushed (and, with
// synchronous standbys, flushed there too). A write that fails, or a COMMIT the server does
// not confirm, is returned as an error; the caller then refuses to act.
//
// A connection lost between operations is re-established at the start of the next one,
// never inside a transaction.
#include "ledger/postgres_store.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <map>

#include "core/redact.h"

namespace prodgate::ledger {
namespace {

constexpr std::string_view kLedgerFormat = "prodgate.ledger/1";
// Made when missing; concurrent creators serialize on kCreateLockKey.
constexpr const char* kSchema = R"sql(
CREATE SCHEMA IF NOT EXISTS prodgate;
CREATE TABLE IF NOT EXISTS prodgate.meta(
  key TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS prodgate.events(
  seq BIGINT PRIMARY KEY, hash TEXT COLLATE "C" NOT NULL UNIQUE, prev TEXT COLLATE "C" NOT NULL,
  kind TEXT COLLATE "C" NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_kind ON prodgate.events(kind, seq);
CREATE TABLE IF NOT EXISTS prodgate.projections(
  tbl TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, doc TEXT NOT NULL,
  PRIMARY KEY(tbl, id));
INSERT INTO prodgate.meta VALUES('format', 'prodgate.ledger/1') ON CONFLICT (key) DO NOTHING;
)sql";

// The bodies of the ledger's functions. Protection() compares the installed bodies with these,
// byte for byte: a function changed behind prodgate is not the ledger it promises.
constexpr const char* kLockHeadBody = R"sql(
BEGIN
  PERFORM 1 FROM prodgate.meta WHERE key = 'format' AND value = 'prodgate.ledger/1' FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'prodgate: this database holds no prodgate.ledger/1' USING ERRCODE = '22023';
  END IF;
  RETURN QUERY SELECT e.seq, e.hash FROM prodgate.events e ORDER BY e.seq DESC LIMIT 1;
END
)sql";
constexpr const char* kAppendBody = R"sql(
DECLARE
  head_seq bigint;
  head_hash text;
  pre jsonb := p_preimage::jsonb;
  d jsonb := p_doc::jsonb;
  h text := encode(sha256(convert_to(p_preimage, 'UTF8')), 'hex');
  s bigint := (pre->>'seq')::bigint;
BEGIN
  PERFORM 1 FROM prodgate.meta WHERE key = 'format' FOR UPDATE;
  SELECT e.seq, e.hash INTO head_seq, head_hash FROM prodgate.events e ORDER BY e.seq DESC LIMIT 1;
  IF head_seq IS NULL THEN
    head_seq := 0;
    head_hash := repeat('0', 64);
  END IF;
  IF s IS DISTINCT FROM head_seq + 1 OR pre->>'prev' IS DISTINCT FROM head_hash THEN
    RAISE EXCEPTION 'prodgate: event % does not follow the head (event %)', s, head_seq
      USING ERRCODE = '23514';
  END IF;
  IF d->>'hash' IS DISTINCT FROM h OR (d - 'hash' - 'sig') IS DISTINCT FROM pre THEN
    RAISE EXCEPTION 'prodgate: event % is not its preimage with its hash', s
      USING ERRCODE = '23514';
  END IF;
  INSERT INTO prodgate.events(seq, hash, prev, kind, doc)
    VALUES (s, h, pre->>'prev', pre->>'kind', p_doc);
  RETURN s;
END
)sql";
constexpr const char* kRefuseRewriteBody = R"sql(
DECLARE
  glass text;
BEGIN
  SELECT value INTO glass FROM prodgate.meta WHERE key = 'breakglass_role';
  -- Granted membership only: pg_has_role would count every superuser as a member.
  IF glass IS NOT NULL AND EXISTS (
       SELECT 1 FROM pg_catalog.pg_auth_members m
       JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
       JOIN pg_catalog.pg_roles u ON u.oid = m.member
       WHERE g.rolname = glass AND u.rolname = session_user) THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'prodgate: % on prodgate.events is refused: the ledger is append-only', TG_OP
    USING ERRCODE = '42501',
          HINT = 'only a member of the break-glass role may change history';
END
)sql";

std::string FunctionsSql() {
  return fmt::format(
      "CREATE OR REPLACE FUNCTION prodgate.lock_head() RETURNS TABLE(seq bigint, hash text) "
      "LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $pg${}$pg$;\n"
      "CREATE OR REPLACE FUNCTION prodgate.append(p_doc text, p_preimage text) RETURNS bigint "
      "LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $pg${}$pg$;\n"
      "CREATE OR REPLACE FUNCTION prodgate.refuse_rewrite() RETURNS trigger "
      "LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $pg${}$pg$;\n"
      "DROP TRIGGER IF EXISTS events_append_only ON prodgate.events;\n"
      "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON prodgate.events "
      "FOR EACH ROW EXECUTE FUNCTION prodgate.refuse_rewrite();\n"
      "DROP TRIGGER IF EXISTS events_no_truncate ON prodgate.events;\n"
      "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON prodgate.events "
      "FOR EACH STATEMENT EXECUTE FUNCTION prodgate.refuse_rewrite();\n"
      "ALTER TABLE prodgate.events ENABLE ALWAYS TRIGGER events_append_only;\n"
      "ALTER TABLE prodgate.events ENABLE ALWAYS TRIGGER events_no_truncate;\n",
      kLockHeadBody, kAppendBody, kRefuseRewriteBody);
}
// pg_advisory_xact_lock key for creating the schema: "prodgate" in ASCII.
constexpr const char* kCreateLockKey = "8102661156614796389";
// Events read per query by ForEachEvent.
constexpr int64_t kEventBatch = 1000;

int BusyTimeoutMs() {
  // As in the SQLite store: tests shorten the wait for a locked ledger; a shorter wait only
  // fails sooner (closed).
  if (const char* v = std::getenv("PRODGATE_BUSY_TIMEOUT_MS")) {
    int ms = std::atoi(v);
    if (ms > 0) return ms;
  }
  return 30000;
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

std::string FirstLine(std::string_view s) {
  size_t end = s.find('\n');
  return std::string(s.substr(0, end));
}

std::optional<int64_t> ParseInt64(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

class PostgresLedger;

class PostgresProjections : public ProjectionTxn {
 public:
  explicit PostgresProjections(PostgresLedger& l) : l_(l) {}
  Result<std::optional<Json>> Get(std::string_view table, std::string_view id) override;
  Result<ProjectionEntries> Entries(std::string_view table) override;
  Status Put(std::string_view table, std::string_view id, const Json& doc) override;
  Status Remove(std::string_view table, std::string_view id) override;

 private:
  PostgresLedger& l_;
};

class PostgresLedger : public LedgerStore {
 public:
  PostgresLedger(PGconn* conn, std::string location)
      : conn_(conn), location_(std::move(location)) {}
  ~PostgresLedger() override { PQfinish(conn_); }

  Status Init(bool create) {
    // server_encoding is reported by the server at connection start.
    const char* encoding = PQparameterStatus(conn_, "server_encoding");
    if (encoding == nullptr || std::string_view(encoding) != "UTF8") {
      return Status::BadInput(
          fmt::format("ledger {}: the database's encoding is {}, not UTF8: the ledger's "
                      "documents would not be stored byte for byte",
                      location_, encoding ? encoding : "unknown"),
          "create the ledger's database with ENCODING 'UTF8'");
    }
    if (create && !ReadFormat().ok()) PG_RETURN_IF_ERROR(CreateOnce());
    PG_RETURN_IF_ERROR(ReadFormat());
    return EnsureFunctions();
  }

  Result<Event> Append(const PrepareFn& prepare, const ProjectFn& project) override {
    PG_RETURN_IF_ERROR(BeginWrite());
    auto result = AppendInTransaction(prepare, project);
    if (!result.ok()) {
      Rollback();
      return result.status();
    }
    Status commit = Commit();
    if (!commit.ok()) return AfterFailedCommit(*result, commit);
    return result;
  }

  Result<Head> ReadHead() override {
    PG_ASSIGN_OR_RETURN(PgResult r, Run("SELECT seq, hash FROM prodgate.events ORDER BY seq DESC "
                                        "LIMIT 1",
                                        {}, "reading the head"));
    if (PQntuples(r.get()) == 0) return Head{};
    auto seq = ParseInt64(PQgetvalue(r.get(), 0, 0));
    if (!seq) return Corrupt(0, "the head's seq is not a number");
    auto hash = DigestFromHex(PQgetvalue(r.get(), 0, 1));
    if (!hash) return Corrupt(*seq, "hash column is not a digest");
    return Head{*seq, *hash};
  }

  Result<int64_t> CountEvents(int64_t up_to) override {
    PG_ASSIGN_OR_RETURN(PgResult r, Run("SELECT count(*) FROM prodgate.events WHERE seq <= $1",
                                        {std::to_string(up_to)}, "counting events"));
    auto n = ParseInt64(PQgetvalue(r.get(), 0, 0));
    if (!n) return Status::Internal(fmt::format("ledger {}: counting events failed", location_));
    return *n;
  }

  // Reads in batches, each its own query, so that `fn` may use the store. Events do not change
  // once written; a ledger edited during the walk is what the walk's checks report.
  Status ForEachEvent(int64_t from, int64_t to,
                      const std::function<Status(const Event&)>& fn) override {
    int64_t next = from;
    while (next <= to) {
      PG_ASSIGN_OR_RETURN(
          PgResult r,
          Run("SELECT seq, hash, prev, kind, doc FROM prodgate.events WHERE seq BETWEEN $1 AND $2 "
              "ORDER BY seq LIMIT $3",
              {std::to_string(next), std::to_string(to), std::to_string(kEventBatch)},
              "reading events"));
      int rows = PQntuples(r.get());
      for (int i = 0; i < rows; ++i) {
        PG_ASSIGN_OR_RETURN(Event e, RowToEvent(r.get(), i));
        PG_RETURN_IF_ERROR(fn(e));
        next = e.seq + 1;
      }
      if (rows < kEventBatch) break;
    }
    return Status::Ok();
  }

  Result<std::optional<Event>> EventAt(int64_t seq) override {
    PG_ASSIGN_OR_RETURN(PgResult r,
                        Run("SELECT seq, hash, prev, kind, doc FROM prodgate.events WHERE seq = $1",
                            {std::to_string(seq)}, "reading an event"));
    return OneEvent(r.get());
  }

  Result<std::optional<Event>> EventWithHash(const Digest& hash) override {
    PG_ASSIGN_OR_RETURN(
        PgResult r, Run("SELECT seq, hash, prev, kind, doc FROM prodgate.events WHERE hash = $1",
                        {ToHex(hash)}, "reading an event"));
    return OneEvent(r.get());
  }

  Result<std::vector<Event>> EventsOfKind(std::string_view kind) override {
    PG_ASSIGN_OR_RETURN(
        PgResult r, Run("SELECT seq, hash, prev, kind, doc FROM prodgate.events WHERE kind = $1 "
                        "ORDER BY seq",
                        {std::string(kind)}, "reading events by kind"));
    std::vector<Event> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      PG_ASSIGN_OR_RETURN(Event e, RowToEvent(r.get(), i));
      out.push_back(std::move(e));
    }
    return out;
  }

  Result<std::optional<Json>> GetProjection(std::string_view table, std::string_view id) override {
    PostgresProjections p(*this);
    return p.Get(table, id);
  }
  Result<ProjectionEntries> ListProjection(std::string_view table) override {
    PostgresProjections p(*this);
    return p.Entries(table);
  }

  Result<ProjectionTables> AllProjections() override {
    PG_ASSIGN_OR_RETURN(PgResult r, Run("SELECT tbl, id, doc FROM prodgate.projections "
                                        "ORDER BY tbl, id",
                                        {}, "reading projections"));
    ProjectionTables out;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      std::string table = PQgetvalue(r.get(), i, 0), id = PQgetvalue(r.get(), i, 1);
      PG_ASSIGN_OR_RETURN(Json doc,
                          ParseDoc(PQgetvalue(r.get(), i, 2), "projection " + table + "/" + id));
      out[table][id] = std::move(doc);
    }
    return out;
  }

  Status ReplaceProjections(const ProjectionTables& tables) override {
    PG_RETURN_IF_ERROR(BeginWrite());
    Status s = [&]() -> Status {
      PG_RETURN_IF_ERROR(
          Run("DELETE FROM prodgate.projections", {}, "replacing projections").status());
      PostgresProjections p(*this);
      for (const auto& [table, docs] : tables) {
        for (const auto& [id, doc] : docs) PG_RETURN_IF_ERROR(p.Put(table, id, doc));
      }
      return Status::Ok();
    }();
    if (!s.ok()) {
      Rollback();
      return s;
    }
    return Commit();
  }

  Result<LedgerProtection> Protection() override;

  std::string location() const override { return location_; }

  // Runs `sql`, prepared once per connection, with text parameters; `doing` names the step
  // in the error.
  Result<PgResult> Run(const std::string& sql, const std::vector<std::string>& params,
                       std::string_view doing) {
    PG_RETURN_IF_ERROR(Ready());
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
      std::string name = fmt::format("prodgate_{}", prepared_.size());
      PgResult p(
          PQprepare(conn_, name.c_str(), sql.c_str(), static_cast<int>(params.size()), nullptr));
      if (!p || PQresultStatus(p.get()) != PGRES_COMMAND_OK) return Error(doing, p.get());
      it = prepared_.emplace(sql, std::move(name)).first;
    }
    std::vector<const char*> values;
    for (const auto& v : params) values.push_back(v.c_str());
    PgResult r(PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(values.size()),
                              values.data(), nullptr, nullptr, 0));
    ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return Error(doing, r.get());
    return r;
  }

  Status Error(std::string_view doing, const PGresult* r) {
    const char* primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string message = primary ? primary : FirstLine(PQerrorMessage(conn_));
    return Status::Internal(fmt::format("ledger {}: {} failed: {}", location_, doing, message),
                            FixFor(state ? state : ""));
  }

  Result<Json> ParseDoc(const std::string& text, const std::string& what) {
    auto j = ParseJson(text, NumberPolicy::kIntegersOnly, what);
    if (!j.ok()) {
      return Status::BadInput(fmt::format("ledger {}: {}", location_, j.status().what()),
                              "the ledger was edited or damaged; run prodgate ledger verify");
    }
    return j;
  }

 private:
  std::string FixFor(std::string_view sqlstate) {
    if (PQstatus(conn_) == CONNECTION_BAD || sqlstate.starts_with("08") ||
        sqlstate.starts_with("57P")) {
      return "check that the ledger's PostgreSQL server is running and reachable, then try again";
    }
    if (sqlstate == "42501") {
      return "the role lacks a privilege on the ledger: on a provisioned ledger, grant it the "
             "writer role (prodgate ledger provision … --writer ROLE); otherwise grant it EXECUTE "
             "on prodgate.append and prodgate.lock_head, SELECT on the tables of schema prodgate "
             "and INSERT, UPDATE, DELETE on prodgate.projections";
    }
    if (sqlstate == "55P03" || sqlstate == "57014") {
      return "another prodgate holds the ledger; try again";
    }
    if (sqlstate == "25006") return "point --ledger at the primary server: this one is read-only";
    if (sqlstate == "53100") return "free disk space on the PostgreSQL server";
    return "check the PostgreSQL server's log; the ledger was left as it was";
  }

  // Reconnects a connection lost since the last operation; never inside a transaction.
  Status Ready() {
    if (PQstatus(conn_) == CONNECTION_OK) return Status::Ok();
    if (in_write_) return Error("continuing the transaction", nullptr);
    PQreset(conn_);
    prepared_.clear();
    if (PQstatus(conn_) != CONNECTION_OK) return Error("reconnecting", nullptr);
    return Status::Ok();
  }

  // Runs a script of statements (no parameters) and checks the last result.
  Status Exec(std::string_view doing, const std::string& sql) {
    PG_RETURN_IF_ERROR(Ready());
    PgResult r(PQexec(conn_, sql.c_str()));
    ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      Status s = Error(doing, r.get());
      Rollback();
      return s;
    }
    return Status::Ok();
  }

  Status ReadFormat() {
    PgResult r(PQexec(conn_, "SELECT value FROM prodgate.meta WHERE key = 'format'"));
    ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    const char* state = r ? PQresultErrorField(r.get(), PG_DIAG_SQLSTATE) : nullptr;
    std::string_view sqlstate = state ? state : "";
    if (sqlstate == "3F000" || sqlstate == "42P01") {  // no schema, no table
      return Status::BadInput(
          fmt::format("no prodgate ledger in {} (schema prodgate has no table meta)", location_),
          "point --ledger at the database that holds the team's ledger");
    }
    if (st != PGRES_TUPLES_OK) return Error("reading the ledger's format", r.get());
    if (PQntuples(r.get()) != 1 || PQgetvalue(r.get(), 0, 0) != kLedgerFormat) {
      return Status::BadInput(
          fmt::format("{} is not a prodgate ledger ({})", location_, kLedgerFormat),
          "point --ledger at the database that holds the team's ledger");
    }
    return Status::Ok();
  }

  // Opens a write transaction holding the ledger's lock (see the top of this file).
  Status BeginWrite() {
    if (in_write_) {
      return Status::Internal(
          fmt::format("ledger {}: a write began inside another write on one connection", location_),
          "write to the ledger from prepare() and project() only through the ProjectionTxn");
    }
    PG_RETURN_IF_ERROR(Ready());
    int ms = BusyTimeoutMs();
    std::string sql = fmt::format(
        "BEGIN ISOLATION LEVEL READ COMMITTED, READ WRITE;"
        "SET LOCAL synchronous_commit = on;"
        "SET LOCAL lock_timeout = {}; SET LOCAL idle_in_transaction_session_timeout = {};"
        "SELECT * FROM prodgate.lock_head()",
        ms, 2 * ms);
    PgResult r(PQexec(conn_, sql.c_str()));
    if (!r || PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
      Status s = Error("taking the ledger's write lock", r.get());
      Rollback();
      return s;
    }
    in_write_ = true;
    return Status::Ok();
  }

  // Creates the schema unless another creator did while this one waited for the advisory
  // lock: a second creation would take its triggers' locks under the first's appenders.
  Status CreateOnce() {
    PG_RETURN_IF_ERROR(Exec("creating the ledger's tables",
                            fmt::format("BEGIN ISOLATION LEVEL READ COMMITTED, READ WRITE;"
                                        "SET LOCAL synchronous_commit = on;"
                                        "SELECT pg_advisory_xact_lock({})",
                                        kCreateLockKey)));
    auto yes = [&](const char* sql) {
      PgResult r(PQexec(conn_, sql));
      return r && PQresultStatus(r.get()) == PGRES_TUPLES_OK && PQntuples(r.get()) == 1 &&
             std::string_view(PQgetvalue(r.get(), 0, 0)) == "t";
    };
    // Two statements: the second is planned only once the first says its table exists.
    bool exists = yes("SELECT to_regclass('prodgate.meta') IS NOT NULL") &&
                  yes("SELECT EXISTS (SELECT 1 FROM prodgate.meta WHERE key = 'format')");
    return Exec(
        "creating the ledger's tables",
        exists ? std::string("COMMIT") : fmt::format("{} {} COMMIT", kSchema, FunctionsSql()));
  }

  // Installs the ledger's functions into a ledger made before they existed, when this role may
  // (it owns the schema); otherwise says who must.
  Status EnsureFunctions() {
    PgResult r(PQexec(conn_,
                      "SELECT to_regprocedure('prodgate.append(text,text)') IS NOT NULL AND "
                      "to_regprocedure('prodgate.lock_head()') IS NOT NULL"));
    if (!r || PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
      return Error("looking for the ledger's functions", r.get());
    }
    if (std::string_view(PQgetvalue(r.get(), 0, 0)) == "t") return Status::Ok();
    Status s = Exec("installing the ledger's functions",
                    fmt::format("BEGIN ISOLATION LEVEL READ COMMITTED, READ WRITE;"
                                "SELECT pg_advisory_xact_lock({}); {} COMMIT",
                                kCreateLockKey, FunctionsSql()));
    if (!s.ok()) {
      return Status::BadInput(
          fmt::format("ledger {} was made by an earlier prodgate and lacks its append function, "
                      "which this role cannot install: {}",
                      location_, s.what()),
          "have the ledger's owner run `prodgate ledger provision` on it");
    }
    return Status::Ok();
  }

  // The COMMIT of `e` failed: the event is looked up by its hash, on a new connection when
  // this one is gone. There: written, not confirmed (unknown outcome). Not there: not written.
  Result<Event> AfterFailedCommit(const Event& e, const Status& commit) {
    // EventWithHash reconnects a lost connection first (Ready).
    return FailedCommit(location_, e, commit, EventWithHash(e.hash));
  }

  Status Commit() {
    PgResult r(PQexec(conn_, "COMMIT"));
    in_write_ = false;
    if (r && PQresultStatus(r.get()) == PGRES_COMMAND_OK &&
        std::string_view(PQcmdStatus(r.get())) == "COMMIT") {
      return Status::Ok();
    }
    if (PQstatus(conn_) == CONNECTION_BAD) {
      return Status::Internal(
          fmt::format("ledger {}: the server did not confirm the commit ({}): the write may or "
                      "may not be in the ledger",
                      location_, FirstLine(PQerrorMessage(conn_))),
          "do not act on it; run prodgate ledger verify and look at the head");
    }
    Status s = r && PQresultStatus(r.get()) == PGRES_COMMAND_OK
                   ? Status::Internal(
                         fmt::format("ledger {}: the transaction was rolled back, not committed",
                                     location_),
                         "check the PostgreSQL server's log; the ledger was left as it was")
                   : Error("committing", r.get());
    Rollback();
    return s;
  }

  // After a failure the original error is what the caller reports; a failed ROLLBACK (a lost
  // connection) leaves the transaction to the server, which rolls it back when the session ends.
  void Rollback() {
    in_write_ = false;
    if (PQstatus(conn_) != CONNECTION_OK) return;
    PGTransactionStatusType t = PQtransactionStatus(conn_);
    if (t == PQTRANS_INTRANS || t == PQTRANS_INERROR) PQclear(PQexec(conn_, "ROLLBACK"));
  }

  Status Corrupt(int64_t seq, const std::string& what) {
    return Status::BadInput(fmt::format("ledger {}: event {}: {}", location_, seq, what),
                            "the ledger was edited or damaged; run prodgate ledger verify");
  }

  Result<Event> RowToEvent(const PGresult* r, int row) {
    auto seq = ParseInt64(PQgetvalue(r, row, 0));
    if (!seq) return Corrupt(0, "a seq column is not a number");
    PG_ASSIGN_OR_RETURN(Json doc, ParseDoc(PQgetvalue(r, row, 4), fmt::format("event {}", *seq)));
    auto e = Event::FromJson(doc);
    if (!e.ok()) return Corrupt(*seq, e.status().what());
    if (e->seq != *seq || ToHex(e->hash) != PQgetvalue(r, row, 1) ||
        ToHex(e->prev) != PQgetvalue(r, row, 2) || e->kind != PQgetvalue(r, row, 3)) {
      return Corrupt(*seq, "its columns disagree with its document");
    }
    return e;
  }

  Result<std::optional<Event>> OneEvent(const PGresult* r) {
    if (PQntuples(r) == 0) return std::optional<Event>();
    PG_ASSIGN_OR_RETURN(Event e, RowToEvent(r, 0));
    return std::optional<Event>(std::move(e));
  }

  Result<Event> AppendInTransaction(const PrepareFn& prepare, const ProjectFn& project) {
    PG_ASSIGN_OR_RETURN(Head head, ReadHead());
    if (head.seq > 0) {
      // Never chain onto a head that does not hash to itself.
      PG_ASSIGN_OR_RETURN(std::optional<Event> last, EventAt(head.seq));
      if (!last) return Corrupt(head.seq, "the head event cannot be read");
      PG_ASSIGN_OR_RETURN(Digest recomputed, ComputeEventHash(*last));
      if (recomputed != last->hash) {
        return Corrupt(head.seq, "the head event does not hash to its recorded hash");
      }
    }
    PostgresProjections txn(*this);
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
    PG_RETURN_IF_ERROR(
        Run("SELECT prodgate.append($1, $2)", {doc, preimage}, "appending an event").status());
    PG_RETURN_IF_ERROR(project(e, txn));
    return e;
  }

  PGconn* conn_;
  std::string location_;
  bool in_write_ = false;
  std::map<std::string, std::string> prepared_;  // sql -> prepared statement name
};

Result<std::optional<Json>> PostgresProjections::Get(std::string_view table, std::string_view id) {
  PG_ASSIGN_OR_RETURN(PgResult r,
                      l_.Run("SELECT doc FROM prodgate.projections WHERE tbl = $1 AND id = $2",
                             {std::string(table), std::string(id)}, "reading a projection"));
  if (PQntuples(r.get()) == 0) return std::optional<Json>();
  PG_ASSIGN_OR_RETURN(
      Json doc, l_.ParseDoc(PQgetvalue(r.get(), 0, 0), fmt::format("projection {}/{}", table, id)));
  return std::optional<Json>(std::move(doc));
}

Result<ProjectionEntries> PostgresProjections::Entries(std::string_view table) {
  PG_ASSIGN_OR_RETURN(PgResult r,
                      l_.Run("SELECT id, doc FROM prodgate.projections WHERE tbl = $1 ORDER BY id",
                             {std::string(table)}, "listing projections"));
  ProjectionEntries out;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    std::string id = PQgetvalue(r.get(), i, 0);
    PG_ASSIGN_OR_RETURN(Json doc, l_.ParseDoc(PQgetvalue(r.get(), i, 1),
                                              fmt::format("projection {}/{}", table, id)));
    out.emplace_back(std::move(id), std::move(doc));
  }
  return out;
}

Status PostgresProjections::Put(std::string_view table, std::string_view id, const Json& doc) {
  PG_ASSIGN_OR_RETURN(std::string text, CanonicalJson(doc, NumberPolicy::kIntegersOnly));
  return l_
      .Run(
          "INSERT INTO prodgate.projections(tbl, id, doc) VALUES($1, $2, $3) "
          "ON CONFLICT (tbl, id) DO UPDATE SET doc = EXCLUDED.doc",
          {std::string(table), std::string(id), text}, "writing a projection")
      .status();
}

Status PostgresProjections::Remove(std::string_view table, std::string_view id) {
  return l_
      .Run("DELETE FROM prodgate.projections WHERE tbl = $1 AND id = $2",
           {std::string(table), std::string(id)}, "removing a projection")
      .status();
}

// Identifiers a provisioned ledger names: the role prefix and the login roles it grants.
bool PlainIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 48 ||
      !(std::islower(static_cast<unsigned char>(s[0])) || s[0] == '_'))
    return false;
  for (char c : s) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '_')) {
      return false;
    }
  }
  return true;
}

Result<LedgerProtection> PostgresLedger::Protection() {
  LedgerProtection p;
  p.kind = LedgerKind::kPostgresUnprotected;
  const char* host = PQhost(conn_);
  const char* port = PQport(conn_);
  const char* db = PQdb(conn_);
  p.identity =
      fmt::format("host={} port={} dbname={}", host ? host : "", port ? port : "", db ? db : "");
  PG_ASSIGN_OR_RETURN(
      PgResult r,
      Run("SELECT current_user, r.rolsuper, pg_has_role(current_user, c.relowner, 'MEMBER'), "
          "has_table_privilege(current_user, c.oid, 'UPDATE'), "
          "has_table_privilege(current_user, c.oid, 'DELETE'), "
          "has_table_privilege(current_user, c.oid, 'TRUNCATE'), "
          "o.rolname, o.rolcanlogin, "
          "(SELECT count(*) FROM pg_catalog.pg_auth_members m WHERE m.roleid = c.relowner), "
          "(SELECT string_agg(t.tgname || ':' || t.tgenabled::text || ':' || "
          "t.tgfoid::regproc::text, "
          "',' ORDER BY t.tgname) FROM pg_catalog.pg_trigger t "
          " WHERE t.tgrelid = c.oid AND NOT t.tgisinternal), "
          "(SELECT value FROM prodgate.meta WHERE key = 'breakglass_role'), "
          "(SELECT f.prosrc FROM pg_catalog.pg_proc f "
          " WHERE f.oid = to_regprocedure('prodgate.append(text,text)') "
          "   AND f.prosecdef AND f.proowner = c.relowner), "
          "(SELECT f.prosrc FROM pg_catalog.pg_proc f "
          " WHERE f.oid = to_regprocedure('prodgate.lock_head()') "
          "   AND f.prosecdef AND f.proowner = c.relowner), "
          "(SELECT f.prosrc FROM pg_catalog.pg_proc f "
          " WHERE f.oid = to_regprocedure('prodgate.refuse_rewrite()')) "
          "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_roles o ON o.oid = c.relowner, "
          "pg_catalog.pg_roles r "
          "WHERE c.oid = 'prodgate.events'::regclass AND r.rolname = current_user",
          {}, "reading the ledger's privileges"));
  if (PQntuples(r.get()) != 1) {
    return Status::Internal(
        fmt::format("ledger {}: cannot read the privileges of this role", location_));
  }
  auto text = [&](int col) -> std::string {
    return PQgetisnull(r.get(), 0, col) ? "" : PQgetvalue(r.get(), 0, col);
  };
  auto flag = [&](int col) { return text(col) == "t"; };
  const std::string role = text(0), owner = text(6), glass = text(10);
  if (flag(1)) {
    p.gaps.push_back(fmt::format(
        "role {} is a superuser: it can disable the ledger's triggers and rewrite its events",
        role));
  }
  if (flag(2)) {
    p.gaps.push_back(fmt::format(
        "role {} owns prodgate.events (or is a member of its owner {}): it can drop the "
        "triggers and rewrite history",
        role, owner));
  }
  std::vector<std::string> rights;
  if (flag(3)) rights.push_back("UPDATE");
  if (flag(4)) rights.push_back("DELETE");
  if (flag(5)) rights.push_back("TRUNCATE");
  if (!rights.empty()) {
    p.gaps.push_back(
        fmt::format("role {} holds {} on prodgate.events", role, fmt::join(rights, ", ")));
  }
  if (flag(7)) {
    p.gaps.push_back(fmt::format(
        "the owner role {} can log in: whoever logs in as it can rewrite history", owner));
  }
  if (text(8) != "0") {
    p.gaps.push_back(fmt::format(
        "{} role(s) are members of the owner role {}: each can rewrite history", text(8), owner));
  }
  const std::string triggers = text(9);
  if (triggers.find("events_append_only:A:prodgate.refuse_rewrite") == std::string::npos ||
      triggers.find("events_no_truncate:A:prodgate.refuse_rewrite") == std::string::npos) {
    p.gaps.push_back(fmt::format(
        "the append-only triggers of prodgate.events are missing or not ENABLE ALWAYS ({})",
        text(9).empty() ? std::string("none") : text(9)));
  }
  if (text(11) != kAppendBody || text(12) != kLockHeadBody || text(13) != kRefuseRewriteBody) {
    p.gaps.push_back(
        "the ledger's functions (prodgate.append, lock_head, refuse_rewrite) are not the ones "
        "prodgate installs, or not SECURITY DEFINER functions of the table's owner");
  }
  if (glass.empty()) {
    p.gaps.push_back(
        "the ledger was never provisioned (no break-glass role): run `prodgate "
        "ledger provision` as the database's administrator");
  } else {
    PG_ASSIGN_OR_RETURN(
        PgResult g, Run("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1) AND "
                        "pg_has_role(current_user, $1, 'MEMBER')",
                        {glass}, "reading the break-glass role"));
    if (std::string_view(PQgetvalue(g.get(), 0, 0)) == "t") {
      p.gaps.push_back(fmt::format(
          "role {} is a member of the break-glass role {}: it may change history", role, glass));
    }
  }
  if (p.gaps.empty()) p.kind = LedgerKind::kPostgresProtected;
  return p;
}

void IgnoreNotice(void*, const char*) {}

}  // namespace

bool IsPostgresLocation(std::string_view location) {
  if (location.starts_with("postgresql:") || location.starts_with("postgres:")) return true;
  size_t i = 0;
  while (i < location.size() && std::isspace(static_cast<unsigned char>(location[i]))) ++i;
  size_t word = i;
  while (i < location.size() &&
         (std::isalnum(static_cast<unsigned char>(location[i])) || location[i] == '_')) {
    ++i;
  }
  if (i == word) return false;
  while (i < location.size() && std::isspace(static_cast<unsigned char>(location[i]))) ++i;
  return i < location.size() && location[i] == '=';
}

Result<ProvisionReport> ProvisionPostgresLedger(std::string_view location,
                                                const ProvisionOptions& options) {
  if (!PlainIdentifier(options.prefix)) {
    return Status::BadInput(
        fmt::format("role prefix \"{}\" is not a plain identifier", options.prefix),
        "use lower-case letters, digits and '_' (e.g. prodgate)");
  }
  for (const auto* list : {&options.writers, &options.readers, &options.break_glass}) {
    for (const auto& role : *list) {
      if (!PlainIdentifier(role)) {
        return Status::BadInput(fmt::format("role \"{}\" is not a plain identifier", role),
                                "name an existing login role in lower-case letters, digits and _");
      }
    }
  }
  ProvisionReport out;
  out.owner = options.prefix + "_owner";
  out.writer = options.prefix + "_writer";
  out.reader = options.prefix + "_reader";
  out.break_glass = options.prefix + "_breakglass";
  std::string sql = fmt::format(
      "BEGIN ISOLATION LEVEL READ COMMITTED, READ WRITE; SET LOCAL synchronous_commit = on;\n"
      "SELECT pg_advisory_xact_lock({lock});\n"
      "DO $pg$ BEGIN\n"
      "  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{o}') THEN CREATE ROLE {o} "
      "NOLOGIN; END IF;\n"
      "  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{w}') THEN CREATE ROLE {w} "
      "NOLOGIN; END IF;\n"
      "  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{r}') THEN CREATE ROLE {r} "
      "NOLOGIN; END IF;\n"
      "  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{g}') THEN CREATE ROLE {g} "
      "NOLOGIN; END IF;\n"
      "END $pg$;\n"
      "ALTER ROLE {o} NOLOGIN;\n"
      "{schema}\n{functions}\n"
      "INSERT INTO prodgate.meta VALUES('breakglass_role', '{g}') "
      "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;\n"
      "ALTER SCHEMA prodgate OWNER TO {o};\n"
      "ALTER TABLE prodgate.meta OWNER TO {o};\n"
      "ALTER TABLE prodgate.events OWNER TO {o};\n"
      "ALTER TABLE prodgate.projections OWNER TO {o};\n"
      "ALTER FUNCTION prodgate.lock_head() OWNER TO {o};\n"
      "ALTER FUNCTION prodgate.append(text, text) OWNER TO {o};\n"
      "ALTER FUNCTION prodgate.refuse_rewrite() OWNER TO {o};\n"
      "REVOKE ALL ON SCHEMA prodgate FROM PUBLIC;\n"
      "REVOKE ALL ON ALL TABLES IN SCHEMA prodgate FROM PUBLIC;\n"
      "REVOKE ALL ON ALL FUNCTIONS IN SCHEMA prodgate FROM PUBLIC;\n"
      "REVOKE ALL ON ALL TABLES IN SCHEMA prodgate FROM {w}, {r}, {g};\n"
      "GRANT USAGE ON SCHEMA prodgate TO {w}, {r}, {g};\n"
      "GRANT SELECT ON prodgate.events, prodgate.meta, prodgate.projections TO {w}, {r}, {g};\n"
      "GRANT INSERT, UPDATE, DELETE ON prodgate.projections TO {w};\n"
      "GRANT EXECUTE ON FUNCTION prodgate.lock_head(), prodgate.append(text, text) TO {w};\n"
      "GRANT UPDATE, DELETE, TRUNCATE ON prodgate.events TO {g};\n"
      "GRANT INSERT, UPDATE, DELETE, TRUNCATE ON prodgate.projections TO {g};\n",
      fmt::arg("lock", kCreateLockKey), fmt::arg("o", out.owner), fmt::arg("w", out.writer),
      fmt::arg("r", out.reader), fmt::arg("g", out.break_glass), fmt::arg("schema", kSchema),
      fmt::arg("functions", FunctionsSql()));
  for (const auto& role : options.writers)
    sql += fmt::format("GRANT {} TO {};\n", out.writer, role);
  for (const auto& role : options.readers)
    sql += fmt::format("GRANT {} TO {};\n", out.reader, role);
  for (const auto& role : options.break_glass) {
    sql += fmt::format("GRANT {} TO {};\n", out.break_glass, role);
  }
  sql += "COMMIT;";

  std::string shown = ShownTarget(location);
  std::string conninfo(location);
  // libpq's own parse errors quote the location; ours elide what they quote.
  if (auto parsed = ParseConninfo(conninfo); !parsed.ok()) return parsed.status();
  const char* keywords[] = {"connect_timeout", "fallback_application_name", "dbname",
                            "client_encoding", nullptr};
  const char* values[] = {"10", "prodgate", conninfo.c_str(), "UTF8", nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  std::unique_ptr<PGconn, void (*)(PGconn*)> hold(conn, PQfinish);
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    return Status::BadInput(
        fmt::format("cannot connect to {}: {}", shown,
                    conn ? ScrubMessage(FirstLine(PQerrorMessage(conn)), location, shown)
                         : std::string("out of memory")),
        "connect as the database's administrator (a superuser)");
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  PgResult r(PQexec(conn, sql.c_str()));
  if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
    const char* primary = r ? PQresultErrorField(r.get(), PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    std::string why = primary ? primary : FirstLine(PQerrorMessage(conn));
    PQclear(PQexec(conn, "ROLLBACK"));
    return Status::BadInput(
        fmt::format("provisioning the ledger in {} failed, nothing was changed: {}", shown, why),
        "run it as a superuser of the server, and name login roles that exist");
  }
  out.location = shown;
  return out;
}

Result<std::unique_ptr<LedgerStore>> OpenPostgresLedger(std::string_view location, bool create) {
  std::string shown = ShownTarget(location);
  std::string conninfo(location);
  // libpq's own parse errors quote the location; ours elide what they quote.
  if (auto parsed = ParseConninfo(conninfo); !parsed.ok()) return parsed.status();
  // Later entries override earlier ones; the location (expanded from "dbname") overrides the
  // defaults before it, and nothing overrides the client encoding.
  const char* keywords[] = {"connect_timeout", "fallback_application_name", "dbname",
                            "client_encoding", nullptr};
  const char* values[] = {"10", "prodgate", conninfo.c_str(), "UTF8", nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    std::string why =
        conn ? ScrubMessage(FirstLine(PQerrorMessage(conn)), location, shown) : "out of memory";
    PQfinish(conn);
    return Status::BadInput(fmt::format("cannot connect to the ledger {}: {}", shown, why),
                            "check the location, that the PostgreSQL server is running and "
                            "reachable, and the role's credentials");
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  auto store = std::make_unique<PostgresLedger>(conn, shown);
  PG_RETURN_IF_ERROR(store->Init(create));
  return std::unique_ptr<LedgerStore>(std::move(store));
}

}  // namespace prodgate::ledger
