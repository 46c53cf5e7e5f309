// Proves sluice's Parquet writer against three readers no one here wrote.
//
// Runs $SL_BUILD_DIR/bin/gen_cases into a temporary directory (one file per
// type x codec x nullability plus structural cases, each with NAME.json
// holding the exact expected values as text), then for EVERY file:
//   duckdb     values read by DuckDB (@duckdb/node-api)
//   arrow      values read by arrow-rs (parquet-wasm), decoded from Arrow IPC
//              with apache-arrow, plus the Arrow schema it derived
//   hyparquet  values read by hyparquet (+ hyparquet-compressors)
//   stats      per row group and column: num_values, null_count, min/max
//              (TYPE_ORDER, NaN/-0 rules) via DuckDB's parquet_metadata(),
//              the codec, and the encodings a case demands
//   schema     physical/converted/logical types and repetition via
//              parquet_schema(), created_by/column_orders/num_rows via
//              parquet_file_metadata()
//   kv         footer key/value pairs via parquet_kv_metadata()
// Struct columns (struct__* files) are compared as the struct's presence
// per row plus each child as a column "s.child" (NULL where the struct is).
// Values are compared exactly: decimals as unscaled integers rendered to
// text, timestamps as integer microseconds, floats by bit-level identity
// (NaN == NaN, -0 != +0). Every mismatch is printed with reader, file,
// column and row. The last line is "N passed, M failed" over (file, check)
// pairs; the exit status is non-zero on any failure.
//
// SL_KEEP=1 keeps the temporary directory; SL_PQ_CASES=DIR reads an existing
// corpus instead of running gen_cases; SL_PQ_FILTER=substring limits files.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BUILD, DuckDBInstance, arrow, compressors, dateText, decText, expNorm, hex, hyparquet, isFloat,
  parquetWasm, tsText,
} from '../readers/readers.mjs';

// ---------------------------------------------------------------- results

let passed = 0;
let failed = 0;
const MAX_PRINT = 5; // mismatch lines per (file, check, column)

class Check {
  constructor(file, name) {
    this.file = file;
    this.name = name;
    this.errors = 0;
    this.printed = new Map();
  }
  fail(col, row, msg) {
    this.errors++;
    const key = col ?? '';
    const n = this.printed.get(key) ?? 0;
    this.printed.set(key, n + 1);
    if (n < MAX_PRINT) {
      const where = [`file=${this.file}`, col != null ? `col=${col}` : null, row != null ? `row=${row}` : null]
        .filter(Boolean).join(' ');
      console.log(`MISMATCH ${this.name} ${where}: ${msg}`);
    } else if (n === MAX_PRINT) {
      console.log(`MISMATCH ${this.name} file=${this.file} col=${key}: (further mismatches not shown)`);
    }
  }
  done() {
    if (this.errors === 0) passed++;
    else failed++;
    return this.errors === 0;
  }
}

const show = (v) => (typeof v === 'number' && Object.is(v, -0) ? '-0' : JSON.stringify(v, (k, x) => (typeof x === 'bigint' ? x.toString() : x)));

// ------------------------------------------------------- canonical values

function decParse(text) { // exact decimal text -> unscaled BigInt
  return BigInt(text.replace('.', ''));
}

function beTwos(bytes) { // big-endian two's complement -> BigInt
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  const bits = BigInt(bytes.length * 8);
  if (bytes.length && bytes[0] & 0x80) v -= 1n << bits;
  return v;
}

function same(col, got, exp) {
  if (got === null || exp === null) return got === exp;
  if (isFloat(col)) return typeof got === 'number' && Object.is(got, exp);
  return got === exp;
}

function compareColumn(check, col, got) {
  const exp = col.values;
  if (got.length !== exp.length) {
    check.fail(col.name, null, `row count ${got.length}, expected ${exp.length}`);
  }
  const n = Math.min(got.length, exp.length);
  for (let r = 0; r < n; r++) {
    const e = expNorm(col, exp[r]);
    if (!same(col, got[r], e)) check.fail(col.name, r, `got ${show(got[r])}, expected ${show(e)}`);
  }
}

