#!/usr/bin/env bash
# Benchmark: freebcp queryout throughput from tdslite, and tdslite's peak RSS
# at 1M and 5M rows (it must stay flat: the server streams rows, it does not
# buffer a result). Method: bench/tds_freebcp.md.
#
# Usage: SL_BUILD_DIR=build bench/tds_freebcp.sh [rows1] [rows2]
set -euo pipefail

BUILD=${SL_BUILD_DIR:-$(cd "$(dirname "$0")/.." && pwd)/build}
TDSLITE=$BUILD/bin/tdslite
R1=${1:-1000000}
R2=${2:-5000000}
PW=Bench_Pw_1

[ -x "$TDSLITE" ] || { echo "tdslite not found at $TDSLITE" >&2; exit 2; }
command -v freebcp >/dev/null && command -v tsql >/dev/null || { echo "needs freebcp and tsql (freetds-bin)" >&2; exit 2; }

. "$(dirname "$0")/tdslite_lib.sh"
bench_start_tdslite tds-freebcp-bench

hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$SRV_PID/status"; }
reset_hwm() { echo 5 > "/proc/$SRV_PID/clear_refs" 2>/dev/null || true; }  # Linux >= 4.0: reset VmHWM

sql "$BENCH_TABLE_DDL" >/dev/null

printf '%-10s %10s %12s %12s %14s\n' rows seconds rows_per_s file_MB tdslite_hwm_MB
run_one() {
  local rows=$1 file=$WORK/bench.$1.txt t0 t1 secs copied
  sql "DELETE FROM dbo.bench" >/dev/null
  bench_generate "$rows"
  reset_hwm
  t0=$(date +%s.%N)
  freebcp "SELECT id, i, b, d, f, dt, s, v, g, x FROM dbo.bench" queryout "$file" -c \
    -S "127.0.0.1:$PORT" -U sa -P "$PW" > "$WORK/bcp.log" 2>&1 || { cat "$WORK/bcp.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  copied=$(grep -Eo '^[0-9]+ rows copied' "$WORK/bcp.log" | grep -Eo '^[0-9]+')
  [ "$copied" = "$rows" ] || { echo "freebcp copied $copied rows, expected $rows" >&2; exit 1; }
  secs=$(echo "$t1 - $t0" | bc -l)
  printf '%-10s %10.2f %12.0f %12.1f %14.1f\n' "$rows" "$secs" "$(echo "$rows / $secs" | bc -l)" \
    "$(echo "$(stat -c %s "$file") / 1048576" | bc -l)" "$(echo "$(hwm_kb) / 1024" | bc -l)"
  rm -f "$file"
  eval "HWM_$rows=$(hwm_kb)"
}
run_one "$R1"
run_one "$R2"
h1=$(eval echo "\$HWM_$R1"); h2=$(eval echo "\$HWM_$R2")
# Peak RSS during the 5x larger export may not exceed the 1M one by more than 25%.
if [ "$h2" -gt $((h1 + h1 / 4)) ]; then
  echo "FAIL: tdslite peak RSS grew with rows: ${h1} kB at $R1, ${h2} kB at $R2" >&2
  exit 1
fi
echo "OK: tdslite peak RSS flat (${h1} kB at $R1 rows, ${h2} kB at $R2 rows)"
