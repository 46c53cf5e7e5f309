// Harness for the tdslite conformance tests (node + tedious side).
//
// startServer() runs `$SL_BUILD_DIR/bin/tdslite --port 0 --data <tmp>
// --sa-password PW`, waits for its one stdout line `tdslite: listening on
// 127.0.0.1:PORT`, and kills it and removes the temp directory when the test
// process ends. connect()/exec() wrap tedious (pinned in tests/readers) with
// the options spec/tds.md §11 prescribes for a server without TLS.
//
// Tests use node:test; `node file.test.mjs` exits non-zero when one fails.

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const sourceDir = process.env.SL_SOURCE_DIR || path.resolve(here, '..', '..');
const buildDir = process.env.SL_BUILD_DIR || path.join(sourceDir, 'build');
const require = createRequire(path.join(sourceDir, 'tests/readers/package.json'));

export const tedious = require('tedious');
export const { Connection, Request, TYPES, ISOLATION_LEVEL } = tedious;
export const PASSWORD = 'Sluice_Test_Pw1';

const live = new Set();
function cleanup() {
  for (const s of live) s.kill();
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    cleanup();
    process.exit(128 + os.constants.signals[sig]);
  });
}

export class Server {
  constructor(proc, host, port, tmp, stderrPath) {
    this.proc = proc;
    this.host = host;
    this.port = port;
    this.tmp = tmp;
    this.stderrPath = stderrPath;
    this.pid = proc.pid;
  }

  stderrTail(n = 2000) {
    try {
      const b = fs.readFileSync(this.stderrPath);
      return b.subarray(Math.max(0, b.length - n)).toString('utf8');
    } catch {
      return '';
    }
  }

  alive() {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  // Synchronous so it can run from process.on('exit').
  kill() {
    if (this.alive()) {
      try {
        this.proc.kill('SIGKILL');
      } catch {}
    }
    if (this.tmp) {
      fs.rmSync(this.tmp, { recursive: true, force: true });
      this.tmp = null;
    }
    live.delete(this);
  }

  async stop() {
    if (this.alive()) {
      const exited = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGTERM');
      const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    this.kill();
  }

  // Peak resident set size (kB) of the server, from /proc/PID/status.
  vmHWM() {
    const s = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const m = /VmHWM:\s+(\d+) kB/.exec(s);
    return m ? Number(m[1]) : null;
  }
}

export async function startServer({ args = [], data = true, password = PASSWORD } = {}) {
  const binary = path.join(buildDir, 'bin', 'tdslite');
  if (!fs.existsSync(binary)) throw new Error(`tdslite binary not found at ${binary}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tdslite-conf-'));
  const cmd = ['--port', '0', '--sa-password', password];
  if (data) {
    fs.mkdirSync(path.join(tmp, 'data'));
    cmd.push('--data', path.join(tmp, 'data'));
  }
  cmd.push(...args);
  const stderrPath = path.join(tmp, 'tdslite.stderr');
  const errFd = fs.openSync(stderrPath, 'w');
  const proc = spawn(binary, cmd, { stdio: ['ignore', 'pipe', errFd] });
  fs.closeSync(errFd);
  const server = new Server(proc, null, null, tmp, stderrPath);
  live.add(server);
  const line = await new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('tdslite did not print its listening line within 20s: ' + server.stderrTail())), 20000);
    proc.stdout.on('data', (d) => {
      buf += d.toString('utf8');
      const i = buf.indexOf('\n');
      if (i >= 0) {
        clearTimeout(timer);
        resolve(buf.slice(0, i));
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tdslite exited (code ${code}) before listening: ${server.stderrTail()}`));
    });
  });
  proc.stdout.resume(); // keep draining any later output
  const m = /^tdslite: listening on ([0-9.]+):([0-9]+)\s*$/.exec(line);
  if (!m) {
    server.kill();
    throw new Error(`tdslite printed ${JSON.stringify(line)}`);
  }
  server.host = m[1];
  server.port = Number(m[2]);
  return server;
}

