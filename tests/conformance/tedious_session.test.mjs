// tdslite conformance, tedious: login, errors, result sets and row counts,
// RPC (sp_executesql with OUTPUT, callProcedure, prepare/execute/unprepare),
// transactions (TM requests, SNAPSHOT), cancel (attention), faults and 16
// parallel connections. Expectations are what SQL Server 2022 returns.
process.env.TZ = 'UTC';

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, connect, close, batch, execSql, callProc, ok, run,
  Request, TYPES, ISOLATION_LEVEL,
} from './harness.mjs';

let S;
before(async () => {
  S = await startServer();
});
after(async () => {
  if (S) await S.stop();
});

async function withConn(fn, opts) {
  const c = await connect(S, opts);
  try {
    return await fn(c);
  } finally {
    await close(c);
  }
}

async function scalar(c, sql) {
  const r = await ok(batch(c, sql));
  return r.rows[0][0];
}

function cb(fn) {
  return new Promise((resolve, reject) => fn((err, ...rest) => (err ? reject(err) : resolve(rest))));
}

// ---------------------------------------------------------------- login

test('login succeeds and reports master', async () => {
  await withConn(async (c) => {
    assert.equal(await scalar(c, 'SELECT DB_NAME()'), 'master');
    assert.equal(await scalar(c, 'SELECT @@TRANCOUNT'), 0);
    assert.match(await scalar(c, 'SELECT @@VERSION'), /^Microsoft SQL Server/);
    assert.match(String(await scalar(c, "SELECT SERVERPROPERTY('ProductVersion')")), /^16\./);
  });
});

test('wrong password: 18456 class 14 state 1', async () => {
  await assert.rejects(connect(S, { password: 'wrong' }), (err) => {
    assert.equal(err.code, 'ELOGIN');
    assert.equal(err.message, "Login failed for user 'sa'.");
    const t = err.tokens.find((x) => x.number === 18456);
    assert.ok(t, 'an ERROR token 18456');
    assert.equal(t.class, 14);
    assert.equal(t.state, 1);
    assert.equal(t.message, "Login failed for user 'sa'.");
    return true;
  });
});

test('unknown database: 4060 then 18456', async () => {
  await assert.rejects(connect(S, { options: { database: 'no_such_db' } }), (err) => {
    assert.equal(err.code, 'ELOGIN');
    const nums = err.tokens.map((t) => t.number);
    assert.deepEqual(nums, [4060, 18456]);
    assert.equal(err.tokens[0].class, 11);
    assert.equal(err.tokens[0].state, 1);
    assert.equal(err.tokens[0].message, 'Cannot open database "no_such_db" requested by the login. The login failed.');
    assert.equal(err.tokens[1].class, 14);
    assert.equal(err.tokens[1].message, "Login failed for user 'sa'.");
    return true;
  });
});

test('refuse-logins fault (CLI and run time)', async () => {
  const s2 = await startServer({ args: ['--fault-refuse-logins'] });
  try {
    await assert.rejects(connect(s2), (err) => err.code === 'ELOGIN' && err.tokens.some((t) => t.number === 18456));
  } finally {
    await s2.stop();
  }
  const s3 = await startServer();
  try {
    const c = await connect(s3);
    await ok(batch(c, "EXEC tdslite.set_fault N'refuse_logins', 1"));
    await assert.rejects(connect(s3), (err) => err.code === 'ELOGIN');
    await ok(batch(c, "EXEC tdslite.set_fault N'refuse_logins', 0"));
    await close(c);
    await close(await connect(s3));
  } finally {
    await s3.stop();
  }
});

