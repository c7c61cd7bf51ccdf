# Shared by db_hash.sh, surrogate.sh and secret_scan.sh (sourced, not run): the working
# directory, timing under GNU time, statistics and the table format of bench/README.md.
#
# The sourcing script sets NAME (for messages) and calls bench_init "$@" first.
set -euo pipefail
export LC_ALL=C  # '.' as decimal point in EPOCHREALTIME, printf and awk

die() { echo "$NAME: $*" >&2; exit 2; }
say() { printf '%s\n' "$*" >&2; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }  # calc FORMAT EXPRESSION

# bench_init PRODGATE: checks the tools, makes BENCH_DIR, copies the binary to $PRODGATE.
bench_init() {
  [[ $# -eq 1 ]] || die "usage: $0 PRODGATE_BINARY"
  local bin
  bin=$(realpath -- "$1")
  [[ -x $bin ]] || die "$1 is not an executable"
  for tool in sqlite3 python3 sha256sum; do
    command -v "$tool" >/dev/null || die "$tool not found"
  done
  /usr/bin/time -f '%M' true 2>/dev/null || die "/usr/bin/time (GNU time, package 'time') not found"
  REPS=${REPS:-3}
  KEEP=${KEEP:-0}
  [[ $REPS =~ ^[1-9][0-9]*$ ]] || die "REPS must be a positive integer"
  if [[ -n ${BENCH_DIR:-} ]]; then
    mkdir -p -- "$BENCH_DIR"
    if [[ ! -e $BENCH_DIR/.prodgate-bench && -n $(ls -A -- "$BENCH_DIR") ]]; then
      die "BENCH_DIR=$BENCH_DIR is not empty and was not made by a benchmark; it would be removed"
    fi
  else
    BENCH_DIR=$(mktemp -d /tmp/prodgate-bench.XXXXXX)
  fi
  BENCH_DIR=$(realpath -- "$BENCH_DIR")
  touch "$BENCH_DIR/.prodgate-bench"
  trap bench_cleanup EXIT
  # A private copy: a rebuild during the run must not make the rounds time different programs.
  cp -- "$bin" "$BENCH_DIR/prodgate"
  PRODGATE=$BENCH_DIR/prodgate
  TIMEF=$BENCH_DIR/time.out
  CORES=$(nproc)
}

bench_cleanup() {
  if [[ $KEEP == 1 ]]; then
    echo "kept $BENCH_DIR" >&2
  else
    rm -rf -- "$BENCH_DIR"
  fi
}

# The share of the CPUs other work kept busy over 2 s (every figure is skewed by it).
sample_busy() {
  local b0 a0 b1 a1
  read -r b0 a0 < <(awk '$1 == "cpu" { print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8 }' /proc/stat)
  sleep 2
  read -r b1 a1 < <(awk '$1 == "cpu" { print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8 }' /proc/stat)
  BUSY=$(calc '%.0f' "100 * ($b1 - $b0) / ($a1 - $a0 + 1e-9)")
  if ((BUSY > 5)); then
    say "warning: the CPUs were $BUSY % busy with other work before timing; wall times are skewed (CPU times less so)"
  fi
}

# timed OUTVAR CMD...: runs CMD (stdout to /dev/null unless TIMED_OUT is set) under GNU time;
# OUTVAR gets "wall_s rss_kib user_s sys_s". A failing command voids the run: exit 1.
timed() {
  local -n _out=$1
  shift
  local a=$EPOCHREALTIME
  if ! /usr/bin/time -o "$TIMEF" -f '%M %U %S' "$@" >"${TIMED_OUT:-/dev/null}"; then
    echo "$NAME: FAILED: $*" >&2
    exit 1
  fi
  local b=$EPOCHREALTIME
  _out="$(calc '%.6f' "$b - $a") $(tail -n 1 "$TIMEF")"
}

min() { printf '%s\n' "$@" | sort -g | head -n 1; }
max() { printf '%s\n' "$@" | sort -g | tail -n 1; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# verdict_ge VALUE MIN / verdict_le VALUE MAX: "" when met, else " MISSED"
verdict_ge() { awk -v v="$1" -v t="$2" 'BEGIN { if (v < t) printf " MISSED" }'; }
verdict_le() { awk -v v="$1" -v t="$2" 'BEGIN { if (v > t) printf " MISSED" }'; }
row() { printf '%-40s %-7s %12s %12s   %s\n' "$@"; }
