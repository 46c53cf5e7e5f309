// The sink's files, read by three readers no one here wrote.
//
// Runs $SL_BUILD_DIR/bin/sink_driver (tests/sink/sink_driver.c), which
// writes per_table (full load, two incremental runs, soft_delete) and
// unified output over a column of every type through the real sink, and
// an expected.json with the input values as exact text. Then checks:
//   layout    every file's path is data/{db}/{schema}/{table}/{YYYY-MM-DD}/
//             {schema}_{table}_{YYYYMMDD}T{HHMMSSmmm}Z_part{N}.parquet, computed
//             here from the run's start; nothing else under the root (no
//             temps, no directory for the run without rows)
//   kv        every footer key (DuckDB parquet_kv_metadata)
//   schema    column names, order and types as DuckDB sees them
//   duckdb / arrow / hyparquet
//             every value of every row, exactly (decimals as text,
//             timestamps as integer microseconds, floats by bit identity);
//             per_table: table columns, SYS_CHANGE_*, _is_deleted;
//             unified: data parsed with its number text kept, table_id,
//             cursor, extractionTimestamp, operation, schemaVersion
//   recipe    the current-state query of docs/output-formats.md over the
//             full load and the two incremental runs, then after a full
//             reload; and the JSON access to unified data it shows
// Last line "N passed, M failed"; exit status non-zero on any failure.
// SL_KEEP=1 keeps the output directory.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BUILD, DuckDBInstance, arrow, compressors, dateText, decText, expNorm, hex, hyparquet, pad,
  parquetWasm, tsText,
} from '../readers/readers.mjs';

let passed = 0;
let failed = 0;

class Check {
  constructor(name) { this.name = name; this.errors = 0; }
  fail(msg) {
    this.errors++;
    if (this.errors <= 8) console.log(`MISMATCH ${this.name}: ${msg}`);
    else if (this.errors === 9) console.log(`MISMATCH ${this.name}: (further mismatches not shown)`);
  }
  eq(got, want, what) {
    if (!same(got, want)) this.fail(`${what}: got ${show(got)}, expected ${show(want)}`);
  }
  done() { if (this.errors) failed++; else passed++; }
}

const show = (v) => (typeof v === 'number' && Object.is(v, -0) ? '-0'
  : JSON.stringify(v, (k, x) => (typeof x === 'bigint' ? `${x}n` : x)));
const same = (a, b) => (typeof a === 'number' && typeof b === 'number' ? Object.is(a, b) : a === b);

// ------------------------------------------------------------ values as read

function duckValue(col, v) {
  if (v === null || v === undefined) return null;
  switch (col.type) {
    case 'bool': return v ? 'true' : 'false';
    case 'int8': case 'int16': case 'int32': case 'int64': return String(v);
    case 'float': case 'double': return v;
    case 'decimal': return decText(BigInt(v.value), v.scale);
    case 'date': return dateText(v.days);
    case 'timestamp': return tsText(v.micros);
    case 'binary': return hex(v.bytes);
    default: return typeof v === 'string' ? v : String(v);
  }
}

function arrowValue(col, v, d, j) {
  switch (col.type) {
    case 'bool': return v ? 'true' : 'false';
    case 'int8': case 'int16': case 'int32': case 'int64': return String(v);
    case 'float': case 'double': return v;
    case 'decimal': {
      const words = d.type.bitWidth / 32;
      let u = 0n;
      for (let w = words - 1; w >= 0; w--) u = (u << 32n) | BigInt(d.values[j * words + w]);
      if (d.values[j * words + words - 1] & 0x80000000) u -= 1n << BigInt(d.type.bitWidth);
      return decText(u, col.scale);
    }
    case 'date': return dateText(d.values[j]);
    case 'timestamp': return tsText(d.values[j]);
    case 'binary': return hex(v);
    default: return v;
  }
}