test('16 parallel connections each running queries', async () => {
  await withConn((c) => ok(batch(c, 'CREATE TABLE dbo.par (conn int NOT NULL, i int NOT NULL, v int NOT NULL)')));
  const conns = await Promise.all(Array.from({ length: 16 }, () => connect(S)));
  try {
    const results = await Promise.all(conns.map(async (c, k) => {
      for (let i = 0; i < 20; i++) {
        await ok(execSql(c, 'INSERT INTO dbo.par (conn, i, v) VALUES (@c, @i, @v)',
          [['c', TYPES.Int, k], ['i', TYPES.Int, i], ['v', TYPES.Int, k * 100 + i]]));
      }
      const r = await ok(execSql(c, 'SELECT COUNT(*) AS n, SUM(v) AS s, @@SPID AS spid FROM dbo.par WHERE conn = @c',
        [['c', TYPES.Int, k]]));
      return r.rows[0];
    }));
    results.forEach((row, k) => {
      assert.equal(row[0], 20);
      assert.equal(row[1], 20 * k * 100 + 190);
    });
    assert.equal(new Set(results.map((r) => r[2])).size, 16, 'distinct @@SPID per session');
  } finally {
    await Promise.all(conns.map(close));
  }
  await withConn(async (c) => assert.equal(await scalar(c, 'SELECT COUNT(*) FROM dbo.par'), 320));
});

// ---------------------------------------------------------------- errors

async function expectError(sql, { number, cls, state, message, line = 1 }) {
  await withConn(async (c) => {
    const r = await batch(c, sql);
    assert.ok(r.err, `no error for ${sql}`);
    assert.equal(r.err.number, number, r.err.message);
    assert.equal(r.err.class, cls);
    if (state !== undefined) assert.equal(r.err.state, state);
    assert.equal(r.err.message, message);
    if (line !== undefined) assert.equal(r.err.lineNumber, line);
    assert.equal(await scalar(c, 'SELECT 5'), 5, 'connection usable after the error');
  });
}

test('errors: number, class, state, text, line', async () => {
  await withConn((c) => ok(batch(c,
    'CREATE TABLE dbo.e (id int NOT NULL CONSTRAINT PK_e PRIMARY KEY, name varchar(5) NOT NULL);' +
    "INSERT INTO dbo.e VALUES (1, 'a')")));
  await expectError('SELECT 1 +', { number: 102, cls: 15, state: 1, message: "Incorrect syntax near '+'." });
  await expectError('SELECT no_col FROM dbo.e', { number: 207, cls: 16, state: 1, message: "Invalid column name 'no_col'." });
  await expectError('\n\nSELECT * FROM dbo.nope', { number: 208, cls: 16, state: 1, message: "Invalid object name 'dbo.nope'.", line: 3 });
  await expectError("SELECT CAST('x1' AS int)", { number: 245, cls: 16, state: 1, message: "Conversion failed when converting the varchar value 'x1' to data type int." });
  await expectError("SELECT CAST('x1' AS decimal(9,2))", { number: 8114, cls: 16, state: undefined, message: 'Error converting data type varchar to numeric.' });
  await expectError('INSERT INTO dbo.e (id, name) VALUES (2, NULL)', { number: 515, cls: 16, state: 2, message: "Cannot insert the value NULL into column 'name', table 'master.dbo.e'; column does not allow nulls. INSERT fails." });
  await expectError("INSERT INTO dbo.e VALUES (1, 'b')", { number: 2627, cls: 14, state: 1, message: "Violation of PRIMARY KEY constraint 'PK_e'. Cannot insert duplicate key in object 'dbo.e'. The duplicate key value is (1)." });
  await expectError("INSERT INTO dbo.e VALUES (3, 'toolong')", { number: 2628, cls: 16, state: undefined, message: "String or binary data would be truncated in table 'master.dbo.e', column 'name'. Truncated value: 'toolo'." });
  await expectError('SELECT @undeclared', { number: 137, cls: 15, state: undefined, message: 'Must declare the scalar variable "@undeclared".' });
  await expectError('SELECT 10 / 0', { number: 8134, cls: 16, state: 1, message: 'Divide by zero error encountered.' });
  await expectError('ROLLBACK TRAN', { number: 3903, cls: 16, state: 1, message: 'The ROLLBACK TRANSACTION request has no corresponding BEGIN TRANSACTION.' });
  await expectError('COMMIT TRAN', { number: 3902, cls: 16, state: 1, message: 'The COMMIT TRANSACTION request has no corresponding BEGIN TRANSACTION.' });
});

