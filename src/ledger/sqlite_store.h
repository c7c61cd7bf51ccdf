// The SQLite ledger store (sqlite_store.cc): the default, `.prodgate/ledger.db`.
#pragma once

#include <memory>
#include <string>

#include "ledger/store.h"

namespace prodgate::ledger {

// Opens the SQLite ledger at `path` (no "sqlite:" prefix); `create` makes a new one.
Result<std::unique_ptr<LedgerStore>> OpenSqliteLedger(const std::string& path, bool create);

}  // namespace prodgate::ledger