function hyValue(col, v) {
  if (v === null || v === undefined) return null;
  switch (col.type) {
    case 'bool': return v ? 'true' : 'false';
    case 'int8': case 'int16': case 'int32': case 'int64': return String(v);
    case 'float': case 'double': return v;
    case 'decimal': { // annotation dropped below: raw unscaled bytes or integer
      let u;
      if (v instanceof Uint8Array) {
        u = 0n;
        for (const b of v) u = (u << 8n) | BigInt(b);
        if (v.length && v[0] & 0x80) u -= 1n << BigInt(v.length * 8);
      } else u = BigInt(v);
      return decText(u, col.scale);
    }
    case 'date': return dateText(v);
    case 'timestamp': return tsText(v);
    case 'binary': return hex(v);
    default: return typeof v === 'string' ? v : new TextDecoder().decode(v);
  }
}

// ------------------------------------------------------------------ readers

async function duckRows(con, file, cols) {
  const r = await con.runAndReadAll(
    `SELECT * EXCLUDE (file_row_number) FROM read_parquet('${file}', file_row_number=true) ORDER BY file_row_number`);
  const names = r.columnNames();
  return r.getRows().map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]])));
}

function arrowTable(buf) {
  return arrow.tableFromIPC(parquetWasm.readParquet(new Uint8Array(buf)).intoIPCStream());
}

// Values of an arrow vector (plain column) as text, nulls as null.
function arrowColumnValues(col, vec) {
  const out = [];
  for (const d of vec.data) {
    const v = arrow.makeVector(d);
    for (let i = 0; i < d.length; i++) out.push(v.isValid(i) ? arrowValue(col, v.get(i), d, d.offset + i) : null);
  }
  return out;
}

async function hyRows(buf, decimalNames) {
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const meta = hyparquet.parquetMetadata(ab);
  // hyparquet turns decimals into JS numbers (lossy): read the raw values.
  const schema = meta.schema.map((e) => (decimalNames.includes(e.name)
    ? { ...e, converted_type: undefined, logical_type: undefined } : e));
  return hyparquet.parquetReadObjects({
    file: ab, metadata: { ...meta, schema }, compressors, utf8: false,
    parsers: {
      timestampFromMicroseconds: (us) => us,
      timestampFromMilliseconds: (ms) => `?millis ${ms}`,
      timestampFromNanoseconds: (ns) => `?nanos ${ns}`,
      dateFromDays: (d) => d,
      jsonFromBytes: (b) => b && new TextDecoder().decode(b),
      stringFromBytes: (b) => b && new TextDecoder().decode(b),
    },
  });
}

// ------------------------------------------------------------- expectations

function layoutName(run, part) {
  const ms = run.started_ms;
  const day = Math.floor(ms / 86400000);
  const rem = ms - day * 86400000;
  const date = dateText(day);
  const stamp = `${date.replaceAll('-', '')}T${pad(Math.floor(rem / 3600000), 2)}${pad(Math.floor(rem / 60000) % 60, 2)}`
    + `${pad(Math.floor(rem / 1000) % 60, 2)}${pad(rem % 1000, 3)}Z`;
  return `data/shop/dbo/${run.table}/${date}/dbo_${run.table}_${stamp}_part${part}.parquet`;
}

const posText = (v) => (v < 0 ? 'none' : `version ${v}`);

// Per_table columns in file order: table columns, change columns, _is_deleted.
function perTableColumns(run) {
  const cols = run.columns.map((c) => ({ ...c }));
  cols.push({ name: 'SYS_CHANGE_VERSION', type: 'int64', values: run.changes.map((c) => String(c.version)) });
  cols.push({ name: 'SYS_CHANGE_CREATION_VERSION', type: 'int64', values: run.changes.map((c) => (c.creation === null ? null : String(c.creation))) });
  cols.push({ name: 'SYS_CHANGE_OPERATION', type: 'string', values: run.changes.map((c) => c.op) });
  if (run.soft_delete) cols.push({ name: '_is_deleted', type: 'bool', values: run.changes.map((c) => (c.op === 'D' ? 'true' : 'false')) });
  return cols;
}

const DUCK_TYPES = {
  bool: 'BOOLEAN', int8: 'TINYINT', int16: 'SMALLINT', int32: 'INTEGER', int64: 'BIGINT', float: 'FLOAT',
  double: 'DOUBLE', date: 'DATE', string: 'VARCHAR', json: 'JSON', binary: 'BLOB',
};
const duckType = (c) => (c.type === 'decimal' ? `DECIMAL(${c.precision},${c.scale})`
  : c.type === 'timestamp' ? (c.utc ? 'TIMESTAMP WITH TIME ZONE' : 'TIMESTAMP') : DUCK_TYPES[c.type]);

