#!/usr/bin/env bash
# Benchmark: `prodgate db hash` of a ~1 M-row PostgreSQL table against `pg_dump -t TABLE |
# sha256sum`, in one run (issue 5: "target ≥ 2× faster"), and the parallel connections on the
# same rows split over 4 tables.
#
#   bench/pg_hash.sh PRODGATE_BINARY
#
# Environment: ROWS (default 1000000), REPS (3), BENCH_DIR, KEEP=1 (see bench/README.md);
# PG_CONNINFO: a libpq keyword string of a server to use (a superuser, e.g. "host=/run/pg
# port=5432 user=postgres"); without it a throwaway cluster is started with Debian's
# PostgreSQL binaries (as the user postgres when run as root) and stopped at the end.
#
# What it does:
#   1. makes database `one` with table bench(id bigint PRIMARY KEY, name text, born timestamptz,
#      weight numeric(8,3), ratio float8, tags jsonb, photo bytea, ok boolean) of ROWS rows,
#      and database `four` with the same rows in 4 tables of ROWS/4; VACUUM ANALYZE both;
#   2. checks the work: two hashes give one root, 1 and 4 connections give one root;
#   3. times, interleaved, REPS rounds of
#        prodgate db hash one | pg_dump -t bench one | sha256sum
#        | prodgate db hash four, 1 connection | … 4 connections | pg_dump four | sha256sum;
#   4. prints best and median, rows/s and the ratios. A missed target prints MISSED and
#      still exits 0.
# The server's own share: the same ordered binary COPY written by the server to /dev/null,
# with no client at all (needs a superuser; skipped otherwise). pg_dump's time over it is
# the best ratio any client reading the rows in key order could reach, as
# read_hash_ceiling is for verify_tree.sh.
NAME=pg_hash.sh
source "$(dirname "$0")/common.sh"
bench_init "$@"
ROWS=${ROWS:-1000000}
[[ $ROWS =~ ^[1-9][0-9]*$ ]] || die "ROWS must be a positive integer"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -n $PGBIN && -x $PGBIN/pg_dump ]] || die "PostgreSQL binaries not found (run scripts/setup: Debian package postgresql)"

PGDIR=""
stop_server() {
  if [[ -n $PGDIR ]]; then
    as_server "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf -- "$PGDIR"
  fi
  bench_cleanup
}
as_server() {
  if [[ $(id -u) == 0 ]]; then
    setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
  else
    "$@"
  fi
}
if [[ -z ${PG_CONNINFO:-} ]]; then
  PGDIR=$(mktemp -d /tmp/prodgate-pgbench.XXXXXX)
  [[ $(id -u) == 0 ]] && chown postgres: "$PGDIR"
  trap stop_server EXIT
  say "starting a throwaway PostgreSQL server in $PGDIR ..."
  as_server "$PGBIN/initdb" -D "$PGDIR/data" -U prodgate -A trust -E UTF8 --no-sync >/dev/null
  as_server "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w \
    -o "-c listen_addresses='' -k $PGDIR -c fsync=off -c full_page_writes=off" start >/dev/null
  PG_CONNINFO="host=$PGDIR port=5432 user=prodgate"
fi
psql_() {  # DATABASE SQL… (each SQL in its own transaction)
  local db=$1 args=()
  shift
  for sql in "$@"; do args+=(-c "$sql"); done
  "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$PG_CONNINFO dbname=$db" "${args[@]}" >/dev/null
}
COLUMNS_SQL="id bigint PRIMARY KEY, name text NOT NULL, born timestamptz, weight numeric(8,3),
  ratio float8, tags jsonb, photo bytea, ok boolean"
