// Logical database hash, `prodgate.dbhash/1` (DESIGN.md §3.7): a digest of the values a
// database holds, never of its pages. VACUUM, a page size change, REINDEX, ANALYZE, the
// journal mode and a rolled-back transaction leave it unchanged; changing, adding or
// removing any stored value, or any schema object, changes it.
//
// Notation: every digest is SHA-256. u64(n) is n as 8 bytes big-endian; str(s) is
// u64(byte length of s) followed by the bytes of s (UTF-8 for names); enc(v) is the value
// encoding of db/value.h ('N' | 'I' int64 | 'F' float64 | 'T' str | 'B' str).
//
// Which tables. Every table of the database's main schema is hashed, shadow tables of
// virtual tables included, except the engine's own bookkeeping, which is reported instead:
//   sqlite_schema                 → the schema digest (below);
//   sqlite_sequence               → the `sequences` section (AUTOINCREMENT counters do not
//                                   roll back), outside the root;
//   sqlite_stat1 … sqlite_stat4   → excluded: statistics written by ANALYZE;
//   virtual tables                → excluded: their content lives in their shadow tables
//                                   (hashed) or outside the file.
// Names are matched exactly (case-sensitive), so a user table such as `SQLiteData` is hashed.
//
// Table digest. Let the columns be every column in column order (generated columns
// included, hidden virtual-table columns excluded), v1 … vn the values of one row, and
//   header = 'T' str(table name) u64(n) { str(column name) str(declared type) } × n
//   row    = 'R' enc(v1) … enc(vn)
// A table with a usable key (below) is hashed in key order:
//   digest = SHA256(header 'K' u64(k) { str(key column) } × k  row_1 … row_rows  'E' u64(rows))
// Key order is CompareKeys of db/value.h on the key tuple: byte order for text, never the
// column's collation. Rows must arrive strictly ascending in that order; if they do not
// (a duplicate key, or an engine order that disagrees), hashing fails.
// A table without a usable key is hashed as a multiset (never XOR, which cancels pairs):
//   d_i    = SHA256(row_i) for every row, sorted ascending as 32-byte strings, duplicates kept
//   digest = SHA256(header 'M' d_1 … d_rows 'E' u64(rows))
//
// Usable key (SQLite):
//   - an INTEGER PRIMARY KEY: that column, which is the rowid;
//   - a WITHOUT ROWID table: its PRIMARY KEY columns, in key order;
//   - a rowid table with another PRIMARY KEY whose columns are all declared NOT NULL: those.
// Anything else has no usable key: a table without PRIMARY KEY, or whose PRIMARY KEY has a
// column that allows NULL (SQLite lets rowid tables hold NULL, even several NULLs, in such
// a key). The implicit rowid of these tables is not content: VACUUM may renumber it, and a
// delete + re-insert of the same row moves it, so they are multisets of rows.
//
// Schema digest: SHA256 over  'S' enc(type) enc(name) enc(tbl_name) enc(sql)  for every row
// of sqlite_schema except those of excluded tables and of sqlite_sequence, ordered by name
// bytes (rootpage is physical and left out).
//
// Root digest: SHA256(str("prodgate.dbhash/1") 'S' schema_digest u64(tables)
//                     { str(table name) u64(rows) digest } for every table by name bytes).
// Two databases are logically equal iff their roots are equal. The sequences section and the
// excluded list are reported beside the root, never inside it.
//
// Everything is read inside one read transaction, from a connection opened read-only. Any
// error, an unreadable table, or a row order that breaks the rule above is a failed Status:
// never a digest, never "equal".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/sha256.h"
#include "db/schema.h"
#include "db/value.h"

namespace prodgate::db {

inline constexpr std::string_view kHashFormat = "prodgate.dbhash/1";

struct TableHash {
  std::string name;
  uint64_t rows = 0;
  Digest digest{};
  KeyKind key_kind = KeyKind::kNone;
};

struct Sequence {
  std::string name;
  int64_t value = 0;
};

struct LogicalHash {
  std::string target;    // the target as it was opened
  bool complete = true;  // false when only some tables were asked for: then no root
  Digest root{};
  Digest schema{};
  std::vector<TableHash> tables;    // by name bytes
  std::vector<Sequence> sequences;  // by name bytes
  std::vector<Excluded> excluded;   // by name bytes

  const TableHash* FindTable(std::string_view name) const;
};

struct HashOptions {
  std::vector<std::string> tables;  // empty: every table (and a root)
  // PostgreSQL: connections hashing tables in parallel, sharing one snapshot (0: up to 4).
  // The result never depends on it. SQLite reads on one connection.
  int connections = 0;
};

// The building blocks every engine adapter uses, so that all engines hash alike.

// 'T' str(name) u64(n) { str(column) str(type) } × n
std::string TableHeader(const Table& table);

// Streams the rows of a keyed table, in key order, into its digest.
class KeyedTableHasher {
 public:
  explicit KeyedTableHasher(const Table& table);
  // Appends one row (its values in column order). Returns false, and changes nothing,
  // when `key` is not strictly greater than the previous row's key.
  bool AddRow(const std::vector<ValueRef>& key, const std::vector<ValueRef>& values);
  TableHash Finish();

 private:
  void Flush();

  Sha256 sha_;
  std::string buffer_;
  std::vector<Value> last_key_;
  std::vector<ValueRef> last_key_refs_;
  uint64_t rows_ = 0;
  TableHash result_;
};

// Hashes a keyless table from its row digests, which must arrive in ascending order.
class MultisetTableHasher {
 public:
  explicit MultisetTableHasher(const Table& table);
  // Returns false, and changes nothing, when `row_digest` is smaller than the previous one
  // or is not 32 bytes.
  bool AddRowDigest(std::string_view row_digest);
  TableHash Finish();

 private:
  void Flush();

  Sha256 sha_;
  std::string buffer_;
  std::string last_;
  uint64_t rows_ = 0;
  TableHash result_;
};

// SHA256('R' enc(v1) … enc(vn)): the per-row digest of multiset tables.
Digest RowDigest(const std::vector<ValueRef>& values);

// Requires `objects` sorted by name bytes.
Digest SchemaDigest(const std::vector<SchemaObject>& objects);
// Requires `tables` sorted by name bytes.
Digest RootDigest(const Digest& schema, const std::vector<TableHash>& tables);

}  // namespace prodgate::db
