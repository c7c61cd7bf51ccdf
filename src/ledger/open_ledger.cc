// OpenLedger: picks the store for a location (store.h).
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

Result<std::unique_ptr<LedgerStore>> OpenLedger(std::string_view location, bool create) {
  if (location.starts_with("sqlite:")) {
    return OpenSqliteLedger(std::string(location.substr(7)), create);
  }
  if (IsPostgresLocation(location)) return OpenPostgresLedger(location, create);
  return OpenSqliteLedger(std::string(location), create);
}

}  // namespace prodgate::ledger
