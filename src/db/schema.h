// What a database holds, as introspected by an adapter: its tables with their columns and
// key, the schema objects (tables, indexes, views, triggers) as text, and what is
// deliberately left out of the logical hash, with the reason.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace prodgate::db {

struct Column {
  std::string name;
  std::string declared_type;  // as written in CREATE TABLE ("" when none)
  bool not_null = false;
  int pk_position = 0;  // 1-based position in the PRIMARY KEY; 0 when not part of it
  bool generated = false;
};

// How the rows of a table are identified (logical_hash.h defines "usable key").
enum class KeyKind {
  kRowid,        // SQLite INTEGER PRIMARY KEY: the column is the rowid
  kPrimaryKey,   // a declared PRIMARY KEY whose columns are never NULL
  kUniqueIndex,  // PostgreSQL without a PRIMARY KEY: a UNIQUE index on NOT NULL columns
  kNone,         // no usable key: the table is a multiset of rows
};

// "rowid", "primary key", "unique index", "none".
std::string_view KeyKindName(KeyKind k);

struct Table {
  std::string name;
  std::vector<Column> columns;  // in column order
  KeyKind key_kind = KeyKind::kNone;
  std::vector<std::string> key;  // key columns, in key order; empty for kNone
  std::string no_key_reason;     // kNone: why the table has no usable key
  bool without_rowid = false;
  bool strict = false;

  const Column* FindColumn(std::string_view column) const;
  std::vector<std::string> ColumnNames() const;
};

// One row of the engine's catalog (SQLite: sqlite_schema without rootpage).
struct SchemaObject {
  std::string type;  // "table", "index", "view", "trigger"
  std::string name;
  std::string table;               // tbl_name
  std::optional<std::string> sql;  // NULL for automatic indexes
};

// Something the logical hash leaves out on purpose, reported so that nothing is skipped
// silently.
struct Excluded {
  std::string name;
  std::string reason;
};

struct Schema {
  std::vector<Table> tables;           // hashed tables, sorted by name bytes
  std::vector<SchemaObject> objects;   // hashed catalog rows, sorted by name bytes
  std::vector<Excluded> excluded;      // sorted by name bytes
  std::vector<Table> internal_tables;  // engine tables that hold values but are not hashed
                                       // (SQLite: sqlite_sequence, sqlite_stat*); the secret
                                       // scan reads them
  bool has_sequences = false;

  const Table* FindTable(std::string_view name) const;
};

}  // namespace prodgate::db
