// A database target behind one interface: SQLite and PostgreSQL (DESIGN.md §2, db/).
//
// Read this header first. A target is named by a string ("sqlite:PATH", "postgresql://…",
// "postgresql:KEYWORDS"; sqlite.h and postgres.h); OpenTarget parses it and returns a
// Database. Everything the rest of prodgate does with a database goes
// through this interface: introspection, the logical hash (logical_hash.h), ordered row
// scans (for the row-level diff, diff.h, and the secret scan of clone/), snapshot and
// restore, running a change script, and bulk-writing rows (the surrogate generator).
//
// An adapter implements the virtual functions; everything engine-independent (the diff,
// the hash encoding, the reports) is written once against them.
//
// Thread-safety: a Database and its cursors and writers belong to one thread. A cursor or
// writer must be destroyed before the Database that made it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "db/logical_hash.h"
#include "db/schema.h"
#include "db/value.h"

namespace prodgate::db {

enum class OpenMode {
  kReadOnly,   // the file must exist; nothing can be written (SQLite: mode=ro;
               // PostgreSQL: default_transaction_read_only)
  kReadWrite,  // the file (database) must exist
  kCreate,     // a new database; refused when the file exists. Written to a temporary file
               // beside it, put in place by Finish(); without Finish() it is removed.
               // PostgreSQL: a temporary database, renamed to the target's dbname by Finish().
  kReplace,    // like kCreate, but Finish() replaces an existing file (atomically); an
               // existing PostgreSQL database is replaced only if it is a prodgate clone
};

// Who a database is, for isolation checks and reports.
struct Identity {
  std::string engine;              // "sqlite" or "postgresql"
  std::string target;              // as given (a PostgreSQL password removed)
  std::string path;                // SQLite: the file's real path (symlinks and ".." resolved)
  uint64_t device = 0, inode = 0;  // SQLite: st_dev and st_ino of the file
  // PostgreSQL: host (or socket directory), port and database as libpq connected, and the
  // cluster's system_identifier (decimal; pg_control_system()).
  std::string host, port, dbname, system_identifier;
};

// Row order of a scan.
enum class RowOrder {
  kAny,        // engine order; cheapest
  kKey,        // by the table's usable key, in key order (db/value.h); keyed tables only
  kRowDigest,  // by the row digest of the scanned columns (logical_hash.h), ascending
};

struct RowScan {
  std::string table;
  std::vector<std::string> columns;  // the values each row returns, in this order
  RowOrder order = RowOrder::kAny;
};

class RowCursor {
 public:
  virtual ~RowCursor() = default;
  // Moves to the next row: true, false at the end, or the error that stopped the scan.
  // Values of the previous row are invalid afterwards.
  virtual Result<bool> Next() = 0;
  // The row's key values, in key order. Keyed tables: the key columns. Keyless tables:
  // an engine locator when one exists (SQLite: the rowid, physical and only good for
  // pointing at the row now), else none.
  virtual size_t key_size() const = 0;
  virtual ValueRef key(size_t i) const = 0;
  // Names of the key values ("rowid" for the SQLite locator).
  virtual const std::vector<std::string>& key_names() const = 0;
  virtual ValueRef value(size_t i) const = 0;  // i < RowScan::columns.size()
  // kRowDigest scans: the 32-byte digest of the row's scanned columns.
  virtual std::string_view row_digest() const = 0;
};

// Bulk insertion into one table, for the surrogate generator. Rows may be buffered and
// written several at a time; Finish writes the rest. Rows not finished are not written.
class RowWriter {
 public:
  virtual ~RowWriter() = default;
  // Sets value i of the next row. Text and blob bytes must stay valid until AddRow returns
  // (the writer copies what it buffers).
  virtual void Set(size_t i, const ValueRef& v) = 0;
  virtual Status AddRow() = 0;
  virtual Status Finish() = 0;
};

class Database {
 public:
  virtual ~Database() = default;

  virtual const Identity& identity() const = 0;

  virtual Result<Schema> Introspect() = 0;
  // The logical hash (logical_hash.h), read in one transaction.
  virtual Result<LogicalHash> Hash(const HashOptions& options = {}) = 0;
  // Rows of one table. Inside BeginRead/EndRead every scan sees the same snapshot.
  virtual Result<std::unique_ptr<RowCursor>> Scan(const RowScan& scan) = 0;
  virtual Result<uint64_t> CountRows(std::string_view table) = 0;

  // A consistent snapshot for several reads (diff, secret scan). Not nestable.
  virtual Status BeginRead() = 0;
  virtual Status EndRead() = 0;

  // The sequences section of the hash (logical_hash.h), read now.
  virtual Result<std::vector<Sequence>> Sequences() = 0;

  // Copies the whole database; `path` is a new file (refused when it exists), written to a
  // temporary file first and renamed into place.
  //   SQLite: the file at `path` is the copy.
  //   PostgreSQL: the copy is a database on the same server, `prodgate_snap_<16 hex>`, made
  //   by CREATE DATABASE … TEMPLATE <this database> (CREATEDB privilege; no other session
  //   may be connected to this database: that is refused, naming the sessions). The file at
  //   `path` is a canonical JSON document naming it:
  //     {"database":"prodgate_snap_…","format":"prodgate.pg-snapshot/1",
  //      "source":"<dbname>","system_identifier":"<decimal>"}
  //   The snapshot database stays until dropped (DROP DATABASE <name>).
  virtual Status Snapshot(const std::string& path) = 0;
  // Replaces the whole content of this database with the snapshot at `path`. Needs
  // kReadWrite; the target keeps its file (and identity).
  //   PostgreSQL: reads the file written by Snapshot (same server by system_identifier),
  //   creates a new database from the snapshot database as template, drops this database
  //   and renames the new one to its name (same owner; database-level grants and settings
  //   are not carried over). No other session may be connected to this database.
  virtual Status Restore(const std::string& path) = 0;
  // Removes a snapshot this adapter made: SQLite the file; PostgreSQL the snapshot database
  // the file names (DROP DATABASE) and then the file. A missing file is not an error.
  virtual Status DiscardSnapshot(const std::string& path) = 0;

  // Runs SQL statements (a change script, DDL). Needs a writable mode.
  virtual Status Execute(std::string_view sql) = 0;
  virtual Result<std::unique_ptr<RowWriter>> Insert(std::string_view table,
                                                    const std::vector<std::string>& columns) = 0;
  // kCreate/kReplace: finishes the new database (normal journal mode, synced) and puts it in
  // place. Other modes: closes nothing, returns Ok.
  virtual Status Finish() = 0;
};

// Parses "sqlite:PATH", "postgresql://…" / "postgres://…" (libpq URIs) or
// "postgresql:KEYWORDS" (a libpq keyword string) and opens it. Anything else is refused
// with a message naming the supported forms. A read-only or read-write open of a path
// (database) that does not exist is refused; it is never created.
Result<std::unique_ptr<Database>> OpenTarget(std::string_view target, OpenMode mode);

// A parsed target, without opening it.
struct TargetName {
  std::string engine;              // "sqlite" or "postgresql"
  std::string path;                // SQLite: the file path as written
  std::string conninfo;            // PostgreSQL: the libpq URI or keyword string
  std::string host, port, dbname;  // PostgreSQL: with libpq's defaults applied
};
Result<TargetName> ParseTarget(std::string_view target);

// The supported forms, for messages.
std::string_view SupportedTargetForms();

}  // namespace prodgate::db
