// The surrogate generator: production-shaped synthetic data from a TOML spec
// (`prodgate.surrogate-spec/1`, DESIGN.md §3.8; the format is in docs/clone.md and the
// example in examples/fix7/surrogate.toml).
//
// Determinism. Every value is a pure function of (seed, table name, column name, row
// index): each cell draws from its own generator state,
//   column_seed = mix(seed ⊕ fnv1a(table) ⊕ rotl(fnv1a(column), 21))
//   cell        = splitmix64 stream starting at mix(column_seed ⊕ mix(row + 1))
// where mix is the splitmix64 finalizer. Names and emails draw from a per-person state
// mix(seed ⊕ fnv1a(table) ⊕ mix(row + 1)), so a row's name and email belong to one person.
// Hence: the same spec, seed and scale give the same database, byte for byte in every
// value, so the same logical hash; adding a column changes no other column; and a foreign
// key can compute the referenced value of any row without storing the referenced table.
// Rows per table: round(rows × scale), at least 1 when rows ≥ 1; exactly `rows` for a table
// with `scales = false`.
//
// Writing. The file is created beside the target and renamed into place when complete
// (db/database.h kCreate: an existing file is refused; kReplace with --force), with the
// journal and fsync off while it is private; all rows go through prepared statements in one
// transaction, indexes are built after the rows, and the prodgate_clone marker
// (isolation.h) records the provenance: made_by=surrogate, spec_sha256, seed, scale.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/canonical_json.h"
#include "core/status.h"
#include "db/database.h"

namespace prodgate::clone {

inline constexpr std::string_view kSurrogateSpecFormat = "prodgate.surrogate-spec/1";
inline constexpr std::string_view kSurrogateReportFormat = "prodgate.surrogate/1";

enum class Generator {
  kSequence,   // start + row × step
  kPattern,    // a small format language (docs/clone.md): "TKT-OBJ-{seq:03}", "{hex:64}"
  kUuid,       // random (version 4) UUID, lowercase
  kEnum,       // one of `values`, with optional `weights`
  kInteger,    // uniform in [min, max]
  kReal,       // uniform in [min, max), optionally rounded to `decimals`
  kTimestamp,  // RFC 3339 UTC text in [from, to], optionally ascending with the row
  kName,       // synthetic person name ("full", "first" or "last")
  kEmail,      // first.last.N@<reserved domain> (RFC 2606 / RFC 6761 domains only)
  kWords,      // min..max words of filler text
  kReference,  // the value of `table`.`column` at a random row (or the row of `with`)
  kConstant,   // `value`
  kBytes,      // random bytes, min..max long (BLOB)
  kNull,       // always NULL
};

// One piece of a pattern.
struct PatternPart {
  enum class Kind { kLiteral, kSeq, kRow, kHex, kHexUpper, kDigits, kAlpha, kLower, kAlnum, kInt };
  Kind kind = Kind::kLiteral;
  std::string literal;
  int width = 0;           // kSeq/kRow: zero-pad width; random kinds: length
  int64_t lo = 0, hi = 0;  // kInt
};

struct SurrogateColumn {
  std::string name;
  std::string type;  // declared type in the CREATE TABLE
  bool primary_key = false, autoincrement = false, not_null = false, unique = false;
  std::string collate;
  Generator generator = Generator::kNull;
  double null_ratio = 0;
  // Parameters (which ones apply depends on the generator).
  int64_t start = 1, step = 1;
  int64_t min_int = 0, max_int = 0;
  double min_real = 0, max_real = 0;
  std::optional<int> decimals;
  std::vector<PatternPart> pattern;
  std::vector<Json> values;        // enum
  std::vector<double> cumulative;  // enum: cumulative weights, last = 1
  int64_t from_us = 0, to_us = 0;  // timestamp, microseconds since the epoch
  bool ascending = false;
  int precision = 0;  // timestamp fractional digits: 0, 3 or 6
  std::string name_part = "full";
  std::vector<std::string> domains;
  std::string ref_table, ref_column, with;  // reference
  bool foreign_key = true;
  Json constant;
};

struct SurrogateIndex {
  std::string name;
  std::vector<std::string> columns;
  bool unique = false;
};

struct SurrogateTable {
  std::string name;
  int64_t rows = 0;
  bool scales = true;  // false: `rows` is exact at every scale (a registry with a fixed ceiling)
  std::vector<SurrogateColumn> columns;
  std::vector<std::string> primary_key;  // table-level PRIMARY KEY (composite)
  bool without_rowid = false, strict = false;
  std::vector<SurrogateIndex> indexes;
};

struct SurrogateSpec {
  std::vector<SurrogateTable> tables;
};

// Parses and validates a spec, reporting every problem at once.
Result<SurrogateSpec> ParseSurrogateSpec(const Json& doc, std::string_view name);

// The CREATE TABLE statement of one table, for the engine ("sqlite" or "postgresql").
// PostgreSQL dialect: SQLite type names PostgreSQL lacks or sizes differently are mapped
// (integer/int → bigint, real/double/float → double precision, datetime → timestamp with
// time zone, blob → bytea; others as written), autoincrement becomes GENERATED BY DEFAULT AS
// IDENTITY, COLLATE BINARY becomes COLLATE "C", WITHOUT ROWID and STRICT are dropped, and
// REFERENCES are left out of CREATE TABLE: WriteSurrogate adds them after the rows
// (ALTER TABLE … ADD FOREIGN KEY) where the referenced column is a primary key or unique,
// as PostgreSQL requires.
std::string CreateTableSql(const SurrogateTable& t, std::string_view engine = "sqlite");

// True for domains reserved for examples and tests: example.com/.net/.org and their
// subdomains, and names under .test, .example, .invalid, .localhost.
bool IsReservedDomain(std::string_view domain);

struct SurrogateOptions {
  std::string spec_path;
  uint64_t seed = 0;
  double scale = 1;
  std::string target;    // "sqlite:PATH"
  bool replace = false;  // --force
};

struct SurrogateReport {
  std::string target;
  std::string spec_sha256;
  uint64_t seed = 0;
  double scale = 1;
  std::vector<std::pair<std::string, uint64_t>> tables;  // name, rows, in spec order
  uint64_t rows = 0;
  double seconds = 0;
};

// Generates into an open, empty, writable database (the library form).
Result<SurrogateReport> WriteSurrogate(const SurrogateSpec& spec, const std::string& spec_sha256,
                                       uint64_t seed, double scale, db::Database& out);

// Reads the spec, creates the target, generates, writes the marker, puts the file in place.
Result<SurrogateReport> GenerateSurrogate(const SurrogateOptions& options);

std::string SurrogateText(const SurrogateReport& r);
Result<std::string> SurrogateJson(const SurrogateReport& r);

}  // namespace prodgate::clone
