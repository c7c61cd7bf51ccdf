#!/usr/bin/env bash
# Benchmark: `prodgate verify` of a ~2 GiB tree against its peers, in one run (DESIGN.md §5).
#
#   bench/verify_tree.sh PRODGATE_BINARY
#
# Environment:
#   BENCH_DIR  working directory (default: a fresh mktemp directory under /tmp). It is
#              removed at the end unless KEEP=1. An existing directory is only used when
#              it is empty or was created by this script (it then holds .prodgate-bench).
#   BENCH_GIB  approximate size of the tree in GiB (default 2)
#   REPS       timed repetitions of every command (default 3)
#   KEEP=1     keep BENCH_DIR afterwards
#
# What it does:
#   1. generates a deterministic tree (fixed seed): ~3000·GiB small files of 1–256 KiB in
#      nested directories (binary, ASCII text, UTF-8 text) plus 4 large files of unequal
#      sizes that make up the rest, and a second tree holding one 1 GiB file;
#   2. seals the tree with prodgate and writes the equivalent `sha256sum` list, and checks
#      that both tools agree on every digest and on the tree digest;
#   3. warms the page cache, then times REPS rounds of, interleaved:
#        prodgate -q verify --root TREE | sha256sum -c --quiet LIST | openssl speed × nproc
#        | prodgate -q verify of the 1 GiB file (peak RSS must not grow with file size)
#   4. prints a table with best and median figures and the targets of DESIGN.md §5.
# The binary is copied into BENCH_DIR first, so a rebuild meanwhile cannot change it.
#
# Missing a target prints MISSED but still exits 0 (a benchmark is not a test). A verify
# or `sha256sum -c` that fails, or tools that disagree, exits 1: the figures would be void.
set -euo pipefail
export LC_ALL=C  # '.' as decimal point in EPOCHREALTIME, printf and awk

die() { echo "verify_tree.sh: $*" >&2; exit 2; }

