#include "db/sqlite.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <random>

#include "core/file_io.h"
#include "core/sha256.h"

namespace prodgate::db {
namespace {

namespace fs = std::filesystem;

// Columns per prodgate_row_enc call: below SQLite's limit of 127 function arguments.
constexpr size_t kColumnsPerCall = 100;

std::string Quote(std::string_view identifier) {
  std::string q = "\"";
  for (char c : identifier) {
    if (c == '"') q.push_back('"');
    q.push_back(c);
  }
  q.push_back('"');
  return q;
}

std::string_view PrimaryCodeName(int rc) {
  switch (rc & 0xFF) {
    case SQLITE_ERROR:
      return "SQLITE_ERROR";
    case SQLITE_PERM:
      return "SQLITE_PERM";
    case SQLITE_BUSY:
      return "SQLITE_BUSY";
    case SQLITE_LOCKED:
      return "SQLITE_LOCKED";
    case SQLITE_NOMEM:
      return "SQLITE_NOMEM";
    case SQLITE_READONLY:
      return "SQLITE_READONLY";
    case SQLITE_IOERR:
      return "SQLITE_IOERR";
    case SQLITE_CORRUPT:
      return "SQLITE_CORRUPT";
    case SQLITE_FULL:
      return "SQLITE_FULL";
    case SQLITE_CANTOPEN:
      return "SQLITE_CANTOPEN";
    case SQLITE_CONSTRAINT:
      return "SQLITE_CONSTRAINT";
    case SQLITE_MISMATCH:
      return "SQLITE_MISMATCH";
    case SQLITE_NOTADB:
      return "SQLITE_NOTADB";
    case SQLITE_RANGE:
      return "SQLITE_RANGE";
    default:
      return "SQLITE_ERROR";
  }
}

// SQLite URI path: '%', '?' and '#' end or change the path, so they are percent-encoded,
// as is anything outside printable ASCII.
std::string UriPath(const std::string& path) {
  std::string out;
  for (unsigned char c : path) {
    if (c == '%' || c == '?' || c == '#' || c <= 0x20 || c >= 0x7F) {
      out += fmt::format("%{:02X}", c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

class Stmt {
 public:
  Stmt() = default;
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(Stmt&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept {
    std::swap(s_, o.s_);
    return *this;
  }
  sqlite3_stmt* get() const { return s_; }

 private:
  sqlite3_stmt* s_ = nullptr;
};

ValueRef ColumnValue(sqlite3_stmt* s, int i) {
  switch (sqlite3_column_type(s, i)) {
    case SQLITE_INTEGER:
      return ValueRef::Integer(sqlite3_column_int64(s, i));
    case SQLITE_FLOAT:
      return ValueRef::Real(sqlite3_column_double(s, i));
    case SQLITE_TEXT: {
      // column_text before column_bytes: the byte count is that of the UTF-8 form.
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
      int n = sqlite3_column_bytes(s, i);
      return ValueRef::Text(std::string_view(p ? p : "", static_cast<size_t>(n)));
    }
    case SQLITE_BLOB: {
      const auto* p = static_cast<const char*>(sqlite3_column_blob(s, i));
      int n = sqlite3_column_bytes(s, i);
      return ValueRef::Blob(std::string_view(p ? p : "", static_cast<size_t>(n)));
    }
    default:
      return ValueRef::Null();
  }
}

void AppendSqliteValue(std::string& out, sqlite3_value* v) {
  switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
      AppendValue(out, ValueRef::Integer(sqlite3_value_int64(v)));
      return;
    case SQLITE_FLOAT:
      AppendValue(out, ValueRef::Real(sqlite3_value_double(v)));
      return;
    case SQLITE_TEXT: {
      const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
      int n = sqlite3_value_bytes(v);
      AppendValue(out, ValueRef::Text(std::string_view(p ? p : "", static_cast<size_t>(n))));
      return;
    }
    case SQLITE_BLOB: {
      const auto* p = static_cast<const char*>(sqlite3_value_blob(v));
      int n = sqlite3_value_bytes(v);
      AppendValue(out, ValueRef::Blob(std::string_view(p ? p : "", static_cast<size_t>(n))));
      return;
    }
    default:
      AppendValue(out, ValueRef::Null());
  }
}

// prodgate_row_digest(c1, …, cn) = SHA256('R' enc(c1) … enc(cn))
void RowDigestFunction(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  auto* buf = static_cast<std::string*>(sqlite3_user_data(ctx));
  buf->assign(1, 'R');
  for (int i = 0; i < argc; ++i) AppendSqliteValue(*buf, argv[i]);
  Digest d = Sha256Of(*buf);
  sqlite3_result_blob(ctx, d.data(), static_cast<int>(d.size()), SQLITE_TRANSIENT);
}

// prodgate_row_enc(c1, …, cn) = enc(c1) … enc(cn), as a blob
void RowEncFunction(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  auto* buf = static_cast<std::string*>(sqlite3_user_data(ctx));
  buf->clear();
  for (int i = 0; i < argc; ++i) AppendSqliteValue(*buf, argv[i]);
  sqlite3_result_blob64(ctx, buf->data(), buf->size(), SQLITE_TRANSIENT);
}

// prodgate_row_digest_parts(e1, …, em) = SHA256('R' e1 … em) for blobs from prodgate_row_enc
void RowDigestPartsFunction(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  auto* buf = static_cast<std::string*>(sqlite3_user_data(ctx));
  buf->assign(1, 'R');
  for (int i = 0; i < argc; ++i) {
    const auto* p = static_cast<const char*>(sqlite3_value_blob(argv[i]));
    buf->append(p ? p : "", static_cast<size_t>(sqlite3_value_bytes(argv[i])));
  }
  Digest d = Sha256Of(*buf);
  sqlite3_result_blob(ctx, d.data(), static_cast<int>(d.size()), SQLITE_TRANSIENT);
}

int Utf8BytesCollation(void*, int na, const void* a, int nb, const void* b) {
  int n = std::min(na, nb);
  int c = n == 0 ? 0 : std::memcmp(a, b, static_cast<size_t>(n));
  if (c != 0) return c;
  return na - nb;
}

// The expression that yields the row digest of `columns`, per logical_hash.h.
std::string RowDigestExpression(const std::vector<std::string>& columns) {
  auto list = [](auto begin, auto end) {
    std::string s;
    for (auto it = begin; it != end; ++it) {
      if (!s.empty()) s += ", ";
      s += Quote(*it);
    }
    return s;
  };
  if (columns.size() <= kColumnsPerCall) {
    return fmt::format("prodgate_row_digest({})", list(columns.begin(), columns.end()));
  }
  std::string parts;
  for (size_t i = 0; i < columns.size(); i += kColumnsPerCall) {
    size_t end = std::min(columns.size(), i + kColumnsPerCall);
    if (!parts.empty()) parts += ", ";
    parts += fmt::format("prodgate_row_enc({})", list(columns.begin() + i, columns.begin() + end));
  }
  return fmt::format("prodgate_row_digest_parts({})", parts);
}

// The first byte of the statement proper: past whitespace, `--` and `/* */` comments, so that
// a line number points at the statement and not at the comment above it.
const char* SkipSpaceAndComments(const char* p, const char* end) {
  while (p < end) {
    if (std::isspace(static_cast<unsigned char>(*p))) {
      ++p;
    } else if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
      while (p < end && *p != '\n') ++p;
    } else if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
      p += 2;
      while (end - p >= 2 && !(p[0] == '*' && p[1] == '/')) ++p;
      p = std::min(end, p + 2);
    } else {
      break;
    }
  }
  return p;
}

bool IsStatTable(std::string_view name) {
  return name == "sqlite_stat1" || name == "sqlite_stat2" || name == "sqlite_stat3" ||
         name == "sqlite_stat4";
}

bool NameLess(const std::string& a, const std::string& b) { return a < b; }  // byte order

class SqliteCursor : public RowCursor {
 public:
  SqliteCursor(sqlite3* db, std::string what, Stmt stmt, int key_offset, size_t key_count,
               int value_offset, std::vector<std::string> key_names, bool digest)
      : db_(db),
        what_(std::move(what)),
        stmt_(std::move(stmt)),
        key_offset_(key_offset),
        key_count_(key_count),
        value_offset_(value_offset),
        key_names_(std::move(key_names)),
        digest_(digest) {}

  Result<bool> Next() override {
    int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return Status::BadInput(
        fmt::format("{}: reading failed: {} ({})", what_, sqlite3_errmsg(db_), PrimaryCodeName(rc)),
        "the database could not be read completely, so nothing was compared; check it with "
        "`sqlite3 FILE 'PRAGMA integrity_check'`");
  }
  size_t key_size() const override { return key_count_; }
  ValueRef key(size_t i) const override {
    return ColumnValue(stmt_.get(), key_offset_ + static_cast<int>(i));
  }
  const std::vector<std::string>& key_names() const override { return key_names_; }
  ValueRef value(size_t i) const override {
    return ColumnValue(stmt_.get(), value_offset_ + static_cast<int>(i));
  }
  std::string_view row_digest() const override {
    if (!digest_) return {};
    return ColumnValue(stmt_.get(), 0).bytes;
  }

 private:
  sqlite3* db_;
  std::string what_;
  Stmt stmt_;
  int key_offset_;
  size_t key_count_;
  int value_offset_;
  std::vector<std::string> key_names_;
  bool digest_;
};

// Buffers rows and inserts them `batch` at a time with one multi-row INSERT: the per-statement
// work (and an AUTOINCREMENT table's sqlite_sequence read and write) is paid once per batch.
// Values are copied into an arena reused across batches. When a batch fails, its rows are
// inserted one by one so that the error names the row that broke the constraint.
class SqliteRowWriter : public RowWriter {
 public:
  SqliteRowWriter(sqlite3* db, std::string what, Stmt one, Stmt many, size_t columns, size_t batch)
      : db_(db),
        what_(std::move(what)),
        one_(std::move(one)),
        many_(std::move(many)),
        columns_(columns),
        batch_(batch),
        values_(columns * batch) {}

  void Set(size_t i, const ValueRef& v) override {
    Slot& s = values_[pending_ * columns_ + i];
    s.type = v.type;
    s.integer = v.integer;
    s.real = v.real;
    if (v.type == ValueType::kText || v.type == ValueType::kBlob) s.bytes.assign(v.bytes);
  }

  Status AddRow() override {
    ++written_;
    if (++pending_ < batch_) return Status::Ok();
    return Flush();
  }

  Status Finish() override { return Flush(); }

 private:
  struct Slot {
    ValueType type = ValueType::kNull;
    int64_t integer = 0;
    double real = 0;
    std::string bytes;
  };

  static void Bind(sqlite3_stmt* s, int at, const Slot& v) {
    switch (v.type) {
      case ValueType::kNull:
        sqlite3_bind_null(s, at);
        break;
      case ValueType::kInteger:
        sqlite3_bind_int64(s, at, v.integer);
        break;
      case ValueType::kReal:
        sqlite3_bind_double(s, at, v.real);
        break;
      case ValueType::kText:
        sqlite3_bind_text64(s, at, v.bytes.data(), v.bytes.size(), SQLITE_STATIC, SQLITE_UTF8);
        break;
      case ValueType::kBlob:
        sqlite3_bind_blob64(s, at, v.bytes.data(), v.bytes.size(), SQLITE_STATIC);
        break;
    }
  }

  int Step(sqlite3_stmt* s) {
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc;
  }

  Status Flush() {
    size_t n = pending_;
    pending_ = 0;
    if (n == 0) return Status::Ok();
    if (n == batch_ && batch_ > 1) {
      for (size_t i = 0; i < n * columns_; ++i)
        Bind(many_.get(), static_cast<int>(i) + 1, values_[i]);
      if (Step(many_.get()) == SQLITE_DONE) return Status::Ok();
    }
    for (size_t r = 0; r < n; ++r) {
      for (size_t c = 0; c < columns_; ++c) {
        Bind(one_.get(), static_cast<int>(c) + 1, values_[r * columns_ + c]);
      }
      int rc = Step(one_.get());
      if (rc != SQLITE_DONE) {
        return Status::BadInput(fmt::format("{}: insert of row {} failed: {} ({})", what_,
                                            written_ - n + r + 1, sqlite3_errmsg(db_),
                                            PrimaryCodeName(rc)));
      }
    }
    return Status::Ok();
  }

  sqlite3* db_;
  std::string what_;
  Stmt one_, many_;
  size_t columns_, batch_;
  std::vector<Slot> values_;
  size_t pending_ = 0;
  uint64_t written_ = 0;
};

class SqliteDatabase : public Database {
 public:
  SqliteDatabase(Identity id, OpenMode mode) : id_(std::move(id)), mode_(mode) {}
  ~SqliteDatabase() override {
    Close();
    if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
  }

  Status Open(const std::string& path);

  const Identity& identity() const override { return id_; }
  Result<Schema> Introspect() override;
  Result<LogicalHash> Hash(const HashOptions& options) override;
  Result<std::unique_ptr<RowCursor>> Scan(const RowScan& scan) override;
  Result<uint64_t> CountRows(std::string_view table) override;
  Status BeginRead() override;
  Status EndRead() override;
  Status Snapshot(const std::string& path) override;
  Status Restore(const std::string& path) override;
  Status DiscardSnapshot(const std::string& path) override;
  Result<std::vector<Sequence>> Sequences() override {
    PG_ASSIGN_OR_RETURN(Schema schema, Introspect());
    return ReadSequences(schema);
  }
  Status Execute(std::string_view sql) override;
  Result<std::unique_ptr<RowWriter>> Insert(std::string_view table,
                                            const std::vector<std::string>& columns) override;
  Status Finish() override;

 private:
  void Close() {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = nullptr;
  }
  bool Writable() const { return mode_ != OpenMode::kReadOnly; }
  // "<target>: <context>: <SQLite's message> (<code>)"; `context` may already name the target.
  Status Error(std::string_view context, int rc) const {
    std::string where(context);
    if (!where.starts_with(id_.target + ":")) where = id_.target + ": " + where;
    return Status::BadInput(fmt::format(
        "{}: {} ({})", where, db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc), PrimaryCodeName(rc)));
  }
  Status NotOpen() const {
    return Status::Internal(fmt::format("{}: the database is already finished", id_.target));
  }
  Result<Stmt> Prepare(std::string_view sql, std::string_view context) const;
  Status Exec(const char* sql, std::string_view context) const;
  Result<std::vector<std::vector<Value>>> Rows(std::string_view sql, std::string_view context,
                                               const std::vector<std::string>& params = {}) const;
  Result<Table> IntrospectTable(const std::string& name, bool without_rowid, bool strict) const;
  std::string KeyOrderBy(const Table& t) const;
  Result<TableHash> HashTable(const Table& t) const;
  Result<std::vector<Sequence>> ReadSequences(const Schema& schema) const;
  std::string TableContext(const std::string& table) const {
    return fmt::format("{}: table \"{}\"", id_.target, table);
  }

  Identity id_;
  OpenMode mode_;
  sqlite3* db_ = nullptr;
  bool utf8_ = true;
  bool in_read_ = false;
  std::string temp_path_;  // kCreate/kReplace until Finish()
  // Scratch buffers for the SQL functions (one connection, one thread).
  std::string digest_buf_, enc_buf_, parts_buf_;
};

// A read transaction that ends (rolls back) on every return path unless it was not ours.
class ReadScope {
 public:
  explicit ReadScope(Database& db) : db_(db) {}
  Status Begin() {
    Status s = db_.BeginRead();
    owned_ = s.ok();
    return s;
  }
  Status End() {
    if (!owned_) return Status::Ok();
    owned_ = false;
    return db_.EndRead();
  }
  ~ReadScope() {
    if (owned_) (void)db_.EndRead();
  }

 private:
  Database& db_;
  bool owned_ = false;
};

Status SqliteDatabase::Open(const std::string& path) {
  std::string uri_mode;
  std::string open_path = path;
  int flags = SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
  switch (mode_) {
    case OpenMode::kReadOnly:
      uri_mode = "ro";
      flags |= SQLITE_OPEN_READONLY;
      break;
    case OpenMode::kReadWrite:
      uri_mode = "rw";
      flags |= SQLITE_OPEN_READWRITE;
      break;
    case OpenMode::kCreate:
    case OpenMode::kReplace: {
      // A fresh file nobody else can see yet, put in place by Finish().
      std::random_device rd;
      fs::path p(path);
      temp_path_ = (p.parent_path() / fmt::format(".{}.prodgate-tmp-{}-{:08x}",
                                                  p.filename().string(), ::getpid(), rd()))
                       .string();
      open_path = temp_path_;
      uri_mode = "rwc";
      flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
      break;
    }
  }
  std::string uri = "file:" + UriPath(open_path) + "?mode=" + uri_mode;
  int rc = sqlite3_open_v2(uri.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = Error("cannot open", rc);
    Close();
    return s;
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 5000);
  struct Fn {
    const char* name;
    void (*fn)(sqlite3_context*, int, sqlite3_value**);
    std::string* buf;
  };
  for (const Fn& f : {Fn{"prodgate_row_digest", RowDigestFunction, &digest_buf_},
                      Fn{"prodgate_row_enc", RowEncFunction, &enc_buf_},
                      Fn{"prodgate_row_digest_parts", RowDigestPartsFunction, &parts_buf_}}) {
    rc = sqlite3_create_function_v2(db_, f.name, -1,
                                    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, f.buf,
                                    f.fn, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return Error("cannot register a function", rc);
  }
  rc = sqlite3_create_collation_v2(db_, "prodgate_utf8", SQLITE_UTF8, nullptr, Utf8BytesCollation,
                                   nullptr);
  if (rc != SQLITE_OK) return Error("cannot register a collation", rc);

  if (mode_ == OpenMode::kCreate || mode_ == OpenMode::kReplace) {
    // Journal and sync off while the file is private; Finish() makes it a normal database.
    PG_RETURN_IF_ERROR(
        Exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
             "PRAGMA cache_size=-16384; PRAGMA locking_mode=EXCLUSIVE",
             "cannot prepare the new database"));
  }
  // Reading the catalog is the first read of the file: a file that is not a database fails
  // here, with SQLite's "file is not a database", not later in the middle of a report.
  PG_ASSIGN_OR_RETURN(auto enc, Rows("PRAGMA encoding", "cannot read the database"));
  utf8_ = !enc.empty() && enc[0][0].bytes == "UTF-8";
  PG_RETURN_IF_ERROR(
      Rows("SELECT count(*) FROM sqlite_schema", "cannot read the database").status());
  return Status::Ok();
}

Result<Stmt> SqliteDatabase::Prepare(std::string_view sql, std::string_view context) const {
  if (db_ == nullptr) return NotOpen();
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), 0, &s, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(s);
    return Error(context, rc);
  }
  return Stmt(s);
}

Status SqliteDatabase::Exec(const char* sql, std::string_view context) const {
  if (db_ == nullptr) return NotOpen();
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Error(context, rc);
  return Status::Ok();
}

Result<std::vector<std::vector<Value>>> SqliteDatabase::Rows(
    std::string_view sql, std::string_view context, const std::vector<std::string>& params) const {
  PG_ASSIGN_OR_RETURN(Stmt stmt, Prepare(sql, context));
  for (size_t i = 0; i < params.size(); ++i) {
    sqlite3_bind_text64(stmt.get(), static_cast<int>(i) + 1, params[i].data(), params[i].size(),
                        SQLITE_TRANSIENT, SQLITE_UTF8);
  }
  std::vector<std::vector<Value>> rows;
  int n = sqlite3_column_count(stmt.get());
  while (true) {
    int rc = sqlite3_step(stmt.get());
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return Error(context, rc);
    std::vector<Value> row;
    row.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) row.emplace_back(ColumnValue(stmt.get(), i));
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<Table> SqliteDatabase::IntrospectTable(const std::string& name, bool without_rowid,
                                              bool strict) const {
  std::string context = TableContext(name) + ": cannot read its columns";
  PG_ASSIGN_OR_RETURN(auto cols, Rows("SELECT name, type, \"notnull\", pk, hidden FROM "
                                      "pragma_table_xinfo(?1, 'main') ORDER BY cid",
                                      context, {name}));
  Table t;
  t.name = name;
  t.without_rowid = without_rowid;
  t.strict = strict;
  std::vector<std::pair<int, std::string>> pk;
  for (const auto& c : cols) {
    int64_t hidden = c[4].integer;
    if (hidden == 1) continue;  // a hidden column of a virtual table
    Column col;
    col.name = c[0].bytes;
    col.declared_type = c[1].bytes;
    col.not_null = c[2].integer != 0;
    col.pk_position = static_cast<int>(c[3].integer);
    col.generated = hidden == 2 || hidden == 3;
    if (col.pk_position > 0) pk.emplace_back(col.pk_position, col.name);
    t.columns.push_back(std::move(col));
  }
  if (t.columns.empty()) {
    return Status::BadInput(TableContext(name) + ": SQLite reports no columns for it");
  }
  std::sort(pk.begin(), pk.end());
  for (const auto& [pos, col] : pk) t.key.push_back(col);

  if (without_rowid) {
    t.key_kind = KeyKind::kPrimaryKey;
    return t;
  }
  if (pk.empty()) {
    t.key_kind = KeyKind::kNone;
    t.no_key_reason = "no PRIMARY KEY";
    return t;
  }
  // A rowid table's PRIMARY KEY is the rowid itself exactly when SQLite made no index for
  // it (INTEGER PRIMARY KEY; not "INT", not "INTEGER PRIMARY KEY DESC").
  PG_ASSIGN_OR_RETURN(auto indexes,
                      Rows("SELECT origin FROM pragma_index_list(?1, 'main') WHERE origin = 'pk'",
                           TableContext(name) + ": cannot read its indexes", {name}));
  if (indexes.empty() && pk.size() == 1) {
    t.key_kind = KeyKind::kRowid;
    return t;
  }
  for (const auto& k : t.key) {
    if (!t.FindColumn(k)->not_null) {
      t.key_kind = KeyKind::kNone;
      t.no_key_reason = fmt::format(
          "PRIMARY KEY column \"{}\" allows NULL (declare it NOT NULL to key the table)", k);
      t.key.clear();
      return t;
    }
  }
  t.key_kind = KeyKind::kPrimaryKey;
  return t;
}

Result<Schema> SqliteDatabase::Introspect() {
  ReadScope scope(*this);
  if (!in_read_) PG_RETURN_IF_ERROR(scope.Begin());
  Schema schema;
  std::string context = id_.target + ": cannot read the schema";
  PG_ASSIGN_OR_RETURN(auto list, Rows("SELECT name, type, wr, strict FROM pragma_table_list "
                                      "WHERE schema = 'main'",
                                      context));
  std::vector<std::string> excluded_names;
  for (const auto& row : list) {
    const std::string& name = row[0].bytes;
    const std::string& type = row[1].bytes;
    bool wr = row[2].integer != 0, strict = row[3].integer != 0;
    if (name == "sqlite_schema") continue;
    if (type == "view") continue;  // schema only
    if (type == "virtual") {
      schema.excluded.push_back(
          {name,
           "virtual table: its content lives in its shadow tables (hashed) or outside the "
           "file"});
      continue;
    }
    if (type != "table" && type != "shadow") {
      return Status::BadInput(
          fmt::format("{}: object \"{}\" has the unknown kind \"{}\"", id_.target, name, type),
          "prodgate does not know whether it holds content, so it refuses to hash the database");
    }
    if (name == "sqlite_sequence" || IsStatTable(name)) {
      PG_ASSIGN_OR_RETURN(Table t, IntrospectTable(name, wr, strict));
      if (name == "sqlite_sequence") {
        schema.has_sequences = true;
      } else {
        schema.excluded.push_back({name, "statistics written by ANALYZE"});
        excluded_names.push_back(name);
      }
      schema.internal_tables.push_back(std::move(t));
      continue;
    }
    PG_ASSIGN_OR_RETURN(Table t, IntrospectTable(name, wr, strict));
    schema.tables.push_back(std::move(t));
  }
  std::sort(schema.tables.begin(), schema.tables.end(),
            [](const Table& a, const Table& b) { return NameLess(a.name, b.name); });
  std::sort(schema.excluded.begin(), schema.excluded.end(),
            [](const Excluded& a, const Excluded& b) { return NameLess(a.name, b.name); });

  PG_ASSIGN_OR_RETURN(auto objects,
                      Rows("SELECT type, name, tbl_name, sql FROM sqlite_schema", context));
  for (auto& o : objects) {
    const std::string& name = o[1].bytes;
    if (name == "sqlite_sequence" ||
        std::find(excluded_names.begin(), excluded_names.end(), name) != excluded_names.end()) {
      continue;
    }
    SchemaObject obj{o[0].bytes, name, o[2].bytes, std::nullopt};
    if (o[3].type != ValueType::kNull) obj.sql = o[3].bytes;
    schema.objects.push_back(std::move(obj));
  }
  // The header fields an application reads to know what the file means: a migration tool's
  // schema version (user_version) and the file's kind (application_id). Listed when set, so
  // a database that never set them digests as before.
  for (const char* pragma : {"application_id", "user_version"}) {
    PG_ASSIGN_OR_RETURN(auto rows, Rows(fmt::format("PRAGMA main.{}", pragma), context));
    int64_t value = rows.empty() || rows[0].empty() ? 0 : rows[0][0].integer;
    if (value != 0) {
      schema.objects.push_back({"pragma", pragma, "", std::to_string(value)});
    }
  }
  std::sort(schema.objects.begin(), schema.objects.end(),
            [](const SchemaObject& a, const SchemaObject& b) {
              return a.name != b.name ? NameLess(a.name, b.name) : NameLess(a.type, b.type);
            });
  PG_RETURN_IF_ERROR(scope.End());
  return schema;
}

std::string SqliteDatabase::KeyOrderBy(const Table& t) const {
  std::string order;
  for (const auto& k : t.key) {
    if (!order.empty()) order += ", ";
    order += Quote(k);
    if (t.key_kind != KeyKind::kRowid)
      order += utf8_ ? " COLLATE BINARY" : " COLLATE prodgate_utf8";
  }
  return order;
}

Result<TableHash> SqliteDatabase::HashTable(const Table& t) const {
  std::string context = TableContext(t.name);
  std::vector<std::string> names = t.ColumnNames();
  if (t.key_kind == KeyKind::kNone) {
    std::string sql = fmt::format("SELECT {} AS d FROM main.{} ORDER BY d",
                                  RowDigestExpression(names), Quote(t.name));
    PG_ASSIGN_OR_RETURN(Stmt stmt, Prepare(sql, context + ": cannot read it"));
    MultisetTableHasher hasher(t);
    SqliteCursor cursor(db_, context, std::move(stmt), 0, 0, 0, {}, true);
    while (true) {
      PG_ASSIGN_OR_RETURN(bool more, cursor.Next());
      if (!more) break;
      if (!hasher.AddRowDigest(cursor.row_digest())) {
        return Status::Internal(context + ": row digests did not arrive in ascending order",
                                "report this: the database engine sorted unexpectedly");
      }
    }
    return hasher.Finish();
  }
  std::string select;
  for (const auto& k : t.key) select += Quote(k) + ", ";
  for (size_t i = 0; i < names.size(); ++i) select += (i ? ", " : "") + Quote(names[i]);
  std::string sql =
      fmt::format("SELECT {} FROM main.{} ORDER BY {}", select, Quote(t.name), KeyOrderBy(t));
  PG_ASSIGN_OR_RETURN(Stmt stmt, Prepare(sql, context + ": cannot read it"));
  KeyedTableHasher hasher(t);
  size_t nkey = t.key.size();
  std::vector<ValueRef> key(nkey), values(names.size());
  sqlite3_stmt* s = stmt.get();
  while (true) {
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) {
      return Status::BadInput(fmt::format("{}: reading failed: {} ({})", context,
                                          sqlite3_errmsg(db_), PrimaryCodeName(rc)),
                              "the database could not be read completely, so it has no hash; "
                              "check it with `sqlite3 FILE 'PRAGMA integrity_check'`");
    }
    for (size_t i = 0; i < nkey; ++i) key[i] = ColumnValue(s, static_cast<int>(i));
    for (size_t i = 0; i < values.size(); ++i) {
      values[i] = ColumnValue(s, static_cast<int>(nkey + i));
    }
    if (!hasher.AddRow(key, values)) {
      return Status::BadInput(
          fmt::format("{}: rows did not arrive in strictly ascending key order (key {})", context,
                      ValueLiteral(key[0])),
          "the key is not unique byte for byte, or the engine ordered it by another rule; "
          "nothing was hashed");
    }
  }
  return hasher.Finish();
}

Result<std::vector<Sequence>> SqliteDatabase::ReadSequences(const Schema& schema) const {
  std::vector<Sequence> out;
  if (!schema.has_sequences) return out;
  PG_ASSIGN_OR_RETURN(auto rows, Rows("SELECT name, seq FROM main.sqlite_sequence",
                                      id_.target + ": cannot read sqlite_sequence"));
  for (const auto& r : rows) {
    if (r[0].type != ValueType::kText || r[1].type != ValueType::kInteger) {
      return Status::BadInput(id_.target +
                              ": sqlite_sequence holds a row that is not (name, integer)");
    }
    out.push_back({r[0].bytes, r[1].integer});
  }
  std::sort(out.begin(), out.end(),
            [](const Sequence& a, const Sequence& b) { return NameLess(a.name, b.name); });
  return out;
}

Result<LogicalHash> SqliteDatabase::Hash(const HashOptions& options) {
  ReadScope scope(*this);
  if (!in_read_) PG_RETURN_IF_ERROR(scope.Begin());
  PG_ASSIGN_OR_RETURN(Schema schema, Introspect());
  LogicalHash h;
  h.target = id_.target;
  h.excluded = schema.excluded;
  h.schema = SchemaDigest(schema.objects);
  std::vector<const Table*> selected;
  if (options.tables.empty()) {
    for (const auto& t : schema.tables) selected.push_back(&t);
  } else {
    h.complete = false;
    std::vector<std::string> missing;
    for (const auto& name : options.tables) {
      const Table* t = schema.FindTable(name);
      if (t == nullptr) {
        missing.push_back(name);
      } else if (std::find(selected.begin(), selected.end(), t) == selected.end()) {
        selected.push_back(t);
      }
    }
    if (!missing.empty()) {
      std::vector<std::string> have;
      for (const auto& t : schema.tables) have.push_back(t.name);
      return Status::BadInput(fmt::format("{}: no table {}", id_.target, fmt::join(missing, ", ")),
                              fmt::format("name one of the hashed tables: {}",
                                          have.empty() ? std::string("(none)")
                                                       : fmt::format("{}", fmt::join(have, ", "))));
    }
    std::sort(selected.begin(), selected.end(),
              [](const Table* a, const Table* b) { return NameLess(a->name, b->name); });
  }
  for (const Table* t : selected) {
    PG_ASSIGN_OR_RETURN(TableHash th, HashTable(*t));
    h.tables.push_back(std::move(th));
  }
  PG_ASSIGN_OR_RETURN(h.sequences, ReadSequences(schema));
  if (h.complete) h.root = RootDigest(h.schema, h.tables);
  PG_RETURN_IF_ERROR(scope.End());
  return h;
}

Result<std::unique_ptr<RowCursor>> SqliteDatabase::Scan(const RowScan& scan) {
  PG_ASSIGN_OR_RETURN(Table t, [&]() -> Result<Table> {
    PG_ASSIGN_OR_RETURN(auto list,
                        Rows("SELECT wr, strict FROM pragma_table_list "
                             "WHERE schema = 'main' AND name = ?1",
                             TableContext(scan.table) + ": cannot read it", {scan.table}));
    if (list.empty()) return Status::BadInput(TableContext(scan.table) + ": no such table");
    return IntrospectTable(scan.table, list[0][0].integer != 0, list[0][1].integer != 0);
  }());
  for (const auto& c : scan.columns) {
    if (t.FindColumn(c) == nullptr) {
      return Status::BadInput(fmt::format("{}: no column \"{}\"", TableContext(t.name), c));
    }
  }
  std::string cols;
  for (size_t i = 0; i < scan.columns.size(); ++i) cols += (i ? ", " : "") + Quote(scan.columns[i]);
  std::string context = TableContext(t.name);
  std::vector<std::string> key_names = t.key;
  std::string key_select;
  if (t.key_kind == KeyKind::kNone) {
    key_names.clear();
    if (!t.without_rowid) {
      for (const char* alias : {"rowid", "_rowid_", "oid"}) {
        bool shadowed = false;
        for (const auto& c : t.columns) shadowed |= (strcasecmp(c.name.c_str(), alias) == 0);
        if (!shadowed) {
          key_names.push_back("rowid");
          key_select = std::string(alias);
          break;
        }
      }
    }
  } else {
    for (size_t i = 0; i < t.key.size(); ++i) key_select += (i ? ", " : "") + Quote(t.key[i]);
  }
  std::string sql;
  int key_offset = 0, value_offset = 0;
  bool digest = false;
  auto join = [](std::initializer_list<std::string> parts) {
    std::string s;
    for (const auto& p : parts) {
      if (p.empty()) continue;
      if (!s.empty()) s += ", ";
      s += p;
    }
    return s.empty() ? std::string("NULL") : s;
  };
  switch (scan.order) {
    case RowOrder::kAny:
      sql = fmt::format("SELECT {} FROM main.{}", join({key_select, cols}), Quote(t.name));
      value_offset = static_cast<int>(key_names.size());
      break;
    case RowOrder::kKey:
      if (t.key_kind == KeyKind::kNone) {
        return Status::Internal(context + ": has no usable key to order by (" + t.no_key_reason +
                                ")");
      }
      sql = fmt::format("SELECT {} FROM main.{} ORDER BY {}", join({key_select, cols}),
                        Quote(t.name), KeyOrderBy(t));
      value_offset = static_cast<int>(key_names.size());
      break;
    case RowOrder::kRowDigest:
      digest = true;
      sql = fmt::format("SELECT {} AS d, {} FROM main.{} ORDER BY d",
                        RowDigestExpression(scan.columns), join({key_select, cols}), Quote(t.name));
      key_offset = 1;
      value_offset = 1 + static_cast<int>(key_names.size());
      break;
  }
  PG_ASSIGN_OR_RETURN(Stmt stmt, Prepare(sql, context + ": cannot read it"));
  size_t nkey = key_names.size();
  return std::unique_ptr<RowCursor>(new SqliteCursor(
      db_, context, std::move(stmt), key_offset, nkey, value_offset, std::move(key_names), digest));
}

Result<uint64_t> SqliteDatabase::CountRows(std::string_view table) {
  PG_ASSIGN_OR_RETURN(auto rows,
                      Rows(fmt::format("SELECT count(*) FROM main.{}", Quote(table)),
                           TableContext(std::string(table)) + ": cannot count its rows"));
  return static_cast<uint64_t>(rows.at(0).at(0).integer);
}

Status SqliteDatabase::BeginRead() {
  if (in_read_) return Status::Internal(id_.target + ": a read snapshot is already open");
  PG_RETURN_IF_ERROR(Exec("BEGIN", "cannot begin a read transaction"));
  // A deferred transaction takes its snapshot at the first read: take it now.
  Status s = Rows("SELECT count(*) FROM sqlite_schema", "cannot begin a read transaction").status();
  if (!s.ok()) {
    (void)Exec("ROLLBACK", "rollback");
    return s;
  }
  in_read_ = true;
  return Status::Ok();
}

Status SqliteDatabase::EndRead() {
  if (!in_read_) return Status::Ok();
  in_read_ = false;
  return Exec("ROLLBACK", "cannot end the read transaction");
}

// Makes `temp` appear at `final_path`: refusing to replace unless `replace`, then syncs
// the directory so the new name survives a crash.
Status PutInPlace(const std::string& temp, const std::string& final_path, bool replace) {
  {
    UniqueFd fd(::open(temp.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid() || ::fsync(fd.get()) != 0) {
      return Status::Internal(fmt::format("{}: cannot sync: {}", temp, ErrnoText(errno)));
    }
  }
  if (replace) {
    if (::rename(temp.c_str(), final_path.c_str()) != 0) {
      return Status::Internal(
          fmt::format("cannot move the new database to {}: {}", final_path, ErrnoText(errno)));
    }
  } else {
    // link(2) fails when the name exists: no window in which another file is replaced.
    if (::link(temp.c_str(), final_path.c_str()) != 0) {
      int err = errno;
      return Status::BadInput(fmt::format("cannot create {}: {}", final_path, ErrnoText(err)),
                              err == EEXIST ? "it exists; remove it or ask to replace it" : "");
    }
    ::unlink(temp.c_str());
  }
  std::string dir = fs::path(final_path).parent_path().string();
  UniqueFd dfd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.valid()) ::fsync(dfd.get());
  return Status::Ok();
}

Status SqliteDatabase::Snapshot(const std::string& path) {
  if (db_ == nullptr) return NotOpen();
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    return Status::BadInput(fmt::format("snapshot {}: the file exists", path),
                            "choose a new path; a snapshot never overwrites a file");
  }
  std::random_device rd;
  fs::path p(path);
  std::string temp = (p.parent_path() / fmt::format(".{}.prodgate-tmp-{}-{:08x}",
                                                    p.filename().string(), ::getpid(), rd()))
                         .string();
  sqlite3* dest = nullptr;
  std::string uri = "file:" + UriPath(temp) + "?mode=rwc";
  int rc = sqlite3_open_v2(uri.c_str(), &dest,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, nullptr);
  auto fail = [&](std::string what) {
    std::string msg = fmt::format("snapshot of {} to {}: {}: {}", id_.target, path, what,
                                  dest ? sqlite3_errmsg(dest) : sqlite3_errstr(rc));
    sqlite3_close_v2(dest);
    ::unlink(temp.c_str());
    return Status::BadInput(msg);
  };
  if (rc != SQLITE_OK) return fail("cannot create the file");
  sqlite3_backup* b = sqlite3_backup_init(dest, "main", db_, "main");
  if (b == nullptr) return fail("cannot start the backup");
  rc = sqlite3_backup_step(b, -1);
  int frc = sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE || frc != SQLITE_OK) {
    return fail(fmt::format("the copy failed ({})", PrimaryCodeName(rc == SQLITE_DONE ? frc : rc)));
  }
  rc = sqlite3_close_v2(dest);
  dest = nullptr;
  if (rc != SQLITE_OK) return fail("cannot close the copy");
  Status s = PutInPlace(temp, path, /*replace=*/false);
  if (!s.ok()) ::unlink(temp.c_str());
  return s;
}