// Struct columns (gen_cases' struct__* files): the expected column holds
// "values" (true/false: struct present) and "fields" (ordinary columns,
// null where the struct is NULL). A reader's per-row struct objects are
// compared as a presence column plus one column per child, named s.child.
const isStruct = (col) => col.type === 'struct';

function compareStruct(check, col, objs, childOf) {
  const present = { name: col.name, type: 'present', values: col.values.map((b) => (b ? 'true' : 'false')) };
  compareColumn(check, present, objs.map((o) => (o == null ? 'false' : 'true')));
  for (const child of col.fields) {
    const named = { ...child, name: `${col.name}.${child.name}` };
    compareColumn(check, named, objs.map((o) => (o == null ? null : childOf(child, o))));
  }
}

// Leaf columns with the dotted path DuckDB's parquet_metadata() shows.
function leaves(exp) {
  const out = [];
  for (const col of exp.columns) {
    if (!isStruct(col)) out.push(col);
    else for (const child of col.fields) out.push({ ...child, name: `${col.name}, ${child.name}` });
  }
  return out;
}

// -------------------------------------------------------------- DuckDB

function duckValue(col, v) {
  if (v === null || v === undefined) return null;
  switch (col.type) {
    case 'bool': return v === true ? 'true' : v === false ? 'false' : `?${v}`;
    case 'int8': case 'int16': case 'int32': case 'int64': return String(v);
    case 'float': case 'double': return typeof v === 'number' ? v : `?${v}`;
    case 'decimal': return decText(BigInt(v.value), v.scale);
    case 'date': return dateText(v.days);
    case 'timestamp': return tsText(v.micros);
    case 'string': case 'json': return typeof v === 'string' ? v : String(v);
    case 'binary': return hex(v.bytes);
    default: return `?${v}`;
  }
}

async function readDuck(con, file, exp, check) {
  const r = await con.runAndReadAll(
    `SELECT * EXCLUDE (file_row_number) FROM read_parquet('${file}', file_row_number=true) ORDER BY file_row_number`);
  const names = r.columnNames();
  const rows = r.getRows();
  for (const [ci, col] of exp.columns.entries()) {
    if (names[ci] !== col.name) {
      check.fail(col.name, null, `column ${ci} is named ${show(names[ci])}`);
      continue;
    }
    if (isStruct(col)) {
      compareStruct(check, col, rows.map((row) => row[ci]), (child, o) => duckValue(child, o.entries[child.name]));
      continue;
    }
    compareColumn(check, col, rows.map((row) => duckValue(col, row[ci])));
  }
}

// -------------------------------------------------------- arrow-rs (wasm)

function arrowTypeProblem(col, field) {
  const t = field.type;
  const T = arrow.Type;
  const want = {
    bool: T.Bool, int8: T.Int, int16: T.Int, int32: T.Int, int64: T.Int, float: T.Float, double: T.Float,
    decimal: T.Decimal, date: T.Date, timestamp: T.Timestamp, string: T.Utf8, json: T.Utf8, binary: T.Binary,
  }[col.type];
  if (t.typeId !== want) return `arrow type ${t}`;
  const bits = { int8: 8, int16: 16, int32: 32, int64: 64 }[col.type];
  if (bits && (t.bitWidth !== bits || !t.isSigned)) return `arrow type ${t}`;
  if (col.type === 'float' && t.precision !== arrow.Precision.SINGLE) return `arrow type ${t}`;
  if (col.type === 'double' && t.precision !== arrow.Precision.DOUBLE) return `arrow type ${t}`;
  if (col.type === 'decimal' && (t.precision !== col.precision || t.scale !== col.scale)) return `arrow type ${t}`;
  if (col.type === 'date' && t.unit !== arrow.DateUnit.DAY) return `arrow type ${t}`;
  if (col.type === 'timestamp') {
    if (t.unit !== arrow.TimeUnit.MICROSECOND) return `arrow type ${t}`;
    const utc = t.timezone === 'UTC' || t.timezone === '+00:00';
    if (col.utc ? !utc : t.timezone != null) return `arrow type ${t} (timezone ${t.timezone})`;
  }
  if (field.nullable !== col.nullable) return `arrow nullable=${field.nullable}`;
  return null;
}

