#include <fmt/format.h>

#include "core/redact.h"
#include "db/database.h"
#include "db/postgres.h"
#include "db/sqlite.h"

namespace prodgate::db {
namespace {

// The libpq connection string of a PostgreSQL target, or nullopt when `target` is not one.
// "postgresql://…" and "postgres://…" are libpq URIs as written; "postgresql:KEYWORDS" and
// "postgres:KEYWORDS" carry a keyword string.
std::optional<std::string> PostgresConninfo(std::string_view target) {
  for (std::string_view scheme : {"postgresql:", "postgres:"}) {
    if (!target.starts_with(scheme)) continue;
    std::string_view rest = target.substr(scheme.size());
    if (rest.starts_with("//")) return std::string(target);
    return std::string(rest);
  }
  return std::nullopt;
}

}  // namespace

std::string_view SupportedTargetForms() {
  return "sqlite:PATH (e.g. sqlite:./clone.db), postgresql://USER@HOST:PORT/DBNAME (a libpq "
         "URI) or postgresql:host=HOST port=PORT dbname=DBNAME (a libpq keyword string)";
}

Result<TargetName> ParseTarget(std::string_view target) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (target.substr(0, kSqlite.size()) == kSqlite) {
    std::string path(target.substr(kSqlite.size()));
    if (path.empty()) {
      return Status::BadInput(fmt::format("target \"{}\" names no file", target),
                              fmt::format("write {}", SupportedTargetForms()));
    }
    if (path.find('\0') != std::string::npos) {
      return Status::BadInput("target path contains a NUL byte");
    }
    return TargetName{"sqlite", std::move(path), {}, {}, {}, {}};
  }
  if (auto conninfo = PostgresConninfo(target)) {
    if (conninfo->empty() || conninfo->find('\0') != std::string::npos) {
      return Status::BadInput(fmt::format("target \"{}\" names no database", ShownTarget(target)),
                              fmt::format("write {}", SupportedTargetForms()));
    }
    // A target whose password cannot be taken out faithfully is not used at all: its host,
    // port or database name may be pieces of the password.
    if (auto bound = BindableTarget(target); !bound.ok()) {
      std::string why = bound.status().what();
      constexpr std::string_view kPrefix = "the target is not shown: ";
      if (why.starts_with(kPrefix)) why = why.substr(kPrefix.size());
      return Status::BadInput("the PostgreSQL target is refused, and not shown: " + why,
                              bound.status().fix());
    }
    auto addr = ParsePostgresConninfo(*conninfo);
    if (!addr.ok()) {
      return Status::BadInput(
          fmt::format("target \"{}\": {}", ShownTarget(target), addr.status().what()),
          addr.status().fix());
    }
    return TargetName{"postgresql", {}, *conninfo, addr->host, addr->port, addr->dbname};
  }
  std::string what;
  if (target.find(':') == std::string_view::npos) {
    what = fmt::format("target \"{}\" has no engine prefix", ShownTarget(target));
  } else {
    what = fmt::format("target \"{}\" names an unknown engine", ShownTarget(target));
  }
  return Status::BadInput(what, fmt::format("the supported forms are {}", SupportedTargetForms()));
}

Result<std::unique_ptr<Database>> OpenTarget(std::string_view target, OpenMode mode) {
  PG_ASSIGN_OR_RETURN(TargetName name, ParseTarget(target));
  if (name.engine == "postgresql") return OpenPostgres(std::string(target), name.conninfo, mode);
  return OpenSqlite(std::string(target), name.path, mode);
}

}  // namespace prodgate::db