Status SqliteDatabase::DiscardSnapshot(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Status::Internal(
        fmt::format("cannot remove the snapshot {}: {}", path, std::strerror(errno)));
  }
  return Status::Ok();
}

Status SqliteDatabase::Restore(const std::string& path) {
  if (db_ == nullptr) return NotOpen();
  if (mode_ != OpenMode::kReadWrite) {
    return Status::Internal(id_.target + ": restore needs the target opened read-write");
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::BadInput(
        fmt::format("restore {} from {}: no such snapshot file", id_.target, path));
  }
  sqlite3* src = nullptr;
  std::string uri = "file:" + UriPath(path) + "?mode=ro";
  int rc = sqlite3_open_v2(uri.c_str(), &src, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr);
  auto fail = [&](std::string what, sqlite3* err_db) {
    std::string msg = fmt::format("restore {} from {}: {}: {}", id_.target, path, what,
                                  err_db ? sqlite3_errmsg(err_db) : sqlite3_errstr(rc));
    sqlite3_close_v2(src);
    return Status::BadInput(msg);
  };
  if (rc != SQLITE_OK) return fail("cannot open the snapshot", src);
  sqlite3_backup* b = sqlite3_backup_init(db_, "main", src, "main");
  if (b == nullptr) return fail("cannot start the restore", db_);
  rc = sqlite3_backup_step(b, -1);
  int frc = sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE || frc != SQLITE_OK) {
    return fail(fmt::format("the copy failed ({})", PrimaryCodeName(rc == SQLITE_DONE ? frc : rc)),
                db_);
  }
  sqlite3_close_v2(src);
  return Status::Ok();
}

