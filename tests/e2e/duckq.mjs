// Run SQL in an in-memory DuckDB (the pinned @duckdb/node-api of
// tests/readers) and print the rows of the last statement as one JSON
// array of objects (DuckDB's JSON rendering of each value: numbers,
// strings, booleans, null; cast in SQL where exact text matters).
// Usage: node duckq.mjs 'SQL'   (or the SQL on stdin when no argument).
// A helper of the sync end-to-end tests (tests/e2e/sync_harness.py).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SRC = process.env.SL_SOURCE_DIR ?? path.resolve(HERE, '../..');
const require = createRequire(path.join(SRC, 'tests/readers/package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

const sql = process.argv[2] ?? fs.readFileSync(0, 'utf8');
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
try {
  const r = await con.runAndReadAll(sql);
  process.stdout.write(JSON.stringify(r.getRowObjectsJson()) + '\n');
} catch (e) {
  process.stderr.write(`duckdb: ${e.message}\n`);
  process.exit(1);
}
