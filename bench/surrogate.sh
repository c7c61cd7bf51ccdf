#!/usr/bin/env bash
# Benchmark: `prodgate surrogate` rows per second into SQLite (DESIGN.md §5: ≥ 500 k rows/s),
# with SQLite inserting rows of the same shape by itself as the peer, in one run.
#
#   bench/surrogate.sh PRODGATE_BINARY
#
# Environment: ROWS (default 1000000), REPS (3), BENCH_DIR, KEEP=1 (see bench/README.md).
#
# Two specs, each at ROWS and at ROWS/4 rows (peak RSS must not follow the row count; SQLite's
# page cache is capped at 16 MiB, so below ~100 k rows the smaller run has not filled it yet):
#   narrow  one table of 5 columns (sequence key, pattern id, enum, integer, timestamp), ~50 B/row;
#   fix7    examples/fix7/surrogate.toml at the scale that gives ~ROWS rows: 4 tables, 8 to 11
#           columns, AUTOINCREMENT keys, foreign keys, two indexes built after the rows,
#           ~270 B/row. The production shape, and the harder case.
# The peer: the sqlite3 shell inserting the narrow shape from generate_series() in one
# INSERT … SELECT, journal and sync off: SQLite's own insert cost for those rows, with no
# generator at all. Rows/s are given on wall time and on CPU time (user + sys): on a busy
# machine the CPU figure is the one that means something. A missed target prints MISSED and
# still exits 0; a failed generation, or two runs with one seed that differ, exit 1.
NAME=surrogate.sh
source "$(dirname "$0")/common.sh"
bench_init "$@"
ROWS=${ROWS:-1000000}
[[ $ROWS =~ ^[1-9][0-9]*$ ]] || die "ROWS must be a positive integer"
FIX7=$(realpath "$(dirname "$0")/../examples/fix7/surrogate.toml")
NARROW=$BENCH_DIR/narrow.toml
narrow_spec() {  # narrow_spec ROWS
  cat <<EOF
[[table]]
name = "t"
rows = $1
  [[table.column]]
  name = "id"
  type = "INTEGER"
  primary_key = true
  generate = "sequence"
  [[table.column]]
  name = "object_id"
  generate = "pattern"
  pattern = "TKT-OBJ-{seq:07}"
  [[table.column]]
  name = "status"
  generate = "enum"
  values = ["born", "pending", "retired"]
  [[table.column]]
  name = "n"
  generate = "integer"
  min = 0
  max = 1000
  [[table.column]]
  name = "at"
  generate = "timestamp"
  from = "2025-01-01T00:00:00Z"
  to = "2026-01-01T00:00:00Z"
EOF
}
narrow_spec "$ROWS" >"$NARROW"
narrow_spec $((ROWS / 4)) >"$BENCH_DIR/narrow_small.toml"
FIX7_SCALE=$(calc '%.6f' "($ROWS - 506) / 1048")
FIX7_SMALL_SCALE=$(calc '%.6f' "($ROWS / 4 - 506) / 1048")

