#include "clone/secret_check.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace prodgate::clone {
namespace {

constexpr double kCredentialEntropy = 3.5;
constexpr size_t kCredentialMinBytes = 16;
constexpr std::string_view kFix =
    "remove or mask the value in the clone (regenerate it with `prodgate surrogate`, or mask "
    "the column in the masking copy); if it is a real credential, rotate it";

bool LooksLikeCredentialValue(std::string_view v) {
  if (v.size() < kCredentialMinBytes) return false;
  for (char c : v) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '\0') return false;
  }
  return ShannonEntropy(v) >= kCredentialEntropy;
}

// One table's rows in the current batch: their printable key and whether the key must be
// withheld.
struct RowRef {
  std::string key;
  uint64_t ordinal = 0;
  bool withhold = false;
};

struct Pending {
  size_t row;     // index into the batch's rows
  size_t column;  // index into the table's columns
  std::string rule, description;
  uint64_t offset, length;
};

class TableScan {
 public:
  TableScan(SecretScanner& scanner, CheckOutcome& out, std::string table,
            std::vector<std::string> columns)
      : scanner_(scanner),
        out_(out),
        batch_(scanner),
        table_(std::move(table)),
        columns_(std::move(columns)) {
    for (const auto& c : columns_) credential_.push_back(IsCredentialColumn(c));
  }

  void SetKeyColumns(const std::vector<std::string>& key_names) {
    key_column_.assign(columns_.size(), false);
    for (const auto& k : key_names) {
      auto it = std::find(columns_.begin(), columns_.end(), k);
      if (it != columns_.end()) key_column_[static_cast<size_t>(it - columns_.begin())] = true;
    }
  }

  // One row: its printed key and its values.
  void AddRow(std::string key, uint64_t ordinal, const std::vector<db::ValueRef>& values) {
    size_t row = rows_.size();
    rows_.push_back({std::move(key), ordinal, false});
    for (size_t c = 0; c < values.size(); ++c) {
      const db::ValueRef& v = values[c];
      if (v.type != db::ValueType::kText && v.type != db::ValueType::kBlob) continue;
      ++values_;
      batch_.Add(v.bytes, row * columns_.size() + c);
      if (credential_[c] && LooksLikeCredentialValue(v.bytes)) {
        pending_.push_back({row, c, "credential-column",
                            "high-entropy value in a column named for a credential", 0,
                            v.bytes.size()});
      }
    }
    if (batch_.full()) Flush();
  }

  void Flush() {
    batch_.Flush([&](uint64_t tag, const SecretMatch& m) {
      const SecretRule& r = scanner_.rules()[m.rule];
      pending_.push_back({static_cast<size_t>(tag / columns_.size()),
                          static_cast<size_t>(tag % columns_.size()), r.id, r.description, m.offset,
                          m.length});
    });
    for (const auto& p : pending_) {
      if (key_column_.size() > p.column && key_column_[p.column]) {
        rows_[p.row].withhold = true;
      }
    }
    for (auto& row : rows_) {
      if (!row.withhold && !row.key.empty() && !scanner_.ScanValue(row.key).empty()) {
        row.withhold = true;
      }
    }
    for (const auto& p : pending_) {
      const RowRef& row = rows_[p.row];
      std::string key = row.key;
      if (row.withhold) {
        key = fmt::format("#{} (key withheld: it holds a flagged value)", row.ordinal);
      } else if (key.empty()) {
        key = fmt::format("#{}", row.ordinal);
      }
      out_.Add({p.rule,
                fmt::format("{} in {}.{}, row {}, bytes {}..{}", p.description, table_,
                            columns_[p.column], key, p.offset, p.offset + p.length),
                std::string(kFix),
                {{"table", table_},
                 {"column", columns_[p.column]},
                 {"key", key},
                 {"offset", p.offset},
                 {"length", p.length}}});
    }
    pending_.clear();
    rows_.clear();
  }

  uint64_t values() const { return values_; }
  uint64_t bytes() const { return batch_.bytes_scanned(); }

 private:
  SecretScanner& scanner_;
  CheckOutcome& out_;
  SecretScanner::Batch batch_;
  std::string table_;
  std::vector<std::string> columns_;
  std::vector<bool> credential_, key_column_;
  std::vector<RowRef> rows_;
  std::vector<Pending> pending_;
  uint64_t values_ = 0;
};

std::string PrintKey(db::RowCursor& c) {
  std::string key;
  for (size_t i = 0; i < c.key_size(); ++i) {
    if (i) key += ", ";
    key += c.key_names()[i] + "=" + db::ValueLiteral(c.key(i), 40);
  }
  return key;
}

