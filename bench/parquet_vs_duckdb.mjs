// sluice's Parquet writer against DuckDB's, on the same rows, in one run.
// Method and targets: bench/README.md.
//
//   node bench/parquet_vs_duckdb.mjs --build BUILD [--rows 1000000] [--codec zstd]
//        [--seed 1] [--repeat 3] [--rss-rows 10000000] [--out-dir bench/out]
//
// 1. parquet_write --rows N --csv: ours (timed inside the program: writer
//    calls only) and the same rows as CSV. Repeated --repeat times; best run.
// 2. DuckDB (threads=1) loads the CSV into an in-memory table (not timed),
//    then COPY t TO '...parquet' (FORMAT parquet, COMPRESSION codec) is
//    timed, --repeat times; best run.
// 3. Both files are read back by DuckDB and compared row for row (EXCEPT
//    ALL both ways), so the two writers are known to hold the same data.
// 4. With --rss-rows M: parquet_write --rows M once more (no CSV), for the
//    peak-RSS ratio M vs N (bounded memory means about 1.0).
// Prints the ratios and writes OUT_DIR/results.json.

import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SRC = path.resolve(HERE, '..');
const require = createRequire(path.join(SRC, 'tests/readers/package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

function parseArgs(argv) {
  const a = { build: path.join(SRC, 'build'), rows: 1000000, codec: 'zstd', seed: 1, repeat: 3, rssRows: 0, outDir: path.join(SRC, 'bench/out') };
  for (let i = 2; i < argv.length; i += 2) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (v === undefined) throw new Error(`missing value for ${k}`);
    if (k === '--build') a.build = path.resolve(v);
    else if (k === '--rows') a.rows = Number(v);
    else if (k === '--codec') a.codec = v;
    else if (k === '--seed') a.seed = Number(v);
    else if (k === '--repeat') a.repeat = Number(v);
    else if (k === '--rss-rows') a.rssRows = Number(v);
    else if (k === '--out-dir') a.outDir = path.resolve(v);
    else throw new Error(`unknown option ${k}`);
  }
  return a;
}

function runOurs(a, rows, out, csv) {
  const bin = path.join(a.build, 'bin', 'parquet_write');
  const args = ['--rows', String(rows), '--codec', a.codec, '--seed', String(a.seed), '--out', out];
  if (csv) args.push('--csv', csv);
  const p = spawnSync(bin, args, { encoding: 'utf8' });
  if (p.status !== 0) throw new Error(`parquet_write failed (${p.status ?? p.signal}): ${p.stderr}`);
  const line = p.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`parquet_write printed no RESULT line: ${p.stdout}`);
  return JSON.parse(line.slice(7));
}

const DUCK_CODEC = { none: 'uncompressed', uncompressed: 'uncompressed', snappy: 'snappy', gzip: 'gzip', zstd: 'zstd', lz4_raw: 'lz4_raw', lz4: 'lz4_raw', brotli: 'brotli' };