test('statement error (2627) does not abort the batch', async () => {
  await withConn(async (c) => {
    await ok(batch(c, 'CREATE TABLE dbo.e2 (id int NOT NULL PRIMARY KEY)'));
    const r = await batch(c,
      'INSERT INTO dbo.e2 VALUES (1)\nINSERT INTO dbo.e2 VALUES (1)\nINSERT INTO dbo.e2 VALUES (2)\nSELECT COUNT(*) AS n FROM dbo.e2');
    assert.ok(r.err);
    assert.equal(r.err.number, 2627);
    assert.equal(r.err.lineNumber, 2);
    // (INFO 3621 after it: 'INFO 3621 "The statement has been terminated." after 2627 and 515')
    const last = r.sets[r.sets.length - 1];
    assert.equal(last.meta[0].colName, 'n');
    assert.deepEqual(last.rows, [[2]]);
    assert.equal(r.rowCount, 3, 'DONE counts: 1 + 1 + SELECT 1 row');
  });
});

test('two statement errors in one batch: AggregateError, results between them arrive', async () => {
  // 2627 and 515 end only their statement. (Conversion errors such as 245,
  // and divide by zero under ARITHABORT ON, which tedious sets, abort the
  // whole batch instead, so they are not used here.)
  await withConn(async (c) => {
    await ok(batch(c, 'CREATE TABLE dbo.e3 (id int NOT NULL PRIMARY KEY, v int NOT NULL); INSERT INTO dbo.e3 VALUES (1, 1)'));
    const r = await batch(c, "INSERT INTO dbo.e3 VALUES (1, 1)\nSELECT 'between' AS b\nINSERT INTO dbo.e3 VALUES (2, NULL)\nSELECT COUNT(*) AS n FROM dbo.e3");
    assert.ok(r.err instanceof AggregateError, String(r.err));
    assert.deepEqual(r.err.errors.map((e) => e.number), [2627, 515]);
    assert.deepEqual(r.err.errors.map((e) => e.lineNumber), [1, 3]);
    // (the two INFO 3621: 'INFO 3621 "The statement has been terminated." after 2627 and 515')
    assert.deepEqual(r.sets.find((s) => s.meta[0].colName === 'b').rows, [['between']]);
    assert.deepEqual(r.sets.find((s) => s.meta[0].colName === 'n').rows, [[1]]);
  });
});

// 2627, 515 (and 547, 2628) end their statement with ERROR then INFO 3621
// "The statement has been terminated." (class 0, state 0).
test('INFO 3621 "The statement has been terminated." after 2627 and 515', async () => {
  await withConn(async (c) => {
    await ok(batch(c, 'CREATE TABLE dbo.e4 (id int NOT NULL PRIMARY KEY, v int NOT NULL); INSERT INTO dbo.e4 VALUES (1, 1)'));
    const r = await batch(c, 'INSERT INTO dbo.e4 VALUES (1, 1)');
    assert.equal(r.err && r.err.number, 2627);
    const info = r.infos.find((i) => i.number === 3621);
    assert.ok(info, 'INFO 3621 after the duplicate key error');
    assert.equal(info.message, 'The statement has been terminated.');
    assert.equal(info.class, 0);
    assert.equal(info.state, 0);
    assert.equal(info.lineNumber, 1);
    const r2 = await batch(c, 'INSERT INTO dbo.e4 VALUES (1, 1)\nSELECT 1 AS x\nINSERT INTO dbo.e4 VALUES (2, NULL)');
    assert.equal(r2.infos.filter((i) => i.number === 3621).length, 2);
  });
});

test('divide by zero under ARITHABORT ON (tedious default) aborts the rest of the batch', async () => {
  await withConn(async (c) => {
    const r = await batch(c, "SELECT 1/0 AS x\nSELECT 'after' AS a");
    assert.ok(r.err, 'an error');
    assert.equal(r.err.number, 8134);
    assert.equal(r.sets.find((s) => s.meta[0].colName === 'a'), undefined);
    assert.equal(await scalar(c, 'SELECT 3'), 3);
  });
});

