"""tdslite conformance, CDC replay: random DML (inserts, updates of values
and of the primary key, deletes, delete + re-insert of one key, multi-row
statements) in random transactions, some rolled back, with capture cycles
in between. Replaying cdc.fn_cdc_get_all_changes_<ci>(min, max,
N'all update old') in (__$start_lsn, __$seqval, __$operation) order onto
the table as it was when the instance was created must give the table as
it is now; so must applying the net changes ('all' and 'all with merge').
Fixed seeds, so a failure reproduces.
"""

import os
import random
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdslite  # noqa: E402
from tdslite import last_rows as run  # noqa: E402

S = None
SEEDS = (1, 2, 3, 4, 5, 6)


def setUpModule():
    global S
    S = tdslite.Server(args=["--cdc-capture-delay-ms", "0"]).start()


def tearDownModule():
    if S:
        S.stop()


def table_state(cur):
    return {r[0]: tuple(r[1:]) for r in run(cur, "SELECT id, a, s FROM dbo.r ORDER BY id")}


class Workload:
    """Random statements against dbo.r(id PK, a int, s nvarchar(20)),
    tracking which keys exist so most statements touch real rows."""

    def __init__(self, seed, cur, assertions):
        self.rnd = random.Random(seed)
        self.cur = cur
        self.next_key = 1000
        self.failed = []
        self.assertions = assertions

    def keys(self):
        return [r[0] for r in run(self.cur, "SELECT id FROM dbo.r")]

    def statement(self):
        rnd = self.rnd
        keys = self.keys()
        k = rnd.choice(keys) if keys else None
        kind = rnd.choice(["ins", "ins", "ins_multi", "upd", "upd", "upd_multi", "pk", "pk_multi", "del",
                           "del_reins"])
        if kind == "ins" or k is None:
            self.next_key += 1
            return ["INSERT INTO dbo.r VALUES (%d, %d, N's%d')" % (self.next_key, rnd.randrange(100),
                                                                   rnd.randrange(100))]
        if kind == "ins_multi":
            vals = []
            for _ in range(rnd.randrange(2, 5)):
                self.next_key += 1
                vals.append("(%d, %d, NULL)" % (self.next_key, rnd.randrange(100)))
            return ["INSERT INTO dbo.r VALUES " + ", ".join(vals)]
        if kind == "upd":
            return ["UPDATE dbo.r SET a = %d WHERE id = %d" % (rnd.randrange(100), k)]
        if kind == "upd_multi":
            return ["UPDATE dbo.r SET a = a + 1, s = N'm%d' WHERE id %% 3 = %d" % (rnd.randrange(9),
                                                                                  rnd.randrange(3))]
        if kind == "pk":
            self.next_key += 1
            return ["UPDATE dbo.r SET id = %d WHERE id = %d" % (self.next_key, k)]
        if kind == "pk_multi":
            # shifts a range of keys onto each other (collapsed split update)
            lo = min(keys)
            return ["UPDATE dbo.r SET id = id + 1 WHERE id >= %d AND id < %d AND id + 1 NOT IN "
                    "(SELECT id FROM dbo.r WHERE id >= %d)" % (lo, lo + 3, lo + 3)]
        if kind == "del":
            return ["DELETE FROM dbo.r WHERE id = %d" % k]
        return ["DELETE FROM dbo.r WHERE id = %d" % k,
                "INSERT INTO dbo.r VALUES (%d, %d, N'again')" % (k, rnd.randrange(100))]

    def transaction(self):
        rnd = self.rnd
        stmts = []
        for _ in range(rnd.randrange(1, 5)):
            stmts += self.statement_safe()
        rollback = rnd.random() < 0.2
        run(self.cur, "BEGIN TRAN")
        for st in stmts:
            try:
                run(self.cur, st)
            except Exception as e:  # a key collision (2627) ends only the statement
                self.failed.append(tdslite.mssql_error(e).number)
        self.assertions.assertEqual(run(self.cur, "SELECT @@TRANCOUNT")[0][0], 1)
        run(self.cur, "ROLLBACK" if rollback else "COMMIT")

    def statement_safe(self):
        # statements are generated against the committed state; a later
        # statement of the same transaction may no longer match: harmless
        return self.statement()