gen() {  # gen OUTVAR SPEC SCALE OUT: timed generation into a fresh file
  rm -f -- "$4"
  timed "$1" "$PRODGATE" surrogate --spec "$2" --seed 1 --scale "$3" --out "sqlite:$4"
}
# Generated rows: every table but the marker.
rows_in() { "$PRODGATE" db hash "sqlite:$1" --json | python3 -c 'import json,sys; print(sum(t["rows"] for n, t in json.load(sys.stdin)["tables"].items() if n != "prodgate_clone"))'; }
root_of() { "$PRODGATE" db hash "sqlite:$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["root"])'; }

sample_busy
n_wall=() n_cpu=() n_rss=() ns_rss=() f_wall=() f_cpu=() f_rss=() fs_rss=() p_wall=() p_cpu=()
roots=()
for ((r = 1; r <= REPS; r++)); do
  say "round $r/$REPS ..."
  gen res "$NARROW" 1 "$BENCH_DIR/n.db"
  read -r w m u s <<<"$res"; n_wall+=("$w") n_cpu+=("$(calc '%.3f' "$u + $s")") n_rss+=("$m")
  gen res "$BENCH_DIR/narrow_small.toml" 1 "$BENCH_DIR/ns.db"
  read -r _ m _ <<<"$res"; ns_rss+=("$m")
  gen res "$FIX7" "$FIX7_SCALE" "$BENCH_DIR/f.db"
  read -r w m u s <<<"$res"; f_wall+=("$w") f_cpu+=("$(calc '%.3f' "$u + $s")") f_rss+=("$m")
  roots+=("$(root_of "$BENCH_DIR/f.db")")
  gen res "$FIX7" "$FIX7_SMALL_SCALE" "$BENCH_DIR/fs.db"
  read -r _ m _ <<<"$res"; fs_rss+=("$m")
  rm -f -- "$BENCH_DIR/peer.db"
  timed res sqlite3 "$BENCH_DIR/peer.db" "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
    CREATE TABLE t(id INTEGER PRIMARY KEY, object_id, status, n, at);
    INSERT INTO t SELECT value, printf('TKT-OBJ-%07d', value),
      CASE value % 3 WHEN 0 THEN 'born' WHEN 1 THEN 'pending' ELSE 'retired' END, value % 1001,
      strftime('%Y-%m-%dT%H:%M:%SZ', 1735689600 + value * 31, 'unixepoch') FROM generate_series(1, $ROWS);"
  read -r w m u s <<<"$res"; p_wall+=("$w") p_cpu+=("$(calc '%.3f' "$u + $s")")
done
# One seed, one database: every round made the same FIX7 surrogate.
for root in "${roots[@]}"; do
  [[ $root == "${roots[0]}" ]] || { echo "$NAME: one seed gave two databases" >&2; exit 1; }
done
NN=$(rows_in "$BENCH_DIR/n.db") NF=$(rows_in "$BENCH_DIR/f.db")
NNS=$(rows_in "$BENCH_DIR/ns.db") NFS=$(rows_in "$BENCH_DIR/fs.db")
krate() { calc '%.0f' "$1 / $2 / 1000"; }  # krate ROWS SECONDS

echo
echo "prodgate surrogate into SQLite, $CORES cores, $(uname -m), $REPS rounds (best = fastest)"
printf 'narrow: %d rows (%d B file); fix7: %d rows (%d B file); CPUs busy before timing: %d %%\n\n' \
  "$NN" "$(stat -c %s "$BENCH_DIR/n.db")" "$NF" "$(stat -c %s "$BENCH_DIR/f.db")" "$BUSY"
row "" "" "best" "median" "target"
nb=$(krate "$NN" "$(min "${n_wall[@]}")") nm=$(krate "$NN" "$(median "${n_wall[@]}")")
row "narrow, wall" "k rows/s" "$nb$(verdict_ge "$nb" 500)" "$nm$(verdict_ge "$nm" 500)" ">= 500"
nb=$(krate "$NN" "$(min "${n_cpu[@]}")") nm=$(krate "$NN" "$(median "${n_cpu[@]}")")
row "narrow, CPU (user+sys)" "k rows/s" "$nb$(verdict_ge "$nb" 500)" "$nm$(verdict_ge "$nm" 500)" ">= 500"
pb=$(krate "$ROWS" "$(min "${p_wall[@]}")") pm=$(krate "$ROWS" "$(median "${p_wall[@]}")")
row "peer: sqlite3 INSERT...SELECT, wall" "k rows/s" "$pb" "$pm" ""
pb=$(krate "$ROWS" "$(min "${p_cpu[@]}")") pm=$(krate "$ROWS" "$(median "${p_cpu[@]}")")
row "peer: sqlite3 INSERT...SELECT, CPU" "k rows/s" "$pb" "$pm" ""
row "narrow CPU / peer CPU" "x" "$(calc '%.2f' "$(min "${n_cpu[@]}") / $(min "${p_cpu[@]}")")" \
  "$(calc '%.2f' "$(median "${n_cpu[@]}") / $(median "${p_cpu[@]}")")" "(info: generator + binding cost)"
fb=$(krate "$NF" "$(min "${f_wall[@]}")") fm=$(krate "$NF" "$(median "${f_wall[@]}")")
row "fix7, wall" "k rows/s" "$fb$(verdict_ge "$fb" 500)" "$fm$(verdict_ge "$fm" 500)" ">= 500"
fb=$(krate "$NF" "$(min "${f_cpu[@]}")") fm=$(krate "$NF" "$(median "${f_cpu[@]}")")
row "fix7, CPU (user+sys)" "k rows/s" "$fb$(verdict_ge "$fb" 500)" "$fm$(verdict_ge "$fm" 500)" ">= 500"
row "fix7, CPU" "MB/s" "$(calc '%.0f' "$(stat -c %s "$BENCH_DIR/f.db") / $(min "${f_cpu[@]}") / 1e6")" \
  "$(calc '%.0f' "$(stat -c %s "$BENCH_DIR/f.db") / $(median "${f_cpu[@]}") / 1e6")" "(info: file bytes)"
for pair in "narrow:$(max "${ns_rss[@]}"):$(max "${n_rss[@]}"):$NNS:$NN" "fix7:$(max "${fs_rss[@]}"):$(max "${f_rss[@]}"):$NFS:$NF"; do
  IFS=: read -r name small big nsmall nbig <<<"$pair"
  v=""
  if ((big > small + 8192)); then v=" MISSED"; fi
  row "$name peak RSS, $nsmall rows" "KiB" "$small" "" ""
  row "$name peak RSS, $nbig rows" "KiB" "$big$v" "" "flat in rows (<= small + 8 MiB)"
done
exit 0
