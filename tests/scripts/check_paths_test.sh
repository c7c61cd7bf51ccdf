#!/usr/bin/env bash
# The negative controls of scripts/check-paths: a scratch repository that passes, then one
# deliberately added reference per rule, each of which must fail the check and be named.
set -euo pipefail
check=$(cd "$(dirname "$0")/../.." && pwd)/scripts/check-paths
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
repo=$scratch/repo
mkdir -p "$repo/docs" "$repo/tests"
git -C "$repo" init -q
printf 'See [the seal](../README.md) and data/../../etc/passwd (an attack, quoted).\n' \
  >"$repo/docs/guide.md"
printf '#include "tests/util.h"\n' >"$repo/tests/a_test.cc"
printf '# repo\n' >"$repo/README.md"
git -C "$repo" add -A

fail=0
expect() {  # expect EXIT RULE: run the check, compare its exit status, look for [RULE]
  local want=$1 rule=${2:-} out rc=0
  out=$("$check" "$repo" 2>&1) || rc=$?
  if [[ $rc != "$want" ]]; then
    echo "FAIL: want exit $want, got $rc${rule:+ (rule $rule)}:"; echo "$out"; fail=1
  elif [[ -n $rule && $out != *"[$rule"* && $out != *",$rule"* ]]; then
    echo "FAIL: exit $rc but the rule $rule is not named:"; echo "$out"; fail=1
  else
    echo "ok: exit $rc${rule:+ for $rule}"
  fi
}
add() {  # add FILE LINE: a tracked file holding LINE
  printf '%s\n' "$2" >"$repo/$1"
  git -C "$repo" add "$1"
}
drop() { git -C "$repo" rm -q -f "$1"; }

# The references are assembled at run time, so that this file does not itself hold one.
UP=..
S=shared
expect 0
add tests/seeds_test.cc 'std::string dir = std::string(PRODGATE_SOURCE_DIR) + "/'"$UP/$S"'/seeds";'
expect 1 shared
expect 1 source-up
drop tests/seeds_test.cc
add docs/seeds.md "The seeds are in [\`$UP/$UP/$S/seeds/\`]($UP/$UP/$S/seeds/)."
expect 1 shared
drop docs/seeds.md
add docs/other.md 'Compare with [the peer](../../peer/README.md).'
expect 1 escapes
drop docs/other.md
add tests/abs.sh "cat $(dirname "$repo")/elsewhere/fixture.txt"
expect 1 absolute
drop tests/abs.sh
add CMakeLists.txt 'set(SEEDS ${CMAKE_SOURCE_DIR}/'"$UP"'/fixtures)'
expect 1 source-up
drop CMakeLists.txt
# An untracked file is not the repository's: only what a clone would hold is checked.
printf '%s\n' "$UP/$S/seeds" >"$repo/untracked.txt"
expect 0
mkdir "$scratch/not-a-repo"
rc=0; "$check" "$scratch/not-a-repo" >/dev/null 2>&1 || rc=$?
if [[ $rc != 2 ]]; then echo "FAIL: a directory that is not a git work tree gave $rc, not 2"; fail=1; fi
exit $fail
