#!/usr/bin/env bash
# Benchmark entry point (`make bench` calls it): sluice's Parquet writer vs
# DuckDB's on the same rows (method: bench/README.md), then freebcp queryout
# from tdslite with its peak RSS at 1M and 5M rows (bench/tds_freebcp.md),
# then `sluice sync` beside freebcp on a 5M-row table, full and incremental
# (bench/README.md "sluice sync vs freebcp"), then `sluice watch` latency and
# idle cost on CDC tables (bench/README.md "sluice watch").
#
#   bench/run.sh BUILD_DIR
#
# Environment:
#   SL_BENCH_ROWS      rows for the comparison (default 1000000)
#   SL_BENCH_CODEC     zstd (default), snappy, gzip, none, lz4_raw, brotli
#   SL_BENCH_SEED      data seed (default 1)
#   SL_BENCH_REPEAT    runs per writer, best one counts (default 3)
#   SL_BENCH_SYNC_ROWS rows of the sync benchmark's table (default 5000000)
#   SL_BENCH_BIG_ROWS  also run ours once at this many rows (e.g. 10000000)
#                      for the peak-RSS ratio; off by default (slow)
# Output files go to bench/out/ (git-ignored); results.json holds the ratios.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:?usage: bench/run.sh BUILD_DIR}" && pwd)"
cmake --build "$build" -j"${JOBS:-2}" --target parquet_write tdslite sluice >/dev/null
args=(--build "$build" --rows "${SL_BENCH_ROWS:-1000000}" --codec "${SL_BENCH_CODEC:-zstd}"
      --seed "${SL_BENCH_SEED:-1}" --repeat "${SL_BENCH_REPEAT:-3}" --out-dir "$root/bench/out")
if [ -n "${SL_BENCH_BIG_ROWS:-}" ]; then
  args+=(--rss-rows "$SL_BENCH_BIG_ROWS")
fi
node "$root/bench/parquet_vs_duckdb.mjs" "${args[@]}"
SL_BUILD_DIR="$build" "$root/bench/tds_freebcp.sh"
SL_BUILD_DIR="$build" "$root/bench/sync_vs_freebcp.sh" "${SL_BENCH_SYNC_ROWS:-5000000}"
SL_BUILD_DIR="$build" /usr/bin/python3 "$root/bench/watch_latency.py"