select_rows() {  # FROM TO
  echo "SELECT g, 'name ' || g, timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second',
    (g % 100000) / 1000.0, g * 0.001, jsonb_build_object('g', g, 'tag', 'k' || (g % 17)),
    decode(md5(g::text), 'hex'), g % 2 = 0 FROM generate_series($1, $2) g"
}
say "making ~$ROWS rows in database one (1 table) and four (4 tables) ..."
psql_ postgres "SET client_min_messages = warning" "DROP DATABASE IF EXISTS one" \
  "DROP DATABASE IF EXISTS four" "CREATE DATABASE one" "CREATE DATABASE four"
psql_ one "CREATE TABLE bench ($COLUMNS_SQL); INSERT INTO bench $(select_rows 1 "$ROWS")" "VACUUM ANALYZE bench"
Q=$((ROWS / 4))
for i in 0 1 2 3; do
  psql_ four "CREATE TABLE bench$i ($COLUMNS_SQL); INSERT INTO bench$i $(select_rows $((i * Q + 1)) $(((i + 1) * Q)))" \
    "VACUUM ANALYZE bench$i"
done
ONE="postgresql:$PG_CONNINFO dbname=one" FOUR="postgresql:$PG_CONNINFO dbname=four"
root_of() { "$PRODGATE" db hash "$1" --json --connections "$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["root"])'; }
[[ $(root_of "$ONE" 1) == "$(root_of "$ONE" 1)" ]] || { echo "$NAME: two hashes differ" >&2; exit 1; }
[[ $(root_of "$FOUR" 1) == "$(root_of "$FOUR" 4)" ]] || { echo "$NAME: 1 and 4 connections differ" >&2; exit 1; }
BYTES=$("$PGBIN/psql" -X -At -d "$PG_CONNINFO dbname=one" -c "SELECT pg_total_relation_size('bench')")

# prodgate reads each table as one ordered binary COPY; the server alone does the same here.
server_copy() {  # DATABASE TABLE
  echo "COPY (SELECT * FROM ONLY $2 ORDER BY id) TO '/dev/null' (FORMAT binary)"
}
server_alone=0
psql_ one "$(server_copy one bench)" 2>/dev/null && server_alone=1
sample_busy
pg=() dump=() f1=() f4=() fdump=() pg_rss=() srv=() srv4=()
for ((r = 1; r <= REPS; r++)); do
  say "round $r/$REPS ..."
  timed res "$PRODGATE" -q db hash "$ONE" --connections 1
  read -r w m _ <<<"$res"; pg+=("$w") pg_rss+=("$m")
  timed res bash -c '"$1" -d "$2" -t bench | sha256sum' _ "$PGBIN/pg_dump" "$PG_CONNINFO dbname=one"
  read -r w _ <<<"$res"; dump+=("$w")
  timed res "$PRODGATE" -q db hash "$FOUR" --connections 1
  read -r w _ <<<"$res"; f1+=("$w")
  timed res "$PRODGATE" -q db hash "$FOUR" --connections 4
  read -r w _ <<<"$res"; f4+=("$w")
  timed res bash -c '"$1" -d "$2" | sha256sum' _ "$PGBIN/pg_dump" "$PG_CONNINFO dbname=four"
  read -r w _ <<<"$res"; fdump+=("$w")
  if [[ $server_alone == 1 ]]; then
    timed res "$PGBIN/psql" -X -q -d "$PG_CONNINFO dbname=one" -c "$(server_copy one bench)"
    read -r w _ <<<"$res"; srv+=("$w")
    timed res bash -c 'for i in 0 1 2 3; do "$1" -X -q -d "$2" -c "COPY (SELECT * FROM ONLY bench$i ORDER BY id) TO '"'/dev/null'"' (FORMAT binary)" & done; wait' \
      _ "$PGBIN/psql" "$PG_CONNINFO dbname=four"
    read -r w _ <<<"$res"; srv4+=("$w")
  fi
done

pg_b=$(min "${pg[@]}") pg_m=$(median "${pg[@]}")
dump_b=$(min "${dump[@]}") dump_m=$(median "${dump[@]}")
f1_b=$(min "${f1[@]}") f1_m=$(median "${f1[@]}")
f4_b=$(min "${f4[@]}") f4_m=$(median "${f4[@]}")
fdump_b=$(min "${fdump[@]}") fdump_m=$(median "${fdump[@]}")
krows() { calc '%.0f' "$ROWS / $1 / 1000"; }
echo
echo "prodgate db hash on PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}'), $CORES cores, $(uname -m), $REPS rounds (best = fastest)"
printf 'table bench: %d rows, %d bytes with indexes and TOAST; CPUs busy before timing: %d %%\n\n' "$ROWS" "$BYTES" "$BUSY"
row "" "" "best" "median" "target"
row "prodgate db hash (1 table)" "s" "$(calc '%.3f' "$pg_b")" "$(calc '%.3f' "$pg_m")" ""
row "" "k rows/s" "$(krows "$pg_b")" "$(krows "$pg_m")" ""
row "pg_dump -t bench | sha256sum" "s" "$(calc '%.3f' "$dump_b")" "$(calc '%.3f' "$dump_m")" ""
row "pg_dump time / prodgate time" "x" "$(calc '%.2f' "$dump_b / $pg_b")$(verdict_ge "$(calc '%.2f' "$dump_b / $pg_b")" 2)" \
  "$(calc '%.2f' "$dump_m / $pg_m")$(verdict_ge "$(calc '%.2f' "$dump_m / $pg_m")" 2)" ">= 2"
row "prodgate db hash (4 tables), 1 conn" "s" "$(calc '%.3f' "$f1_b")" "$(calc '%.3f' "$f1_m")" ""
row "prodgate db hash (4 tables), 4 conns" "s" "$(calc '%.3f' "$f4_b")" "$(calc '%.3f' "$f4_m")" ""
row "1 conn / 4 conns" "x" "$(calc '%.2f' "$f1_b / $f4_b")" "$(calc '%.2f' "$f1_m / $f4_m")" "(info; bounded by $CORES cores)"
row "pg_dump (4 tables) | sha256sum" "s" "$(calc '%.3f' "$fdump_b")" "$(calc '%.3f' "$fdump_m")" ""
row "pg_dump time / prodgate 4 conns" "x" "$(calc '%.2f' "$fdump_b / $f4_b")$(verdict_ge "$(calc '%.2f' "$fdump_b / $f4_b")" 2)" \
  "$(calc '%.2f' "$fdump_m / $f4_m")$(verdict_ge "$(calc '%.2f' "$fdump_m / $f4_m")" 2)" ">= 2"
if [[ $server_alone == 1 ]]; then
  srv_b=$(min "${srv[@]}") srv_m=$(median "${srv[@]}")
  srv4_b=$(min "${srv4[@]}") srv4_m=$(median "${srv4[@]}")
  row "server alone: ordered COPY to /dev/null" "s" "$(calc '%.3f' "$srv_b")" "$(calc '%.3f' "$srv_m")" "(no client)"
  row "pg_dump time / server-alone time" "x" "$(calc '%.2f' "$dump_b / $srv_b")" "$(calc '%.2f' "$dump_m / $srv_m")" "(ceiling, 1 table)"
  row "server alone, 4 tables on 4 conns" "s" "$(calc '%.3f' "$srv4_b")" "$(calc '%.3f' "$srv4_m")" "(no client)"
  row "pg_dump time / server-alone time" "x" "$(calc '%.2f' "$fdump_b / $srv4_b")" "$(calc '%.2f' "$fdump_m / $srv4_m")" "(ceiling, 4 tables)"
  row "prodgate share of the ceiling" "%" "$(calc '%.1f' "100 * $srv_b / $pg_b")" "$(calc '%.1f' "100 * $srv_m / $pg_m")" "(1 table)"
else
  echo "(server-alone ceiling skipped: COPY TO a server file needs a superuser)"
fi
row "prodgate db hash peak RSS" "KiB" "$(max "${pg_rss[@]}")" "" "(info)"
exit 0
