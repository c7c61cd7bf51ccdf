#include "clone/schema_spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "clone/spec_reader.h"
#include "core/toml.h"

namespace prodgate::clone {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

bool SameName(std::string_view a, std::string_view b) { return Upper(a) == Upper(b); }

std::string List(const std::vector<std::string>& v) {
  return v.empty() ? std::string("none") : fmt::format("({})", fmt::join(v, ", "));
}

bool SameNames(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!SameName(a[i], b[i])) return false;
  }
  return true;
}

}  // namespace

// Upper case without spaces; PostgreSQL's long spellings (format_type) become the short
// aliases of the same type, so "character varying(50)" matches "varchar(50)".
std::string NormalizeType(std::string_view declared_type) {
  std::string out;
  for (char c : Upper(declared_type)) {
    if (!std::isspace(static_cast<unsigned char>(c))) out.push_back(c);
  }
  static const std::pair<std::string_view, std::string_view> kAliases[] = {
      {"CHARACTERVARYING", "VARCHAR"},
      {"TIMESTAMPWITHTIMEZONE", "TIMESTAMPTZ"},
      {"TIMESTAMPWITHOUTTIMEZONE", "TIMESTAMP"},
      {"TIMEWITHTIMEZONE", "TIMETZ"},
      {"TIMEWITHOUTTIMEZONE", "TIME"},
      {"DOUBLEPRECISION", "FLOAT8"},
      {"CHARACTER", "CHAR"},
  };
  for (const auto& [from, to] : kAliases) {
    if (out.starts_with(from)) {
      out = std::string(to) + out.substr(from.size());
      break;
    }
  }
  return out;
}

std::string TypeAffinity(std::string_view declared_type) {
  // SQLite's rules (datatype3.html §3.1), in order.
  std::string t = Upper(declared_type);
  if (t.find("INT") != std::string::npos) return "INTEGER";
  if (t.find("CHAR") != std::string::npos || t.find("CLOB") != std::string::npos ||
      t.find("TEXT") != std::string::npos) {
    return "TEXT";
  }
  if (t.find("BLOB") != std::string::npos || t.empty()) return "BLOB";
  if (t.find("REAL") != std::string::npos || t.find("FLOA") != std::string::npos ||
      t.find("DOUB") != std::string::npos) {
    return "REAL";
  }
  return "NUMERIC";
}

Result<SchemaSpec> ParseSchemaSpec(const Json& doc, std::string_view name) {
  SpecReader r{std::string(name)};
  SchemaSpec spec;
  if (!doc.is_object()) return Status::BadInput(fmt::format("{}: not a table", name));
  r.AllowOnly(doc, "top level", {"format", "table"});
  if (auto f = r.String(doc, "top level", "format", false); f && *f != kSchemaSpecFormat) {
    r.Problem("format", fmt::format("is \"{}\", expected \"{}\"", *f, kSchemaSpecFormat));
  }
  std::set<std::string> names;
  for (const Json* t : r.Tables(doc, "top level", "table", true)) {
    TableSpec ts;
    std::string where = "[[table]]";
    if (auto n = r.String(*t, where, "name", true)) {
      ts.name = *n;
      where = fmt::format("table \"{}\"", *n);
      if (!names.insert(Upper(*n)).second) r.Problem(where, "appears twice");
    }
    r.AllowOnly(*t, where, {"name", "primary_key", "without_rowid", "strict", "column"});
    ts.primary_key = r.Strings(*t, where, "primary_key", false);
    ts.without_rowid = r.Bool(*t, where, "without_rowid");
    ts.strict = r.Bool(*t, where, "strict").value_or(false);
    std::set<std::string> cols;
    for (const Json* c : r.Tables(*t, where, "column", false)) {
      ColumnSpec cs;
      std::string cwhere = where + " [[table.column]]";
      if (auto n = r.String(*c, cwhere, "name", true)) {
        cs.name = *n;
        cwhere = fmt::format("{} column \"{}\"", where, *n);
        if (!cols.insert(Upper(*n)).second) r.Problem(cwhere, "appears twice");
      }
      r.AllowOnly(*c, cwhere, {"name", "type", "affinity", "not_null"});
      if (auto types = r.Strings(*c, cwhere, "type", false)) cs.types = *types;
      cs.affinity = r.String(*c, cwhere, "affinity", false);
      if (cs.affinity) {
        std::string a = Upper(*cs.affinity);
        if (a != "INTEGER" && a != "TEXT" && a != "BLOB" && a != "REAL" && a != "NUMERIC") {
          r.Problem(cwhere, "\"affinity\" must be INTEGER, TEXT, BLOB, REAL or NUMERIC");
        }
        cs.affinity = a;
      }
      cs.not_null = r.Bool(*c, cwhere, "not_null");
      ts.columns.push_back(std::move(cs));
    }
    if (ts.primary_key) {
      for (const auto& k : *ts.primary_key) {
        if (!ts.columns.empty() &&
            std::none_of(ts.columns.begin(), ts.columns.end(),
                         [&](const ColumnSpec& c) { return SameName(c.name, k); })) {
          r.Problem(where,
                    fmt::format("primary_key names \"{}\", which is not a listed column", k));
        }
      }
    }
    spec.tables.push_back(std::move(ts));
  }
  PG_RETURN_IF_ERROR(r.Done());
  return spec;
}