function compareRows(check, cols, got, reader) {
  const n = cols[0].values.length;
  check.eq(got.length, n, `${reader} row count`);
  for (const col of cols) {
    for (let r = 0; r < Math.min(n, got.length); r++) {
      check.eq(got[r][col.name], expNorm(col, col.values[r]), `${reader} ${col.name} row ${r}`);
    }
  }
}

// ----------------------------------------------------- JSON with number text

// Parse JSON keeping each number's text ({num: '...'}) and key order.
function parseRaw(text) {
  let i = 0;
  const ws = () => { while (/\s/.test(text[i])) i++; };
  const value = () => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const keys = [];
      const vals = {};
      ws();
      if (text[i] === '}') { i++; return { obj: keys, vals }; }
      for (;;) {
        ws();
        const k = value();
        ws();
        if (text[i++] !== ':') throw new Error(`':' expected at ${i}`);
        keys.push(k);
        vals[k] = value();
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i++] !== '}') throw new Error(`'}' expected at ${i}`);
        return { obj: keys, vals };
      }
    }
    if (c === '"') {
      const start = i++;
      while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      return JSON.parse(text.slice(start, i));
    }
    const m = /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null)/.exec(text.slice(i));
    if (!m) throw new Error(`bad JSON at ${i}: ${text.slice(i, i + 20)}`);
    i += m[0].length;
    if (m[0] === 'true') return true;
    if (m[0] === 'false') return false;
    if (m[0] === 'null') return null;
    return { num: m[0] };
  };
  const v = value();
  ws();
  if (i !== text.length) throw new Error('trailing text');
  return v;
}

// The text of a data member, in the expected-value convention.
function dataMember(col, v) {
  if (v === null) return null;
  switch (col.type) {
    case 'bool': return v === true ? 'true' : v === false ? 'false' : `?${show(v)}`;
    case 'int8': case 'int16': case 'int32': case 'int64': return v.num ?? `?${show(v)}`;
    case 'float': case 'double': {
      if (typeof v === 'string') return { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity }[v] ?? `?${v}`;
      const n = Number(v.num);
      return col.type === 'float' ? Math.fround(n) : n;
    }
    case 'decimal': case 'date': case 'string': case 'json': return typeof v === 'string' ? v : `?${show(v)}`;
    case 'timestamp': {
      if (typeof v !== 'string') return `?${show(v)}`;
      if (col.utc !== v.endsWith('Z')) return `?zone ${v}`;
      return v.replace(/Z$/, '');
    }
    case 'binary': return typeof v === 'string' ? Buffer.from(v, 'base64').toString('hex') : `?${show(v)}`;
    default: return `?${show(v)}`;
  }
}

function checkUnifiedRows(check, run, rows, reader) {
  // rows: [{data: text, catalog, schema, table, version, lsn, seqval, ts (micros text), operation, schemaVersion}]
  const n = run.changes.length;
  check.eq(rows.length, n, `${reader} row count`);
  const OPS = { I: 'INSERT', U: 'UPDATE', D: 'DELETE' };
  for (let r = 0; r < Math.min(n, rows.length); r++) {
    const g = rows[r];
    const ch = run.changes[r];
    let doc;
    try {
      JSON.parse(g.data); // valid JSON for any consumer
      doc = parseRaw(g.data);
    } catch (e) {
      check.fail(`${reader} row ${r}: data is not JSON (${e.message}): ${g.data}`);
      continue;
    }
    check.eq(doc.obj.join(','), run.columns.map((c) => c.name).join(','), `${reader} row ${r} data keys`);
    for (const col of run.columns) {
      check.eq(dataMember(col, doc.vals[col.name]), expNorm(col, col.values[r]), `${reader} row ${r} data.${col.name}`);
    }
    check.eq(g.catalog, run.catalog ?? 'shop', `${reader} row ${r} table_id.catalog`);
    check.eq(g.schema, 'dbo', `${reader} row ${r} table_id.schema`);
    check.eq(g.table, run.table, `${reader} row ${r} table_id.table`);
    check.eq(g.version, String(ch.version), `${reader} row ${r} cursor.version`);
    check.eq(g.lsn, null, `${reader} row ${r} cursor.lsn`);
    check.eq(g.seqval, null, `${reader} row ${r} cursor.seqval`);
    check.eq(g.ts, String(BigInt(run.started_ms) * 1000n), `${reader} row ${r} extractionTimestamp`);
    check.eq(g.operation, OPS[ch.op], `${reader} row ${r} operation`);
    check.eq(g.schemaVersion, '01e5fd97a215fb3f', `${reader} row ${r} schemaVersion`);
  }
}

