// The PostgreSQL adapter of db/database.h (libpq).
//
// Targets. "postgresql://…" and "postgres://…" are libpq URIs, handed to libpq as written.
// A libpq keyword string is written after the engine prefix: "postgresql:host=/run/pg
// port=5432 dbname=clone" (the prefix makes the target unambiguous beside "sqlite:PATH").
// The adapter adds client_encoding=UTF8 (always; the database itself must be UTF8) and
// pinned session defaults (TimeZone=UTC, DateStyle=ISO,YMD, IntervalStyle=postgres,
// extra_float_digits=3, bytea_output=hex) placed *before* the target's own `options`, so
// a target or PGOPTIONS that sets them wins; the hash does not read any of them (below). A
// password in the target is never shown: Identity::target is the target without it.
//
// Identity: host, port and dbname as libpq used them, and the cluster's system_identifier
// (pg_control_system()), which names the server whatever address reaches it.
//
// Tables. Every relation of every schema except pg_catalog, information_schema, pg_toast*
// and pg_temp*, ordered by name bytes, where a table's name is `rel` for schema `public`
// and `schema.rel` otherwise, each part written "double-quoted" (with "" for ") when it is
// empty or holds '.' or '"'. That naming is injective. By relkind:
//   r  ordinary table or leaf partition  hashed (FROM ONLY: inheritance children apart)
//   p  partitioned table                 excluded: its rows are hashed in its leaves
//   m  materialized view                 excluded (derived data); its definition is schema
//   f  foreign table                     excluded: its rows live on another server
//   S  sequence                          the `sequences` section (they do not roll back)
//   v  view                              schema only
//   anything else (but indexes, TOAST tables and composite types): an error.
// Large objects are counted and reported in the excluded list ("(large objects)").
// Usable key: the PRIMARY KEY; else the first (by name bytes) UNIQUE index that is valid,
// immediate, not partial, has no expressions, and whose columns are all NOT NULL.
//
// Values (the encoding of db/value.h, so reports and diffs read alike on every engine).
// Rows come from `COPY (SELECT … FROM ONLY t ORDER BY key) TO STDOUT (FORMAT binary)`: each
// field is the type's binary send form, which depends on no session setting except
// client_encoding (pinned). Each field is mapped injectively, per column base type (domains
// resolved):
//   int2, int4, int8, oid, bool (0/1)        'I'
//   float4 (widened exactly), float8          'F' (bits: -0.0 ≠ 0.0)
//   text, varchar, bpchar, name, "char",
//   json (its text), enums (the label)        'T'
//   jsonb                                     'T' its canonical text (version byte 1 dropped)
//   numeric                                   'T' exact with its display scale: 4.2 ≠ 4.2000
//   uuid                                      'T' lowercase 8-4-4-4-12
//   date, time, timestamp, timestamptz        'T' ISO 8601 ("2026-01-02 03:04:05.5+00",
//                                             always UTC for timestamptz; "… BC" before 1 AD)
//   bytea                                     'B'
//   everything else (interval, inet, arrays…) 'B' the binary send bytes
// Key order. The KeyedTableHasher checks that keys ascend in db/value.h order. Key columns
// of type int2/int4/int8/oid/bool order by value, text/varchar by `COLLATE "C"` (bytes),
// bytea and uuid by bytes; for every other type the key handed to the hasher and the diff
// is the send bytes ('B') and the query orders by `typsend(col)` (bytea, byte order).
// Keyless tables: row digests (logical_hash.h) computed here, sorted in memory (32 bytes
// per row), then MultisetTableHasher.
//
// Snapshot and parallelism. Hash runs in one `REPEATABLE READ READ ONLY` transaction with
// row_security = off (a role subject to row-level security gets an error, never a subset;
// it is also refused up front, naming the tables). With HashOptions::connections > 1 the
// transaction exports its snapshot (pg_export_snapshot) and that many connections import it
// (SET TRANSACTION SNAPSHOT) and hash tables in parallel; results are merged by name, so the
// digest does not depend on the parallelism. Catalog text (defaults, view definitions) is
// read with TimeZone, DateStyle, IntervalStyle and extra_float_digits pinned for the
// statement (SET LOCAL), so the schema digest does not depend on them either.
//
// Schema digest objects (type, name, table, definition), by name bytes: tables (columns with
// type, collation, NOT NULL, default, identity, generation), constraints
// (pg_get_constraintdef), indexes (pg_get_indexdef), views and materialized views
// (pg_get_viewdef), sequences (type, start, increment, bounds, cycle), triggers
// (pg_get_triggerdef), functions and procedures (pg_get_functiondef), enum types (labels),
// policies, extensions (name and version). Not covered: ownership, privileges, comments,
// database-level settings.
//
// Sequences report the last value handed out: last_value when is_called, else last_value
// minus the increment (a fresh sequence starting at 1 reports 0).
//
// Snapshot(path) / Restore(path): see database.h. Database copies need the CREATEDB
// privilege and no other session on the database copied; the adapter closes its own
// connection for the copy and reconnects.
//
// Create/Replace (surrogate): a temporary database `prodgate_tmp_<hex>` is created (from
// template0, UTF8) and filled; Finish() renames it to the target's dbname (kReplace first
// drops the existing database, which must carry the prodgate_clone marker). Without
// Finish() the temporary database is dropped.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "db/database.h"

namespace prodgate::db {

// `target` as given; `conninfo` the libpq URI or keyword string.
Result<std::unique_ptr<Database>> OpenPostgres(const std::string& target,
                                               const std::string& conninfo, OpenMode mode);

// A parsed PostgreSQL target: libpq parses it (a syntax error is bad input), and host, port
// and dbname are filled with libpq's defaults (PGHOST…, the user name) where not given.
struct PostgresAddress {
  std::string host, port, dbname;
};
Result<PostgresAddress> ParsePostgresConninfo(const std::string& conninfo);

// Ways out of a PostgreSQL database (DESIGN.md §3.8): foreign servers, user mappings,
// subscriptions, the dblink extension. `kind` is "foreign-server", "user-mapping",
// "subscription" or "dblink"; `name` the object; `detail` what it points at, with any
// password removed.
struct PostgresLink {
  std::string kind, name, detail;
};
// Fails (bad input) when `db` is not a PostgreSQL database.
Result<std::vector<PostgresLink>> ListPostgresLinks(Database& db);

// Every table of pg_catalog in PostgreSQL 15 and what the schema digest does with it:
// "digested: …" or "excluded: …" with why. A server catalog not listed here is named in the
// hash's `excluded` list ("a catalog this build does not know"), and the coverage test fails
// on a server that has one, so a new object class is reviewed before its objects are trusted
// to be in the digest.
const std::vector<std::pair<std::string_view, std::string_view>>& PostgresCatalogCoverage();

}  // namespace prodgate::db