[[ $# -eq 1 ]] || die "usage: $0 PRODGATE_BINARY"
PRODGATE=$(realpath -- "$1")
[[ -x $PRODGATE ]] || die "$1 is not an executable"
for tool in openssl sha256sum python3; do
  command -v "$tool" >/dev/null || die "$tool not found"
done
# GNU time (Debian package `time`), not the shell keyword: it reports peak RSS (%M).
/usr/bin/time -f '%M' true 2>/dev/null || die "/usr/bin/time (GNU time, package 'time') not found"

GIB=${BENCH_GIB:-2}
REPS=${REPS:-3}
KEEP=${KEEP:-0}
if ! [[ $GIB =~ ^[0-9]+([.][0-9]+)?$ ]] || ! awk -v g="$GIB" 'BEGIN { exit !(g > 0) }'; then
  die "BENCH_GIB must be a positive number"
fi
[[ $REPS =~ ^[1-9][0-9]*$ ]] || die "REPS must be a positive integer"
CORES=$(nproc)
SEED=prodgate-bench-v1

if [[ -n ${BENCH_DIR:-} ]]; then
  mkdir -p -- "$BENCH_DIR"
  if [[ ! -e $BENCH_DIR/.prodgate-bench && -n $(ls -A -- "$BENCH_DIR") ]]; then
    die "BENCH_DIR=$BENCH_DIR is not empty and was not made by this script; it would be removed"
  fi
else
  BENCH_DIR=$(mktemp -d /tmp/prodgate-bench.XXXXXX)
fi
BENCH_DIR=$(realpath -- "$BENCH_DIR")
touch "$BENCH_DIR/.prodgate-bench"
cleanup() {
  if [[ $KEEP == 1 ]]; then
    echo "kept $BENCH_DIR" >&2
  else
    rm -rf -- "$BENCH_DIR"
  fi
}
trap cleanup EXIT

# A private copy of the binary: a rebuild in the source tree during the run must not make
# the rounds time different programs.
cp -- "$PRODGATE" "$BENCH_DIR/prodgate"
PRODGATE=$BENCH_DIR/prodgate
# The read + hash ceiling (read_hash_ceiling.cc): what any verifier must do, and no more.
CEILING=$BENCH_DIR/read_hash_ceiling
g++ -std=c++20 -O2 -o "$CEILING" "$(dirname "$0")/read_hash_ceiling.cc" -lcrypto -pthread ||
  die "cannot build read_hash_ceiling.cc"

TREE=$BENCH_DIR/tree      # the ~BENCH_GIB tree
SINGLE=$BENCH_DIR/single  # one 1 GiB file: peak RSS must not follow file size
LIST=$BENCH_DIR/tree.sha256
TIMEF=$BENCH_DIR/time.out
rm -rf -- "$TREE" "$SINGLE"

# ---------------------------------------------------------------------------------------
# 1. Generation. The bytes come from AES-128-CTR over zeros, keyed by the seed: the same on
# every machine and OpenSSL version, and several GB/s, far faster than Python's PRNG. Python
# only decides sizes, names and kinds (from random.Random(seed)) and shapes text.
gen_tree() {  # gen_tree DIR MODE   (MODE: tree | single)
  python3 - "$1" "$2" "$GIB" "$SEED" <<'PY'
import hashlib, os, random, subprocess, sys

out, mode, gib, seed = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
key = hashlib.sha256(seed.encode()).hexdigest()[:32]
stream = subprocess.Popen(
    ["openssl", "enc", "-aes-128-ctr", "-K", key, "-iv", "0" * 32],
    stdin=open("/dev/zero", "rb"), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    bufsize=8 * MiB)

def take(n):
    b = stream.stdout.read(n)
    assert len(b) == n, "short read from the openssl stream"
    return b

def write(rel, data):
    path = os.path.join(out, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)

def write_big(rel, n):
    path = os.path.join(out, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        while n:
            k = min(n, 8 * MiB)
            f.write(take(k))
            n -= k

# Random bytes → ASCII text: ~1/64 newlines (lines of ~60 characters), ~14 % spaces.
table = bytearray(256)
letters = b"etaoinshrdlucmfwypvbgkqjxz"
for i in range(256):
    table[i] = 10 if i < 4 else 32 if i < 40 else letters[i % 26]
table = bytes(table)

def text(n, utf8):  # n bytes of text ending in a newline
    t = take(n).translate(table)
    if utf8:  # non-ASCII text: é, em dash, curly quotes (the characters drift checks fold)
        t = t.replace(b"q", "é".encode()).replace(b"z", "—".encode()).replace(b"j", "“".encode())
        t = t[:n - 1].decode("utf-8", "ignore").encode()  # drop a character the cut split
    else:
        t = t[:n - 1]
    return t + b"\n" * (n - len(t))

if mode == "single":
    write_big("big.bin", 1 * GiB)
else:
    rng = random.Random(seed)
    n_small = max(1, round(3000 * gib))  # 6000 files at 2 GiB
    sizes = [rng.randint(1 * KiB, 256 * KiB) for _ in range(n_small)]
    for i, size in enumerate(sizes):
        parts = [f"pkg{rng.randrange(16):02d}"]
        for _ in range(rng.randrange(3)):  # 1–3 directory levels
            parts.append(f"{'mod' if len(parts) == 1 else 'part'}{rng.randrange(8)}")
        r = rng.random()
        if r < 0.5:
            write("/".join(parts + [f"f{i:05d}.bin"]), take(size))
        elif r < 0.9:
            write("/".join(parts + [f"f{i:05d}.txt"]), text(size, False))
        else:
            write("/".join(parts + [f"f{i:05d}.md"]), text(size, True))
    # The large files make up the rest; unequal sizes, as in a real tree.
    rest = max(64 * MiB, int(gib * GiB) - sum(sizes))
    for j, share in enumerate([0.4, 0.3, 0.2, 0.1]):
        write_big(f"assets/large{j}.bin", int(rest * share))
stream.kill()
stream.wait()
PY
}

say() { printf '%s\n' "$*" >&2; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }  # calc FORMAT EXPRESSION

t0=$EPOCHREALTIME
say "generating $TREE (~$GIB GiB) and $SINGLE (1 GiB) ..."
gen_tree "$TREE" tree
gen_tree "$SINGLE" single
say "  generated in $(calc "%.1f" "$EPOCHREALTIME - $t0") s"

# ---------------------------------------------------------------------------------------
# 2. Seal, and the equivalent coreutils list (relative paths, sorted like the manifest).
say "sealing ..."
"$PRODGATE" -q seal "$TREE" >/dev/null
"$PRODGATE" -q seal "$SINGLE" >/dev/null
(cd "$TREE" && find . -type f ! -path ./prodgate.seal.json -printf '%P\0' | sort -z |
  xargs -0 sha256sum) >"$LIST"

# Both tools must hash the same files to the same digests, and the tree digest of the seal
# must be recomputable from the coreutils list (DESIGN.md §3.1); otherwise the race is void.
check=$(python3 - "$TREE/prodgate.seal.json" "$LIST" "$TREE" <<'PY'
import hashlib, json, os, sys
manifest = json.load(open(sys.argv[1], encoding="utf-8"))
sealed = {f["path"]: (f["sha256"], f["size"]) for f in manifest["files"]}
listed = {}
for line in open(sys.argv[2], encoding="utf-8"):
    digest, path = line.rstrip("\n").split("  ", 1)
    listed[path] = (digest, os.path.getsize(os.path.join(sys.argv[3], path)))
if sealed != listed:
    diff = sorted(set(sealed.items()) ^ set(listed.items()))[:5]
    sys.exit(f"prodgate and sha256sum disagree, e.g. {diff}")
lines = "".join(f"{d} {s} {p}\n" for p, (d, s) in sorted(listed.items(), key=lambda kv: kv[0].encode()))
if hashlib.sha256(lines.encode()).hexdigest() != manifest["root"]:
    sys.exit("the tree digest of the seal does not match the one recomputed from sha256sum")
print(len(listed), sum(s for _, s in listed.values()))
PY
)
read -r FILES BYTES <<<"$check"
CEILING_LIST=$BENCH_DIR/ceiling.list
(cd "$TREE" && find "$TREE" -type f ! -name prodgate.seal.json -printf '%s %p\0') >"$CEILING_LIST"
SINGLE_BYTES=$(stat -c %s "$SINGLE/big.bin")

# ---------------------------------------------------------------------------------------
# 3. Timing, from a warm page cache: every figure is CPU-bound hashing, not the disk.
#
# Every figure is a share of the machine's cores: anything else running skews them. The
# load average would still count our own generation and sealing, so sample the CPU time the
# whole machine spends busy over 2 s instead.
cpu_busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat; }
read -r busy0 all0 < <(cpu_busy_ticks)
sleep 2
read -r busy1 all1 < <(cpu_busy_ticks)
BUSY=$(calc '%.0f' "100 * ($busy1 - $busy0) / ($all1 - $all0 + 1e-9)")
if ((BUSY > 5)); then
  say "warning: the CPUs were $BUSY % busy with other work before timing; the figures are skewed"
fi
say "warming the page cache ..."
find "$TREE" "$SINGLE" -type f -exec cat {} + >/dev/null

# timed OUTVAR CMD... : runs CMD under GNU time; OUTVAR gets "wall_s rss_kib user_s sys_s".
# Wall time comes from EPOCHREALTIME (µs) because GNU time's %e has only 10 ms resolution.
timed() {
  local -n _out=$1
  shift
  local a=$EPOCHREALTIME
  if ! /usr/bin/time -o "$TIMEF" -f '%M %U %S' "$@"; then
    echo "verify_tree.sh: FAILED: $*" >&2
    exit 1
  fi
  local b=$EPOCHREALTIME
  _out="$(calc '%.6f' "$b - $a") $(tail -n 1 "$TIMEF")"
}

# openssl speed -multi N forks N hashers over a 1 MiB in-memory buffer for 3 s and prints
# the summed rate in its table as "sha256   3119513.60k" -- in units of 1000 bytes/s.
openssl_rate() {  # → bytes/s over all cores
  openssl speed -evp sha256 -bytes 1048576 -seconds 3 -multi "$CORES" 2>/dev/null |
    awk '$1 == "sha256" && $2 ~ /k$/ { v = $2 } END { if (v == "") exit 1; sub(/k$/, "", v); printf "%.0f", v * 1000 }'
}

res="" pg_wall=() pg_rss=() pg_user=() pg_sys=() sum_wall=() ossl_rate=() one_wall=() one_rss=() ceil_wall=()
for ((r = 1; r <= REPS; r++)); do
  say "round $r/$REPS ..."
  timed res "$PRODGATE" -q verify --root "$TREE" >/dev/null
  read -r w m u s <<<"$res"; pg_wall+=("$w") pg_rss+=("$m") pg_user+=("$u") pg_sys+=("$s")
  # sha256sum resolves the listed relative paths from its working directory.
  timed res env -C "$TREE" sha256sum -c --quiet "$LIST"
  read -r w _ <<<"$res"; sum_wall+=("$w")
  timed res "$CEILING" "$CEILING_LIST" >/dev/null
  read -r w _ <<<"$res"; ceil_wall+=("$w")
  rate=$(openssl_rate) || die "cannot parse the output of openssl speed"
  ossl_rate+=("$rate")
  timed res "$PRODGATE" -q verify --root "$SINGLE" >/dev/null
  read -r w m _ <<<"$res"; one_wall+=("$w") one_rss+=("$m")
done

# ---------------------------------------------------------------------------------------
# 4. Report.
min() { printf '%s\n' "$@" | sort -g | head -n 1; }
max() { printf '%s\n' "$@" | sort -g | tail -n 1; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# verdict VALUE MIN: "" when VALUE >= MIN, else " MISSED"
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { if (v < t) printf " MISSED" }'; }

pg_best=$(min "${pg_wall[@]}") pg_med=$(median "${pg_wall[@]}")
sum_best=$(min "${sum_wall[@]}") sum_med=$(median "${sum_wall[@]}")
os_best=$(max "${ossl_rate[@]}") os_med=$(median "${ossl_rate[@]}")
one_best=$(min "${one_wall[@]}") one_med=$(median "${one_wall[@]}")
ceil_best=$(min "${ceil_wall[@]}") ceil_med=$(median "${ceil_wall[@]}")
gbps() { calc '%.3f' "$1 / $2 / 1e9"; }  # gbps BYTES SECONDS

speed_best=$(calc '%.2f' "$sum_best / $pg_best") speed_med=$(calc '%.2f' "$sum_med / $pg_med")
# Best against best, median against median: the limit is the machine's, measured alongside.
pct_best=$(calc '%.1f' "100 * $BYTES / $pg_best / $os_best")
pct_med=$(calc '%.1f' "100 * $BYTES / $pg_med / $os_med")
rss_tree=$(max "${pg_rss[@]}") rss_one=$(max "${one_rss[@]}")
# Flat in file size: the single 1 GiB file may not cost more than the tree (whose largest
# file is smaller) plus allocator noise, nor anywhere near the file itself.
rss_verdict=""
if ((rss_one > rss_tree + 16384 || rss_one * 1024 > SINGLE_BYTES / 8)); then
  rss_verdict=" MISSED"
fi

row() { printf '%-34s %-7s %14s %14s   %s\n' "$@"; }
echo
echo "prodgate verify, warm page cache, $CORES cores, $(uname -m), $REPS rounds (best = fastest)"
printf 'tree: %d files, %d bytes hashed per run (%.2f GiB); CPUs busy before timing: %d %%\n\n' \
  "$FILES" "$BYTES" "$(calc '%.4f' "$BYTES / 1073741824")" "$BUSY"
row "" "" "best" "median" "target"
row "prodgate -q verify --root" "s" "$(calc '%.3f' "$pg_best")" "$(calc '%.3f' "$pg_med")" ""
row "" "GB/s" "$(gbps "$BYTES" "$pg_best")" "$(gbps "$BYTES" "$pg_med")" ""
row "sha256sum -c --quiet" "s" "$(calc '%.3f' "$sum_best")" "$(calc '%.3f' "$sum_med")" ""
row "" "GB/s" "$(gbps "$BYTES" "$sum_best")" "$(gbps "$BYTES" "$sum_med")" ""
row "openssl speed sha256 -multi $CORES" "GB/s" "$(calc '%.3f' "$os_best / 1e9")" \
  "$(calc '%.3f' "$os_med / 1e9")" ""
row "read + SHA-256 ceiling (C, $CORES thr)" "s" "$(calc '%.3f' "$ceil_best")" "$(calc '%.3f' "$ceil_med")" ""
row "" "GB/s" "$(gbps "$BYTES" "$ceil_best")" "$(gbps "$BYTES" "$ceil_med")" "$(calc '%.1f' "100 * $BYTES / $ceil_best / $os_best") % of openssl"
row "speedup over sha256sum -c" "x" "$speed_best$(verdict "$speed_best" 1.8)" \
  "$speed_med$(verdict "$speed_med" 1.8)" ">= 1.8x"
row "share of the openssl limit" "%" "$pct_best$(verdict "$pct_best" 90)" \
  "$pct_med$(verdict "$pct_med" 90)" ">= 90 %"
row "share of the read+hash ceiling" "%" "$(calc '%.1f' "100 * $ceil_best / $pg_best")" \
  "$(calc '%.1f' "100 * $ceil_med / $pg_med")" "(info)"
row "prodgate CPU time, user" "s" "$(min "${pg_user[@]}")" "$(median "${pg_user[@]}")" ""
row "prodgate CPU time, system" "s" "$(min "${pg_sys[@]}")" "$(median "${pg_sys[@]}")" ""
row "prodgate peak RSS, $GIB GiB tree" "KiB" "$rss_tree" "" "max of rounds"
row "prodgate peak RSS, one 1 GiB file" "KiB" "$rss_one$rss_verdict" "" "flat in file size"
row "prodgate verify, one 1 GiB file" "s" "$(calc '%.3f' "$one_best")" "$(calc '%.3f' "$one_med")" ""
row "" "GB/s" "$(gbps "$SINGLE_BYTES" "$one_best")" "$(gbps "$SINGLE_BYTES" "$one_med")" \
  "(info: one file = one core)"
