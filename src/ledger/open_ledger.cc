// OpenLedger: picks the store for a location (store.h).
#include <fmt/format.h>

#include <string>

#include "core/redact.h"
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
  if (IsPostgresLocation(location)) {
    // Its password cannot be taken out faithfully: refused before libpq sees it.
    if (auto bound = BindableTarget(location); !bound.ok()) {
      return Status::BadInput("the ledger location is refused: " + bound.status().what(),
                              bound.status().fix());
    }
    // "postgresql:KEYWORDS" is the target form; libpq reads the keywords.
    for (std::string_view scheme : {"postgresql:", "postgres:"}) {
      if (location.starts_with(scheme) && !location.substr(scheme.size()).starts_with("//")) {
        return OpenPostgresLedger(location.substr(scheme.size()), create);
      }
    }
    return OpenPostgresLedger(location, create);
  }
  // A file name is printed and recorded as written: one that looks like it holds a password
  // (a miscased or space-prefixed PostgreSQL location, which libpq would not read either) is
  // refused rather than created, shown or kept.
  if (RedactSecrets(location) != location) {
    return Status::BadInput(
        fmt::format("ledger location \"{}\" is not a PostgreSQL location libpq reads, and as a "
                    "file name it holds what looks like a password",
                    RedactSecrets(location)),
        "write postgresql://USER@HOST/DBNAME (lower-case scheme, no leading space) with the "
        "password in ~/.pgpass or PGPASSWORD, or sqlite:PATH for a file");
  }
  return OpenSqliteLedger(std::string(location), create);
}

}  // namespace prodgate::ledger
