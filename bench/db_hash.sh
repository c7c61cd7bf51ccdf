#!/usr/bin/env bash
# Benchmark: `prodgate db hash` of a ~1 M-row SQLite database against its peers, in one run
# (DESIGN.md §5: "logical hash of a 1 M-row SQLite database: time ≤ dbhash").
#
#   bench/db_hash.sh PRODGATE_BINARY
#
# Environment: ROWS (default 1000000), REPS (3), BENCH_DIR, KEEP=1 (see bench/README.md).
#
# What it does:
#   1. generates the FIX7 surrogate (examples/fix7/surrogate.toml) at the scale that gives
#      ~ROWS rows, a copy of it, and a second one with ROWS/4 rows (peak RSS must not follow
#      the row count);
#   2. checks the work: two hashes give one root, `db diff` of the copy is EQUAL (exit 0),
#      `sqldiff` of the copy prints nothing;
#   3. warms the page cache and times, interleaved, REPS rounds of
#        prodgate db hash | sqlite3 .sha3sum | sqlite3 .dump | sha256sum | dbhash (if any)
#        | prodgate db diff A COPY | sqldiff A COPY | prodgate db hash of the small database;
#   4. prints best and median, rows/s, the ratio to the peers, and peak RSS at both sizes.
# `dbhash` (sqlite/tool/dbhash.c) is not in Debian 12: sqlite3-tools ships sqldiff,
# sqlite3_analyzer and the show* tools only, and building dbhash.c is out of bounds here. The
# shell's `.sha3sum` runs the same kind of walk (every value of every table, SHA3) and stands in
# for it; the script says so in the table. A missed target prints MISSED and still exits 0.
NAME=db_hash.sh
source "$(dirname "$0")/common.sh"
bench_init "$@"
ROWS=${ROWS:-1000000}
[[ $ROWS =~ ^[1-9][0-9]*$ ]] || die "ROWS must be a positive integer"
command -v sqldiff >/dev/null || die "sqldiff not found (Debian package sqlite3-tools)"
SPEC=$(realpath "$(dirname "$0")/../examples/fix7/surrogate.toml")
BIG=$BENCH_DIR/big.db COPY=$BENCH_DIR/copy.db SMALL=$BENCH_DIR/small.db