Status SqliteDatabase::Execute(std::string_view sql) {
  if (db_ == nullptr) return NotOpen();
  if (!Writable()) return Status::Internal(id_.target + ": opened read-only; cannot run SQL on it");
  const char* begin = sql.data();
  const char* end = sql.data() + sql.size();
  const char* at = begin;
  while (at < end) {
    sqlite3_stmt* s = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(db_, at, static_cast<int>(end - at), &s, &tail);
    auto line = [&](const char* p) { return 1 + std::count(begin, p, '\n'); };
    if (rc != SQLITE_OK) {
      sqlite3_finalize(s);
      return Error(fmt::format("SQL at line {}", line(at)), rc);
    }
    if (s == nullptr) break;  // only whitespace or comments remain
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    }
    const char* stmt_start = SkipSpaceAndComments(at, tail);
    at = tail;
    if (rc != SQLITE_DONE) {
      Status st = Error(fmt::format("statement at line {} failed", line(stmt_start)), rc);
      sqlite3_finalize(s);
      return st;
    }
    sqlite3_finalize(s);
  }
  return Status::Ok();
}

Result<std::unique_ptr<RowWriter>> SqliteDatabase::Insert(std::string_view table,
                                                          const std::vector<std::string>& columns) {
  if (!Writable()) return Status::Internal(id_.target + ": opened read-only; cannot insert");
  if (columns.empty()) return Status::Internal(id_.target + ": an insert needs columns");
  // Rows per statement: enough to amortize the statement, few enough for short SQL.
  size_t batch = std::max<size_t>(1, std::min<size_t>(64, 2000 / columns.size()));
  std::string cols, row;
  for (size_t i = 0; i < columns.size(); ++i) {
    cols += (i ? ", " : "") + Quote(columns[i]);
    row += i ? ", ?" : "(?";
  }
  row += ")";
  std::string rows = row;
  for (size_t i = 1; i < batch; ++i) rows += ", " + row;
  std::string context = TableContext(std::string(table));
  std::string head = fmt::format("INSERT INTO main.{} ({}) VALUES ", Quote(table), cols);
  PG_ASSIGN_OR_RETURN(Stmt one, Prepare(head + row, context + ": cannot prepare the insert"));
  PG_ASSIGN_OR_RETURN(Stmt many, Prepare(head + rows, context + ": cannot prepare the insert"));
  return std::unique_ptr<RowWriter>(
      new SqliteRowWriter(db_, context, std::move(one), std::move(many), columns.size(), batch));
}