Result<SchemaSpec> ReadSchemaSpec(const std::string& path) {
  PG_ASSIGN_OR_RETURN(Json doc, ReadTomlFile(path));
  return ParseSchemaSpec(doc, path);
}

CheckOutcome CheckSchema(const db::Schema& schema, const SchemaSpec& spec) {
  CheckOutcome out;
  out.name = "schema";
  const std::string fix_shape =
      "make the clone production-shaped: regenerate it from a surrogate spec that matches the "
      "schema spec, or correct the spec if production changed";
  size_t columns = 0;
  for (const auto& ts : spec.tables) {
    const db::Table* t = nullptr;
    for (const auto& cand : schema.tables) {
      if (SameName(cand.name, ts.name)) t = &cand;
    }
    if (t == nullptr) {
      out.Add({"missing-table",
               fmt::format("table {} is missing", ts.name),
               fix_shape,
               {{"table", ts.name}}});
      continue;
    }
    for (const auto& cs : ts.columns) {
      ++columns;
      const db::Column* c = nullptr;
      for (const auto& cand : t->columns) {
        if (SameName(cand.name, cs.name)) c = &cand;
      }
      Json where = {{"table", t->name}, {"column", cs.name}};
      if (c == nullptr) {
        out.Add({"missing-column", fmt::format("column {}.{} is missing", t->name, cs.name),
                 fix_shape, where});
        continue;
      }
      if (!cs.types.empty()) {
        std::string have = NormalizeType(c->declared_type);
        bool match = std::any_of(cs.types.begin(), cs.types.end(), [&](const std::string& want) {
          return NormalizeType(want) == have;
        });
        if (!match) {
          out.Add({"wrong-type",
                   fmt::format("column {}.{} has type \"{}\", expected {}", t->name, c->name,
                               c->declared_type,
                               cs.types.size() == 1
                                   ? fmt::format("\"{}\"", cs.types[0])
                                   : fmt::format("one of \"{}\"", fmt::join(cs.types, "\", \""))),
                   fix_shape, where});
        }
      }
      if (cs.affinity && TypeAffinity(c->declared_type) != *cs.affinity) {
        out.Add(
            {"wrong-affinity",
             fmt::format("column {}.{} has affinity {} (type \"{}\"), expected {}", t->name,
                         c->name, TypeAffinity(c->declared_type), c->declared_type, *cs.affinity),
             fix_shape, where});
      }
      // A declared primary key column of a WITHOUT ROWID table is NOT NULL by rule.
      bool not_null = c->not_null || (t->without_rowid && c->pk_position > 0) ||
                      (t->key_kind == db::KeyKind::kRowid && c->pk_position > 0);
      if (cs.not_null && *cs.not_null != not_null) {
        out.Add({"wrong-not-null",
                 fmt::format("column {}.{} {}, the spec requires {}", t->name, c->name,
                             not_null ? "is NOT NULL" : "allows NULL",
                             *cs.not_null ? "NOT NULL" : "that it allows NULL"),
                 fix_shape, where});
      }
    }
    if (ts.primary_key) {
      std::vector<std::pair<int, std::string>> pk;
      for (const auto& c : t->columns) {
        if (c.pk_position > 0) pk.emplace_back(c.pk_position, c.name);
      }
      std::sort(pk.begin(), pk.end());
      std::vector<std::string> have;
      for (auto& [pos, n] : pk) have.push_back(n);
      if (!SameNames(have, *ts.primary_key)) {
        out.Add({"wrong-primary-key",
                 fmt::format("table {} has primary key {}, expected {}", t->name, List(have),
                             List(*ts.primary_key)),
                 fix_shape,
                 {{"table", t->name}}});
      }
    }
    if (ts.without_rowid && *ts.without_rowid != t->without_rowid) {
      out.Add({"wrong-without-rowid",
               fmt::format("table {} is {}a WITHOUT ROWID table, the spec says it is {}", t->name,
                           t->without_rowid ? "" : "not ", *ts.without_rowid ? "" : "not"),
               fix_shape,
               {{"table", t->name}}});
    }
    if (ts.strict) {
      for (const auto& c : t->columns) {
        bool listed = std::any_of(ts.columns.begin(), ts.columns.end(),
                                  [&](const ColumnSpec& s) { return SameName(s.name, c.name); });
        if (!listed) {
          out.Add({"extra-column",
                   fmt::format("column {}.{} is not in the spec (the table is strict)", t->name,
                               c.name),
                   "remove the column from the clone, or add it to the spec",
                   {{"table", t->name}, {"column", c.name}}});
        }
      }
    }
  }
  out.facts = {{"tables", spec.tables.size()}, {"columns", columns}};
  return out;
}

}  // namespace prodgate::clone
