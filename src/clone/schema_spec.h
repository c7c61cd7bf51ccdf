// The schema spec (TOML, `prodgate.schema/1`): the tables, columns, types and keys a clone
// must have to be production-shaped (DESIGN.md §3.8; format in docs/clone.md).
//
//   format = "prodgate.schema/1"          # optional
//   [[table]]
//   name = "birth_registry"
//   primary_key = ["id"]                  # optional: the declared PRIMARY KEY, in key order
//   without_rowid = false                 # optional
//   strict = false                        # optional: columns not in the spec are findings
//   [[table.column]]
//   name = "id"
//   type = "INTEGER"                      # optional: declared type, or a list of accepted ones
//   affinity = "INTEGER"                  # optional: SQLite type affinity instead of the type
//   not_null = true                       # optional
//
// Names match ignoring ASCII case (SQLite's identifier rule). Declared types match ignoring
// case and spaces ("varchar( 36 )" = "VARCHAR(36)"). Every mismatch is a finding; checking
// never stops at the first. A spec that is malformed (unknown key, wrong type, duplicate
// table) is bad input, with every problem listed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "clone/finding.h"
#include "core/canonical_json.h"
#include "core/status.h"
#include "db/schema.h"

namespace prodgate::clone {

inline constexpr std::string_view kSchemaSpecFormat = "prodgate.schema/1";

struct ColumnSpec {
  std::string name;
  std::vector<std::string> types;  // accepted declared types; empty: any
  std::optional<std::string> affinity;
  std::optional<bool> not_null;
};

struct TableSpec {
  std::string name;
  std::vector<ColumnSpec> columns;
  std::optional<std::vector<std::string>> primary_key;
  std::optional<bool> without_rowid;
  bool strict = false;
};

struct SchemaSpec {
  std::vector<TableSpec> tables;
};

Result<SchemaSpec> ParseSchemaSpec(const Json& doc, std::string_view name);
Result<SchemaSpec> ReadSchemaSpec(const std::string& path);

// SQLite's type affinity of a declared type: INTEGER, TEXT, BLOB, REAL or NUMERIC.
std::string TypeAffinity(std::string_view declared_type);
// Upper case, without spaces.
std::string NormalizeType(std::string_view declared_type);

// One outcome named "schema" with every mismatch between `schema` and `spec`.
CheckOutcome CheckSchema(const db::Schema& schema, const SchemaSpec& spec);

}  // namespace prodgate::clone