// ---------------------------------------------------------------- results

test('multiple result sets and DONE row counts', async () => {
  await withConn(async (c) => {
    await ok(batch(c, 'CREATE TABLE dbo.rs (id int NOT NULL, v nvarchar(10) NULL)'));
    const r = await ok(batch(c,
      "INSERT INTO dbo.rs VALUES (1, N'a'), (2, N'b'), (3, NULL);" +
      'SELECT id FROM dbo.rs ORDER BY id;' +
      "UPDATE dbo.rs SET v = N'z' WHERE id >= 2;" +
      'SELECT @@ROWCOUNT AS rc;' +
      'SELECT TOP 0 id FROM dbo.rs;' +
      'DELETE FROM dbo.rs WHERE id = 3'));
    assert.equal(r.sets.length, 3);
    assert.deepEqual(r.sets[0].rows, [[1], [2], [3]]);
    assert.deepEqual(r.sets[1].rows, [[2]]);
    assert.equal(r.sets[1].meta[0].colName, 'rc');
    assert.deepEqual(r.sets[2].rows, []);
    // tedious sums the DONE counts: 3 inserted + 3 selected + 2 updated +
    // 1 selected + 0 selected + 1 deleted.
    assert.equal(r.rowCount, 10);
    const counts = r.dones.filter((d) => d.rowCount !== undefined).map((d) => d.rowCount);
    assert.deepEqual(counts, [3, 3, 2, 1, 0, 1]);
  });
});

test('SET NOCOUNT ON hides DONE counts', async () => {
  await withConn(async (c) => {
    await ok(batch(c, 'CREATE TABLE dbo.nc (id int)'));
    const r = await ok(batch(c, 'SET NOCOUNT ON; INSERT INTO dbo.nc VALUES (1), (2); SELECT id FROM dbo.nc; SELECT @@ROWCOUNT'));
    assert.equal(r.rowCount, 0);
    assert.equal(r.sets.length, 2);
    assert.ok(r.dones.every((d) => d.rowCount === undefined), JSON.stringify(r.dones));
    assert.deepEqual(r.sets[1].rows, [[2]]);
    // NOCOUNT is a session setting: it stays on for the next batch.
    const r2 = await ok(batch(c, 'INSERT INTO dbo.nc VALUES (3)'));
    assert.equal(r2.rowCount, 0);
    const r3 = await ok(batch(c, 'SET NOCOUNT OFF; INSERT INTO dbo.nc VALUES (4)'));
    assert.equal(r3.rowCount, 1);
  });
});

// ---------------------------------------------------------------- RPC

test('execSql (sp_executesql) with input and OUTPUT parameters', async () => {
  await withConn(async (c) => {
    const r = await ok(execSql(c, 'SET @sum = @a + @b; SET @greeting = N\'hi \' + @name; SELECT @a AS a',
      [['a', TYPES.Int, 40], ['b', TYPES.Int, 2], ['name', TYPES.NVarChar, 'Zoë 😀'],
        ['sum', TYPES.Int, null, undefined, true], ['greeting', TYPES.NVarChar, null, { length: 50 }, true]]));
    assert.deepEqual(r.rows, [[40]]);
    assert.ok(r.returnValues.sum && r.returnValues.greeting, 'RETURNVALUE tokens for @sum and @greeting');
    assert.equal(r.returnValues.sum.value, 42);
    assert.equal(r.returnValues.greeting.value, 'hi Zoë 😀');
    assert.equal(r.returnStatus, 0);
    // An RPC ends with DONEPROC; the inner SELECT's count comes as DONEINPROC.
    assert.ok(r.dones.some((d) => d.kind === 'doneProc'));
    assert.ok(r.dones.some((d) => d.kind === 'doneInProc' && d.rowCount === 1));
  });
});

