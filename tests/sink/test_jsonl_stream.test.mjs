// The jsonl change stream, parsed line by line and checked against exact
// expected values written out here by hand.
//
// Runs $SL_BUILD_DIR/bin/jsonl_driver (tests/sink/jsonl_driver.c; its
// header lists the scenario: a CDC table with a column of every type, full
// load, insert, an update whose before-image and after-image are in two
// batches, a delete, a key update; a Change Tracking table, full load,
// insert, update, delete). Then checks:
//   stdout    every line parses (a strict parser here that keeps number
//             text, so int64 and float digits are compared exactly; and
//             JSON.parse), the envelope and values of every line, and the
//             order: CDC lines in (commit_lsn, change_lsn) order, CT lines
//             in change_version order, each change once
//   files     the same scenario as rotating files: only final names (no
//             temps), 3 changes at most per file, file names from each
//             part's first change, the files' concatenation byte for byte
//             the stdout stream; DuckDB reads every line (read_ndjson_objects)
//   epipe     a reader that stops after 1000 lines: the driver ends with
//             its broken-pipe status and reports at least as many changes
//             written in full as the reader got, every one of them whole
// Last line "N passed, M failed"; exit status non-zero on any failure.

import { createRequire } from 'node:module';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SRC = process.env.SL_SOURCE_DIR ?? path.resolve(HERE, '../..');
const BUILD = process.env.SL_BUILD_DIR ?? path.join(SRC, 'build');
const require = createRequire(path.join(SRC, 'tests/readers/package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');
const DRIVER = path.join(BUILD, 'bin', 'jsonl_driver');
const VERSION = /project\(sluice VERSION ([0-9.]+)/.exec(
  fs.readFileSync(path.join(SRC, 'CMakeLists.txt'), 'utf8'))[1];

let passed = 0;
let failed = 0;

class Check {
  constructor(name) { this.name = name; this.errors = 0; }
  fail(msg) {
    this.errors++;
    if (this.errors <= 10) console.log(`MISMATCH ${this.name}: ${msg}`);
    else if (this.errors === 11) console.log(`MISMATCH ${this.name}: (further mismatches not shown)`);
  }
  eq(got, want, what) {
    const g = JSON.stringify(got);
    const w = JSON.stringify(want);
    if (g !== w) this.fail(`${what}: got ${g}, expected ${w}`);
  }
  done() { if (this.errors) failed++; else passed++; }
}

// ------------------------------------------------ a strict, exact parser

// Parses one JSON text. Numbers become {n: 'text'} so no digit is lost;
// everything else is as JSON.parse gives it. Throws on anything RFC 8259
// does not allow (and on duplicate keys, which a stream must not have).
function parseExact(text) {
  let i = 0;
  const ws = () => { while (' \t\n\r'.includes(text[i]) && i < text.length) i++; };
  const fail = (m) => { throw new Error(`${m} at ${i}`); };
  function value() {
    ws();
    const c = text[i];
    if (c === '{') {
      i++; const o = {}; ws();
      if (text[i] === '}') { i++; return o; }
      for (;;) {
        ws(); if (text[i] !== '"') fail('key expected');
        const k = string(); ws();
        if (text[i++] !== ':') fail('colon expected');
        if (Object.hasOwn(o, k)) fail(`duplicate key ${k}`);
        o[k] = value(); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i++] === '}') return o;
        fail('} expected');
      }
    }
    if (c === '[') {
      i++; const a = []; ws();
      if (text[i] === ']') { i++; return a; }
      for (;;) {
        a.push(value()); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i++] === ']') return a;
        fail('] expected');
      }
    }
    if (c === '"') return string();
    for (const [w, v] of [['true', true], ['false', false], ['null', null]]) {
      if (text.startsWith(w, i)) { i += w.length; return v; }
    }
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i));
    if (!m) fail('value expected');
    i += m[0].length;
    return { n: m[0] };
  }
  function string() {
    const m = /^"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/.exec(text.slice(i));
    if (!m) fail('bad string');
    i += m[0].length;
    return JSON.parse(m[0]);
  }
  const v = value(); ws();
  if (i !== text.length) fail('trailing text');
  return v;
}

// --------------------------------------------------- the expected stream

const N = (t) => ({ n: t });
const V1 = { id: N('1'), b: true, i8: N('-128'), i64: N('-9223372036854775808'), f: N('0.1'),
  d: N('0.1'), dec: '-12345678901234567890.1234', dt: '0001-01-01',
  ts: '2024-02-29T12:34:56.123456Z', ts_ntz: '9999-12-31T23:59:59.999999',
  s: 'h"\u00e9\\\n\u{1F600}\u0001', bin: 'AP8Q' };
const V2 = { id: N('2'), b: null, i8: null, i64: null, f: null, d: null, dec: null, dt: null,
  ts: null, ts_ntz: null, s: null, bin: null };
