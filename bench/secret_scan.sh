#!/usr/bin/env bash
# Benchmark: the secret scan on one core, against an RE2 set of the same rules, in one run
# (DESIGN.md §5: "secret scan of a logical dump: ≥ 500 MB/s one core").
#
#   bench/secret_scan.sh PRODGATE_BINARY
#
# Environment: DUMP_MB (default 200: size of the larger dump), REPS (3), BENCH_DIR, KEEP=1.
#
# What it does:
#   1. makes a FIX7 surrogate, plants 8 secrets of different kinds in it, and writes its
#      logical dump (`sqlite3 .dump`) at ~DUMP_MB and at a quarter of that (peak RSS must not
#      follow the size);
#   2. exports the rules (`prodgate clone rules --json`) and builds secret_scan_peer.cc, which
#      runs them through Vectorscan (with and without start-of-match, the flags of prodgate's
#      two passes) and through RE2::Set;
#   3. checks the work: prodgate finds every planted secret, and Vectorscan and RE2 agree on
#      which rules fire;
#   4. times, pinned to one core (taskset -c 0), interleaved:
#        prodgate clone scan DUMP          the product: mmap, scan, verify, report
#        peer hs        Vectorscan with start-of-match on every byte (prodgate's first design)
#        peer hs-nosom  Vectorscan without start-of-match (prodgate's first pass; the engine alone)
#        peer re2       RE2::Set over the whole dump (which rules match anywhere: its best case)
#        peer re2-lines RE2::Set line by line (what locating a finding needs)
#        prodgate clone check of the database (SQLite reads + the scan), as information;
#   5. prints MB/s, ratios against RE2, and peak RSS at both sizes. The whole command carries
#      a fixed cost (process start, rule compilation); the per-byte rate, from the two sizes,
#      is the scan itself and is what compares with the peers, which time their scan alone.
NAME=secret_scan.sh
source "$(dirname "$0")/common.sh"
bench_init "$@"
DUMP_MB=${DUMP_MB:-200}
[[ $DUMP_MB =~ ^[1-9][0-9]*$ ]] || die "DUMP_MB must be a positive integer"
command -v taskset >/dev/null || die "taskset not found (util-linux)"
[[ -e /usr/include/re2/set.h ]] || die "RE2 headers not found: run scripts/setup (libre2-dev)"
FIX7=$(realpath "$(dirname "$0")/../examples/fix7/surrogate.toml")
PEER=$BENCH_DIR/secret_scan_peer
g++ -std=c++20 -O2 -o "$PEER" "$(dirname "$0")/secret_scan_peer.cc" -I/usr/include/hs -lhs -lre2 ||
  die "cannot build secret_scan_peer.cc"