# The FIX7 spec has 506 fixed rows and 1048 rows per unit of scale.
scale_for() { calc '%.6f' "($1 - 506) / 1048"; }
say "generating ~$ROWS rows and ~$((ROWS / 4)) rows ..."
rm -f -- "$BIG" "$COPY" "$SMALL"
"$PRODGATE" surrogate --spec "$SPEC" --seed 1 --scale "$(scale_for "$ROWS")" --out "sqlite:$BIG" >/dev/null
"$PRODGATE" surrogate --spec "$SPEC" --seed 1 --scale "$(scale_for $((ROWS / 4)))" --out "sqlite:$SMALL" >/dev/null
cp -- "$BIG" "$COPY"
rows_of() { "$PRODGATE" db hash "sqlite:$1" --json | python3 -c 'import json,sys; print(sum(t["rows"] for t in json.load(sys.stdin)["tables"].values()))'; }
root_of() { "$PRODGATE" db hash "sqlite:$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["root"])'; }
N=$(rows_of "$BIG") N_SMALL=$(rows_of "$SMALL")
BYTES=$(stat -c %s "$BIG")

# The work must be right, or the figures are void.
[[ $(root_of "$BIG") == "$(root_of "$BIG")" ]] || { echo "$NAME: two hashes of one file differ" >&2; exit 1; }
[[ $(root_of "$BIG") == "$(root_of "$COPY")" ]] || { echo "$NAME: a copy hashes differently" >&2; exit 1; }
"$PRODGATE" db diff "sqlite:$BIG" "sqlite:$COPY" >/dev/null || { echo "$NAME: db diff of a copy is not EQUAL" >&2; exit 1; }
[[ -z $(sqldiff "$BIG" "$COPY") ]] || { echo "$NAME: sqldiff sees a difference in a copy" >&2; exit 1; }
DBHASH=$(command -v dbhash || true)

sample_busy
say "warming the page cache ..."
cat "$BIG" "$COPY" "$SMALL" >/dev/null

pg=() pg_rss=() pg_cpu=() sha3=() sha3_cpu=() dump=() dbh=() pgd=() pgd_rss=() sqd=() small_rss=()
for ((r = 1; r <= REPS; r++)); do
  say "round $r/$REPS ..."
  timed res "$PRODGATE" -q db hash "sqlite:$BIG"
  read -r w m u s <<<"$res"; pg+=("$w") pg_rss+=("$m") pg_cpu+=("$(calc '%.3f' "$u + $s")")
  timed res sqlite3 "$BIG" .sha3sum
  read -r w m u s <<<"$res"; sha3+=("$w") sha3_cpu+=("$(calc '%.3f' "$u + $s")")
  timed res bash -c 'sqlite3 "$1" .dump | sha256sum' _ "$BIG"
  read -r w _ <<<"$res"; dump+=("$w")
  if [[ -n $DBHASH ]]; then
    timed res "$DBHASH" "$BIG"
    read -r w _ <<<"$res"; dbh+=("$w")
  fi
  timed res "$PRODGATE" -q db diff "sqlite:$BIG" "sqlite:$COPY"
  read -r w m _ <<<"$res"; pgd+=("$w") pgd_rss+=("$m")
  timed res sqldiff "$BIG" "$COPY"
  read -r w _ <<<"$res"; sqd+=("$w")
  timed res "$PRODGATE" -q db hash "sqlite:$SMALL"
  read -r _ m _ <<<"$res"; small_rss+=("$m")
done

pg_b=$(min "${pg[@]}") pg_m=$(median "${pg[@]}")
sha3_b=$(min "${sha3[@]}") sha3_m=$(median "${sha3[@]}")
dump_b=$(min "${dump[@]}") dump_m=$(median "${dump[@]}")
pgd_b=$(min "${pgd[@]}") pgd_m=$(median "${pgd[@]}")
sqd_b=$(min "${sqd[@]}") sqd_m=$(median "${sqd[@]}")
krows() { calc '%.0f' "$N / $1 / 1000"; }
echo
echo "prodgate db hash, warm page cache, $CORES cores, $(uname -m), $REPS rounds (best = fastest)"
printf 'database: %d rows, %d bytes (FIX7 surrogate); small: %d rows; CPUs busy before timing: %d %%\n\n' \
  "$N" "$BYTES" "$N_SMALL" "$BUSY"
row "" "" "best" "median" "target"
row "prodgate db hash" "s" "$(calc '%.3f' "$pg_b")" "$(calc '%.3f' "$pg_m")" ""
row "" "k rows/s" "$(krows "$pg_b")" "$(krows "$pg_m")" ""
row "prodgate db hash, CPU (user+sys)" "s" "$(min "${pg_cpu[@]}")" "$(median "${pg_cpu[@]}")" ""
if [[ -n $DBHASH ]]; then
  dbh_b=$(min "${dbh[@]}") dbh_m=$(median "${dbh[@]}")
  row "dbhash" "s" "$(calc '%.3f' "$dbh_b")" "$(calc '%.3f' "$dbh_m")" ""
  row "prodgate time / dbhash time" "x" "$(calc '%.2f' "$pg_b / $dbh_b")$(verdict_le "$(calc '%.2f' "$pg_b / $dbh_b")" 1)" \
    "$(calc '%.2f' "$pg_m / $dbh_m")$(verdict_le "$(calc '%.2f' "$pg_m / $dbh_m")" 1)" "<= 1"
else
  row "dbhash" "" "n/a" "n/a" "not in Debian 12 (sqlite3-tools has no dbhash)"
fi
row "sqlite3 .sha3sum (dbhash's walk, SHA3)" "s" "$(calc '%.3f' "$sha3_b")" "$(calc '%.3f' "$sha3_m")" ""
row "sqlite3 .sha3sum, CPU (user+sys)" "s" "$(min "${sha3_cpu[@]}")" "$(median "${sha3_cpu[@]}")" ""
row "prodgate time / .sha3sum time" "x" "$(calc '%.2f' "$pg_b / $sha3_b")$(verdict_le "$(calc '%.2f' "$pg_b / $sha3_b")" 1)" \
  "$(calc '%.2f' "$pg_m / $sha3_m")$(verdict_le "$(calc '%.2f' "$pg_m / $sha3_m")" 1)" "<= 1 (dbhash stand-in)"
row "sqlite3 .dump | sha256sum" "s" "$(calc '%.3f' "$dump_b")" "$(calc '%.3f' "$dump_m")" ""
row "prodgate time / .dump time" "x" "$(calc '%.2f' "$pg_b / $dump_b")" "$(calc '%.2f' "$pg_m / $dump_m")" "(info)"
row "prodgate db diff A COPY (equal)" "s" "$(calc '%.3f' "$pgd_b")" "$(calc '%.3f' "$pgd_m")" ""
row "sqldiff A COPY (equal)" "s" "$(calc '%.3f' "$sqd_b")" "$(calc '%.3f' "$sqd_m")" ""
row "prodgate diff time / sqldiff time" "x" "$(calc '%.2f' "$pgd_b / $sqd_b")" "$(calc '%.2f' "$pgd_m / $sqd_m")" "(info)"
rss_big=$(max "${pg_rss[@]}") rss_small=$(max "${small_rss[@]}")
rss_verdict=""
if ((rss_big > rss_small + 8192)); then rss_verdict=" MISSED"; fi
row "prodgate db hash peak RSS, $N_SMALL rows" "KiB" "$rss_small" "" "max of rounds"
row "prodgate db hash peak RSS, $N rows" "KiB" "$rss_big$rss_verdict" "" "flat in rows (<= small + 8 MiB)"
row "prodgate db diff peak RSS, $N rows" "KiB" "$(max "${pgd_rss[@]}")" "" "(info)"
exit 0
