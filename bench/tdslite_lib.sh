# Sourced by the benchmarks that read from tdslite (tds_freebcp.sh,
# sync_vs_freebcp.sh): start tdslite in a temporary directory, talk to it
# with tsql, and make the generated 10-column table dbo.bench they measure.
# The caller sets TDSLITE (the binary) and PW (the sa password) and runs
# with `set -euo pipefail`.

# bench_start_tdslite NAME: make WORK=/tmp/NAME.XXXXXX (removed at exit,
# with the server), write a private freetds.conf (TDS 7.4, no encryption)
# and export it, start tdslite on a free port with its data in $WORK/data,
# and set SRV_PID and PORT from its ready line.
bench_start_tdslite() {
  WORK=$(mktemp -d "/tmp/$1.XXXXXX")
  SRV_PID=
  trap bench_cleanup EXIT
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
  local line
  if ! read -r -t 20 line <&3; then echo "tdslite did not start: $(cat "$WORK/stderr")" >&2; exit 1; fi
  case "$line" in "tdslite: listening on 127.0.0.1:"*) ;; *) echo "unexpected ready line: $line" >&2; exit 1;; esac
  PORT=${line##*:}
  # keep draining stdout in the background
  cat <&3 > /dev/null &
}

bench_cleanup() {
  if [ -n "$SRV_PID" ] && kill -0 "$SRV_PID" 2>/dev/null; then
    kill "$SRV_PID"; wait "$SRV_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}

sql() {  # run one batch with tsql, fail on any server message of severity > 10
  local out
  out=$(printf '%s\ngo\n' "$1" | tsql -S "127.0.0.1:$PORT" -U sa -P "$PW" -o q 2>&1) || { echo "$out" >&2; return 1; }
  if grep -Eq 'Msg [0-9]+ \(severity (1[1-9]|2[0-9])' <<<"$out"; then echo "$out" >&2; return 1; fi
  printf '%s\n' "$out"
}

# The measured table: a key and nine columns of the common types.
BENCH_TABLE_DDL="CREATE TABLE dbo.bench (
  id bigint NOT NULL PRIMARY KEY, i int NULL, b bigint NULL, d decimal(18,4) NULL, f float NULL,
  dt datetime2(7) NULL, s nvarchar(100) NULL, v varchar(50) NULL, g uniqueidentifier NULL, x bit NULL)"

# bench_generate ROWS [DB]: fill dbo.bench (in DB, else the login's
# database) with ROWS rows by tdslite.generate (seed 42) and check the count.
bench_generate() {
  local rows=$1 use=
  [ -z "${2:-}" ] || use="USE $2
"
  sql "${use}EXEC tdslite.generate N'dbo.bench', $rows, 42" >/dev/null
  sql "${use}SELECT COUNT_BIG(*) FROM dbo.bench" | grep -qx "$rows" || { echo "generate did not produce $rows rows" >&2; exit 1; }
}