test('execSql: an error inside sp_executesql', async () => {
  await withConn(async (c) => {
    const r = await execSql(c, 'SELECT @a / 0', [['a', TYPES.Int, 1]]);
    assert.ok(r.err, 'an error');
    assert.equal(r.err.number, 8134);
    assert.equal(r.err.message, 'Divide by zero error encountered.');
    assert.equal(await scalar(c, 'SELECT 1'), 1);
  });
});

test('callProcedure: sp_executesql by name; unknown procedure 2812', async () => {
  await withConn(async (c) => {
    const r = await ok(callProc(c, 'sp_executesql', [
      ['stmt', TYPES.NVarChar, 'SELECT @x * 2 AS doubled'],
      ['params', TYPES.NVarChar, '@x int'],
      ['x', TYPES.Int, 21],
    ]));
    assert.deepEqual(r.rows, [[42]]);
    const r3 = await callProc(c, 'dbo.no_such_proc', []);
    assert.ok(r3.err, 'an error');
    assert.equal(r3.err.number, 2812);
    assert.equal(r3.err.message, "Could not find stored procedure 'dbo.no_such_proc'.");
  });
});

test('callProcedure: a user procedure with OUTPUT and RETURN', async () => {
  await withConn(async (c) => {
    await ok(batch(c, 'CREATE PROCEDURE dbo.p_mul @a int, @b int, @p int OUTPUT AS\nBEGIN\n  SET @p = @a * @b;\n  SELECT @a AS a, @b AS b;\n  RETURN 3;\nEND'));
    const r2 = await ok(callProc(c, 'dbo.p_mul', [['a', TYPES.Int, 6], ['b', TYPES.Int, 7], ['p', TYPES.Int, null, undefined, true]]));
    assert.deepEqual(r2.rows, [[6, 7]]);
    assert.ok(r2.returnValues.p, 'RETURNVALUE for @p');
    assert.equal(r2.returnValues.p.value, 42);
    assert.equal(r2.returnStatus, 3);
  });
});

test('prepare / execute (twice) / unprepare', async () => {
  await withConn(async (c) => {
    const results = [];
    const req = new Request('SELECT @a + 1 AS v, @s AS s', (err) => { if (err) results.push(err); });
    req.addParameter('a', TYPES.Int);
    req.addParameter('s', TYPES.NVarChar, undefined, { length: 20 });
    req.on('row', (cols) => results.push(cols.map((x) => x.value)));
    await new Promise((resolve, reject) => {
      req.once('prepared', resolve);
      req.once('error', reject);
      c.prepare(req);
    });
    assert.equal(typeof req.handle, 'number', 'sp_prepare returned @handle');
    for (const [a, s] of [[41, 'x'], [99, 'ÿ😀']]) {
      await new Promise((resolve) => {
        req.userCallback = (err) => { if (err) results.push(err); resolve(); };
        c.execute(req, { a, s });
      });
    }
    assert.deepEqual(results, [[42, 'x'], [100, 'ÿ😀']]);
    await new Promise((resolve, reject) => {
      req.userCallback = (err) => (err ? reject(err) : resolve());
      c.unprepare(req);
    });
    assert.equal(await scalar(c, 'SELECT 1'), 1);
  });
});

// ---------------------------------------------------------------- transactions

