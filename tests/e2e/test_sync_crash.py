"""End to end: a sync killed at any point, then run again, loses nothing
and duplicates nothing.

sluice's test hook SLUICE_TEST_CRASH_AT kills the process with SIGKILL at
named points of a table's run (after N batches went to the sink, after the
files were published, after the watermark, after the history line, after
the manifest) and right after the N-th fsync (parts, directories, state
files); separately, a plain `kill -9` hits a running sync of a larger
table at random moments. After every crash a normal run must succeed, and
then: the replay of what landed equals the source table (DuckDB), every
file on disk belongs to exactly one ok run, the ok runs chain without gap
or overlap, and no key lands twice with one version.

SLUICE_E2E_SEED=N replays one seed.
"""
import os
import random
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sync_harness import (Source, Tmp, assert_replay_matches, check_exactly_once,  # noqa: E402
                          check_no_orphans, history, run_tests, summary_row)

SRC = Source()
SEED = int(os.environ.get("SLUICE_E2E_SEED") or random.randrange(1 << 30))
DDL = "id int NOT NULL PRIMARY KEY, v int NULL, s nvarchar(30) NULL"
COLS = [("id", "int"), ("v", "int"), ("s", "str")]
HOOKS = {"SLUICE_TEST_BATCH_ROWS": "5", "SLUICE_TEST_MAX_FILE_ROWS": "8"}
POINTS = (["batch:1", "batch:3", "finished", "watermark", "history", "manifest"]
          + ["fsync:%d" % n for n in range(1, 15)])


def changes(rng, db, table, n):
    rows = SRC.sql("SELECT id FROM dbo.%s" % table, db) or []
    ids = {r[0] for r in rows}
    conn = SRC.connect(db, autocommit=True)
    cur = conn.cursor()
    for _ in range(n):
        i = rng.randrange(1, 120)
        if i in ids and rng.random() < 0.3:
            cur.execute("DELETE FROM dbo.%s WHERE id = %d" % (table, i))
            ids.discard(i)
        elif i in ids:
            cur.execute("UPDATE dbo.%s SET v = %d, s = N'upd %d' WHERE id = %d"
                        % (table, rng.randrange(1000), rng.randrange(1000), i))
        else:
            cur.execute("INSERT INTO dbo.%s VALUES (%d, %d, N'ins')" % (table, i, rng.randrange(1000)))
            ids.add(i)
    conn.close()


def verify(root, db, table):
    assert_replay_matches(SRC, root, db, table, "id", COLS)
    check_no_orphans(root, db, table)
    check_exactly_once(root, db, table, "id")


def crash_then_recover(cfg, root, db, table, point):
    name = "%s.dbo.%s" % (db, table)
    env = dict(HOOKS, SLUICE_TEST_CRASH_AT=point)
    p = SRC.sluice("sync", "--config", cfg, env=env)
    crashed = p.returncode == -signal.SIGKILL
    assert crashed or p.returncode == 0, (point, p.returncode, p.out, p.err)
    if crashed:
        assert "test crash at %s" % point in p.err, (point, p.err)
    p = SRC.sluice("sync", "--config", cfg, env=HOOKS, check=0)
    assert summary_row(p.out, name)["status"] == "ok", p.out
    verify(root, db, table)
    return crashed


def test_crash_points():
    print("seed %d" % SEED, flush=True)
    rng = random.Random(SEED)
    db = SRC.new_db("crash")
    with Tmp("crash") as w:
        root = os.path.join(w, "lake")
        crashed = 0
        # First loads (no watermark yet): one fresh table per point.
        for k, point in enumerate(["batch:2", "finished", "watermark", "history", "fsync:3"]):
            table = "first%d" % k
            SRC.table(db, table, DDL)
            changes(rng, db, table, 30)
            cfg = SRC.config(w, {db: {table: None}}, name="first%d.yaml" % k)
            crashed += crash_then_recover(cfg, root, db, table, point)
        # Incremental runs of one table, crashed at every point in turn.
        SRC.table(db, "t", DDL)
        changes(rng, db, "t", 40)
        cfg = SRC.config(w, {db: {"t": None}})
        SRC.sluice("sync", "--config", cfg, env=HOOKS, check=0)
        for point in POINTS:
            changes(rng, db, "t", rng.randrange(10, 30))
            crashed += crash_then_recover(cfg, root, db, "t", point)
        # Every named point is reached; the highest fsync numbers may lie
        # beyond a short run's last fsync.
        assert crashed >= len(POINTS) - 4, "only %d of the runs reached their crash point" % crashed
        # A crash between storing the watermark and the history line was healed.
        runs = [e["run_id"] for e in history(root, db, "t") if e["status"] == "ok"]
        assert len(runs) == len(set(runs)), runs


def wait_for(proc, texts, timeout=60):
    """Read proc's stderr until one of texts shows up (or it exits)."""
    import select
    deadline = time.monotonic() + timeout
    seen = b""
    while not any(t in seen for t in texts) and time.monotonic() < deadline:
        r, _, _ = select.select([proc.stderr], [], [], 1)
        if r:
            chunk = os.read(proc.stderr.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
    return seen


def test_kill_9_during_big_sync():
    rng = random.Random(SEED + 1)
    db = SRC.new_db("kill")
    SRC.table(db, "big", DDL)
    for base in range(0, 20000, 1000):
        SRC.sql("INSERT INTO dbo.big VALUES %s" % ", ".join(
            "(%d, %d, N'row %d')" % (i, i % 97, i) for i in range(base + 1, base + 1001)), db)
    hooks = {"SLUICE_TEST_BATCH_ROWS": "200", "SLUICE_TEST_MAX_FILE_ROWS": "3000"}
    with Tmp("kill") as w:
        root = os.path.join(w, "lake")
        cfg = SRC.config(w, {db: {"big": None}})
        kills = 0
        for attempt in range(6):
            if attempt > 0:  # thousands of changes for the incremental runs to chew on
                SRC.sql("UPDATE dbo.big SET v = v + 1 WHERE id %% 3 = %d" % (attempt % 3), db)
                SRC.sql("DELETE FROM dbo.big WHERE id %% 23 = %d" % attempt, db)
            # A pause at a random batch keeps the run alive however fast the
            # machine is, so the kill always lands inside the run.
            pause = {"SLUICE_TEST_PAUSE_AT": "batch:%d" % rng.randint(1, 8),
                     "SLUICE_TEST_PAUSE_MS": "10000"}
            proc = SRC.spawn("sync", "--config", cfg, env=dict(hooks, **pause))
            # Kill once the plan is made (reading and writing follow), at a
            # random moment of the next fraction of a second.
            wait_for(proc, (b"] full:", b"] incremental:"))
            time.sleep(rng.uniform(0.0, 0.08))
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=60)
            kills += proc.returncode == -signal.SIGKILL
            # The killed process's server session holds the table's session
            # applock until the server notices the dead connection (SQL
            # Server too); meanwhile a run rightly skips the table. Rerun
            # until the lock is gone, then the run must land everything.
            deadline = time.monotonic() + 30
            while True:
                p = SRC.sluice("sync", "--config", cfg, env=hooks, check=0)
                status = summary_row(p.out, "%s.dbo.big" % db)["status"]
                if status != "skipped" or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            assert status == "ok", p.out
            verify(root, db, "big")
        print("%d of 6 syncs were killed while running" % kills)
        assert kills == 6, "only %d of 6 syncs were still running when killed" % kills


if __name__ == "__main__":
    try:
        run_tests([test_crash_points, test_kill_9_during_big_sync])
    finally:
        SRC.close()