Status SqliteDatabase::Finish() {
  if (temp_path_.empty()) return Status::Ok();
  if (db_ == nullptr) return NotOpen();
  PG_RETURN_IF_ERROR(Exec("PRAGMA journal_mode=DELETE; PRAGMA locking_mode=NORMAL",
                          "cannot finish the new database"));
  int rc = sqlite3_close_v2(db_);
  db_ = nullptr;
  if (rc != SQLITE_OK) return Error("cannot close the new database", rc);
  PG_RETURN_IF_ERROR(PutInPlace(temp_path_, id_.path, mode_ == OpenMode::kReplace));
  temp_path_.clear();
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& target, const std::string& path,
                                             OpenMode mode) {
  Identity id;
  id.engine = "sqlite";
  id.target = target;
  struct stat st;
  bool exists = ::stat(path.c_str(), &st) == 0;
  int err = errno;
  if (mode == OpenMode::kReadOnly || mode == OpenMode::kReadWrite) {
    if (!exists) {
      return Status::BadInput(
          fmt::format("{}: no database at {}: {}", target, path, ErrnoText(err)),
          "check the path; prodgate never creates a database it was asked to read");
    }
    if (!S_ISREG(st.st_mode)) {
      return Status::BadInput(fmt::format("{}: {} is not a regular file", target, path));
    }
    char* real = ::realpath(path.c_str(), nullptr);
    if (real == nullptr) {
      return Status::BadInput(
          fmt::format("{}: cannot resolve {}: {}", target, path, ErrnoText(errno)));
    }
    id.path = real;
    std::free(real);
    id.device = st.st_dev;
    id.inode = st.st_ino;
  } else {
    struct stat lst;
    if (::lstat(path.c_str(), &lst) == 0) {
      if (mode == OpenMode::kCreate) {
        return Status::BadInput(fmt::format("{}: {} exists", target, path),
                                "choose a new path, or ask to replace the file (--force)");
      }
      if (!S_ISREG(lst.st_mode)) {
        return Status::BadInput(fmt::format(
            "{}: {} exists and is not a regular file; it is not replaced", target, path));
      }
    }
    fs::path p(path);
    std::string dir = p.parent_path().empty() ? "." : p.parent_path().string();
    char* real = ::realpath(dir.c_str(), nullptr);
    if (real == nullptr) {
      return Status::BadInput(
          fmt::format("{}: cannot use directory {}: {}", target, dir, ErrnoText(errno)));
    }
    id.path = (fs::path(real) / p.filename()).string();
    std::free(real);
  }
  auto db = std::make_unique<SqliteDatabase>(std::move(id), mode);
  PG_RETURN_IF_ERROR(db->Open(path));
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace prodgate::db