function arrowColumn(col, vec) {
  const out = [];
  for (const d of vec.data) {
    const v = arrow.makeVector(d);
    for (let i = 0; i < d.length; i++) {
      if (!v.isValid(i)) { out.push(null); continue; }
      const j = d.offset + i;
      switch (col.type) {
        case 'bool': out.push(v.get(i) ? 'true' : 'false'); break;
        case 'int8': case 'int16': case 'int32': case 'int64': out.push(String(v.get(i))); break;
        case 'float': case 'double': out.push(v.get(i)); break;
        case 'decimal': {
          const words = d.type.bitWidth / 32;
          let u = 0n;
          for (let w = words - 1; w >= 0; w--) u = (u << 32n) | BigInt(d.values[j * words + w]);
          if (d.values[j * words + words - 1] & 0x80000000) u -= 1n << BigInt(d.type.bitWidth);
          out.push(decText(u, col.scale));
          break;
        }
        case 'date': out.push(dateText(d.values[j])); break;
        case 'timestamp': out.push(tsText(d.values[j])); break;
        case 'string': case 'json': out.push(v.get(i)); break;
        case 'binary': out.push(hex(v.get(i))); break;
        default: out.push(`?${v.get(i)}`);
      }
    }
  }
  return out;
}

// A struct vector: presence from its validity, each child from the
// child Data of every chunk, masked by the struct's validity.
function readArrowStruct(check, col, field, vec) {
  if (field.type.typeId !== arrow.Type.Struct) { check.fail(col.name, null, `arrow type ${field.type}`); return; }
  if (field.nullable !== col.nullable) check.fail(col.name, null, `arrow nullable=${field.nullable}`);
  const present = [];
  for (const d of vec?.data ?? []) {
    const v = arrow.makeVector(d);
    for (let i = 0; i < d.length; i++) present.push(v.isValid(i));
  }
  compareColumn(check, { name: col.name, type: 'present', values: col.values.map((b) => (b ? 'true' : 'false')) },
    present.map((b) => (b ? 'true' : 'false')));
  for (const [k, child] of col.fields.entries()) {
    const named = { ...child, name: `${col.name}.${child.name}` };
    const cf = field.type.children[k];
    if (!cf || cf.name !== child.name) { check.fail(named.name, null, `arrow child ${k} is ${cf?.name}`); continue; }
    const problem = arrowTypeProblem(child, cf);
    if (problem) check.fail(named.name, null, problem);
    const got = [];
    for (const d of vec?.data ?? []) {
      const base = got.length;
      const sv = arrow.makeVector(d);
      got.push(...arrowColumn(child, { data: [d.children[k].slice(d.offset, d.length)] }));
      for (let i = 0; i < d.length; i++) if (!sv.isValid(i)) got[base + i] = null;
    }
    compareColumn(check, named, got);
  }
}

function readArrow(buf, exp, check) {
  const wasmTable = parquetWasm.readParquet(new Uint8Array(buf));
  const table = arrow.tableFromIPC(wasmTable.intoIPCStream());
  for (const col of exp.columns) {
    const field = table.schema.fields.find((f) => f.name === col.name);
    if (!field) { check.fail(col.name, null, 'column missing'); continue; }
    if (isStruct(col)) { readArrowStruct(check, col, field, table.getChild(col.name)); continue; }
    const problem = arrowTypeProblem(col, field);
    if (problem) check.fail(col.name, null, problem);
    const vec = table.getChild(col.name);
    if (exp.rows === 0 && !vec) continue;
    compareColumn(check, col, vec ? arrowColumn(col, vec) : []);
  }
}

// --------------------------------------------------------------- hyparquet