// ------------------------------------------------------------------- checks

function listFiles(root) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

function checkLayout(root, exp) {
  const check = new Check('layout');
  const listed = [];
  for (const run of exp.runs) {
    check.eq(run.files.length, run.run === 'A' ? 2 : run.rows ? 1 : 0, `run ${run.run} file count`);
    run.files.forEach((f, i) => {
      check.eq(f.path, layoutName(run, i + 1), `run ${run.run} part ${i + 1} path`);
      listed.push(f.path);
    });
    check.eq(run.files.reduce((a, f) => a + f.rows, 0), run.changes.length, `run ${run.run} rows over parts`);
  }
  check.eq(exp.runs[0].files.map((f) => f.rows).join(','), '7,5', 'run A rows per part (max_file_rows 7)');
  check.eq(listFiles(root).join('\n'), listed.sort().join('\n'), 'files under the root');
  check.eq(fs.existsSync(path.join(root, 'data/shop/dbo/empty')), false, 'a run without rows makes no directory');
  check.done();
}

async function checkKv(con, root, exp) {
  const check = new Check('kv');
  const text = (v) => (v === null ? null : v.bytes ? Buffer.from(v.bytes).toString('utf8') : String(v));
  for (const run of exp.runs) {
    for (const [i, f] of run.files.entries()) {
      const r = await con.runAndReadAll(`SELECT key, value FROM parquet_kv_metadata('${path.join(root, f.path)}')`);
      const got = new Map(r.getRows().map(([k, v]) => [text(k), text(v)]));
      const want = {
        'sluice.table': `shop.dbo.${run.table}`,
        'sluice.run_id': run.run,
        'sluice.from': posText(run.from),
        'sluice.to': posText(run.to),
        'sluice.part': String(i + 1),
        'sluice.last': String(i + 1 === run.files.length),
        'sluice.schema_version': '01e5fd97a215fb3f',
        'sluice.format': run.format,
        'sluice.format_version': '1',
        'sluice.mode': run.full ? 'full' : 'incremental',
      };
      for (const [k, v] of Object.entries(want)) check.eq(got.get(k), v, `${f.path} ${k}`);
      check.eq([...got.keys()].filter((k) => k.startsWith('sluice.')).length, Object.keys(want).length, `${f.path} number of sluice keys`);
    }
  }
  check.done();
}

async function checkSchema(con, root, exp) {
  const check = new Check('schema');
  for (const run of exp.runs) {
    if (!run.files.length) continue;
    const r = await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path.join(root, run.files[0].path)}')`);
    const got = r.getRowObjects().map((x) => `${x.column_name} ${x.column_type}`);
    const want = run.format === 'unified'
      ? ['data JSON', 'table_id STRUCT("catalog" VARCHAR, "schema" VARCHAR, "table" VARCHAR)',
        'cursor STRUCT("version" BIGINT, lsn VARCHAR, seqval VARCHAR)', 'extractionTimestamp TIMESTAMP WITH TIME ZONE',
        'operation VARCHAR', 'schemaVersion VARCHAR']
      : perTableColumns(run).map((c) => `${c.name} ${duckType(c)}`);
    check.eq(got.join(' | '), want.join(' | '), `run ${run.run} columns`);
  }
  check.done();
}

