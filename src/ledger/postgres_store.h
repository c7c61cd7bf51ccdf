// The PostgreSQL ledger store (postgres_store.cc): one chain shared by a team, appended to by
// many processes on many hosts.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/store.h"

namespace prodgate::ledger {

// True for the locations the PostgreSQL store serves: "postgresql://…" and "postgres://…"
// URIs, and libpq keyword strings ("host=/run/postgresql dbname=ledger"), recognized by a
// first word followed by '='. A SQLite file whose name looks like that is opened with an
// explicit "sqlite:" prefix.
bool IsPostgresLocation(std::string_view location);

// Connects to the ledger at `location` (a URI or keyword string, passed to libpq). `create`
// makes the schema "prodgate" and its tables when missing; otherwise a database without
// them is an error.
Result<std::unique_ptr<LedgerStore>> OpenPostgresLedger(std::string_view location, bool create);

// The protected team ledger (DESIGN.md §3.10 point 3), made by the database's administrator:
// NOLOGIN roles <prefix>_owner (owns the schema, its tables and functions), <prefix>_writer
// (may read, append through prodgate.append and write the projections cache),
// <prefix>_reader (may read) and <prefix>_breakglass (the only role the append-only triggers
// let change history), created when missing; the given login roles are made members of
// them. Idempotent; on an existing ledger its events are kept and its ownership moves to
// the owner role. One transaction: a failure changes nothing.
struct ProvisionOptions {
  std::string prefix = "prodgate";
  std::vector<std::string> writers, readers, break_glass;  // existing login roles
};
struct ProvisionReport {
  std::string location;  // redacted
  std::string owner, writer, reader, break_glass;
};
Result<ProvisionReport> ProvisionPostgresLedger(std::string_view location,
                                                const ProvisionOptions& options);

}  // namespace prodgate::ledger
