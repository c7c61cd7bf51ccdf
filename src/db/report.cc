#include "db/report.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/tool.h"

namespace prodgate::db {
namespace {

Json SafeInteger(int64_t v) {
  if (v > kMaxSafeInteger || v < -kMaxSafeInteger) return Json(std::to_string(v));
  return Json(v);
}

std::string_view PresenceName(Presence p) {
  switch (p) {
    case Presence::kBoth:
      return "both";
    case Presence::kOnlyInA:
      return "only_in_a";
    case Presence::kOnlyInB:
      return "only_in_b";
  }
  return "?";
}

std::string_view SampleKindName(const TableDiff& t, RowSample::Kind k) {
  switch (k) {
    case RowSample::Kind::kInserted:
      return t.keyed ? "inserted" : "only_in_b";
    case RowSample::Kind::kDeleted:
      return t.keyed ? "deleted" : "only_in_a";
    case RowSample::Kind::kChanged:
      return "changed";
  }
  return "?";
}

Result<std::string> Canonical(const Json& j) {
  PG_ASSIGN_OR_RETURN(std::string s, CanonicalJson(j, NumberPolicy::kIntegersOnly));
  return s + "\n";
}

}  // namespace

Json HashJson(const LogicalHash& h) {
  Json tables = Json::object();
  for (const auto& t : h.tables) {
    tables[t.name] = {{"rows", t.rows},
                      {"digest", ToHex(t.digest)},
                      {"key", std::string(KeyKindName(t.key_kind))}};
  }
  Json sequences = Json::object();
  for (const auto& s : h.sequences) sequences[s.name] = SafeInteger(s.value);
  Json excluded = Json::object();
  for (const auto& e : h.excluded) excluded[e.name] = e.reason;
  Json j = {{"format", std::string(kHashFormat)},
            {"tool", ToolJson()},
            {"target", h.target},
            {"schema", ToHex(h.schema)},
            {"tables", tables},
            {"sequences", sequences},
            {"excluded", excluded}};
  if (h.complete) {
    j["root"] = ToHex(h.root);
  } else {
    j["partial"] = true;
  }
  return j;
}

Result<std::string> HashJsonText(const LogicalHash& h) { return Canonical(HashJson(h)); }

std::string HashText(const LogicalHash& h) {
  std::string out;
  if (h.complete) {
    out += fmt::format("root     {}\n", ToHex(h.root));
  } else {
    out += "root     (none: only the tables asked for were hashed)\n";
  }
  out += fmt::format("schema   {}\n", ToHex(h.schema));
  uint64_t rows = 0;
  for (const auto& t : h.tables) rows += t.rows;
  out += fmt::format("tables   {} ({} rows)\n", h.tables.size(), rows);
  for (const auto& t : h.tables) {
    out +=
        fmt::format("  {}  {:>10} rows  {}{}\n", ToHex(t.digest), t.rows, t.name,
                    t.key_kind == KeyKind::kNone ? "  (no usable key: hashed as a multiset)" : "");
  }
  if (!h.sequences.empty()) {
    out += "sequences (outside the root: they do not roll back)\n";
    for (const auto& s : h.sequences) out += fmt::format("  {:>10}  {}\n", s.value, s.name);
  }
  if (!h.excluded.empty()) {
    out += "excluded\n";
    for (const auto& e : h.excluded) out += fmt::format("  {}: {}\n", e.name, e.reason);
  }
  return out;
}

Json DiffJson(const DatabaseDiff& d) {
  Json schema = Json::array();
  for (const auto& s : d.schema) {
    schema.push_back(
        {{"type", s.type},
         {"name", s.name},
         {"change", s.presence == Presence::kBoth ? std::string("changed")
                                                  : std::string(PresenceName(s.presence))}});
  }
  Json tables = Json::object();
  for (const auto& t : d.tables) {
    Json j = {{"presence", std::string(PresenceName(t.presence))},
              {"rows_a", t.rows_a},
              {"rows_b", t.rows_b}};
    if (t.presence == Presence::kBoth) {
      j["keyed"] = t.keyed;
      j["header"] = t.header_notes;
      if (t.keyed) {
        j["key"] = t.key;
        j["inserted"] = t.inserted;
        j["deleted"] = t.deleted;
        j["changed"] = t.changed;
      } else {
        j["only_in_a"] = t.deleted;
        j["only_in_b"] = t.inserted;
      }
      Json samples = Json::array();
      for (const auto& s : t.samples) {
        Json sj = {{"kind", std::string(SampleKindName(t, s.kind))}};
        if (t.keyed) {
          sj["key"] = s.key;
          if (s.kind == RowSample::Kind::kChanged) sj["columns"] = s.columns;
        } else {
          sj["row"] = s.row;
          sj["count"] = s.count;
        }
        samples.push_back(std::move(sj));
      }
      j["samples"] = samples;
    }
    tables[t.name] = std::move(j);
  }
  Json sequences = Json::object();
  for (const auto& s : d.sequences) {
    sequences[s.name] = {{"a", s.a ? SafeInteger(*s.a) : Json(nullptr)},
                         {"b", s.b ? SafeInteger(*s.b) : Json(nullptr)}};
  }
  return {{"format", std::string(kDiffFormat)},
          {"tool", ToolJson()},
          {"a", d.a},
          {"b", d.b},
          {"equal", d.equal},
          {"schema", schema},
          {"tables", tables},
          {"tables_equal", d.tables_equal},
          {"sequences", sequences}};
}

Result<std::string> DiffJsonText(const DatabaseDiff& d) { return Canonical(DiffJson(d)); }

std::string DiffText(const DatabaseDiff& d) {
  std::string out = fmt::format("{}  {} → {}\n", d.equal ? "EQUAL" : "DIFFERENT", d.a, d.b);
  for (const auto& s : d.schema) {
    out += fmt::format("schema   {} {}: {}\n", s.type, s.name,
                       s.presence == Presence::kOnlyInA   ? "only in A"
                       : s.presence == Presence::kOnlyInB ? "only in B"
                                                          : "SQL differs");
  }
  for (const auto& t : d.tables) {
    if (t.presence != Presence::kBoth) {
      out += fmt::format("table    {}: only in {} ({} rows)\n", t.name,
                         t.presence == Presence::kOnlyInA ? "A" : "B",
                         t.presence == Presence::kOnlyInA ? t.rows_a : t.rows_b);
      continue;
    }
    if (t.keyed) {
      out += fmt::format(
          "table    {} by key ({}): {} inserted, {} deleted, {} changed; {} → {} rows\n", t.name,
          fmt::join(t.key, ", "), t.inserted, t.deleted, t.changed, t.rows_a, t.rows_b);
    } else {
      out += fmt::format(
          "table    {} as a multiset (no shared key): {} rows only in A, {} only in B; {} → {} "
          "rows\n",
          t.name, t.deleted, t.inserted, t.rows_a, t.rows_b);
    }
    for (const auto& n : t.header_notes) out += fmt::format("    header: {}\n", n);
    for (const auto& s : t.samples) {
      std::string kind(SampleKindName(t, s.kind));
      if (kind == "only_in_a") kind = "only in A";
      if (kind == "only_in_b") kind = "only in B";
      if (t.keyed) {
        out += fmt::format(
            "    {:<9} {}{}\n", kind, fmt::join(s.key, ", "),
            s.columns.empty() ? std::string() : fmt::format("  [{}]", fmt::join(s.columns, ", ")));
      } else {
        out += fmt::format("    {:<9} {}{}\n", kind, s.row,
                           s.count > 1 ? fmt::format("  ×{}", s.count) : std::string());
      }
    }
    uint64_t shown = 0, total = t.inserted + t.deleted + t.changed;
    for (const auto& s : t.samples) shown += s.count;
    if (shown < total) out += fmt::format("    … {} more\n", total - shown);
  }
  if (d.tables_equal > 0) out += fmt::format("{} table(s) equal\n", d.tables_equal);
  if (!d.sequences.empty()) {
    out += "sequences (reported, never part of equality: they do not roll back)\n";
    for (const auto& s : d.sequences) {
      auto v = [](const std::optional<int64_t>& x) {
        return x ? fmt::format("{}", *x) : std::string("absent");
      };
      out += fmt::format("  {}: {} → {}\n", s.name, v(s.a), v(s.b));
    }
  }
  return out;
}

}  // namespace prodgate::db
