#!/usr/bin/env bash
# `make demo` runs end to end and prints exactly tests/e2e/demo.expected:
# tdslite starts, tsql loads the sample shop database (Change Tracking on)
# and reads it back, sluice syncs it in full, the changes are applied, the
# incremental sync lands only them, and DuckDB reads those rows back from
# the Parquet files. Only the port and the temp directory are masked.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$("$SL_SOURCE_DIR/scripts/demo.sh" "$SL_BUILD_DIR" 2>&1) || { echo "$out"; echo "demo failed"; exit 1; }
norm=$(sed -E 's/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/; s#/tmp/sluice-demo\.[A-Za-z0-9]+#DIR#g' <<<"$out")
if ! diff -u "$here/demo.expected" <(printf '%s\n' "$norm"); then
  echo "demo output differs from tests/e2e/demo.expected (above: - expected, + actual)"
  exit 1
fi
echo "1 passed, 0 failed"
