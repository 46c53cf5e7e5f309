#!/usr/bin/env bash
# Benchmark: `sluice sync` full load of a generated 10-column table from
# tdslite, beside `freebcp queryout` of the same table in the same run;
# then an incremental sync of 1 000 changes. Method and results:
# bench/README.md ("sluice sync vs freebcp").
#
# Usage: SL_BUILD_DIR=build bench/sync_vs_freebcp.sh [rows]   (default 5000000)
# Environment: SL_BENCH_SYNC_ROWS (rows, default 5000000), SL_BENCH_CODEC
# (default zstd), SL_BENCH_CHANGES (default 1000).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${SL_BUILD_DIR:-$ROOT/build}
TDSLITE=$BUILD/bin/tdslite
SLUICE=$BUILD/bin/sluice
ROWS=${1:-${SL_BENCH_SYNC_ROWS:-5000000}}
CODEC=${SL_BENCH_CODEC:-zstd}
CHANGES=${SL_BENCH_CHANGES:-1000}
PW=Bench_Pw_1

for b in "$TDSLITE" "$SLUICE"; do [ -x "$b" ] || { echo "missing $b (build it first)" >&2; exit 2; }; done
command -v freebcp >/dev/null && command -v tsql >/dev/null || { echo "needs freebcp and tsql (freetds-bin)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time)" >&2; exit 2; }

. "$ROOT/bench/tdslite_lib.sh"
bench_start_tdslite sluice-sync-bench

sql "CREATE DATABASE bench" >/dev/null
sql "ALTER DATABASE bench SET ALLOW_SNAPSHOT_ISOLATION ON
ALTER DATABASE bench SET CHANGE_TRACKING = ON (CHANGE_RETENTION = 2 DAYS, AUTO_CLEANUP = ON)" >/dev/null
sql "USE bench
$BENCH_TABLE_DDL" >/dev/null
# Generate first, then track: the full load needs no per-row change records.
echo "generating $ROWS rows ..." >&2
bench_generate "$ROWS" bench
sql "USE bench
ALTER TABLE dbo.bench ENABLE CHANGE_TRACKING" >/dev/null

cat > "$WORK/sluice.yaml" <<YAML
connection:
  server: 127.0.0.1
  port: $PORT
  user: sa
  password: \${BENCH_PW}
storage:
  root: $WORK/lake
  parquet_compression: $CODEC
databases:
  bench:
    schemas:
      dbo:
        tables:
          bench: full_incremental
YAML
export BENCH_PW=$PW

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l; }

# freebcp: the peer, the same 10 columns in character mode.
t0=$(now)
/usr/bin/time -f '%M' -o "$WORK/bcp.rss" freebcp "SELECT id, i, b, d, f, dt, s, v, g, x FROM bench.dbo.bench" \
  queryout "$WORK/bench.txt" -c -S "127.0.0.1:$PORT" -U sa -P "$PW" > "$WORK/bcp.log" 2>&1 \
  || { cat "$WORK/bcp.log" >&2; exit 1; }
t1=$(now)
copied=$(grep -Eo '^[0-9]+ rows copied' "$WORK/bcp.log" | grep -Eo '^[0-9]+')
[ "$copied" = "$ROWS" ] || { echo "freebcp copied $copied rows, expected $ROWS" >&2; exit 1; }
bcp_s=$(secs "$t0" "$t1")
bcp_mb=$(echo "$(stat -c %s "$WORK/bench.txt") / 1048576" | bc -l)
rm -f "$WORK/bench.txt"

# sluice: full load (first run of full_incremental).
t0=$(now)
/usr/bin/time -f '%M' -o "$WORK/full.rss" "$SLUICE" sync -q --config "$WORK/sluice.yaml" > "$WORK/full.out" 2>&1 \
  || { cat "$WORK/full.out" >&2; exit 1; }
t1=$(now)
full_s=$(secs "$t0" "$t1")
grep -Eq "^bench\.dbo\.bench +ok +full +$ROWS " "$WORK/full.out" || { cat "$WORK/full.out" >&2; echo "full sync did not land $ROWS rows" >&2; exit 1; }
lake_mb=$(echo "$(du -sb "$WORK/lake/data" | cut -f1) / 1048576" | bc -l)

# Incremental: CHANGES updated rows in one transaction.
sql "USE bench
UPDATE dbo.bench SET s = N'changed' WHERE id <= $CHANGES" >/dev/null
t0=$(now)
/usr/bin/time -f '%M' -o "$WORK/inc.rss" "$SLUICE" sync -q --config "$WORK/sluice.yaml" > "$WORK/inc.out" 2>&1 \
  || { cat "$WORK/inc.out" >&2; exit 1; }
t1=$(now)
inc_s=$(secs "$t0" "$t1")
grep -Eq "^bench\.dbo\.bench +ok +incremental +$CHANGES " "$WORK/inc.out" || { cat "$WORK/inc.out" >&2; echo "incremental sync did not land $CHANGES rows" >&2; exit 1; }

bcp_rps=$(echo "$ROWS / $bcp_s" | bc -l)
full_rps=$(echo "$ROWS / $full_s" | bc -l)
printf '\nsluice sync vs freebcp queryout, %s rows, 10 columns, tdslite on 127.0.0.1\n' "$ROWS"
printf '%-28s %10s %12s %10s %12s\n' what seconds rows_per_s out_MB peak_RSS_MB
printf '%-28s %10.2f %12.0f %10.1f %12.1f\n' "freebcp queryout -c" "$bcp_s" "$bcp_rps" "$bcp_mb" "$(echo "$(cat "$WORK/bcp.rss") / 1024" | bc -l)"
printf '%-28s %10.2f %12.0f %10.1f %12.1f\n' "sluice sync (full, $CODEC)" "$full_s" "$full_rps" "$lake_mb" "$(echo "$(cat "$WORK/full.rss") / 1024" | bc -l)"
printf '%-28s %10.2f %12s %10s %12.1f\n' "sluice sync ($CHANGES changes)" "$inc_s" "-" "-" "$(echo "$(cat "$WORK/inc.rss") / 1024" | bc -l)"
printf 'throughput ratio sluice/freebcp: %.2f (target >= 0.80)\n' "$(echo "$full_rps / $bcp_rps" | bc -l)"
printf 'incremental/full wall time:      %.4f (%s of %s rows changed)\n' "$(echo "$inc_s / $full_s" | bc -l)" "$CHANGES" "$ROWS"