function hyValue(col, v) {
  if (v === null || v === undefined) return null;
  switch (col.type) {
    case 'bool': return v === true ? 'true' : v === false ? 'false' : `?${v}`;
    case 'int8': case 'int16': case 'int32': case 'int64': return String(v);
    case 'float': case 'double': return typeof v === 'number' ? v : `?${v}`;
    case 'decimal': return decText(v instanceof Uint8Array ? beTwos(v) : BigInt(v), col.scale);
    case 'date': return dateText(v);
    case 'timestamp': return tsText(v);
    case 'string': case 'json': return typeof v === 'string' ? v : `?${show(v)}`;
    case 'binary': return v instanceof Uint8Array ? hex(v) : `?${show(v)}`;
    default: return `?${v}`;
  }
}

async function readHyparquet(buf, exp, check) {
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const meta = hyparquet.parquetMetadata(ab);
  if (Number(meta.num_rows) !== exp.rows) check.fail(null, null, `num_rows ${meta.num_rows}, expected ${exp.rows}`);
  // hyparquet turns decimals into JS numbers (lossy); read their raw
  // unscaled values instead by dropping the annotation from a copy of the
  // schema, after checking what hyparquet decoded there.
  const schema = meta.schema.map((e) => ({ ...e }));
  // Leaf elements by expected column, struct children found after their struct.
  const elems = [];
  for (const col of exp.columns) {
    const at = schema.findIndex((e, i) => i > 0 && e.name === col.name);
    if (!isStruct(col)) { elems.push([col, schema[at]]); continue; }
    for (const [k, child] of col.fields.entries()) {
      const el = at >= 0 && schema[at + 1 + k]?.name === child.name ? schema[at + 1 + k] : undefined;
      elems.push([{ ...child, name: `${col.name}.${child.name}` }, el]);
    }
  }
  for (const [col, el] of elems) {
    if (!el) { check.fail(col.name, null, 'column missing from schema'); continue; }
    if (col.type === 'decimal') {
      if (el.converted_type !== 'DECIMAL' || el.precision !== col.precision || (el.scale ?? 0) !== col.scale
          || el.logical_type?.type !== 'DECIMAL') {
        check.fail(col.name, null, `hyparquet decimal annotation ${show(el)}`);
      }
      delete el.converted_type;
      delete el.logical_type;
    }
  }
  const rows = await hyparquet.parquetReadObjects({
    file: ab,
    metadata: { ...meta, schema },
    compressors,
    utf8: false,
    parsers: {
      timestampFromMicroseconds: (us) => us,
      timestampFromMilliseconds: (ms) => `?millis ${ms}`,
      timestampFromNanoseconds: (ns) => `?nanos ${ns}`,
      dateFromDays: (d) => d,
      jsonFromBytes: (b) => b && new TextDecoder().decode(b),
    },
  });
  for (const col of exp.columns) {
    if (isStruct(col)) compareStruct(check, col, rows.map((row) => row[col.name]), (child, o) => hyValue(child, o[child.name]));
    else compareColumn(check, col, rows.map((row) => hyValue(col, row[col.name])));
  }
}

// -------------------------------------------------------------- statistics

function orderKey(col, s) { // comparable key for an expected text value
  switch (col.type) {
    case 'int8': case 'int16': case 'int32': case 'int64': return BigInt(s);
    case 'decimal': return decParse(s);
    case 'bool': return s === 'true' ? 1 : 0;
    case 'float': case 'double': return expNorm(col, s);
    case 'string': case 'json': return Buffer.from(s, 'utf8');
    default: return s; // date, timestamp (fixed-width ISO), binary (lowercase hex)
  }
}

function cmp(col, a, b) {
  if (a instanceof Buffer) return Buffer.compare(a, b);
  return a < b ? -1 : a > b ? 1 : 0;
}

// Expected min/max over the non-null, non-NaN values of a slice.
function expectedMinMax(col, values) {
  let lo = null;
  let hi = null;
  for (const s of values) {
    if (s === null) continue;
    const k = orderKey(col, s);
    if (isFloat(col) && Number.isNaN(k)) continue;
    if (lo === null || cmp(col, k, lo.k) < 0 || (isFloat(col) && k === 0 && lo.k === 0)) lo = { k, s };
    if (hi === null || cmp(col, k, hi.k) > 0) hi = { k, s };
  }
  if (lo && isFloat(col)) { // TYPE_ORDER: a zero min is written -0.0, a zero max +0.0
    if (lo.k === 0) lo = { k: -0, s: '-0' };
    if (hi.k === 0) hi = { k: 0, s: '0' };
  }
  return [lo, hi];
}

