// The secret check of a clone: every TEXT and BLOB value of every table (user tables, the
// engine's own such as sqlite_stat4 samples, and the marker), the SQL text of every schema
// object (defaults and trigger bodies can hold literals), and optionally the raw bytes of
// the database file (deleted rows in free pages, which no logical read returns).
//
// Two kinds of rules:
//   - pattern rules (secret_rules.h), run by the Vectorscan scanner;
//   - "credential-column": a value of 16 bytes or more, without whitespace and with at least
//     3.5 bits of entropy per byte, in a column whose name says it holds a credential
//     (password, passwd, secret, token, api_key, apikey, access_key, private_key,
//     client_secret, auth_key). This is how an opaque token without a known prefix is found,
//     e.g. a Directus static token in directus_users.token.
//
// Findings name the rule, table, column and row key, with the byte offset and length of the
// match in the value. The value is never printed. The row key is withheld (the row is then
// named by its ordinal in the scan) when a key column of the row is itself flagged, or when
// the printed key would match a rule.
#pragma once

#include "clone/finding.h"
#include "clone/secret_scan.h"
#include "core/status.h"
#include "db/database.h"

namespace prodgate::clone {

struct SecretCheckOptions {
  bool raw_file = false;  // also scan the database file's bytes (SQLite: the file and its -wal)
};

// True when a column name says the column holds a credential (see above).
bool IsCredentialColumn(std::string_view column);

Result<CheckOutcome> CheckSecrets(db::Database& db, SecretScanner& scanner,
                                  const SecretCheckOptions& options = {});

}  // namespace prodgate::clone
