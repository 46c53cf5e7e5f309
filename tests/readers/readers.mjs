// The independent Parquet readers the tests check sluice's files with, and
// the exact-text forms of values they compare in. Shared by
// tests/parquet/test_readers.test.mjs and tests/sink/test_sink_files.test.mjs.
//
// The readers are the pinned packages of this directory's package.json
// (installed by scripts/setup.sh): DuckDB (@duckdb/node-api), arrow-rs
// (parquet-wasm) with apache-arrow, hyparquet with hyparquet-compressors.
// SRC and BUILD follow SL_SOURCE_DIR / SL_BUILD_DIR as ctest sets them.

import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SRC = process.env.SL_SOURCE_DIR ?? path.resolve(HERE, '../..');
export const BUILD = process.env.SL_BUILD_DIR ?? path.join(SRC, 'build');
const require = createRequire(path.join(SRC, 'tests/readers/package.json'));
const importPkg = async (name) => import(pathToFileURL(require.resolve(name)).href);

export const { DuckDBInstance } = require('@duckdb/node-api');
export const parquetWasm = require('parquet-wasm/node');
export const arrow = require('apache-arrow');
export const hyparquet = await importPkg('hyparquet');
export const { compressors } = await importPkg('hyparquet-compressors');

// ------------------------------------------------------- values as text

export const pad = (n, w) => String(n).padStart(w, '0');

export function civil(days) { // days since 1970-01-01 -> proleptic Gregorian [y, m, d]
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

// Days since 1970-01-01 -> 'YYYY-MM-DD'.
export function dateText(days) {
  const [y, m, d] = civil(Number(days));
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

// Microseconds since the epoch (Number or BigInt) -> 'YYYY-MM-DDTHH:MM:SS.ffffff'.
export function tsText(micros) {
  const DAY = 86400000000n;
  const us = BigInt(micros);
  let days = us / DAY;
  let rem = us % DAY;
  if (rem < 0n) { rem += DAY; days -= 1n; }
  const s = rem / 1000000n;
  return `${dateText(Number(days))}T${pad(s / 3600n, 2)}:${pad((s / 60n) % 60n, 2)}:${pad(s % 60n, 2)}.${pad(rem % 1000000n, 6)}`;
}

// Unscaled BigInt and scale -> exact decimal text.
export function decText(unscaled, scale) {
  const neg = unscaled < 0n;
  let s = (neg ? -unscaled : unscaled).toString();
  if (scale > 0) {
    s = s.padStart(scale + 1, '0');
    s = `${s.slice(0, -scale)}.${s.slice(-scale)}`;
  }
  return (neg ? '-' : '') + s;
}

export const hex = (bytes) => Buffer.from(bytes.buffer ?? bytes, bytes.byteOffset ?? 0, bytes.byteLength ?? bytes.length).toString('hex');

export const isFloat = (col) => col.type === 'float' || col.type === 'double';

// Expected text -> comparable value: floats become Numbers (rounded to
// float32 for float columns; 'Infinity'/'-Infinity'/'NaN' parse as such),
// everything else stays text.
export function expNorm(col, s) {
  if (s === null) return null;
  if (!isFloat(col)) return s;
  const n = Number(s);
  return col.type === 'float' ? Math.fround(n) : n;
}
