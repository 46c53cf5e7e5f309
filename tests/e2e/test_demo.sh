#!/usr/bin/env bash
# The README's demo runs end to end: tdslite starts, tsql loads the sample shop
# database and reads the joined orders back with exact values.
set -euo pipefail
out=$("$SL_SOURCE_DIR/scripts/demo.sh" "$SL_BUILD_DIR" 2>&1) || { echo "$out"; echo "demo failed"; exit 1; }
expect() {
  if ! grep -qF -- "$1" <<<"$out"; then echo "$out"; echo "missing from demo output: $1"; exit 1; fi
}
expect $'1001\t2\tAda Lovelace\tCeramic cup\t1\t12.0000\t2026-11-01 09:15:00.000 +00:00'
expect $'1002\t1\tGrace Hopper\tTeapot ☕\t1\t39.9000\t2026-11-02 14:02:31.250 -05:00'
expect $'1003\t1\tZhang Wei 张伟\tGreen tea, 100 g\t5\t22.5000\t2026-11-03 20:45:10.500 +08:00'
expect $'4\t83.4000'
echo "1 passed, 0 failed"
