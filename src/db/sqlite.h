// The SQLite adapter of db/database.h.
//
// Reads go through a connection opened with a `file:` URI and `mode=ro` (kReadOnly) or
// `mode=rw` (kReadWrite); a path that does not exist is refused before SQLite sees it, so
// nothing is ever created by a read. Every SQLite error is a Status that names the target,
// the table and SQLite's own message and code.
//
// Row order: keyed scans use `ORDER BY key COLLATE BINARY` (the INTEGER PRIMARY KEY alone
// for rowid tables). In a UTF-8 database BINARY compares the UTF-8 bytes with memcmp, which
// is exactly the key order of db/value.h; in a UTF-16 database it would compare UTF-16
// bytes, so the adapter uses its own collation `prodgate_utf8` there (SQLite hands it the
// text as UTF-8). Either way the hasher and the diff check every step of the order and fail
// rather than trust it.
//
// Keyless tables are hashed through the SQL function prodgate_row_digest(c1, …, cn), which
// returns the row digest of logical_hash.h, and `ORDER BY` on it: SQLite's sorter spills to
// temporary files, so memory stays bounded for any table size. (SQLite allows 127 function
// arguments; wider tables are encoded in groups of 100 columns by prodgate_row_enc and
// joined by prodgate_row_digest_parts, which yields the same digest.)
//
// Snapshot and Restore use the online backup API (a page copy of the whole database, taken
// under a read lock, so it is consistent even while others write).
#pragma once

#include <memory>
#include <string>

#include "db/database.h"

namespace prodgate::db {

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& target, const std::string& path,
                                             OpenMode mode);

}  // namespace prodgate::db
