"""End to end: randomized DML over many sync runs; after every run,
replaying what landed (the last full load, then every later change, the
latest row per key by SYS_CHANGE_VERSION, deletes applied) must reproduce
each source table exactly (checked with DuckDB), with no file left that no
run claims.

The DML mixes inserts, updates, deletes, delete-and-reinsert of one key in
one transaction, primary-key updates (CT reports them as a delete plus an
insert), multi-statement transactions and rolled-back ones; some rounds
run it while the sync is reading, which the SNAPSHOT transaction must make
harmless (those changes land in the next run). Two workers, small batches
and small Parquet parts exercise the pool and part rolling.

SLUICE_E2E_SEED=N replays one seed; SLUICE_E2E_ROUNDS sets the rounds.
"""
import os
import random
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sync_harness import (Source, Tmp, assert_replay_matches, check_no_orphans, run_tests,  # noqa: E402
                          summary_row)

SRC = Source()
SEED = int(os.environ.get("SLUICE_E2E_SEED") or random.randrange(1 << 30))
ROUNDS = int(os.environ.get("SLUICE_E2E_ROUNDS") or 8)
DDL = ("id int NOT NULL PRIMARY KEY, qty int NULL, note nvarchar(40) NULL, "
       "amount decimal(12,2) NULL, flag bit NULL")
COLS = [("id", "int"), ("qty", "int"), ("note", "str"), ("amount", "dec"), ("flag", "bool")]
KEYS = 400
WORDS = ["alpha", "β-beta", "gamma", "δέλτα", "茶", "🍵 tea", "", "O'Brien", "x" * 40]


def value_sql(rng, i):
    def nul(s):
        return "NULL" if rng.random() < 0.1 else s
    note = rng.choice(WORDS).replace("'", "''")
    return "(%d, %s, %s, %s, %s)" % (
        i, nul(str(rng.randrange(-1000, 1000))), nul("N'%s'" % note),
        nul("%d.%02d" % (rng.randrange(-99999, 99999), rng.randrange(100))), nul(str(rng.randrange(2))))


def existing(db, table):
    return [r[0] for r in SRC.sql("SELECT id FROM dbo.%s" % table, db) or []]


def one_transaction(rng, conn, table, ids):
    """Random statements in one transaction; ids is the live key set (kept in step)."""
    cur = conn.cursor()
    for _ in range(rng.randrange(1, 5)):
        kind = rng.random()
        free = [i for i in range(1, KEYS) if i not in ids]
        if kind < 0.35 and free:
            new = rng.sample(free, min(len(free), rng.randrange(1, 6)))
            cur.execute("INSERT INTO dbo.%s VALUES %s" % (table, ", ".join(value_sql(rng, i) for i in new)))
            ids.update(new)
        elif kind < 0.6 and ids:
            i = rng.choice(sorted(ids))
            cur.execute("UPDATE dbo.%s SET qty = %d, note = N'u%d' WHERE id = %d"
                        % (table, rng.randrange(1000), rng.randrange(100), i))
        elif kind < 0.75 and ids:
            gone = rng.sample(sorted(ids), min(len(ids), rng.randrange(1, 4)))
            cur.execute("DELETE FROM dbo.%s WHERE id IN (%s)" % (table, ", ".join(map(str, gone))))
            ids.difference_update(gone)
        elif kind < 0.85 and ids:
            i = rng.choice(sorted(ids))  # delete and re-insert one key
            cur.execute("DELETE FROM dbo.%s WHERE id = %d" % (table, i))
            cur.execute("INSERT INTO dbo.%s VALUES %s" % (table, value_sql(rng, i)))
        elif ids and free:
            i, j = rng.choice(sorted(ids)), rng.choice(free)  # primary-key update
            cur.execute("UPDATE dbo.%s SET id = %d WHERE id = %d" % (table, j, i))
            ids.discard(i)
            ids.add(j)


def dml_round(rng, db, tables, ntx):
    conn = SRC.connect(db, autocommit=False)
    try:
        for _ in range(ntx):
            table = rng.choice(tables)
            ids = set(existing(db, table))
            before = set(ids)
            one_transaction(rng, conn, table, ids)
            if rng.random() < 0.1:
                conn.rollback()
                ids.clear()
                ids.update(before)
            else:
                conn.commit()
    finally:
        conn.close()


def test_random_dml_replays_exactly():
    print("seed %d, %d rounds" % (SEED, ROUNDS), flush=True)
    rng = random.Random(SEED)
    db = SRC.new_db("rand")
    tables = ["t1", "t2", "t3"]
    for t in tables:
        SRC.table(db, t, DDL)
    dml_round(rng, db, tables, 20)
    hooks = {"SLUICE_TEST_BATCH_ROWS": "16", "SLUICE_TEST_MAX_FILE_ROWS": "40"}
    with Tmp("rand") as w:
        root = os.path.join(w, "lake")
        cfg = SRC.config(w, {db: {t: None for t in tables}}, parallelism=2)
        for rnd in range(ROUNDS):
            concurrent = rnd % 3 == 1
            worker = None
            if concurrent:
                worker = threading.Thread(target=dml_round, args=(random.Random(rng.random()), db,
                                                                  tables, 15))
                worker.start()
            p = SRC.sluice("sync", "--config", cfg, env=hooks, check=0)
            if worker:
                worker.join()
                # What raced the snapshot lands now.
                p = SRC.sluice("sync", "--config", cfg, env=hooks, check=0)
            for t in tables:
                row = summary_row(p.out, "%s.dbo.%s" % (db, t))
                assert row["status"] == "ok", (rnd, p.out, p.err)
                assert row["plan"] == ("full" if rnd == 0 else "incremental"), (rnd, row)
                assert_replay_matches(SRC, root, db, t, "id", COLS)
                check_no_orphans(root, db, t)
            dml_round(rng, db, tables, rng.randrange(5, 25))


if __name__ == "__main__":
    try:
        run_tests([test_random_dml_replays_exactly])
    finally:
        SRC.close()