const V3 = (id) => ({ id: N(id), b: true, i8: N('0'), i64: N('9007199254740993'),
  f: N('16777216'), d: N('1.7976931348623157e+308'),
  dec: '9999999999999999999999999999999999.9999', dt: null, ts: null, ts_ntz: null, s: null,
  bin: null });
const V4 = { id: N('1'), b: false, i8: N('127'), i64: N('9223372036854775807'), f: N('-0'),
  d: 'NaN', dec: '0.0000', dt: '9999-12-31', ts: '1970-01-01T00:00:00.000000Z',
  ts_ntz: '1969-12-31T23:59:59.999999', s: '', bin: '' };

const TS0 = 1795255205678;
function source(table, snapshot, pos) {
  const [schema, name] = table.split('.');
  return { version: `sluice ${VERSION}`, connector: 'sqlserver', name: 'srv1',
    ts_ms: N('1795255200000'), snapshot: snapshot ? 'true' : 'false', db: 'shop',
    sequence: null, schema, table: name, change_lsn: pos.change ?? null,
    commit_lsn: pos.commit ?? null,
    event_serial_no: pos.serial === undefined ? null : N(String(pos.serial)),
    change_version: pos.version === undefined ? null : N(String(pos.version)) };
}
const ev = (before, after, table, snapshot, pos, op, ts) => ({
  before, after, source: source(table, snapshot, pos), op, ts_ms: N(String(ts)),
  transaction: null });
const lsn = (tx, slot) => `0000002a:${tx.toString(16).padStart(8, '0')}:${slot.toString(16).padStart(4, '0')}`;
const T = 'dbo.types';
const O = 'sales.orders';

const EXPECTED = [
  ev(null, V1, T, true, { commit: lsn(0x100, 1) }, 'r', TS0),
  ev(null, V2, T, true, { commit: lsn(0x100, 1) }, 'r', TS0),
  ev(null, V3('3'), T, false, { change: lsn(0x101, 2), commit: lsn(0x101, 1), serial: 1 }, 'c', TS0 + 322),
  // The update's before-image came in the batch before its after-image.
  ev(V1, V4, T, false, { change: lsn(0x102, 2), commit: lsn(0x102, 1), serial: 2 }, 'u', TS0 + 1322),
  ev(V2, null, T, false, { change: lsn(0x103, 2), commit: lsn(0x103, 1), serial: 1 }, 'd', TS0 + 1322),
  // A key update: delete and insert sharing one change LSN, serials 1 and 2.
  ev(V3('3'), null, T, false, { change: lsn(0x104, 3), commit: lsn(0x104, 1), serial: 1 }, 'd', TS0 + 1322),
  ev(null, V3('30'), T, false, { change: lsn(0x104, 3), commit: lsn(0x104, 1), serial: 2 }, 'c', TS0 + 1322),
  ev(null, { id: N('1'), amount: '10.50', note: 'a' }, O, true, { version: 10 }, 'r', TS0 + 2322),
  ev(null, { id: N('2'), amount: '7.00', note: 'b' }, O, false, { version: 11 }, 'c', TS0 + 3322),
  ev(null, { id: N('1'), amount: '12.00', note: null }, O, false, { version: 12 }, 'u', TS0 + 3322),
  // Change Tracking keeps only the key of a deleted row.
  ev({ id: N('2') }, null, O, false, { version: 13 }, 'd', TS0 + 3322),
];

// ---------------------------------------------------------------- checks

function checkStream(c, text, what) {
  if (!text.endsWith('\n')) c.fail(`${what}: does not end with a newline`);
  const lines = text.split('\n').slice(0, -1);
  c.eq(lines.length, EXPECTED.length, `${what}: lines`);
  let lastCdc = '';
  let lastVersion = -1;
  lines.forEach((line, k) => {
    let got;
    try {
      got = parseExact(line);
      JSON.parse(line);
    } catch (e) {
      c.fail(`${what} line ${k + 1} does not parse: ${e.message}`);
      return;
    }
    // Key order is part of the format: compare the serialised trees.
    c.eq(got, EXPECTED[k], `${what} line ${k + 1}`);
    const s = got.source;
    if (s.commit_lsn !== null && s.snapshot === 'false') {
      const key = `${s.commit_lsn}/${s.change_lsn}/${s.event_serial_no?.n}`;
      if (key <= lastCdc) c.fail(`${what} line ${k + 1}: CDC position ${key} not after ${lastCdc}`);
      lastCdc = key;
    }
    if (s.change_version !== null && s.snapshot === 'false') {
      const v = Number(s.change_version.n);
      if (v <= lastVersion) c.fail(`${what} line ${k + 1}: version ${v} not after ${lastVersion}`);
      lastVersion = v;
    }
  });
}

