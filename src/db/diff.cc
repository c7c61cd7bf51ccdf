#include "db/diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <map>

namespace prodgate::db {
namespace {

// A keyed cursor that remembers its previous key and refuses to go backwards: the merge
// join is only correct while both sides ascend strictly in key order.
class KeyedSide {
 public:
  KeyedSide(std::unique_ptr<RowCursor> cursor, std::string what)
      : cursor_(std::move(cursor)), what_(std::move(what)) {}

  Status Advance() {
    if (has_row_) {
      last_key_.clear();
      for (size_t i = 0; i < cursor_->key_size(); ++i) last_key_.emplace_back(cursor_->key(i));
    }
    PG_ASSIGN_OR_RETURN(has_row_, cursor_->Next());
    if (!has_row_) return Status::Ok();
    ++rows_;
    if (rows_ > 1) {
      std::vector<ValueRef> prev(last_key_.size());
      for (size_t i = 0; i < prev.size(); ++i) prev[i] = last_key_[i].ref();
      if (CompareKeys(Key(), prev) <= 0) {
        return Status::BadInput(
            fmt::format("{}: rows did not arrive in strictly ascending key order", what_),
            "the key is not unique byte for byte; nothing was compared");
      }
    }
    return Status::Ok();
  }
  bool at_end() const { return !has_row_; }
  uint64_t rows() const { return rows_; }
  RowCursor& cursor() { return *cursor_; }
  std::vector<ValueRef> Key() const {
    std::vector<ValueRef> k(cursor_->key_size());
    for (size_t i = 0; i < k.size(); ++i) k[i] = cursor_->key(i);
    return k;
  }

