// The PostgreSQL ledger store (postgres_store.cc): one chain shared by a team, appended to by
// many processes on many hosts.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ledger/store.h"

namespace prodgate::ledger {

// True for the locations the PostgreSQL store serves: "postgresql://…" and "postgres://…"
// URIs, and libpq keyword strings ("host=/run/postgresql dbname=ledger"), recognized by a
// first word followed by '='. A SQLite file whose name looks like that is opened with an
// explicit "sqlite:" prefix.
bool IsPostgresLocation(std::string_view location);

// The location without its password (for messages and location()); as given when it has
// none.
std::string RedactedPostgresLocation(std::string_view location);

// Connects to the ledger at `location` (a URI or keyword string, passed to libpq). `create`
// makes the schema "prodgate" and its tables when missing; otherwise a database without
// them is an error.
Result<std::unique_ptr<LedgerStore>> OpenPostgresLedger(std::string_view location, bool create);

}  // namespace prodgate::ledger
