// Renderings of logical hashes and diffs: human text, and canonical JSON carrying the
// document format and the tool's identity (core/tool.h).
//
//   prodgate.dbhash/1  {"format","tool","target","root"?,"schema",
//                       "tables":{name:{"rows","digest","key"}},
//                       "sequences":{name:value},"excluded":{name:reason}}
//                      "root" is absent, and "partial":true present, when only some tables
//                      were hashed. "key" is "rowid", "primary key" or "none" (multiset).
//   prodgate.dbdiff/1  {"format","tool","a","b","equal","schema":[…],"tables":{…},
//                       "tables_equal","sequences":{name:{"a","b"}}}
// Integers beyond ±2^53 (a sequence counter can be one) are written as decimal strings:
// these documents are hashed, so they carry no number a JSON reader could round.
#pragma once

#include <string>

#include "core/canonical_json.h"
#include "core/status.h"
#include "db/diff.h"
#include "db/logical_hash.h"

namespace prodgate::db {

inline constexpr std::string_view kDiffFormat = "prodgate.dbdiff/1";

Json HashJson(const LogicalHash& h);
// Canonical JSON + "\n".
Result<std::string> HashJsonText(const LogicalHash& h);
std::string HashText(const LogicalHash& h);

Json DiffJson(const DatabaseDiff& d);
Result<std::string> DiffJsonText(const DatabaseDiff& d);
std::string DiffText(const DatabaseDiff& d);

}  // namespace prodgate::db
