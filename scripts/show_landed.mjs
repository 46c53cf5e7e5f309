// Print the rows one sluice run landed for a table, read back from its
// Parquet files with DuckDB (the pinned @duckdb/node-api of tests/readers):
// the files of the run that stored the table's current watermark.
//
//   node scripts/show_landed.mjs ROOT DB SCHEMA TABLE 'SELECT list' ['ORDER BY']
//
// The select list is DuckDB SQL over the files (columns as landed). Output:
// a header line and one line per row, columns separated by two spaces and
// padded, NULL shown as NULL. Used by scripts/demo.sh.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(HERE, '../tests/readers/package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

const [root, db, schema, table, select, order] = process.argv.slice(2);
const wm = JSON.parse(fs.readFileSync(path.join(root, 'watermarks', db, schema, table, 'watermarks.json'), 'utf8'));
if (wm.files.length === 0) {
  console.log(`(${db}.${schema}.${table}: no rows in the last run)`);
  process.exit(0);
}
const files = wm.files.map((f) => `'${path.join(root, f)}'`).join(', ');
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
const r = await con.runAndReadAll(`SELECT ${select} FROM read_parquet([${files}])${order ? ' ORDER BY ' + order : ''}`);
const names = r.columnNames();
const rows = r.getRowObjectsJson().map((o) => names.map((n) => (o[n] === null ? 'NULL' : String(o[n]))));
const width = names.map((n, i) => Math.max(n.length, ...rows.map((row) => row[i].length)));
const line = (cells) => cells.map((c, i) => c.padEnd(width[i])).join('  ').trimEnd();
console.log(line(names));
for (const row of rows) console.log(line(row));
