// OpenLedger: picks the store for a location (store.h).
#include <fmt/format.h>

#include <string>

#include "ledger/postgres_store.h"
#include "ledger/sqlite_store.h"

namespace prodgate::ledger {

std::string_view LedgerKindName(LedgerKind k) {
  switch (k) {
    case LedgerKind::kLocalFile:
      return "sqlite-local";
    case LedgerKind::kPostgresProtected:
      return "postgresql-protected";
    case LedgerKind::kPostgresUnprotected:
      return "postgresql-unprotected";
  }
  return "unknown";
}

Status FailedCommit(std::string_view location, const Event& e, const Status& commit,
                    const Result<std::optional<Event>>& found) {
  if (found.ok() && found->has_value()) {
    return Status::UnknownOutcome(
        fmt::format("ledger {}: the commit of event {} ({}) was not confirmed ({}); the ledger "
                    "holds it now, but it may not survive a crash",
                    location, e.seq, e.kind, commit.what()),
        "treat it as written: check the disk or the server, then run `prodgate ledger verify` "
        "and look at the head (`prodgate ledger head`) before acting again");
  }
  if (!found.ok()) {
    return Status::UnknownOutcome(
        fmt::format("ledger {}: the commit of event {} ({}) was not confirmed ({}), and the "
                    "ledger cannot be read back ({}): whether it was written is unknown",
                    location, e.seq, e.kind, commit.what(), found.status().what()),
        "do not act on it; once the disk or the server is healthy run `prodgate ledger verify` "
        "and look at the head");
  }
  return Status::Internal(
      fmt::format("ledger {}: the commit of event {} ({}) failed ({}); the event is not in the "
                  "ledger: nothing was written",
                  location, e.seq, e.kind, commit.what()),
      commit.fix());
}

Result<std::unique_ptr<LedgerStore>> OpenLedger(std::string_view location, bool create) {
  if (location.starts_with("sqlite:")) {
    return OpenSqliteLedger(std::string(location.substr(7)), create);
  }
  if (IsPostgresLocation(location)) return OpenPostgresLedger(location, create);
  return OpenSqliteLedger(std::string(location), create);
}

}  // namespace prodgate::ledger
