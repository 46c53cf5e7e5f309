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

WORK=$(mktemp -d /tmp/tds-freebcp-bench.XXXXXX)
SRV_PID=
cleanup() {
  if [ -n "$SRV_PID" ] && kill -0 "$SRV_PID" 2>/dev/null; then
    kill "$SRV_PID"; wait "$SRV_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir "$WORK/data"
cat > "$WORK/freetds.conf" <<CONF
[global]
	tds version = 7.4
	encryption = off
	client charset = UTF-8
CONF
export FREETDSCONF=$WORK/freetds.conf TDSVER=7.4

# Start tdslite and wait for its ready line.
mkfifo "$WORK/out"
"$TDSLITE" --port 0 --data "$WORK/data" --sa-password "$PW" > "$WORK/out" 2> "$WORK/stderr" &
SRV_PID=$!
exec 3< "$WORK/out"
if ! read -r -t 20 line <&3; then echo "tdslite did not start: $(cat "$WORK/stderr")" >&2; exit 1; fi
PORT=${line##*:}
case "$line" in "tdslite: listening on 127.0.0.1:"*) ;; *) echo "unexpected ready line: $line" >&2; exit 1;; esac
# keep draining stdout in the background
cat <&3 > /dev/null &

sql() {  # run one batch with tsql, fail on any server message of severity > 10
  local out
  out=$(printf '%s\ngo\n' "$1" | tsql -S "127.0.0.1:$PORT" -U sa -P "$PW" -o q 2>&1) || { echo "$out" >&2; return 1; }
  if grep -Eq 'Msg [0-9]+ \(severity (1[1-9]|2[0-9])' <<<"$out"; then echo "$out" >&2; return 1; fi
  printf '%s\n' "$out"
}

hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$SRV_PID/status"; }
reset_hwm() { echo 5 > "/proc/$SRV_PID/clear_refs" 2>/dev/null || true; }  # Linux >= 4.0: reset VmHWM

sql "CREATE TABLE dbo.bench (
  id bigint NOT NULL PRIMARY KEY, i int NULL, b bigint NULL, d decimal(18,4) NULL, f float NULL,
  dt datetime2(7) NULL, s nvarchar(100) NULL, v varchar(50) NULL, g uniqueidentifier NULL, x bit NULL)" >/dev/null

printf '%-10s %10s %12s %12s %14s\n' rows seconds rows_per_s file_MB tdslite_hwm_MB
run_one() {
  local rows=$1 file=$WORK/bench.$1.txt t0 t1 secs copied
  sql "DELETE FROM dbo.bench" >/dev/null
  sql "EXEC tdslite.generate N'dbo.bench', $rows, 42" >/dev/null
  sql "SELECT COUNT_BIG(*) FROM dbo.bench" | grep -qx "$rows" || { echo "generate did not produce $rows rows" >&2; exit 1; }
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