function unescapeBlob(s) { // DuckDB renders blobs as text with \xHH escapes
  const out = [];
  for (let i = 0; i < s.length;) {
    if (s[i] === '\\' && s[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 2, i + 4))) {
      out.push(parseInt(s.slice(i + 2, i + 4), 16));
      i += 4;
    } else {
      for (const b of Buffer.from(s[i], 'utf8')) out.push(b);
      i++;
    }
  }
  return Buffer.from(out).toString('hex');
}

// DuckDB's text rendering of a statistic -> comparable key.
function statKey(col, s) {
  switch (col.type) {
    case 'bool': return s === 'true' ? 1 : s === 'false' ? 0 : NaN;
    case 'int8': case 'int16': case 'int32': case 'int64': return BigInt(s);
    case 'float': case 'double': {
      const m = { nan: NaN, inf: Infinity, '-inf': -Infinity, infinity: Infinity, '-infinity': -Infinity }[s.toLowerCase()];
      const n = m !== undefined ? m : Number(s);
      return col.type === 'float' ? Math.fround(n) : n; // DuckDB prints float32 shortest
    }
    case 'decimal': {
      const neg = s.startsWith('-');
      const [ip, fp = ''] = s.replace(/^[-+]/, '').split('.');
      return BigInt((neg ? '-' : '') + (ip || '0') + fp.padEnd(col.scale, '0'));
    }
    case 'date': return s;
    case 'timestamp': {
      let t = s.replace(/\+00(:00)?$/, '').replace(' ', 'T');
      if (!t.includes('.')) t += '.';
      const [a, f] = t.split('.');
      return `${a}.${f.padEnd(6, '0')}`;
    }
    case 'string': case 'json': return Buffer.from(s, 'utf8');
    case 'binary': return unescapeBlob(s);
    default: return s;
  }
}

function keyEq(col, a, b) {
  if (isFloat(col)) return Object.is(a, b);
  return cmp(col, a, b) === 0;
}

const CODEC_NAMES = { none: 'UNCOMPRESSED', snappy: 'SNAPPY', gzip: 'GZIP', zstd: 'ZSTD', lz4_raw: 'LZ4_RAW', brotli: 'BROTLI' };
const big = (v) => (v === null || v === undefined ? null : BigInt(v));

// DuckDB's parquet_metadata() shows non-finite float statistics as NULL
// (it keeps only finite bounds), so for an infinite expected bound the raw
// value is taken from hyparquet's decoding of the same Statistics struct.
function rawFloatStat(meta, rg, name, what) {
  const chunk = meta.row_groups[rg]?.columns.find((c) => c.meta_data.path_in_schema.join(', ') === name);
  const v = chunk?.meta_data.statistics?.[`${what}_value`];
  return typeof v === 'number' ? v : null;
}

