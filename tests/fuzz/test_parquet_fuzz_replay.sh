#!/usr/bin/env bash
# Regression test for the Parquet reader on hostile input, without
# libFuzzer: replays every saved fuzz crash (tests/fuzz/crashes/), then every
# gen_cases file plus 1000 deterministic damaged variants of each small one
# (truncations, byte flips, bogus footer lengths) through the same entry
# point as the fuzzer. A crash or sanitizer report fails the test; in an
# -DSL_ASAN=ON build this also catches out-of-bounds reads.
set -euo pipefail
bin="${SL_BUILD_DIR:?}/bin"
here="$(cd "$(dirname "$0")" && pwd)"
for b in fuzz_parquet_replay gen_cases; do
  if [ ! -x "$bin/$b" ]; then
    echo "missing $bin/$b (is sl_parquet in the build?)"
    echo "0 passed, 1 failed"
    exit 1
  fi
done
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
run() { # name, command...
  local name="$1"; shift
  if "$@" >"$tmp/out" 2>&1; then
    pass=$((pass + 1)); echo "ok   $name: $(tail -1 "$tmp/out")"
  else
    fail=$((fail + 1)); echo "FAIL $name (exit $?)"; tail -30 "$tmp/out"
  fi
}
shopt -s nullglob
crashes=("$here"/crashes/*)
if [ ${#crashes[@]} -gt 0 ]; then
  for f in "${crashes[@]}"; do run "crash $(basename "$f")" "$bin/fuzz_parquet_replay" "$f"; done
fi
"$bin/gen_cases" "$tmp/cases" >/dev/null 2>&1 || echo "note: gen_cases reported errors; replaying what it wrote"
mkdir -p "$tmp/small"
find "$tmp/cases" -name '*.parquet' -size -16k -exec cp {} "$tmp/small/" \;
run "corpus (valid files)" "$bin/fuzz_parquet_replay" "$tmp/cases"
run "corpus (damaged variants)" "$bin/fuzz_parquet_replay" --mutate 1000 "$tmp/small"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