 private:
  std::unique_ptr<RowCursor> cursor_;
  std::string what_;
  bool has_row_ = false;
  uint64_t rows_ = 0;
  std::vector<Value> last_key_;
};

std::vector<std::string> KeyLiterals(RowCursor& c) {
  std::vector<std::string> out;
  for (size_t i = 0; i < c.key_size(); ++i) {
    out.push_back(fmt::format("{}={}", c.key_names()[i], ValueLiteral(c.key(i))));
  }
  return out;
}

std::string RowLiteral(RowCursor& c, size_t ncols) {
  std::string s = "(";
  for (size_t i = 0; i < ncols; ++i) s += (i ? ", " : "") + ValueLiteral(c.value(i), 32);
  return s + ")";
}

bool SameKeyDefinition(const Table& a, const Table& b) {
  return a.key_kind != KeyKind::kNone && b.key_kind != KeyKind::kNone && a.key == b.key;
}

std::string KeyDescription(const Table& t) {
  if (t.key_kind == KeyKind::kNone) return fmt::format("no usable key ({})", t.no_key_reason);
  return fmt::format("{} ({})", KeyKindName(t.key_kind), fmt::join(t.key, ", "));
}

void CompareHeaders(const Table& a, const Table& b, TableDiff& d) {
  if (TableHeader(a) != TableHeader(b)) d.header_changed = true;
  for (const auto& c : a.columns) {
    const Column* other = b.FindColumn(c.name);
    if (other == nullptr) {
      d.header_notes.push_back(fmt::format("column {} only in A", c.name));
    } else if (other->declared_type != c.declared_type) {
      d.header_notes.push_back(fmt::format("column {}: type \"{}\" → \"{}\"", c.name,
                                           c.declared_type, other->declared_type));
    }
  }
  for (const auto& c : b.columns) {
    if (a.FindColumn(c.name) == nullptr) {
      d.header_notes.push_back(fmt::format("column {} only in B", c.name));
    }
  }
  if (d.header_changed && d.header_notes.empty()) {
    d.header_notes.push_back(fmt::format("column order: ({}) → ({})",
                                         fmt::join(a.ColumnNames(), ", "),
                                         fmt::join(b.ColumnNames(), ", ")));
  }
  bool a_keyed = a.key_kind != KeyKind::kNone, b_keyed = b.key_kind != KeyKind::kNone;
  if (a_keyed != b_keyed || a.key != b.key) {
    d.header_changed = true;
    d.header_notes.push_back(fmt::format("key: {} → {}", KeyDescription(a), KeyDescription(b)));
  }
}

Status DiffKeyed(Database& da, Database& db, const Table& a,
                 const std::vector<std::string>& columns, const DiffOptions& options,
                 TableDiff& d) {
  std::string what_a = fmt::format("{}: table \"{}\"", da.identity().target, a.name);
  std::string what_b = fmt::format("{}: table \"{}\"", db.identity().target, a.name);
  PG_ASSIGN_OR_RETURN(auto ca, da.Scan({a.name, columns, RowOrder::kKey}));
  PG_ASSIGN_OR_RETURN(auto cb, db.Scan({a.name, columns, RowOrder::kKey}));
  KeyedSide sa(std::move(ca), what_a), sb(std::move(cb), what_b);
  PG_RETURN_IF_ERROR(sa.Advance());
  PG_RETURN_IF_ERROR(sb.Advance());
  auto sample = [&](RowSample s) {
    if (d.samples.size() < options.max_samples) d.samples.push_back(std::move(s));
  };
  while (!sa.at_end() || !sb.at_end()) {
    int c = sa.at_end() ? 1 : sb.at_end() ? -1 : CompareKeys(sa.Key(), sb.Key());
    if (c < 0) {
      ++d.deleted;
      sample({RowSample::Kind::kDeleted, KeyLiterals(sa.cursor()), {}, {}, 1});
      PG_RETURN_IF_ERROR(sa.Advance());
    } else if (c > 0) {
      ++d.inserted;
      sample({RowSample::Kind::kInserted, KeyLiterals(sb.cursor()), {}, {}, 1});
      PG_RETURN_IF_ERROR(sb.Advance());
    } else {
      std::vector<std::string> changed;
      for (size_t i = 0; i < columns.size(); ++i) {
        if (!SameBytes(sa.cursor().value(i), sb.cursor().value(i))) changed.push_back(columns[i]);
      }
      if (!changed.empty()) {
        ++d.changed;
        sample({RowSample::Kind::kChanged, KeyLiterals(sa.cursor()), std::move(changed), {}, 1});
      }
      PG_RETURN_IF_ERROR(sa.Advance());
      PG_RETURN_IF_ERROR(sb.Advance());
    }
  }
  d.rows_a = sa.rows();
  d.rows_b = sb.rows();
  return Status::Ok();
}

Status DiffMultiset(Database& da, Database& db, const std::string& table,
                    const std::vector<std::string>& columns, const DiffOptions& options,
                    TableDiff& d) {
  std::string what_a = fmt::format("{}: table \"{}\"", da.identity().target, table);
  std::string what_b = fmt::format("{}: table \"{}\"", db.identity().target, table);
  PG_ASSIGN_OR_RETURN(auto ca, da.Scan({table, columns, RowOrder::kRowDigest}));
  PG_ASSIGN_OR_RETURN(auto cb, db.Scan({table, columns, RowOrder::kRowDigest}));
  // Identical rows are neighbours in digest order, so each side must ascend, not strictly.
  struct Side {
    std::unique_ptr<RowCursor> c;
    std::string what;
    bool has = false;
    uint64_t rows = 0;
    std::string last;
    Status Advance() {
      if (has) last.assign(c->row_digest());
      PG_ASSIGN_OR_RETURN(has, c->Next());
      if (!has) return Status::Ok();
      ++rows;
      if (rows > 1 && std::memcmp(c->row_digest().data(), last.data(), 32) < 0) {
        return Status::Internal(what + ": row digests did not arrive in ascending order",
                                "report this: the engine sorted unexpectedly");
      }
      return Status::Ok();
    }
  };
  Side sa{std::move(ca), what_a, false, 0, {}}, sb{std::move(cb), what_b, false, 0, {}};
  PG_RETURN_IF_ERROR(sa.Advance());
  PG_RETURN_IF_ERROR(sb.Advance());
  // A run of identical rows on one side becomes one sample with a count.
  std::string last_sampled_digest;
  RowSample::Kind last_kind = RowSample::Kind::kChanged;
  while (sa.has || sb.has) {
    int c = !sa.has   ? 1
            : !sb.has ? -1
                      : std::memcmp(sa.c->row_digest().data(), sb.c->row_digest().data(), 32);
    Side& s = c < 0 ? sa : sb;
    if (c == 0) {
      PG_RETURN_IF_ERROR(sa.Advance());
      PG_RETURN_IF_ERROR(sb.Advance());
      continue;
    }
    RowSample::Kind kind = c < 0 ? RowSample::Kind::kDeleted : RowSample::Kind::kInserted;
    (c < 0 ? d.deleted : d.inserted) += 1;
    std::string_view dg = s.c->row_digest();
    if (!d.samples.empty() && last_kind == kind && last_sampled_digest == dg) {
      d.samples.back().count += 1;
    } else if (d.samples.size() < options.max_samples) {
      d.samples.push_back({kind, {}, {}, RowLiteral(*s.c, columns.size()), 1});
      last_sampled_digest.assign(dg);
      last_kind = kind;
    } else {
      last_sampled_digest.clear();
    }
    PG_RETURN_IF_ERROR(s.Advance());
  }
  d.rows_a = sa.rows;
  d.rows_b = sb.rows;
  return Status::Ok();
}

Result<std::map<std::string, int64_t>> ReadSequences(Database& db) {
  std::map<std::string, int64_t> out;
  PG_ASSIGN_OR_RETURN(auto seqs, db.Sequences());
  for (const auto& s : seqs) out[s.name] = s.value;
  return out;
}

Result<DatabaseDiff> DiffLocked(Database& a, Database& b, const DiffOptions& options) {
  DatabaseDiff out;
  out.a = a.identity().target;
  out.b = b.identity().target;
  PG_ASSIGN_OR_RETURN(Schema sa, a.Introspect());
  PG_ASSIGN_OR_RETURN(Schema sb, b.Introspect());

  // Schema objects, merged by name (both lists are sorted by name bytes, then type).
  {
    std::map<std::pair<std::string, std::string>, const SchemaObject*> ma, mb;
    for (const auto& o : sa.objects) ma[{o.name, o.type}] = &o;
    for (const auto& o : sb.objects) mb[{o.name, o.type}] = &o;
    for (const auto& [k, o] : ma) {
      auto it = mb.find(k);
      if (it == mb.end()) {
        out.schema.push_back({o->type, o->name, Presence::kOnlyInA});
      } else if (o->sql != it->second->sql || o->table != it->second->table) {
        out.schema.push_back({o->type, o->name, Presence::kBoth});
      }
    }
    for (const auto& [k, o] : mb) {
      if (!ma.count(k)) out.schema.push_back({o->type, o->name, Presence::kOnlyInB});
    }
    std::sort(out.schema.begin(), out.schema.end(),
              [](const auto& x, const auto& y) { return x.name < y.name; });
  }

  std::map<std::string, std::pair<const Table*, const Table*>> tables;
  for (const auto& t : sa.tables) tables[t.name].first = &t;
  for (const auto& t : sb.tables) tables[t.name].second = &t;
  for (const auto& [name, pair] : tables) {
    const auto& [ta, tb] = pair;
    TableDiff d;
    d.name = name;
    if (ta == nullptr || tb == nullptr) {
      d.presence = ta ? Presence::kOnlyInA : Presence::kOnlyInB;
      Database& side = ta ? a : b;
      PG_ASSIGN_OR_RETURN(uint64_t n, side.CountRows(name));
      (ta ? d.rows_a : d.rows_b) = n;
      out.tables.push_back(std::move(d));
      continue;
    }
    CompareHeaders(*ta, *tb, d);
    std::vector<std::string> common;
    for (const auto& c : ta->columns) {
      if (tb->FindColumn(c.name) != nullptr) common.push_back(c.name);
    }
    if (SameKeyDefinition(*ta, *tb)) {
      d.keyed = true;
      d.key = ta->key;
      PG_RETURN_IF_ERROR(DiffKeyed(a, b, *ta, common, options, d));
    } else {
      PG_RETURN_IF_ERROR(DiffMultiset(a, b, name, common, options, d));
    }
    if (d.equal()) {
      ++out.tables_equal;
    } else {
      out.tables.push_back(std::move(d));
    }
  }

  PG_ASSIGN_OR_RETURN(auto qa, ReadSequences(a));
  PG_ASSIGN_OR_RETURN(auto qb, ReadSequences(b));
  std::map<std::string, SequenceDiff> seqs;
  for (const auto& [n, v] : qa) seqs[n].a = v;
  for (const auto& [n, v] : qb) seqs[n].b = v;
  for (auto& [n, s] : seqs) {
    if (s.a != s.b) {
      s.name = n;
      out.sequences.push_back(s);
    }
  }
  out.equal = out.schema.empty() && out.tables.empty();
  return out;
}

}  // namespace

Result<DatabaseDiff> DiffDatabases(Database& a, Database& b, const DiffOptions& options) {
  PG_RETURN_IF_ERROR(a.BeginRead());
  Status sb = b.BeginRead();
  if (!sb.ok()) {
    (void)a.EndRead();
    return sb;
  }
  Result<DatabaseDiff> r = DiffLocked(a, b, options);
  Status ea = a.EndRead(), eb = b.EndRead();
  if (!r.ok()) return r;
  if (!ea.ok()) return ea;
  if (!eb.ok()) return eb;
  return r;
}

}  // namespace prodgate::db