test('TM begin/commit/rollback/save transaction requests', async () => {
  await withConn(async (c) => {
    await ok(batch(c, 'CREATE TABLE dbo.tm (id int NOT NULL PRIMARY KEY)'));
    await cb((f) => c.beginTransaction(f, 't1'));
    assert.equal(c.inTransaction, true, 'ENVCHANGE 8 seen');
    assert.equal(await scalar(c, 'SELECT @@TRANCOUNT'), 1);
    await ok(batch(c, 'INSERT INTO dbo.tm VALUES (1)'));
    await cb((f) => c.saveTransaction(f, 'sp1'));
    await ok(batch(c, 'INSERT INTO dbo.tm VALUES (2)'));
    await cb((f) => c.rollbackTransaction(f, 'sp1'));
    assert.equal(await scalar(c, 'SELECT @@TRANCOUNT'), 1, 'rollback to a savepoint keeps the transaction');
    assert.equal(await scalar(c, 'SELECT COUNT(*) FROM dbo.tm'), 1);
    await cb((f) => c.commitTransaction(f));
    assert.equal(c.inTransaction, false, 'ENVCHANGE 9 seen');
    assert.equal(await scalar(c, 'SELECT @@TRANCOUNT'), 0);
    await cb((f) => c.beginTransaction(f));
    await ok(batch(c, 'INSERT INTO dbo.tm VALUES (3)'));
    await cb((f) => c.rollbackTransaction(f));
    assert.equal(c.inTransaction, false, 'ENVCHANGE 10 seen');
    assert.equal(await scalar(c, 'SELECT COUNT(*) FROM dbo.tm'), 1);
    assert.equal(await scalar(c, 'SELECT @@TRANCOUNT'), 0);
  });
});

test('BEGIN TRAN in SQL text is seen by tedious (ENVCHANGE 8/10)', async () => {
  await withConn(async (c) => {
    await ok(batch(c, 'BEGIN TRAN'));
    assert.equal(c.inTransaction, true);
    await ok(batch(c, 'ROLLBACK TRAN'));
    assert.equal(c.inTransaction, false);
  });
});

test('rollback on disconnect', async () => {
  await withConn((c) => ok(batch(c, 'CREATE TABLE dbo.disc (id int)')));
  const c1 = await connect(S);
  await cb((f) => c1.beginTransaction(f));
  await ok(batch(c1, 'INSERT INTO dbo.disc VALUES (1)'));
  await close(c1);
  await withConn(async (c) => assert.equal(await scalar(c, 'SELECT COUNT(*) FROM dbo.disc'), 0));
});

test('SNAPSHOT isolation: a consistent read while another connection commits', async () => {
  await withConn((c) => ok(batch(c, 'CREATE DATABASE conf_snap')));
  await withConn((c) => ok(batch(c, 'ALTER DATABASE conf_snap SET ALLOW_SNAPSHOT_ISOLATION ON')));
  const opts = { options: { database: 'conf_snap' } };
  await withConn((c) => ok(batch(c, 'CREATE TABLE dbo.snap (id int NOT NULL PRIMARY KEY); INSERT INTO dbo.snap VALUES (1)')), opts);
  const a = await connect(S, opts);
  const b = await connect(S, opts);
  try {
    await cb((f) => a.beginTransaction(f, 'snap', ISOLATION_LEVEL.SNAPSHOT));
    assert.equal(await scalar(a, 'SELECT COUNT(*) FROM dbo.snap'), 1);
    await ok(batch(b, 'INSERT INTO dbo.snap VALUES (2)'));
    assert.equal(await scalar(b, 'SELECT COUNT(*) FROM dbo.snap'), 2);
    assert.equal(await scalar(a, 'SELECT COUNT(*) FROM dbo.snap'), 1, 'snapshot still sees one row');
    await cb((f) => a.commitTransaction(f));
    assert.equal(await scalar(a, 'SELECT COUNT(*) FROM dbo.snap'), 2);
    // The same through SET TRANSACTION ISOLATION LEVEL in SQL text.
    await ok(batch(a, 'SET TRANSACTION ISOLATION LEVEL SNAPSHOT; BEGIN TRAN'));
    assert.equal(await scalar(a, 'SELECT COUNT(*) FROM dbo.snap'), 2);
    await ok(batch(b, 'DELETE FROM dbo.snap'));
    assert.equal(await scalar(a, 'SELECT COUNT(*) FROM dbo.snap'), 2);
    await ok(batch(a, 'COMMIT'));
    assert.equal(await scalar(a, 'SELECT COUNT(*) FROM dbo.snap'), 0);
  } finally {
    await close(a);
    await close(b);
  }
});

// ---------------------------------------------------------------- cancel and faults

