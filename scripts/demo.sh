#!/usr/bin/env bash
# make demo: sluice's main job end to end, against tdslite with the sample
# shop database (Change Tracking on): a full sync, then inserts, updates and
# deletes in SQL Server, then an incremental sync that lands only those,
# read back from the Parquet files with DuckDB.
set -euo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
case "$BUILD" in /*) BIN="$BUILD/bin" ;; *) BIN="$ROOT/$BUILD/bin" ;; esac
DATA=$(mktemp -d /tmp/sluice-demo.XXXXXX)
PW=${TDSLITE_SA_PASSWORD:-Demo-Passw0rd}
export TDSVER=7.4

"$BIN/tdslite" --port 0 --data "$DATA/tdslite" --sa-password "$PW" > "$DATA/tdslite.out" 2> "$DATA/tdslite.log" &
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

echo "== loading the sample shop database, change tracking on (emulator/sample/shop.sql)"
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

cat > "$DATA/sluice.yaml" <<YAML
connection:
  server: 127.0.0.1
  port: $PORT
  user: sa
  password: \${DEMO_PASSWORD}
storage:
  root: $DATA/lake
databases:
  shop:
    uc_catalog: main
    schemas:
      dbo:
        uc_schema: bronze
        tables:
          customers:
          products:
          orders: { mode: full_incremental }
YAML
export DEMO_PASSWORD=$PW
sluice() { "$BIN/sluice" "$@" --config "$DATA/sluice.yaml"; }
# The run summary without its last line's timing, so the output is the same every time.
summary() { sed -E 's/ rows in [0-9.]+ s$/ rows/'; }

echo
echo "== sluice sync: the first run loads every table in full"
sluice sync -q | summary

echo
echo "== changes in SQL Server: a new customer and order, a changed order line, a removed one, a new price"
cat > "$DATA/changes.sql" <<'SQL'
USE shop
INSERT INTO dbo.customers (name, email, country) VALUES (N'Ines Müller', 'ines@example.de', 'DE')
INSERT INTO dbo.orders VALUES (1004, 1, 5, 3, 1, 39.90, '2026-11-04 08:30:00.000 +01:00', N'first order')
UPDATE dbo.orders SET quantity = 3, amount = 13.50 WHERE order_id = 1001 AND line_no = 1
DELETE FROM dbo.orders WHERE order_id = 1001 AND line_no = 2
UPDATE dbo.products SET price = 4.90 WHERE product_id = 1
go
SQL
sed -n '2,6p' "$DATA/changes.sql" | sed 's/^/  /'
tsql_run < "$DATA/changes.sql" > "$DATA/changes.out" 2>&1 || true
if grep -qi 'msg [0-9]' "$DATA/changes.out"; then cat "$DATA/changes.out"; exit 1; fi

echo
echo "== sluice sync: the second run lands only the changes (Change Tracking)"
sluice sync -q | summary

echo
echo "== what the second run landed, read back from its Parquet files with DuckDB"
show() { node "$ROOT/scripts/show_landed.mjs" "$DATA/lake" shop dbo "$@"; }
echo "-- orders"
show orders "SYS_CHANGE_OPERATION AS op, SYS_CHANGE_VERSION AS version, order_id, line_no, quantity, CAST(amount AS VARCHAR) AS amount, strftime(ordered_at, '%Y-%m-%d %H:%M:%S') || 'Z' AS ordered_at_utc, note" "order_id, line_no"
echo "-- customers"
show customers "SYS_CHANGE_OPERATION AS op, SYS_CHANGE_VERSION AS version, customer_id, name, email, country"
echo "-- products"
show products "SYS_CHANGE_OPERATION AS op, SYS_CHANGE_VERSION AS version, product_id, sku, CAST(price AS VARCHAR) AS price"

echo
echo "== sluice status"
sluice status | sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/<time>                  /'
echo
echo "== files under $DATA/lake"
(cd "$DATA/lake" && find . -type f ! -name '.*' | sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}/<date>/; s/[0-9]{8}T[0-9]{9}Z/<time>/' | sort)