# 1. Data. The dump of the FIX7 surrogate is ~270 B per row; scale it to DUMP_MB.
make_dump() {  # make_dump MB NAME
  local scale db=$BENCH_DIR/$2.db
  scale=$(calc '%.3f' "$1 * 1e6 / 300 / 1048")
  rm -f -- "$db"
  "$PRODGATE" surrogate --spec "$FIX7" --seed 5 --scale "$scale" --out "sqlite:$db" >/dev/null
  sqlite3 "$db" "
    CREATE TABLE leaks(id INTEGER PRIMARY KEY, v TEXT);
    INSERT INTO leaks(v) VALUES
      ('ghp_R7mK2pQ9xW4vN8tL3sY6uJ1hB5cF0dGzA2eX'), ('key AKIAQ3EGVP7XKZ5MNB2R'),
      ('sk_live_4eC39HqLyjWDarjtT1zdp7dcQ8xZ'), ('postgres://svc:S3cr3t-Pa55w0rd-9Qz@db.internal/x'),
      ('-----BEGIN OPENSSH PRIVATE KEY-----' || char(10) || 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAE'),
      ('AIzaSyB7xQ2mK9pL4vN8tR3sY6uJ1hW5cF0dGzA'), ('glpat-Zx8Kq2Lm4Np6Rt0Yw3Ks'),
      ('Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.Xk29fPq8LmZ3vRt7WnB4yHc6');"
  sqlite3 "$db" .dump >"$BENCH_DIR/$2.sql"
}
say "making the dumps ..."
make_dump "$DUMP_MB" big
make_dump $((DUMP_MB / 4 > 0 ? DUMP_MB / 4 : 1)) small
DUMP=$BENCH_DIR/big.sql SMALL=$BENCH_DIR/small.sql
BYTES=$(stat -c %s "$DUMP")
"$PRODGATE" clone rules --json | python3 -c '
import json, sys
for r in json.load(sys.stdin)["rules"]:
    print(("1" if r["caseless"] else "0") + "\t" + r["pattern"])' >"$BENCH_DIR/rules.tsv"
RULES=$(wc -l <"$BENCH_DIR/rules.tsv")

# 2. The work must be right, or the figures are void.
found=$("$PRODGATE" clone scan "$DUMP" --json | python3 -c '
import json, sys
print(" ".join(sorted({f["rule"] for f in json.load(sys.stdin)["files"][0]["findings"]})))' || true)
for want in github-pat aws-access-key-id stripe-live-key connection-string-password \
  openssh-private-key google-api-key gitlab-pat bearer-token; do
  [[ " $found " == *" $want "* ]] || { echo "$NAME: prodgate missed the planted $want" >&2; exit 1; }
done
read -r _ _ _ hs_fired < <("$PEER" hs "$BENCH_DIR/rules.tsv" "$DUMP")
read -r _ _ _ re2_fired < <("$PEER" re2 "$BENCH_DIR/rules.tsv" "$DUMP")
[[ $hs_fired == "$re2_fired" ]] || { echo "$NAME: Vectorscan fired rules $hs_fired, RE2 $re2_fired" >&2; exit 1; }

sample_busy
say "warming the page cache ..."
cat "$DUMP" "$SMALL" "$BENCH_DIR/big.db" >/dev/null

one() { taskset -c 0 "$@"; }
peer_seconds() { one "$PEER" "$1" "$BENCH_DIR/rules.tsv" "$DUMP" | awk '{ print $1 }'; }
pg=() pg_rss=() pg_small=() pg_small_rss=() hs=() hsn=() re2=() re2l=() chk=()
for ((r = 1; r <= REPS; r++)); do
  say "round $r/$REPS ..."
  # clone scan exits 1 when it finds secrets (the planted ones): that is its job here.
  timed res bash -c '"$@" || [[ $? == 1 ]]' _ taskset -c 0 "$PRODGATE" clone scan "$DUMP"
  read -r w m _ <<<"$res"; pg+=("$w") pg_rss+=("$m")
  timed res bash -c '"$@" || [[ $? == 1 ]]' _ taskset -c 0 "$PRODGATE" clone scan "$SMALL"
  read -r w m _ <<<"$res"; pg_small+=("$w") pg_small_rss+=("$m")
  hs+=("$(peer_seconds hs)") hsn+=("$(peer_seconds hs-nosom)")
  re2+=("$(peer_seconds re2)") re2l+=("$(peer_seconds re2-lines)")
  timed res bash -c '"$@" || [[ $? == 1 ]]' _ taskset -c 0 "$PRODGATE" clone check "sqlite:$BENCH_DIR/big.db" \
    --production "prod=sqlite:/nonexistent/prod.db"
  read -r w _ <<<"$res"; chk+=("$w")
done
SCANNED=$("$PRODGATE" clone check "sqlite:$BENCH_DIR/big.db" --production "prod=sqlite:/nonexistent/prod.db" --json |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["checks"][1]["facts"]["bytes"])' || true)

mbps() { calc '%.0f' "$1 / $2 / 1e6"; }  # mbps BYTES SECONDS
echo
echo "secret scan, one core (taskset -c 0), $(uname -m), $REPS rounds (best = fastest)"
printf 'dump: %d bytes (FIX7 surrogate + 8 planted secrets); %d rules; CPUs busy before timing: %d %%\n\n' \
  "$BYTES" "$RULES" "$BUSY"
row "" "" "best" "median" "target"
b=$(mbps "$BYTES" "$(min "${pg[@]}")") m=$(mbps "$BYTES" "$(median "${pg[@]}")")
row "prodgate clone scan DUMP (whole command)" "MB/s" "$b$(verdict_ge "$b" 500)" "$m$(verdict_ge "$m" 500)" ">= 500"
# The command pays a fixed cost (start, compiling the rules) whatever the size; the scan
# itself is the difference between the two sizes.
SMALL_BYTES=$(stat -c %s "$SMALL")
marginal() { calc '%.0f' "($BYTES - $SMALL_BYTES) / ($1 - $2 + 1e-9) / 1e6"; }
b=$(marginal "$(min "${pg[@]}")" "$(min "${pg_small[@]}")")
m=$(marginal "$(median "${pg[@]}")" "$(median "${pg_small[@]}")")
row "prodgate clone scan, per byte (2 sizes)" "MB/s" "$b$(verdict_ge "$b" 500)" "$m$(verdict_ge "$m" 500)" ">= 500"
fixed=$(calc '%.3f' "$(min "${pg_small[@]}") - $SMALL_BYTES * ($(min "${pg[@]}") - $(min "${pg_small[@]}")) / ($BYTES - $SMALL_BYTES + 1e-9)")
row "prodgate clone scan, fixed cost" "s" "$fixed" "" "(info: start, rule compile)"
for pair in "peer hs (Vectorscan with SOM)|${hs[*]}" "peer hs-nosom (Vectorscan, no SOM)|${hsn[*]}" \
  "peer re2 (RE2::Set, whole dump)|${re2[*]}" "peer re2-lines (RE2::Set per line)|${re2l[*]}"; do
  label=${pair%%|*}
  read -r -a vals <<<"${pair#*|}"
  row "$label" "MB/s" "$(mbps "$BYTES" "$(min "${vals[@]}")")" "$(mbps "$BYTES" "$(median "${vals[@]}")")" ""
done
pgb=$(marginal "$(min "${pg[@]}")" "$(min "${pg_small[@]}")")
pgm=$(marginal "$(median "${pg[@]}")" "$(median "${pg_small[@]}")")
row "prodgate per byte / RE2 whole dump" "x" "$(calc '%.1f' "$pgb / $(mbps "$BYTES" "$(min "${re2[@]}")")")" \
  "$(calc '%.1f' "$pgm / $(mbps "$BYTES" "$(median "${re2[@]}")")")" "(info: speed-up)"
row "prodgate per byte / RE2 per line" "x" "$(calc '%.1f' "$pgb / $(mbps "$BYTES" "$(min "${re2l[@]}")")")" \
  "$(calc '%.1f' "$pgm / $(mbps "$BYTES" "$(median "${re2l[@]}")")")" "(info: speed-up)"
if [[ -n $SCANNED ]]; then
  row "prodgate clone check (SQLite + scan)" "MB/s" "$(mbps "$SCANNED" "$(min "${chk[@]}")")" \
    "$(mbps "$SCANNED" "$(median "${chk[@]}")")" "(info: value bytes, all 3 checks)"
fi
rss_big=$(max "${pg_rss[@]}") rss_small=$(max "${pg_small_rss[@]}")
v=""
# The dump is mapped, and mapped pages count in RSS until dropped: allow one scan window.
if ((rss_big > rss_small + 20 * 1024)); then v=" MISSED"; fi
row "prodgate clone scan peak RSS, $(stat -c %s "$SMALL") B" "KiB" "$rss_small" "" ""
row "prodgate clone scan peak RSS, $BYTES B" "KiB" "$rss_big$v" "" "flat (<= small + one 16 MiB window)"
exit 0
