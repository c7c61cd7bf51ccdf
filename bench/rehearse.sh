#!/usr/bin/env bash
# Benchmark: `prodgate rehearse` of a ~1 M-row SQLite clone against the bare apply + rollback
# of the same change, in one run (issue 4: "rehearsal ≤ 4× the bare apply + rollback").
#
#   bench/rehearse.sh PRODGATE_BINARY
#
# Environment: ROWS (default 1000000), REPS (3), BENCH_DIR, KEEP=1 (see bench/README.md).
#
# Two changes, because the ratio depends on what the change costs by itself:
#   fix7   examples/fix7/apply.sql + rollback.sql: 26 rows. The bare change takes
#          milliseconds; the rehearsal's cost is its proof (a snapshot, four logical hashes
#          of every row, a restore), so the ratio is large by construction and is printed for
#          information.
#   wide   an UPDATE of every row of os_proposal_approvals (~96 % of the rows) and its exact
#          inverse: a change as heavy as the data it proves. The 4x target applies here.
# The rehearsal runs as a user would: `prodgate rehearse --target … --out …` (no --reapply,
# no --broken-rollback), PASS required, in a workspace made by `prodgate init`. Each round
# starts from a fresh copy of the clone (copy time not counted). Peak RSS is reported at
# ROWS and ROWS/4: it must not follow the row count.
NAME=rehearse.sh
source "$(dirname "$0")/common.sh"
bench_init "$@"
ROWS=${ROWS:-1000000}
[[ $ROWS =~ ^[1-9][0-9]*$ ]] || die "ROWS must be a positive integer"
EX=$(realpath "$(dirname "$0")/../examples/fix7")
CLONE=$BENCH_DIR/clone.db SMALL=$BENCH_DIR/small.db WORK=$BENCH_DIR/work.db
scale_for() { calc '%.6f' "($1 - 506) / 1048"; }
say "generating ~$ROWS rows and ~$((ROWS / 4)) rows ..."
"$PRODGATE" surrogate --spec "$EX/surrogate.toml" --seed 1 --scale "$(scale_for "$ROWS")" --out "sqlite:$CLONE" >/dev/null
"$PRODGATE" surrogate --spec "$EX/surrogate.toml" --seed 1 --scale "$(scale_for $((ROWS / 4)))" --out "sqlite:$SMALL" >/dev/null
cat >"$BENCH_DIR/wide_apply.sql" <<'SQL'
BEGIN;
UPDATE os_proposal_approvals SET decision = decision || '~', approver_email = upper(approver_email);
COMMIT;
SQL
cat >"$BENCH_DIR/wide_rollback.sql" <<'SQL'
BEGIN;
UPDATE os_proposal_approvals SET decision = substr(decision, 1, length(decision) - 1), approver_email = lower(approver_email);
COMMIT;
SQL
(cd "$BENCH_DIR" && "$PRODGATE" init . >/dev/null)
PROD=directus-prod=sqlite:/srv/directus/data.db

# The work must be right: the wide rollback restores the data, by prodgate and by sqldiff.
cp -- "$CLONE" "$WORK"
sqlite3 "$WORK" <"$BENCH_DIR/wide_apply.sql"
sqlite3 "$WORK" <"$BENCH_DIR/wide_rollback.sql"
"$PRODGATE" db diff "sqlite:$CLONE" "sqlite:$WORK" >/dev/null || { echo "$NAME: the wide rollback does not restore" >&2; exit 1; }

# rehearse DB APPLY ROLLBACK OUT, as GNU time's child (exec: the RSS measured is prodgate's).
REHEARSE='cd "$1" && exec "$2" -q rehearse --target "sqlite:$3" --apply "$4" --rollback "$5" --production "$6" --out "$7"'
sample_busy
declare -A bare reh reh_rss
small_rss=()
n=0
for ((r = 1; r <= REPS; r++)); do
  say "round $r/$REPS ..."
  for change in fix7 wide; do
    if [[ $change == fix7 ]]; then A=$EX/apply.sql R=$EX/rollback.sql; else A=$BENCH_DIR/wide_apply.sql R=$BENCH_DIR/wide_rollback.sql; fi
    cp -- "$CLONE" "$WORK"; cat "$WORK" >/dev/null
    timed res bash -c 'sqlite3 "$1" <"$2" && sqlite3 "$1" <"$3"' _ "$WORK" "$A" "$R"
    read -r w _ <<<"$res"; bare[$change]+="$w "
    cp -- "$CLONE" "$WORK"; cat "$WORK" >/dev/null
    n=$((n + 1))
    timed res bash -c "$REHEARSE" _ "$BENCH_DIR" "$PRODGATE" "$WORK" "$A" "$R" "$PROD" "$BENCH_DIR/out$n"
    read -r w m _ <<<"$res"; reh[$change]+="$w "; reh_rss[$change]+="$m "
  done
  cp -- "$SMALL" "$WORK"
  n=$((n + 1))
  timed res bash -c "$REHEARSE" _ "$BENCH_DIR" "$PRODGATE" "$WORK" "$EX/apply.sql" "$EX/rollback.sql" "$PROD" "$BENCH_DIR/out$n"
  read -r _ m _ <<<"$res"; small_rss+=("$m")
done
N=$("$PRODGATE" db hash "sqlite:$CLONE" --json | python3 -c 'import json,sys; print(sum(t["rows"] for t in json.load(sys.stdin)["tables"].values()))')
echo
echo "prodgate rehearse vs bare apply + rollback, warm page cache, $CORES cores, $REPS rounds (best = fastest)"
printf 'clone: %d rows (FIX7 surrogate), %d bytes; CPUs busy before timing: %d %%\n\n' "$N" "$(stat -c %s "$CLONE")" "$BUSY"
row "" "" "best" "median" "target"
for change in fix7 wide; do
  read -r -a b <<<"${bare[$change]}"; read -r -a h <<<"${reh[$change]}"
  bb=$(min "${b[@]}") bm=$(median "${b[@]}") hb=$(min "${h[@]}") hm=$(median "${h[@]}")
  row "$change: bare apply + rollback (sqlite3)" "s" "$(calc '%.3f' "$bb")" "$(calc '%.3f' "$bm")" ""
  row "$change: prodgate rehearse" "s" "$(calc '%.3f' "$hb")" "$(calc '%.3f' "$hm")" ""
  if [[ $change == wide ]]; then
    row "$change: rehearse / bare" "x" "$(calc '%.2f' "$hb / $bb")$(verdict_le "$(calc '%.2f' "$hb / $bb")" 4)" \
      "$(calc '%.2f' "$hm / $bm")$(verdict_le "$(calc '%.2f' "$hm / $bm")" 4)" "<= 4"
  else
    row "$change: rehearse / bare" "x" "$(calc '%.1f' "$hb / $bb")" "$(calc '%.1f' "$hm / $bm")" "(info: the proof's fixed cost)"
  fi
done
read -r -a rs <<<"${reh_rss[fix7]}"
rss_big=$(max "${rs[@]}") rss_small=$(max "${small_rss[@]}")
rss_verdict=""
if ((rss_big > rss_small + 8192)); then rss_verdict=" MISSED"; fi
row "rehearse peak RSS, ~$((ROWS / 4)) rows" "KiB" "$rss_small" "" "max of rounds"
row "rehearse peak RSS, $N rows" "KiB" "$rss_big$rss_verdict" "" "flat in rows (<= small + 8 MiB)"
exit 0
