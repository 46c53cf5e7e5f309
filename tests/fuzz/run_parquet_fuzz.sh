#!/usr/bin/env bash
# Fuzz the Parquet reader with libFuzzer for SECONDS (default 300).
#
#   tests/fuzz/run_parquet_fuzz.sh [SECONDS]
#
# Configures its own build directory (SL_FUZZ_BUILD, default build-fuzz) with
# clang, ASan and coverage instrumentation for every library, builds
# fuzz_parquet_reader and gen_cases, seeds the corpus with gen_cases' files
# (small ones only, to keep executions fast) and runs one fuzzing process
# (the machines are shared: no -jobs). The corpus grows in
# tests/fuzz/corpus-parquet/ (git-ignored) across runs. Crash inputs land in
# $SL_FUZZ_BUILD/artifacts/; copy reproducible ones to tests/fuzz/crashes/
# (named <kind>_<sha1>.parquet) so fuzz_parquet_replay keeps them fixed.
# Exit status: libFuzzer's (non-zero when it found a crash).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
secs="${1:-300}"
build="${SL_FUZZ_BUILD:-$root/build-fuzz}"
corpus="$root/tests/fuzz/corpus-parquet"
seeds="$build/seeds"

CC=clang cmake -S "$root" -B "$build" -DSL_FUZZ=ON -DSL_ASAN=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target fuzz_parquet_reader gen_cases

rm -rf "$seeds"
mkdir -p "$seeds" "$corpus" "$build/artifacts"
ASAN_OPTIONS=detect_leaks=0 "$build/bin/gen_cases" "$seeds/all" >/dev/null 2>&1 || true
# keep files up to 16 KiB: every type, codec and structure is represented
find "$seeds/all" -name '*.parquet' -size -16k -exec cp {} "$seeds/" \;
rm -rf "$seeds/all"
echo "seeds: $(ls "$seeds" | wc -l) files; corpus: $(ls "$corpus" | wc -l) files"

exec "$build/bin/fuzz_parquet_reader" "$corpus" "$seeds" \
  -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$build/artifacts/" -print_final_stats=1