async function main() {
  const a = parseArgs(process.argv);
  fs.mkdirSync(a.outDir, { recursive: true });
  const ours = path.join(a.outDir, 'sluice.parquet');
  const duckFile = path.join(a.outDir, 'duckdb.parquet');
  const csv = path.join(a.outDir, 'data.csv');

  console.log(`# ${a.rows} rows, codec ${a.codec}, seed ${a.seed}, best of ${a.repeat}`);
  let best = null;
  for (let i = 0; i < a.repeat; i++) {
    const r = runOurs(a, a.rows, ours, i === 0 ? csv : null);
    console.log(`sluice  run ${i + 1}: ${r.seconds.toFixed(3)} s  ${Math.round(r.rows_per_s)} rows/s  ${r.file_bytes} bytes  RSS ${r.peak_rss_kb} KiB`);
    if (!best || r.seconds < best.seconds) best = { ...r };
  }

  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  await con.run('SET threads=1');
  await con.run("SET TimeZone='UTC'");
  await con.run(`CREATE TABLE t AS SELECT c_int32, c_int64, c_dec18, c_dec38, c_double, c_date, c_ts,
      c_short, c_long, c_lowcard, unhex(c_bin) AS c_bin, c_bool
    FROM read_csv('${csv}', header=true, allow_quoted_nulls=false, columns={
      'c_int32': 'INTEGER', 'c_int64': 'BIGINT', 'c_dec18': 'DECIMAL(18,4)', 'c_dec38': 'DECIMAL(38,10)',
      'c_double': 'DOUBLE', 'c_date': 'DATE', 'c_ts': 'TIMESTAMPTZ', 'c_short': 'VARCHAR',
      'c_long': 'VARCHAR', 'c_lowcard': 'VARCHAR', 'c_bin': 'VARCHAR', 'c_bool': 'BOOLEAN'})`);
  const codec = DUCK_CODEC[a.codec];
  let duckBest = Infinity;
  for (let i = 0; i < a.repeat; i++) {
    const t0 = performance.now();
    await con.run(`COPY t TO '${duckFile}' (FORMAT parquet, COMPRESSION ${codec})`);
    const s = (performance.now() - t0) / 1000;
    console.log(`duckdb  run ${i + 1}: ${s.toFixed(3)} s  ${Math.round(a.rows / s)} rows/s`);
    duckBest = Math.min(duckBest, s);
  }
  const duckBytes = fs.statSync(duckFile).size;

  // Same data in both files (and in the CSV-loaded table)?
  const diff = async (x, y) => Number((await con.runAndReadAll(
    `SELECT count(*) FROM (SELECT * FROM ${x} EXCEPT ALL SELECT * FROM ${y})`)).getRows()[0][0]);
  const d1 = await diff(`read_parquet('${ours}')`, 't');
  const d2 = await diff('t', `read_parquet('${ours}')`);
  const sameData = d1 === 0 && d2 === 0;
  console.log(`content: sluice file vs DuckDB table: ${sameData ? 'identical' : `DIFFERENT (${d1} / ${d2} rows)`}`);

  let rss = null;
  if (a.rssRows) {
    const big = runOurs(a, a.rssRows, path.join(a.outDir, 'sluice-big.parquet'), null);
    fs.rmSync(path.join(a.outDir, 'sluice-big.parquet'), { force: true });
    console.log(`sluice ${a.rssRows} rows: ${big.seconds.toFixed(3)} s  ${Math.round(big.rows_per_s)} rows/s  RSS ${big.peak_rss_kb} KiB`);
    rss = { rows: a.rssRows, peak_rss_kb: big.peak_rss_kb, rows_per_s: big.rows_per_s, ratio: big.peak_rss_kb / best.peak_rss_kb };
  }

  const result = {
    rows: a.rows, codec: a.codec, seed: a.seed, repeat: a.repeat,
    sluice: { seconds: best.seconds, rows_per_s: best.rows_per_s, mb_per_s: best.mb_per_s, file_bytes: best.file_bytes, peak_rss_kb: best.peak_rss_kb },
    duckdb: { seconds: duckBest, rows_per_s: a.rows / duckBest, file_bytes: duckBytes, threads: 1 },
    same_data: sameData,
    ratios: {
      throughput_ours_over_duckdb: duckBest / best.seconds,
      size_ours_over_duckdb: best.file_bytes / duckBytes,
      peak_rss_big_over_small: rss ? rss.ratio : null,
    },
    big: rss,
  };
  fs.writeFileSync(path.join(a.outDir, 'results.json'), `${JSON.stringify(result, null, 2)}\n`);
  const r = result.ratios;
  const verdict = (ok) => (ok ? 'meets target' : 'MISSES target');
  console.log(`throughput ours/DuckDB  ${r.throughput_ours_over_duckdb.toFixed(3)}  (target >= 1.0: ${verdict(r.throughput_ours_over_duckdb >= 1.0)})`);
  console.log(`size       ours/DuckDB  ${r.size_ours_over_duckdb.toFixed(3)}  (target <= 1.10: ${verdict(r.size_ours_over_duckdb <= 1.10)})`);
  if (rss) console.log(`peak RSS ${a.rssRows} vs ${a.rows} rows  ${rss.ratio.toFixed(3)}  (target <= 1.10: ${verdict(rss.ratio <= 1.10)})`);
  else console.log('peak RSS ratio: not measured (set SL_BENCH_BIG_ROWS=10000000 or --rss-rows)');
  process.exit(sameData ? 0 : 1);
}

await main();