async function makeNumbers(c, table) {
  const values = Array.from({ length: 1000 }, (_, i) => `(${i + 1})`).join(',');
  await ok(batch(c, `CREATE TABLE ${table} (n int NOT NULL PRIMARY KEY); INSERT INTO ${table} VALUES ${values}`));
}

test('request.cancel() during a 1M-row SELECT: ECANCEL, connection stays usable', async () => {
  await withConn(async (c) => {
    await makeNumbers(c, 'dbo.cn');
    let rows = 0;
    let pad = 0;
    // Wide rows: whatever the server had written into the sockets when the
    // attention arrived (megabytes; SQL Server streams the same way) is read
    // through by tedious before it sees DONE(ATTN). As 4 KB rows that is a
    // few hundred rows; as 9-byte rows it was ~10^5, seconds of parsing on
    // a loaded machine, past cancelTimeout (ETIMEOUT instead of ECANCEL).
    const sql = "SELECT a.n, b.n, CAST(REPLICATE('x', 4000) AS char(4000)) AS pad FROM dbo.cn a CROSS JOIN dbo.cn b";
    const r = await new Promise((resolve) => {
      const req = new Request(sql, (err, rowCount) => resolve({ err, rowCount }));
      req.on('row', (cols) => {
        rows++;
        if (rows === 1) pad = cols[2].value.length;
        if (rows === 1000) req.cancel();
      });
      c.execSql(req);
    });
    assert.ok(r.err, 'cancelled request reports an error');
    assert.equal(r.err.code, 'ECANCEL');
    assert.equal(pad, 4000);
    assert.ok(rows < 1000000, `cancel stopped the stream early (got ${rows} rows)`);
    assert.equal(await scalar(c, 'SELECT 42'), 42);
    assert.equal(await scalar(c, 'SELECT COUNT(*) FROM dbo.cn'), 1000);
  }, { options: { cancelTimeout: 30000 } });
});

test('request timeout sends attention; the connection stays usable', async () => {
  await withConn(async (c) => {
    await makeNumbers(c, 'dbo.cto');
    const r = await batch(c, 'SELECT COUNT_BIG(*) FROM dbo.cto a CROSS JOIN dbo.cto b CROSS JOIN dbo.cto c CROSS JOIN dbo.cto d');
    assert.ok(r.err);
    assert.equal(r.err.code, 'ETIMEOUT');
    assert.equal(await scalar(c, 'SELECT 7'), 7);
  }, { options: { requestTimeout: 1000, cancelTimeout: 5000 } });
});

test('fault drop_after_rows: the client sees a connection error, not a short result', async () => {
  await withConn((c) => makeNumbers(c, 'dbo.drop_n'));
  await withConn((c) => ok(batch(c, "EXEC tdslite.set_fault N'drop_after_rows', 100")));
  try {
    const c = await connect(S);
    let rows = 0;
    const r = await new Promise((resolve) => {
      const req = new Request('SELECT n FROM dbo.drop_n ORDER BY n', (err, rowCount) => resolve({ err, rowCount }));
      req.on('row', () => rows++);
      c.execSql(req);
    });
    assert.ok(r.err, 'the request fails');
    assert.ok(r.err.number === undefined, 'a connection error, not a SQL error');
    assert.ok(rows <= 100, `no more than 100 rows arrived (${rows})`);
    c.close();
  } finally {
    await withConn((c) => ok(batch(c, "EXEC tdslite.set_fault N'drop_after_rows', 0")));
  }
  await withConn(async (c) => assert.equal(await scalar(c, 'SELECT COUNT(*) FROM dbo.drop_n'), 1000));
});

test('fault delay_ms delays answers', async () => {
  const s2 = await startServer({ args: ['--fault-delay-ms', '300'] });
  try {
    const c = await connect(s2);
    const t0 = Date.now();
    await ok(batch(c, 'SELECT 1'));
    assert.ok(Date.now() - t0 >= 290, 'answer took >= 300 ms');
    await close(c);
  } finally {
    await s2.stop();
  }
});