async function checkStats(con, file, exp, check, buf) {
  const meta = hyparquet.parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const r = await con.runAndReadAll(
    `SELECT row_group_id, row_group_num_rows, path_in_schema, num_values, stats_null_count,
            stats_min_value, stats_max_value, min_is_exact, max_is_exact, compression, encodings
       FROM parquet_metadata('${file}') ORDER BY row_group_id, column_id`);
  const rows = r.getRowObjects();
  const byCol = new Map(leaves(exp).map((c) => [c.name, c]));
  const rgStart = new Map();
  let total = 0n;
  for (const row of rows) {
    if (!rgStart.has(row.row_group_id)) {
      rgStart.set(row.row_group_id, total);
      total += big(row.row_group_num_rows);
    }
  }
  if (total !== BigInt(exp.rows)) check.fail(null, null, `row groups hold ${total} rows, expected ${exp.rows}`);
  const seen = new Set();
  for (const row of rows) {
    const col = byCol.get(row.path_in_schema);
    const rg = row.row_group_id;
    const where = `rg${rg}`;
    if (!col) { check.fail(row.path_in_schema, where, 'unexpected column'); continue; }
    seen.add(col.name);
    const start = Number(rgStart.get(rg));
    const n = Number(row.row_group_num_rows);
    const vals = col.values.slice(start, start + n);
    if (big(row.num_values) !== BigInt(n)) check.fail(col.name, where, `num_values ${row.num_values}, rows ${n}`);
    const nulls = vals.filter((v) => v === null).length;
    if (big(row.stats_null_count) !== BigInt(nulls)) check.fail(col.name, where, `null_count ${row.stats_null_count}, expected ${nulls}`);
    if (row.compression !== CODEC_NAMES[exp.codec]) check.fail(col.name, where, `compression ${row.compression}, expected ${CODEC_NAMES[exp.codec]}`);
    const want = exp.expect_encodings?.[col.name];
    if (want) {
      const have = String(row.encodings).split(/[,\s]+/).map((e) => (e === 'PLAIN_DICTIONARY' ? 'RLE_DICTIONARY' : e));
      for (const e of want) if (!have.includes(e)) check.fail(col.name, where, `encodings ${row.encodings} lack ${e}`);
    }
    const [lo, hi] = expectedMinMax(col, vals);
    let smin = row.stats_min_value;
    let smax = row.stats_max_value;
    if (isFloat(col)) {
      const rgi = Number(rg);
      if (smin == null && lo && !Number.isFinite(lo.k)) smin = rawFloatStat(meta, rgi, col.name, 'min');
      if (smax == null && hi && !Number.isFinite(hi.k)) smax = rawFloatStat(meta, rgi, col.name, 'max');
    }
    checkBound(check, col, where, 'min', smin, row.min_is_exact, lo, -1);
    checkBound(check, col, where, 'max', smax, row.max_is_exact, hi, 1);
  }
  if (exp.rows > 0) {
    for (const col of leaves(exp)) if (!seen.has(col.name)) check.fail(col.name, null, 'no column chunk in parquet_metadata');
  }
}

// dir = -1 for min (stat must be <= true min when inexact), 1 for max.
function checkBound(check, col, where, what, stat, exact, want, dir) {
  if (want === null) {
    if (stat !== null && stat !== undefined) check.fail(col.name, where, `${what} ${show(stat)} written, but no non-null${isFloat(col) ? ' non-NaN' : ''} value exists`);
    return;
  }
  if (stat === null || stat === undefined) {
    check.fail(col.name, where, `${what} missing, expected ${show(want.s)}`);
    return;
  }
  const got = typeof stat === 'number' ? stat : statKey(col, stat);
  if (exact === false) { // truncated bound: must still bound the data
    const c = cmp(col, got, want.k);
    if (c * dir < 0) check.fail(col.name, where, `inexact ${what} ${show(stat)} does not bound ${show(want.s)}`);
  } else if (!keyEq(col, got, want.k)) {
    check.fail(col.name, where, `${what} ${show(stat)}, expected ${show(want.s)}`);
  }
}

// ----------------------------------------------------------------- schema

function minBytes(p) {
  let n = 1;
  while (2n ** BigInt(8 * n - 1) <= 10n ** BigInt(p) - 1n) n++;
  return n;
}