Status ScanTables(db::Database& db, const db::Schema& schema, SecretScanner& scanner,
                  CheckOutcome& out, uint64_t& values, uint64_t& bytes) {
  std::vector<const db::Table*> tables;
  for (const auto& t : schema.tables) tables.push_back(&t);
  for (const auto& t : schema.internal_tables) tables.push_back(&t);
  for (const db::Table* t : tables) {
    std::vector<std::string> columns = t->ColumnNames();
    PG_ASSIGN_OR_RETURN(auto cursor, db.Scan({t->name, columns, db::RowOrder::kAny}));
    TableScan scan(scanner, out, t->name, columns);
    scan.SetKeyColumns(cursor->key_names());
    std::vector<db::ValueRef> row(columns.size());
    for (uint64_t ordinal = 1;; ++ordinal) {
      PG_ASSIGN_OR_RETURN(bool more, cursor->Next());
      if (!more) break;
      for (size_t i = 0; i < row.size(); ++i) row[i] = cursor->value(i);
      scan.AddRow(PrintKey(*cursor), ordinal, row);
    }
    scan.Flush();
    values += scan.values();
    bytes += scan.bytes();
  }
  // Schema SQL: defaults, CHECK constraints, view and trigger bodies hold literals too.
  TableScan sql(scanner, out, "sqlite_schema", {"sql"});
  sql.SetKeyColumns({});
  uint64_t ordinal = 0;
  for (const auto& o : schema.objects) {
    ++ordinal;
    if (!o.sql) continue;
    sql.AddRow("name=" + db::ValueLiteral(db::ValueRef::Text(o.name), 60), ordinal,
               {db::ValueRef::Text(*o.sql)});
  }
  sql.Flush();
  values += sql.values();
  bytes += sql.bytes();
  return Status::Ok();
}

}  // namespace

bool IsCredentialColumn(std::string_view column) {
  std::string c(column);
  std::transform(c.begin(), c.end(), c.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  for (const char* w : {"password", "passwd", "secret", "token", "api_key", "apikey", "access_key",
                        "private_key", "auth_key"}) {
    if (c.find(w) != std::string::npos) return true;
  }
  return false;
}

Result<CheckOutcome> CheckSecrets(db::Database& db, SecretScanner& scanner,
                                  const SecretCheckOptions& options) {
  if (scanner.rules().empty()) {
    return Status::BadInput("the secret scan has no rules",
                            "a scan with zero rules proves nothing");
  }
  CheckOutcome out;
  out.name = "secrets";
  uint64_t values = 0, bytes = 0;
  PG_RETURN_IF_ERROR(db.BeginRead());
  Result<db::Schema> schema = db.Introspect();
  Status scanned =
      schema.ok() ? ScanTables(db, *schema, scanner, out, values, bytes) : schema.status();
  Status ended = db.EndRead();
  PG_RETURN_IF_ERROR(scanned);
  PG_RETURN_IF_ERROR(ended);
  out.facts = {{"rules", scanner.rules().size() + 1},
               {"tables", schema->tables.size() + schema->internal_tables.size()},
               {"schema_objects", schema->objects.size()},
               {"values", values},
               {"bytes", bytes}};
  if (options.raw_file && db.identity().engine == "sqlite") {
    uint64_t raw = 0;
    Json files = Json::array();
    for (std::string path : {db.identity().path, db.identity().path + "-wal"}) {
      struct stat st;
      if (::stat(path.c_str(), &st) != 0) continue;
      uint64_t n = 0;
      PG_ASSIGN_OR_RETURN(auto matches, scanner.ScanFile(path, &n));
      raw += n;
      files.push_back(path);
      for (const auto& m : matches) {
        const SecretRule& r = scanner.rules()[m.rule];
        out.Add({r.id,
                 fmt::format("{} in the raw bytes of {} at offset {} ({} bytes); live rows "
                             "show here too, deleted rows and free pages only here",
                             r.description, path, m.offset, m.length),
                 "remove the value; then rebuild the clone into a fresh file (VACUUM INTO, or "
                 "regenerate it) so that no deleted copy survives",
                 {{"file", path}, {"offset", m.offset}, {"length", m.length}}});
      }
    }
    out.facts["raw_files"] = files;
    out.facts["raw_bytes"] = raw;
  } else {
    out.note = "free pages and journal files were not scanned (--raw scans the file bytes as well)";
  }
  return out;
}

}  // namespace prodgate::clone
