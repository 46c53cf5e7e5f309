#!/usr/bin/env bash
# make demo: start tdslite with the sample shop database and query it through
# FreeTDS's tsql, a real SQL Server client. (The sync issue turns this into
# the full sluice demo: full sync, changes, incremental sync, read-back.)
set -euo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
case "$BUILD" in /*) BIN="$BUILD/bin" ;; *) BIN="$ROOT/$BUILD/bin" ;; esac
DATA=$(mktemp -d /tmp/sluice-demo.XXXXXX)
PW=${TDSLITE_SA_PASSWORD:-Demo-Passw0rd}
export TDSVER=7.4

"$BIN/tdslite" --port 0 --data "$DATA" --sa-password "$PW" > "$DATA/tdslite.out" 2> "$DATA/tdslite.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 100); do
  grep -q 'listening on' "$DATA/tdslite.out" 2>/dev/null && break
  sleep 0.1
done
PORT=$(sed -n 's/.*listening on [^:]*:\([0-9]*\).*/\1/p' "$DATA/tdslite.out")
[ -n "$PORT" ] || { echo "demo: tdslite did not start:"; cat "$DATA/tdslite.log"; exit 1; }
echo "== tdslite listening on 127.0.0.1:$PORT (data in $DATA)"

tsql_run() { tsql -H 127.0.0.1 -p "$PORT" -U sa -P "$PW" -o q; }

echo "== loading the sample shop database"
tsql_run < "$ROOT/emulator/sample/shop.sql" > "$DATA/load.out" 2>&1 || true
if grep -qi 'msg [0-9]' "$DATA/load.out"; then cat "$DATA/load.out"; exit 1; fi

echo "== orders with their customers and products, through tsql"
tsql_run <<'SQL'
USE shop
SELECT o.order_id, o.line_no, c.name AS customer, p.title AS product,
       o.quantity, o.amount, CAST(o.ordered_at AS varchar(34)) AS ordered_at
FROM dbo.orders o
JOIN dbo.customers c ON c.customer_id = o.customer_id
JOIN dbo.products p ON p.product_id = o.product_id
ORDER BY o.order_id, o.line_no
SELECT COUNT(*) AS customers, (SELECT SUM(amount) FROM dbo.orders) AS revenue FROM dbo.customers
go
SQL
