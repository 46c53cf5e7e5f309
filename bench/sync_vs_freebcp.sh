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

WORK=$(mktemp -d /tmp/sluice-sync-bench.XXXXXX)
SRV_PID=
cleanup() {
  if [ -n "$SRV_PID" ] && kill -0 "$SRV_PID" 2>/dev/null; then kill "$SRV_PID"; wait "$SRV_PID" 2>/dev/null || true; fi
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

mkfifo "$WORK/out"
"$TDSLITE" --port 0 --data "$WORK/data" --sa-password "$PW" > "$WORK/out" 2> "$WORK/stderr" &
SRV_PID=$!
exec 3< "$WORK/out"
read -r -t 20 line <&3 || { echo "tdslite did not start: $(cat "$WORK/stderr")" >&2; exit 1; }
PORT=${line##*:}
cat <&3 > /dev/null &

sql() {  # one batch through tsql; fail on any message of severity > 10
  local out
  out=$(printf '%s\ngo\n' "$1" | tsql -S "127.0.0.1:$PORT" -U sa -P "$PW" -o q 2>&1) || { echo "$out" >&2; return 1; }
  if grep -Eq 'Msg [0-9]+ \(severity (1[1-9]|2[0-9])' <<<"$out"; then echo "$out" >&2; return 1; fi
  printf '%s\n' "$out"
}

sql "CREATE DATABASE bench" >/dev/null
sql "ALTER DATABASE bench SET ALLOW_SNAPSHOT_ISOLATION ON
ALTER DATABASE bench SET CHANGE_TRACKING = ON (CHANGE_RETENTION = 2 DAYS, AUTO_CLEANUP = ON)" >/dev/null
sql "USE bench
CREATE TABLE dbo.bench (
  id bigint NOT NULL PRIMARY KEY, i int NULL, b bigint NULL, d decimal(18,4) NULL, f float NULL,
  dt datetime2(7) NULL, s nvarchar(100) NULL, v varchar(50) NULL, g uniqueidentifier NULL, x bit NULL)" >/dev/null
# Generate first, then track: the full load needs no per-row change records.
echo "generating $ROWS rows ..." >&2
sql "USE bench
EXEC tdslite.generate N'dbo.bench', $ROWS, 42" >/dev/null
sql "USE bench
ALTER TABLE dbo.bench ENABLE CHANGE_TRACKING" >/dev/null
sql "USE bench
SELECT COUNT_BIG(*) FROM dbo.bench" | grep -qx "$ROWS" || { echo "generate did not produce $ROWS rows" >&2; exit 1; }

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