async function readPerTable(con, root, run, reader) {
  const cols = perTableColumns(run);
  const out = [];
  for (const f of run.files) {
    const file = path.join(root, f.path);
    const buf = fs.readFileSync(file);
    if (reader === 'duckdb') {
      for (const row of await duckRows(con, file)) out.push(Object.fromEntries(cols.map((c) => [c.name, duckValue(c, row[c.name])])));
    } else if (reader === 'arrow') {
      const t = arrowTable(buf);
      const vals = Object.fromEntries(cols.map((c) => [c.name, arrowColumnValues(c, t.getChild(c.name))]));
      for (let r = 0; r < t.numRows; r++) out.push(Object.fromEntries(cols.map((c) => [c.name, vals[c.name][r]])));
    } else {
      const rows = await hyRows(buf, cols.filter((c) => c.type === 'decimal').map((c) => c.name));
      for (const row of rows) out.push(Object.fromEntries(cols.map((c) => [c.name, hyValue(c, row[c.name])])));
    }
  }
  return out;
}

async function readUnified(con, root, run, reader) {
  const file = path.join(root, run.files[0].path);
  const buf = fs.readFileSync(file);
  const str = (v) => (v === null || v === undefined ? null : String(v));
  if (reader === 'duckdb') {
    return (await duckRows(con, file)).map((x) => ({
      data: x.data, catalog: x.table_id?.entries.catalog, schema: x.table_id?.entries.schema,
      table: x.table_id?.entries.table, version: str(x.cursor?.entries.version), lsn: x.cursor?.entries.lsn,
      seqval: x.cursor?.entries.seqval, ts: str(x.extractionTimestamp?.micros), operation: x.operation,
      schemaVersion: x.schemaVersion,
    }));
  }
  if (reader === 'arrow') {
    const t = arrowTable(buf);
    // Timestamps as stored (micros): Vector.get converts them to ms.
    const micros = [];
    for (const d of t.getChild('extractionTimestamp').data) for (let i = 0; i < d.length; i++) micros.push(d.values[d.offset + i]);
    const out = [];
    for (let r = 0; r < t.numRows; r++) {
      const tid = t.getChild('table_id').get(r);
      const cur = t.getChild('cursor').get(r);
      out.push({
        data: t.getChild('data').get(r), catalog: tid?.catalog, schema: tid?.schema, table: tid?.table,
        version: str(cur?.version), lsn: cur?.lsn ?? null, seqval: cur?.seqval ?? null,
        ts: str(micros[r]), operation: t.getChild('operation').get(r),
        schemaVersion: t.getChild('schemaVersion').get(r),
      });
    }
    return out;
  }
  return (await hyRows(buf, [])).map((x) => ({
    data: x.data, catalog: x.table_id?.catalog, schema: x.table_id?.schema, table: x.table_id?.table,
    version: str(x.cursor?.version), lsn: x.cursor?.lsn ?? null, seqval: x.cursor?.seqval ?? null,
    ts: str(x.extractionTimestamp), operation: x.operation, schemaVersion: x.schemaVersion,
  }));
}

async function checkValues(con, root, exp) {
  for (const reader of ['duckdb', 'arrow', 'hyparquet']) {
    const check = new Check(reader);
    for (const run of exp.runs) {
      if (!run.files.length) continue;
      try {
        if (run.format === 'unified') checkUnifiedRows(check, run, await readUnified(con, root, run, reader), `run ${run.run}`);
        else compareRows(check, perTableColumns(run), await readPerTable(con, root, run, reader), `run ${run.run}`);
      } catch (e) {
        check.fail(`run ${run.run}: reader error: ${String(e.message ?? e).split('\n')[0]}`);
      }
    }
    check.done();
  }
}

// The current-state query of docs/output-formats.md (keep them the same).
const RECIPE = (dir) => `
  WITH changes AS (
    SELECT * FROM read_parquet('${dir}/*/*.parquet')
  ),
  baseline AS (
    SELECT coalesce(max(SYS_CHANGE_VERSION), -1) AS v FROM changes
    WHERE SYS_CHANGE_OPERATION = 'I' AND SYS_CHANGE_CREATION_VERSION IS NULL
  ),
  latest AS (
    SELECT *, row_number() OVER (PARTITION BY id ORDER BY SYS_CHANGE_VERSION DESC) AS rn
    FROM changes WHERE SYS_CHANGE_VERSION >= (SELECT v FROM baseline)
  )
  SELECT * EXCLUDE (rn) FROM latest WHERE rn = 1 AND SYS_CHANGE_OPERATION <> 'D'
  ORDER BY id`;

