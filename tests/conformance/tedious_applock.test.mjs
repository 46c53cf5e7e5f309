// tdslite conformance, tedious: sp_getapplock by RPC with named parameters
// and its return status, and an attention (request.cancel()) while the call
// waits for a lock: the wait ends, nothing is granted or left queued, and
// the connection stays usable. pymssql cannot send an attention (its query
// timeout closes the connection), so this side covers it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, connect, close, batch, callProc, ok, Request, TYPES } from './harness.mjs';

let S;
before(async () => {
  S = await startServer();
});
after(async () => {
  if (S) await S.stop();
});

async function scalar(c, sql) {
  const r = await ok(batch(c, sql));
  return r.rows[0][0];
}

function getLock(c, resource, mode, timeout) {
  return callProc(c, 'sp_getapplock', [
    ['LockMode', TYPES.VarChar, mode, { length: 32 }],
    ['Resource', TYPES.NVarChar, resource, { length: 255 }],
    ['LockOwner', TYPES.VarChar, 'Session', { length: 32 }],
    ['LockTimeout', TYPES.Int, timeout],
  ]);
}

test('RPC with named parameters returns the status', async () => {
  const a = await connect(S);
  const b = await connect(S);
  try {
    assert.equal((await ok(getLock(a, 'named_rpc', 'Exclusive', 0))).returnStatus, 0);
    assert.equal((await ok(getLock(b, 'named_rpc', 'Shared', 0))).returnStatus, -1);
    const rel = await ok(callProc(a, 'sys.sp_releaseapplock', [
      ['Resource', TYPES.NVarChar, 'named_rpc', { length: 255 }],
      ['LockOwner', TYPES.VarChar, 'Session', { length: 32 }],
    ]));
    assert.equal(rel.returnStatus, 0);
    assert.equal((await ok(getLock(b, 'named_rpc', 'Shared', 0))).returnStatus, 0);
  } finally {
    await close(a);
    await close(b);
  }
});

test('attention while waiting for a lock', async () => {
  const a = await connect(S);
  const b = await connect(S, { options: { cancelTimeout: 10000 } });
  const probe = await connect(S);
  try {
    assert.equal((await ok(getLock(a, 'attn', 'Update', 0))).returnStatus, 0);
    // b waits for ever for Exclusive
    const waiting = new Promise((resolve) => {
      const req = new Request('DECLARE @r int; EXEC @r = sp_getapplock N\'attn\', \'Exclusive\', \'Session\', -1; SELECT @r',
        (err) => resolve(err));
      b.execSqlBatch(req);
      b.__req = req;
    });
    // once it is queued, a Shared request (which fits the granted Update)
    // yields to it and fails at once
    let queued = false;
    for (let i = 0; i < 3000 && !queued; i++) {
      const st = (await ok(getLock(probe, 'attn', 'Shared', 0))).returnStatus;
      if (st === -1) queued = true;
      else {
        await ok(callProc(probe, 'sp_releaseapplock', [['Resource', TYPES.NVarChar, 'attn', { length: 255 }],
          ['LockOwner', TYPES.VarChar, 'Session', { length: 32 }]]));
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    assert.ok(queued, 'the waiter got queued');
    b.__req.cancel();
    const err = await waiting;
    assert.ok(err, 'the cancelled call reports an error');
    assert.equal(err.code, 'ECANCEL');
    // nothing granted to b; its connection works; the queue is empty again
    assert.equal(await scalar(b, "SELECT APPLOCK_MODE('public', N'attn', 'Session')"), 'NoLock');
    assert.equal((await ok(getLock(probe, 'attn', 'Shared', 0))).returnStatus, 0);
  } finally {
    await close(a);
    await close(b);
    await close(probe);
  }
});
