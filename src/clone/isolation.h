// Isolation of a clone (DESIGN.md §3.8): the target is not a production database, and it
// carries the clone marker with its provenance.
//
// Production identity (SQLite): the target is production when its file is the production
// file: the same real path (symlinks, "." and ".." resolved), or the same device and inode
// (a hard link). A production path that does not exist on this machine cannot be the
// target.
// Production identity (PostgreSQL): the target is production when it has the production
// target's host, port and dbname (as written, libpq defaults applied; names are not
// resolved, so "localhost" and "127.0.0.1" differ), or when the production entry names a
// system_identifier that is the target server's and the same dbname. The same server with
// another dbname is recorded in the facts, not a finding. Production is never contacted.
// The list of production identities comes from the caller (the CLI's --production, later the
// workspace's [[production]] list); an empty list proves nothing and is a finding.
//
// The clone marker: a table every clone made by prodgate carries.
//
//   CREATE TABLE prodgate_clone(key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID
//
//   key           value
//   format        "prodgate.clone/1"                                   required
//   made_by       "surrogate" | "masking-copy"                         required
//   tool_version  version of the prodgate that made it                 required
//   spec_sha256   SHA-256 (hex) of the surrogate spec or masking spec  required
//   seed          surrogate: the seed, decimal                         required for surrogate
//   scale         surrogate: the scale factor, decimal                 required for surrogate
//   source        masking-copy: what was copied (no credentials)       optional
//   created_at    RFC 3339 UTC time                                    optional
//
// The surrogate writes no created_at: the marker is part of the logical hash, and the same
// spec and seed must give the same hash. The marker records provenance; it is not a proof by
// itself (a copy of production with a marker added is still production data, which the
// secret scan and the production identity check are there to catch).
#pragma once

#include <string>
#include <vector>

#include "clone/finding.h"
#include "core/status.h"
#include "db/database.h"

namespace prodgate::clone {

inline constexpr std::string_view kMarkerTable = "prodgate_clone";
inline constexpr std::string_view kMarkerFormat = "prodgate.clone/1";

struct ProductionIdentity {
  std::string name;                    // as the operator calls it, e.g. "directus-prod"
  std::string target;                  // e.g. "sqlite:/srv/directus/data.db"
  std::string system_identifier = {};  // PostgreSQL, optional: pg_control_system() of production
};

// "NAME=TARGET" or "TARGET" (then the name is the target), as --production takes it.
ProductionIdentity ParseProductionArgument(const std::string& arg);

// Findings "production-identity" (one per production the target is) and
// "no-production-identities". Bad input (a production target that cannot be parsed) is a
// failed Status.
Result<CheckOutcome> CheckIsolation(const db::Database& target,
                                    const std::vector<ProductionIdentity>& production);

struct Provenance {
  std::string made_by;  // "surrogate" or "masking-copy"
  std::string spec_sha256;
  std::string seed, scale;  // surrogate
  std::string source;       // masking-copy, optional
  std::string created_at;   // optional
};

// PostgreSQL ways out of the clone (DESIGN.md §3.8), each a finding with its fix:
// "foreign-server", "user-mapping", "subscription", "dblink". Does nothing for other engines.
// Read errors are a failed Status.
Status CheckOutboundLinks(db::Database& db, CheckOutcome& out);

// Creates the marker table in `db` (writable) and fills it from `p`.
Status WriteMarker(db::Database& db, const Provenance& p);

// Adds "marker-missing" or "marker-invalid" findings (every problem) to `out`, and the
// marker's content to out.facts["marker"]. Read errors are a failed Status.
Status CheckMarker(db::Database& db, CheckOutcome& out);

}  // namespace prodgate::clone