// The table as of each point: after run C (A, B, C: deletes applied, the
// latest change per key) and after the reload R (only R's rows: keys
// deleted while the watermark was behind must not come back).
async function checkRecipe(con, root, exp) {
  const check = new Check('recipe');
  const runs = exp.runs.filter((x) => x.table === 'types');
  const reload = runs.find((x) => x.run === 'R');
  const dir = path.join(root, 'data/shop/dbo/types');
  const before = path.join(root, 'before-reload');
  // the state after run C: the same files without R's
  for (const run of runs.filter((x) => x !== reload)) {
    for (const f of run.files) {
      const to = path.join(before, path.basename(path.dirname(f.path)), path.basename(f.path));
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(path.join(root, f.path), to);
    }
  }
  await checkState(check, con, before, runs.filter((x) => x !== reload), 'after C');
  fs.rmSync(before, { recursive: true });
  await checkState(check, con, dir, runs, 'after R');
  // unified: the documented JSON access
  const un = exp.runs.find((x) => x.format === 'unified');
  const r = await con.runAndReadAll(`
    SELECT table_id.table AS t, cursor.version AS v, operation, data->>'$.id' AS id, data->>'$.dec9' AS dec9
    FROM read_parquet('${path.join(root, 'data/*/*/*/*/*.parquet')}', union_by_name = true)
    WHERE table_id.table = 'types_un' ORDER BY v`);
  const got = r.getRowObjects();
  const dec9 = un.columns.find((c) => c.name === 'dec9');
  check.eq(got.map((x) => `${x.t}:${x.v}:${x.operation}:${x.id}:${x.dec9}`).join(' '),
    un.changes.map((c, i) => `types_un:${c.version}:${{ I: 'INSERT', U: 'UPDATE', D: 'DELETE' }[c.op]}:${c.id}:${dec9.values[i]}`).join(' '),
    'unified rows through data->>');
  check.done();
}

async function checkState(check, con, dir, runs, when) {
  const rows = (await con.runAndReadAll(RECIPE(dir))).getRowObjects();
  // Expected: from the latest full load on, every key's latest change.
  const base = Math.max(...runs.filter((x) => x.full).map((x) => x.to));
  const latest = new Map();
  for (const run of runs.filter((x) => x.to >= base)) {
    run.changes.forEach((ch, i) => {
      const prev = latest.get(ch.id);
      if (!prev || prev.version < ch.version) latest.set(ch.id, { version: ch.version, op: ch.op, run, i });
    });
  }
  const want = [...latest.entries()].filter(([, v]) => v.op !== 'D').sort((a, b) => a[0] - b[0]);
  check.eq(rows.map((x) => x.id).join(','), want.map(([id]) => id).join(','), `${when}: current keys`);
  for (const [k, [id, v]] of want.entries()) {
    const row = rows[k];
    if (!row) break;
    check.eq(String(row.SYS_CHANGE_VERSION), String(v.version), `${when}: id ${id} version`);
    for (const col of v.run.columns) check.eq(duckValue(col, row[col.name]), expNorm(col, col.values[v.i]), `${when}: id ${id} ${col.name}`);
  }
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-sink-'));
  const root = path.join(tmp, 'root');
  const expFile = path.join(tmp, 'expected.json');
  const driver = path.join(BUILD, 'bin', 'sink_driver');
  const g = spawnSync(driver, [root, expFile], { encoding: 'utf8' });
  const gen = new Check('sink_driver');
  if (g.status !== 0) gen.fail(`exit ${g.status ?? g.signal}: ${g.error?.message ?? ''}${g.stderr}`);
  gen.done();
  if (g.status === 0) {
    const exp = JSON.parse(fs.readFileSync(expFile, 'utf8'));
    const inst = await DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    await con.run("SET TimeZone='UTC'");
    checkLayout(root, exp);
    await checkKv(con, root, exp);
    await checkSchema(con, root, exp);
    await checkValues(con, root, exp);
    await checkRecipe(con, root, exp);
  }
  if (failed === 0 && !process.env.SL_KEEP) fs.rmSync(tmp, { recursive: true, force: true });
  else console.log(`# output kept in ${tmp}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

await main();