function stamp(ms) {
  const d = new Date(ms);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T` +
    `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}${p(d.getUTCMilliseconds(), 3)}Z`;
}

async function checkFiles(tmp, stdoutText) {
  const c = new Check('files');
  const dir = path.join(tmp, 'stream', 'shop');
  const r = spawnSync(DRIVER, ['files', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    c.fail(`driver exit ${r.status ?? r.signal}: ${r.stderr}`);
    c.done();
    return;
  }
  const printed = r.stdout.split('\n').filter(Boolean);
  // Part 1 holds batch 1 (committed alone); parts close at 3 changes.
  const want = [[1, TS0], [2, TS0 + 322], [3, TS0 + 1322], [4, TS0 + 3322]]
    .map(([n, ms]) => `shop_changes_${stamp(ms)}_part${n}.jsonl`);
  c.eq(printed, want, 'published names');
  c.eq(fs.readdirSync(dir).sort(), want, 'directory listing (no temp files)');
  let all = '';
  for (const f of want) {
    const t = fs.readFileSync(path.join(dir, f), 'utf8');
    const n = t.split('\n').length - 1;
    if (n < 1 || n > 3) c.fail(`${f}: ${n} lines`);
    all += t;
  }
  c.eq(all === stdoutText, true, 'the files in order are the stdout stream byte for byte');
  checkStream(c, all, 'files');

  // DuckDB's JSON reader, independent of both parsers above.
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  const q = await con.runAndReadAll(`
    SELECT json->>'$.op' AS op, json->>'$.source.table' AS tbl,
           json->>'$.source.commit_lsn' AS commit_lsn,
           CAST(json->'$.source.event_serial_no' AS VARCHAR) AS serial,
           json->>'$.after.dec' AS dec, CAST(json->'$.after.i64' AS VARCHAR) AS i64,
           json->>'$.before.s' AS before_s
    FROM read_ndjson_objects('${dir}/*.jsonl')`);
  const rows = q.getRows().map((row) => row.map((v) => (v === null ? null : String(v))));
  c.eq(rows.length, EXPECTED.length, 'duckdb rows');
  c.eq(rows.map((x) => x[0]).join(''), 'rrcuddcrcud', 'duckdb ops in order');
  c.eq(rows[3], ['u', 'types', lsn(0x102, 1), '2', '0.0000', '9223372036854775807',
    'h"\u00e9\\\n\u{1F600}\u0001'], 'duckdb: the update');
  c.eq(rows[0][5], '-9223372036854775808', 'duckdb: int64 min exact');
  c.eq(rows[10], ['d', 'orders', null, 'null', null, null, null], 'duckdb: the CT delete');
  c.done();
}

function checkEpipe() {
  return new Promise((resolve) => {
    const c = new Check('epipe');
    const child = spawn(DRIVER, ['flood'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    let lines = [];
    let stderr = '';
    let stopped = false;
    child.stderr.on('data', (d) => { stderr += d; });
    child.stdout.on('data', (d) => {
      if (stopped) return;
      buf += d;
      const parts = buf.split('\n');
      buf = parts.pop();
      lines = lines.concat(parts);
      if (lines.length >= 1000) {
        stopped = true;
        child.stdout.destroy(); // the reader goes away
      }
    });
    child.on('close', (code, signal) => {
      c.eq(signal, null, 'no signal (SIGPIPE is ignored)');
      c.eq(code, 3, 'exit status of a broken pipe');
      const m = /^closed events=(\d+) rows=(\d+)$/m.exec(stderr);
      if (!m) {
        c.fail(`stderr: ${stderr}`);
      } else {
        const events = Number(m[1]);
        c.eq(events, Number(m[2]), 'one row per change');
        if (events < lines.length) c.fail(`reported ${events} changes, reader got ${lines.length}`);
      }
      // Every line the reader got is whole, and they are consecutive inserts.
      lines.forEach((line, k) => {
        try {
          const v = parseExact(line);
          if (v.op !== 'c' || v.after.id.n !== String(100 + k)) c.fail(`line ${k + 1}: ${line.slice(0, 80)}`);
        } catch (e) {
          c.fail(`line ${k + 1} does not parse: ${e.message}`);
        }
      });
      c.done();
      resolve();
    });
  });
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-jsonl-'));
  const c = new Check('stdout');
  const r = spawnSync(DRIVER, ['stdout'], { encoding: 'utf8' });
  if (r.status !== 0) c.fail(`driver exit ${r.status ?? r.signal}: ${r.stderr}`);
  else {
    c.eq(r.stderr, `events ${EXPECTED.length}\n`, 'events reported');
    checkStream(c, r.stdout, 'stdout');
  }
  c.done();
  if (r.status === 0) await checkFiles(tmp, r.stdout);
  await checkEpipe();
  if (failed === 0 && !process.env.SL_KEEP) fs.rmSync(tmp, { recursive: true, force: true });
  else console.log(`# output kept in ${tmp}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

await main();