class Replay(unittest.TestCase):
    def replay_seed(self, seed):
        conn = S.connect(autocommit=True)
        cur = conn.cursor()
        db = "cdcr%d" % seed
        run(cur, "CREATE DATABASE %s" % db)
        run(cur, "USE %s" % db)
        run(cur, "EXEC sys.sp_cdc_enable_db")
        run(cur, "CREATE TABLE dbo.r (id int PRIMARY KEY, a int, s nvarchar(20))")
        rnd = random.Random(seed * 7919)
        for i in range(1, 21):
            run(cur, "INSERT INTO dbo.r VALUES (%d, %d, N'i%d')" % (i, rnd.randrange(100), i))
        initial = table_state(cur)
        run(cur, "EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'r', @role_name = NULL")
        w = Workload(seed, cur, self)
        for t in range(40):
            w.transaction()
            if t % 13 == 5:
                run(cur, "EXEC tdslite.cdc_capture")
        run(cur, "EXEC tdslite.cdc_capture")
        self.assertEqual(set(w.failed) - {2627}, set(), "seed %d: only key collisions fail" % seed)
        final = table_state(cur)
        lo = run(cur, "SELECT sys.fn_cdc_get_min_lsn('dbo_r')")[0][0]
        hi = run(cur, "SELECT sys.fn_cdc_get_max_lsn()")[0][0]

        changes = run(cur, "SELECT __$start_lsn, __$seqval, __$operation, id, a, s FROM "
                           "cdc.fn_cdc_get_all_changes_dbo_r(%s, %s, N'all update old') "
                           "ORDER BY __$start_lsn, __$seqval, __$operation", (lo, hi))
        state = dict(initial)
        pending_old = None
        for lsn, seq, op, k, a, s in changes:
            if op == 1:
                self.assertEqual(state.pop(k), (a, s), "seed %d: delete of %r" % (seed, k))
            elif op == 2:
                self.assertNotIn(k, state, "seed %d: insert of existing %r" % (seed, k))
                state[k] = (a, s)
            elif op == 3:
                self.assertEqual(state.get(k), (a, s), "seed %d: old values of %r" % (seed, k))
                pending_old = (lsn, seq, k)
            else:
                # every 4 follows its 3 straight away (Debezium relies on it)
                self.assertEqual(pending_old, (lsn, seq, k), "seed %d" % seed)
                pending_old = None
                state[k] = (a, s)
        self.assertEqual(state, final, "seed %d: all changes replay" % seed)

        for opt in ("all", "all with merge"):
            net = run(cur, "SELECT __$operation, id, a, s FROM cdc.fn_cdc_get_net_changes_dbo_r(%%s, %%s, N'%s')"
                           % opt, (lo, hi))
            state = dict(initial)
            self.assertEqual(len({r[1] for r in net}), len(net), "one row per key")
            for op, k, a, s in net:
                if op == 1:
                    self.assertIn(k, state)
                    del state[k]
                elif op == 2:
                    self.assertNotIn(k, state)
                    state[k] = (a, s)
                elif op == 4:
                    self.assertIn(k, state)
                    state[k] = (a, s)
                else:
                    self.assertEqual(op, 5)
                    state[k] = (a, s)
            self.assertEqual(state, final, "seed %d: net changes (%s) replay" % (seed, opt))

        # windows: consecutive ranges joined with fn_cdc_increment_lsn give the same rows
        mids = [r[0] for r in run(cur, "SELECT start_lsn FROM cdc.lsn_time_mapping WHERE start_lsn > %s AND "
                                       "start_lsn < %s ORDER BY start_lsn", (lo, hi))]
        cut = mids[len(mids) // 2] if mids else lo
        first = run(cur, "SELECT __$start_lsn, __$seqval, __$operation FROM cdc.fn_cdc_get_all_changes_dbo_r"
                         "(%s, %s, N'all update old')", (lo, cut))
        nxt = run(cur, "SELECT sys.fn_cdc_increment_lsn(%s)", (cut,))[0][0]
        second = run(cur, "SELECT __$start_lsn, __$seqval, __$operation FROM cdc.fn_cdc_get_all_changes_dbo_r"
                          "(%s, %s, N'all update old')", (nxt, hi))
        self.assertEqual(sorted(first + second), sorted(r[:3] for r in changes))
        conn.close()

    def test_seeds(self):
        for seed in SEEDS:
            with self.subTest(seed=seed):
                self.replay_seed(seed)


if __name__ == "__main__":
    unittest.main()
