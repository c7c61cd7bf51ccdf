// Row-level diff of two databases: where two logical hashes differ, and how (DESIGN.md §3.7,
// "localize"). A is the "before" side, B the "after" side.
//
// Equality is byte equality of the encoded values (db/value.h), never collation equality:
// 'A' and 'a' in a NOCASE column differ, as do INTEGER 1 and REAL 1.0, and 0.0 and -0.0.
// `equal` is true exactly when the two logical hash roots would be equal; sequences are
// reported beside it and never count, as in the hash.
//
// Per table present on both sides:
//   - the header (column names, declared types, column order, key) is compared;
//   - the rows are compared on the columns both sides have (by name, in A's order):
//     * both sides keyed by the same key columns: a merge join in key order. A key only in
//       B is "inserted", only in A "deleted", on both sides with any differing value
//       "changed" (naming the columns);
//     * otherwise (a keyless table, or keys that differ): as multisets, merged in row
//       digest order. Rows only in A and only in B are counted with their multiplicity.
// Both sides stream in the same order (the engine sorts, spilling to disk when needed), so
// memory stays bounded by the number of samples kept, not by table size. Each side's order
// is checked at every step; an order violation or any read error is a failed Status, never
// a diff.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "db/database.h"

namespace prodgate::db {

struct DiffOptions {
  size_t max_samples = 20;  // rows shown per table (counts always cover every row)
};

enum class Presence { kBoth, kOnlyInA, kOnlyInB };

struct SchemaObjectDiff {
  std::string type;  // of A's object, else of B's
  std::string name;
  Presence presence = Presence::kBoth;  // kBoth: present on both sides, with different SQL
};

struct RowSample {
  enum class Kind { kInserted, kDeleted, kChanged };
  Kind kind = Kind::kChanged;
  std::vector<std::string> key;      // keyed: "column=literal" for each key column
  std::vector<std::string> columns;  // kChanged: the columns whose bytes differ
  std::string row;                   // keyless: the row's values as literals
  uint64_t count = 1;                // keyless: identical rows behind this sample
};

struct TableDiff {
  std::string name;
  Presence presence = Presence::kBoth;
  bool keyed = false;            // compared by key; otherwise as multisets
  std::vector<std::string> key;  // the key columns when keyed
  uint64_t rows_a = 0, rows_b = 0;
  // Keyed: rows inserted (key only in B), deleted (only in A), changed. Multisets: rows only
  // in B counted as inserted and only in A as deleted, with multiplicity; changed is 0.
  uint64_t inserted = 0, deleted = 0, changed = 0;
  bool header_changed = false;
  std::vector<std::string> header_notes;  // what differs in the header, one line each
  std::vector<RowSample> samples;

  bool equal() const {
    return presence == Presence::kBoth && !header_changed && inserted == 0 && deleted == 0 &&
           changed == 0;
  }
};

struct SequenceDiff {
  std::string name;
  std::optional<int64_t> a, b;
};

struct DatabaseDiff {
  std::string a, b;  // the targets
  bool equal = true;
  std::vector<SchemaObjectDiff> schema;  // by name bytes
  std::vector<TableDiff> tables;         // tables that differ, by name bytes
  size_t tables_equal = 0;
  std::vector<SequenceDiff> sequences;  // counters that differ; never part of `equal`
};

Result<DatabaseDiff> DiffDatabases(Database& a, Database& b, const DiffOptions& options = {});

}  // namespace prodgate::db
