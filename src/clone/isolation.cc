#include "clone/isolation.h"

#include <fmt/format.h>

#include <sys/stat.h>
#include <regex>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "core/redact.h"
#include "core/tool.h"
#include "db/postgres.h"

namespace prodgate::clone {
namespace {

namespace fs = std::filesystem;

bool IsHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsDecimal(const std::string& s) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool IsPositiveNumber(const std::string& s) {
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  return !s.empty() && end == s.c_str() + s.size() && v > 0;
}

// YYYY-MM-DDTHH:MM:SS[.frac]Z
bool IsRfc3339Utc(const std::string& s) {
  if (s.size() < 20 || s.back() != 'Z') return false;
  const char* shape = "dddd-dd-ddTdd:dd:dd";
  for (size_t i = 0; i < 19; ++i) {
    if (shape[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(s[i])) : s[i] != shape[i]) {
      return false;
    }
  }
  if (s.size() == 20) return true;
  if (s[19] != '.' || s.size() < 22) return false;
  for (size_t i = 20; i + 1 < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

}  // namespace

std::string_view CheckStateName(CheckState s) {
  switch (s) {
    case CheckState::kPass:
      return "PASS";
    case CheckState::kFail:
      return "FAIL";
    case CheckState::kNotRun:
      return "NOT RUN";
  }
  return "?";
}

ProductionIdentity ParseProductionArgument(const std::string& arg) {
  static const std::regex named("^([A-Za-z0-9_.-]+)=(.+)$");
  std::smatch m;
  if (std::regex_match(arg, m, named)) return {m[1].str(), m[2].str(), ""};
  return {ShownTarget(arg), arg, ""};  // the name is printed and recorded
}

Result<CheckOutcome> CheckIsolation(const db::Database& target,
                                    const std::vector<ProductionIdentity>& production) {
  CheckOutcome out;
  out.name = "isolation";
  const db::Identity& id = target.identity();
  if (id.engine == "postgresql") {
    out.facts["target"] = {{"target", id.target},
                           {"host", id.host},
                           {"port", id.port},
                           {"dbname", id.dbname},
                           {"system_identifier", id.system_identifier}};
  } else {
    out.facts["target"] = {{"target", id.target}, {"path", id.path}};
  }
  Json compared = Json::array();
  if (production.empty()) {
    out.Add({"no-production-identities",
             "no production database was named, so nothing shows the target is not production",
             "name every production database (--production NAME=TARGET, or the workspace's "
             "[[production]] list)",
             Json::object()});
  }
  for (const auto& p : production) {
    PG_ASSIGN_OR_RETURN(db::TargetName t, db::ParseTarget(p.target));
    Json entry = {{"name", p.name}, {"target", ShownTarget(p.target)}};
    if (t.engine != id.engine) {
      entry["result"] = "different engine";
      compared.push_back(entry);
      continue;
    }
    if (t.engine == "postgresql") {
      entry["host"] = t.host;
      entry["port"] = t.port;
      entry["dbname"] = t.dbname;
      bool same_address = t.host == id.host && t.port == id.port && t.dbname == id.dbname;
      bool same_server = !p.system_identifier.empty() && !id.system_identifier.empty() &&
                         p.system_identifier == id.system_identifier;
      std::string how;
      if (same_address) {
        how =
            fmt::format("the same host, port and database ({}:{}/{})", id.host, id.port, id.dbname);
      } else if (same_server && t.dbname == id.dbname) {
        how = fmt::format("the same server (system_identifier {}) and database \"{}\"",
                          id.system_identifier, id.dbname);
      }
      if (!how.empty()) {
        entry["result"] = "same";
        out.Add({"production-identity",
                 fmt::format("the target {} is production \"{}\" ({}): {}", id.target, p.name,
                             t.host + ":" + t.port + "/" + t.dbname, how),
                 "run clone checks and rehearsals only on a clone: make one with `prodgate "
                 "surrogate --out postgresql://…` or a masking copy, on another database",
                 {{"production", p.name}, {"dbname", id.dbname}}});
      } else if (same_server) {
        entry["result"] = "same server, another database";
      } else {
        entry["result"] = p.system_identifier.empty()
                              ? "different address (no system_identifier given to compare)"
                              : "different server";
      }
      compared.push_back(entry);
      continue;
    }
    std::error_code ec;
    fs::path abs = fs::absolute(t.path, ec);
    struct stat st;
    bool exists = ::stat(t.path.c_str(), &st) == 0;
    std::string real;
    if (exists) {
      real = fs::canonical(t.path, ec).string();
    } else {
      real = fs::weakly_canonical(abs, ec).string();
    }
    entry["path"] = real;
    std::string how;
    if (!real.empty() && real == id.path) {
      how = "the same file (real path " + real + ")";
    } else if (exists && st.st_dev == id.device && st.st_ino == id.inode) {
      how = fmt::format("the same file under another name (device {}, inode {})", id.device,
                        id.inode);
    }
    if (!how.empty()) {
      entry["result"] = "same";
      out.Add({"production-identity",
               fmt::format("the target {} is production \"{}\" ({}): {}", id.target, p.name,
                           ShownTarget(p.target), how),
               "run clone checks and rehearsals only on a clone: make one with `prodgate "
               "surrogate` or a masking copy",
               {{"production", p.name}, {"path", id.path}}});
    } else {
      entry["result"] = exists ? "different file" : "not present on this machine";
    }
    compared.push_back(entry);
  }
  out.facts["production"] = compared;
  return out;
}

Status CheckOutboundLinks(db::Database& db, CheckOutcome& out) {
  if (db.identity().engine != "postgresql") return Status::Ok();
  PG_ASSIGN_OR_RETURN(auto links, db::ListPostgresLinks(db));
  Json seen = Json::array();
  for (const auto& l : links) {
    seen.push_back({{"kind", l.kind}, {"name", l.name}});
    std::string what, fix;
    if (l.kind == "foreign-server") {
      what = fmt::format("foreign server \"{}\" ({})", l.name, l.detail);
      fix = fmt::format("on the clone: DROP SERVER \"{}\" CASCADE; a clone reaches no other server",
                        l.name);
    } else if (l.kind == "user-mapping") {
      what = fmt::format("user mapping for {} ({})", l.name, l.detail);
      fix =
          "on the clone: DROP USER MAPPING FOR … SERVER …; a clone holds no credentials for "
          "other servers";
    } else if (l.kind == "subscription") {
      what = fmt::format("subscription \"{}\" ({})", l.name, l.detail);
      fix = fmt::format(
          "on the clone: ALTER SUBSCRIPTION \"{0}\" DISABLE; ALTER SUBSCRIPTION \"{0}\" SET "
          "(slot_name = NONE); DROP SUBSCRIPTION \"{0}\"",
          l.name);
    } else {
      what = fmt::format("the dblink extension is installed ({})", l.detail);
      fix = "on the clone: DROP EXTENSION dblink CASCADE";
    }
    out.Add({l.kind, "the clone has a way out: " + what, fix, {{"name", l.name}}});
  }
  out.facts["outbound_links"] = seen;
  return Status::Ok();
}

Status WriteMarker(db::Database& db, const Provenance& p) {
  bool pg = db.identity().engine == "postgresql";
  PG_RETURN_IF_ERROR(db.Execute(
      fmt::format("CREATE TABLE {}(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL){}",
                  kMarkerTable, pg ? "" : " WITHOUT ROWID")));
  std::vector<std::pair<std::string, std::string>> rows = {{"format", std::string(kMarkerFormat)},
                                                           {"made_by", p.made_by},
                                                           {"tool_version", ToolVersion()},
                                                           {"spec_sha256", p.spec_sha256}};
  if (!p.seed.empty()) rows.emplace_back("seed", p.seed);
  if (!p.scale.empty()) rows.emplace_back("scale", p.scale);
  if (!p.source.empty()) rows.emplace_back("source", p.source);
  if (!p.created_at.empty()) rows.emplace_back("created_at", p.created_at);
  PG_ASSIGN_OR_RETURN(auto w, db.Insert(kMarkerTable, {"key", "value"}));
  for (const auto& [k, v] : rows) {
    w->Set(0, db::ValueRef::Text(k));
    w->Set(1, db::ValueRef::Text(v));
    PG_RETURN_IF_ERROR(w->AddRow());
  }
  return w->Finish();
}

Status CheckMarker(db::Database& db, CheckOutcome& out) {
  PG_ASSIGN_OR_RETURN(db::Schema schema, db.Introspect());
  const db::Table* t = schema.FindTable(kMarkerTable);
  std::string fix =
      "make clones with `prodgate surrogate` (or the masking copy), which write the marker; a "
      "database without it has no provenance";
  if (t == nullptr) {
    out.Add({"marker-missing",
             fmt::format("the target has no {} table, so nothing records where it came from",
                         kMarkerTable),
             fix, Json::object()});
    return Status::Ok();
  }
  if (t->FindColumn("key") == nullptr || t->FindColumn("value") == nullptr) {
    out.Add({"marker-invalid",
             fmt::format("the {} table lacks the columns (key, value)", kMarkerTable),
             fix,
             {{"table", std::string(kMarkerTable)}}});
    return Status::Ok();
  }
  std::map<std::string, std::string> kv;
  PG_ASSIGN_OR_RETURN(auto c,
                      db.Scan({std::string(kMarkerTable), {"key", "value"}, db::RowOrder::kAny}));
  while (true) {
    PG_ASSIGN_OR_RETURN(bool more, c->Next());
    if (!more) break;
    db::ValueRef k = c->value(0), v = c->value(1);
    if (k.type != db::ValueType::kText || v.type != db::ValueType::kText) {
      out.Add({"marker-invalid",
               fmt::format("the {} table holds a row that is not (text, text)", kMarkerTable), fix,
               Json::object()});
      continue;
    }
    kv[std::string(k.bytes)] = std::string(v.bytes);
  }
  Json marker = Json::object();
  for (const auto& [k, v] : kv) marker[k] = v;
  out.facts["marker"] = marker;

  auto bad = [&](const std::string& key, const std::string& what) {
    out.Add({"marker-invalid", fmt::format("marker {}: {}", key, what), fix, {{"key", key}}});
  };
  auto need = [&](const std::string& key) -> const std::string* {
    auto it = kv.find(key);
    if (it == kv.end()) {
      bad(key, "missing");
      return nullptr;
    }
    return &it->second;
  };
  if (const auto* f = need("format"); f && *f != kMarkerFormat) {
    bad("format", fmt::format("is \"{}\", expected \"{}\"", *f, kMarkerFormat));
  }
  const std::string* made_by = need("made_by");
  if (made_by && *made_by != "surrogate" && *made_by != "masking-copy") {
    bad("made_by", fmt::format("is \"{}\", expected \"surrogate\" or \"masking-copy\"", *made_by));
  }
  need("tool_version");
  if (const auto* s = need("spec_sha256"); s && !IsHex64(*s)) {
    bad("spec_sha256", "is not 64 lowercase hex digits");
  }
  if (made_by && *made_by == "surrogate") {
    if (const auto* s = need("seed"); s && !IsDecimal(*s)) bad("seed", "is not a decimal integer");
    if (const auto* s = need("scale"); s && !IsPositiveNumber(*s)) {
      bad("scale", "is not a positive number");
    }
  }
  if (auto it = kv.find("created_at"); it != kv.end() && !IsRfc3339Utc(it->second)) {
    bad("created_at", "is not an RFC 3339 UTC time (YYYY-MM-DDTHH:MM:SSZ)");
  }
  return Status::Ok();
}

}  // namespace prodgate::clone