function expectedSchema(col) {
  switch (col.type) {
    case 'bool': return { type: 'BOOLEAN', conv: [null], duck: 'BOOLEAN' };
    case 'int8': return { type: 'INT32', conv: ['INT_8'], duck: 'TINYINT' };
    case 'int16': return { type: 'INT32', conv: ['INT_16'], duck: 'SMALLINT' };
    case 'int32': return { type: 'INT32', conv: [null, 'INT_32'], duck: 'INTEGER' };
    case 'int64': return { type: 'INT64', conv: [null, 'INT_64'], duck: 'BIGINT' };
    case 'float': return { type: 'FLOAT', conv: [null], duck: 'FLOAT' };
    case 'double': return { type: 'DOUBLE', conv: [null], duck: 'DOUBLE' };
    case 'decimal': {
      const p = col.precision;
      const type = p <= 9 ? 'INT32' : p <= 18 ? 'INT64' : 'FIXED_LEN_BYTE_ARRAY';
      return { type, len: type === 'FIXED_LEN_BYTE_ARRAY' ? minBytes(p) : null, conv: ['DECIMAL'],
        duck: `DECIMAL(${p},${col.scale})`, logical: `DecimalType(scale=${col.scale}, precision=${p})` };
    }
    case 'date': return { type: 'INT32', conv: ['DATE'], duck: 'DATE' };
    case 'timestamp': return { type: 'INT64', conv: ['TIMESTAMP_MICROS'],
      duck: col.utc ? 'TIMESTAMP WITH TIME ZONE' : 'TIMESTAMP',
      logical: `TimestampType(isAdjustedToUTC=${col.utc ? 1 : 0}, unit=TimeUnit(MILLIS=<null>, MICROS=MicroSeconds(), NANOS=<null>))` };
    case 'string': return { type: 'BYTE_ARRAY', conv: ['UTF8'], duck: 'VARCHAR' };
    case 'json': return { type: 'BYTE_ARRAY', conv: ['JSON'], duck: 'JSON' };
    case 'binary': return { type: 'BYTE_ARRAY', conv: [null], duck: 'BLOB' };
    default: return null;
  }
}

const str = (v) => (v === null || v === undefined ? null : String(v));

function checkLeafSchema(check, row, col) {
  const e = expectedSchema(col);
  const rep = col.nullable ? 'OPTIONAL' : 'REQUIRED';
  if (row.type !== e.type) check.fail(col.name, null, `physical type ${row.type}, expected ${e.type}`);
  if (e.len && Number(row.type_length) !== e.len) check.fail(col.name, null, `type_length ${row.type_length}, expected ${e.len}`);
  if (row.repetition_type !== rep) check.fail(col.name, null, `repetition ${row.repetition_type}, expected ${rep}`);
  if (!e.conv.includes(str(row.converted_type))) check.fail(col.name, null, `converted_type ${row.converted_type}, expected ${e.conv.join('|')}`);
  if (row.duckdb_type !== e.duck) check.fail(col.name, null, `duckdb type ${row.duckdb_type}, expected ${e.duck}`);
  if (e.logical && str(row.logical_type) !== e.logical) check.fail(col.name, null, `logical_type ${row.logical_type}, expected ${e.logical}`);
  if (col.type === 'decimal' && (Number(row.scale) !== col.scale || Number(row.precision) !== col.precision)) {
    check.fail(col.name, null, `SchemaElement scale/precision ${row.scale}/${row.precision}`);
  }
}

async function checkSchema(con, file, exp, check) {
  const r = await con.runAndReadAll(`SELECT * FROM parquet_schema('${file}')`);
  const rows = r.getRowObjects();
  const root = rows[0];
  if (!root || Number(root.num_children) !== exp.columns.length) {
    check.fail(null, null, `root has ${root?.num_children} children, expected ${exp.columns.length}`);
  }
  for (const col of exp.columns) {
    const at = rows.findIndex((x, i) => i > 0 && x.name === col.name);
    if (at < 0) { check.fail(col.name, null, 'missing from parquet_schema'); continue; }
    if (!isStruct(col)) { checkLeafSchema(check, rows[at], col); continue; }
    const g = rows[at];
    const rep = col.nullable ? 'OPTIONAL' : 'REQUIRED';
    if (g.type !== null || Number(g.num_children) !== col.fields.length || g.repetition_type !== rep) {
      check.fail(col.name, null, `struct element type=${g.type} num_children=${g.num_children} repetition=${g.repetition_type}`);
    }
    for (const [k, child] of col.fields.entries()) {
      const row = rows[at + 1 + k];
      if (row?.name !== child.name) { check.fail(`${col.name}.${child.name}`, null, `child ${k} is ${row?.name}`); continue; }
      checkLeafSchema(check, row, { ...child, name: `${col.name}.${child.name}` });
    }
  }
  const f = (await con.runAndReadAll(`SELECT * FROM parquet_file_metadata('${file}')`)).getRowObjects()[0];
  if (!/\S+ version \S+/.test(str(f.created_by) ?? '')) check.fail(null, null, `created_by ${show(str(f.created_by))} lacks " version "`);
  if (Number(f.num_rows) !== exp.rows) check.fail(null, null, `num_rows ${f.num_rows}, expected ${exp.rows}`);
  const orders = str(f.column_orders) ?? '';
  const nOrders = (orders.match(/TYPE_ORDER=TypeDefinedOrder\(\)/g) ?? []).length;
  const nLeaves = leaves(exp).length;
  if (nOrders !== nLeaves) check.fail(null, null, `column_orders ${show(orders.slice(0, 120))}: ${nOrders} TYPE_ORDER entries, expected ${nLeaves}`);
}