export function config(server, { user = 'sa', password = PASSWORD, options = {} } = {}) {
  return {
    server: server.host,
    authentication: { type: 'default', options: { userName: user, password } },
    options: {
      port: server.port,
      encrypt: false, // sends ENCRYPT_NOT_SUP (spec §2.2)
      trustServerCertificate: true,
      tdsVersion: '7_4',
      connectTimeout: 15000,
      requestTimeout: 60000,
      maxRetriesOnTransientErrors: 0,
      ...options,
    },
  };
}

// Connect; resolves with the Connection, rejects with the connect error. The
// connection records every ERROR/INFO token in conn.errors / conn.infos.
export function connect(server, opts = {}) {
  return new Promise((resolve, reject) => {
    const conn = new Connection(config(server, opts));
    conn.errors = [];
    conn.infos = [];
    conn.on('errorMessage', (t) => conn.errors.push(t));
    conn.on('infoMessage', (t) => conn.infos.push(t));
    conn.on('error', () => {}); // socket errors after connect surface via requests
    conn.connect((err) => {
      if (err) {
        err.tokens = conn.errors;
        reject(err);
      } else resolve(conn);
    });
  });
}

export function close(conn) {
  return new Promise((resolve) => {
    if (conn.closed) return resolve();
    conn.once('end', resolve);
    conn.close();
  });
}

// Run a Request. Resolves with
//   { err, rowCount, sets: [{ meta, rows }], rows (first set), meta, returnValues,
//     dones: [{kind, rowCount, more}] , infos, errors }
// never rejects: the caller asserts on err.
export function run(conn, req) {
  return new Promise((resolve) => {
    const res = { sets: [], returnValues: {}, dones: [], infos: [], errors: [] };
    let cur = null;
    const onInfo = (t) => res.infos.push(t);
    const onErr = (t) => res.errors.push(t);
    conn.on('infoMessage', onInfo);
    conn.on('errorMessage', onErr);
    req.on('columnMetadata', (cols) => {
      cur = { meta: cols, rows: [] };
      res.sets.push(cur);
    });
    req.on('row', (cols) => cur.rows.push(cols.map((c) => c.value)));
    for (const kind of ['done', 'doneInProc', 'doneProc']) {
      req.on(kind, (rowCount, more, returnStatus) => {
        res.dones.push({ kind, rowCount, more });
        if (kind === 'doneProc' && returnStatus !== undefined) res.returnStatus = returnStatus;
      });
    }
    req.on('returnValue', (name, value, metadata) => {
      res.returnValues[name] = { value, metadata };
    });
    // userCallback, not callback: Request.callback also drives prepare().
    req.userCallback = (err, rowCount) => {
      conn.removeListener('infoMessage', onInfo);
      conn.removeListener('errorMessage', onErr);
      res.err = err;
      res.rowCount = rowCount;
      res.rows = res.sets[0] ? res.sets[0].rows : [];
      res.meta = res.sets[0] ? res.sets[0].meta : null;
      resolve(res);
    };
    if (req.__kind === 'batch') conn.execSqlBatch(req);
    else if (req.__kind === 'proc') conn.callProcedure(req);
    else conn.execSql(req);
  });
}

// SQL batch (no parameters): execSqlBatch.
export function batch(conn, sql) {
  const req = new Request(sql, () => {});
  req.__kind = 'batch';
  return run(conn, req);
}

// sp_executesql with typed parameters: params = [[name, TYPE, value, opts?, output?]]
export function execSql(conn, sql, params = []) {
  const req = new Request(sql, () => {});
  for (const [name, type, value, options, output] of params) {
    if (output) req.addOutputParameter(name, type, value, options);
    else req.addParameter(name, type, value, options);
  }
  return run(conn, req);
}

export function callProc(conn, name, params = []) {
  const req = new Request(name, () => {});
  for (const [pname, type, value, options, output] of params) {
    if (output) req.addOutputParameter(pname, type, value, options);
    else req.addParameter(pname, type, value, options);
  }
  req.__kind = 'proc';
  return run(conn, req);
}

// Throws unless the request succeeded; returns the result.
export async function ok(p) {
  const r = await p;
  if (r.err) {
    const e = new Error(`request failed: ${r.err.message} (number ${r.err.number})`);
    e.cause = r.err;
    throw e;
  }
  return r;
}

export function promisify(fn) {
  return new Promise((resolve, reject) => fn((err, ...rest) => (err ? reject(err) : resolve(rest))));
}