async function checkKv(con, file, exp, check) {
  const r = await con.runAndReadAll(`SELECT key, value FROM parquet_kv_metadata('${file}')`);
  const text = (v) => (v === null ? null : v.bytes ? Buffer.from(v.bytes).toString('utf8') : String(v));
  const got = new Map(r.getRows().map(([k, v]) => [text(k), text(v)]));
  for (const [k, v] of Object.entries(exp.kv)) {
    if (got.get(k) !== v) check.fail(null, null, `kv ${k} = ${show(got.get(k))}, expected ${show(v)}`);
  }
}

// ------------------------------------------------------------------- main

async function main() {
  let dir = process.env.SL_PQ_CASES;
  let tmp = null;
  if (!dir) {
    const gen = path.join(BUILD, 'bin', 'gen_cases');
    const genCheck = new Check('(corpus)', 'gen_cases');
    if (!fs.existsSync(gen)) {
      genCheck.fail(null, null, `${gen} not built (is sl_parquet in the build?)`);
      genCheck.done();
      console.log(`${passed} passed, ${failed} failed`);
      process.exit(1);
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-pq-'));
    dir = tmp;
    const g = spawnSync(gen, [dir], { encoding: 'utf8' });
    if (g.status !== 0) genCheck.fail(null, null, `exit ${g.status ?? g.signal}: ${g.stderr.trim().split('\n').slice(-20).join(' | ')}`);
    genCheck.done();
  }
  const filter = process.env.SL_PQ_FILTER;
  const cases = fs.readdirSync(dir).filter((f) => f.endsWith('.json') && (!filter || f.includes(filter))).sort();
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  await con.run("SET TimeZone='UTC'");
  const perCheck = {};
  for (const name of cases) {
    const exp = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
    const file = path.join(dir, exp.file);
    const buf = fs.existsSync(file) ? fs.readFileSync(file) : null;
    const names = ['duckdb', 'arrow', 'hyparquet', 'stats', 'schema', 'kv'];
    const checks = Object.fromEntries(names.map((n) => [n, new Check(exp.file, n)]));
    const steps = [
      ['duckdb', () => readDuck(con, file, exp, checks.duckdb)],
      ['arrow', () => readArrow(buf, exp, checks.arrow)],
      ['hyparquet', () => readHyparquet(buf, exp, checks.hyparquet)],
      ['stats', () => checkStats(con, file, exp, checks.stats, buf)],
      ['schema', () => checkSchema(con, file, exp, checks.schema)],
      ['kv', () => checkKv(con, file, exp, checks.kv)],
    ];
    for (const [n, run] of steps) {
      if (!buf) { checks[n].fail(null, null, 'file missing'); }
      else {
        try { await run(); } catch (e) { checks[n].fail(null, null, `reader error: ${String(e.message ?? e).split('\n')[0]}`); }
      }
      const ok = checks[n].done();
      perCheck[n] ??= [0, 0];
      perCheck[n][ok ? 0 : 1]++;
    }
  }
  for (const [n, [p, f]] of Object.entries(perCheck)) console.log(`# ${n.padEnd(10)} ${p} files passed, ${f} failed`);
  if (tmp && (failed === 0 && !process.env.SL_KEEP)) fs.rmSync(tmp, { recursive: true, force: true });
  else if (tmp) console.log(`# corpus kept in ${tmp}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

await main();
