"""End to end: `sluice sync` with `capture: cdc` against tdslite's CDC.

Randomized DML over many runs; after every run, replaying what landed (the
last full load, then every later change in (__$start_lsn, __$seqval,
__$operation) order, the latest row per key, deletes applied, op 3 images
skipped) must reproduce the source table exactly (DuckDB reads the
Parquet files), for all changes and for net changes. Each change lands
once: no (key, start_lsn, seqval, operation) appears twice, and the runs
chain (each starts where the previous one ended). Also: a capture-instance
switch in the middle of the stream (§B7), retention overtaking a stopped
sync (full reload with a warning), and `capture: auto`.

The server runs with --cdc-capture-delay-ms 0; the test captures with
`EXEC tdslite.cdc_capture`, so what each run sees is deterministic. These
tests need tdslite (its capture procedure and clock) and skip on a real
server. SLUICE_E2E_SEED=N replays one seed.
"""
import json
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sync_harness import (SLUICE, Source, Tmp, check_no_orphans, committed_files, duck, history,  # noqa: E402
                          norm, run_tests, source_rows, sql_expr, summary_row, watermark)

SEED = int(os.environ.get("SLUICE_E2E_SEED") or random.randrange(1 << 30))
ROUNDS = int(os.environ.get("SLUICE_E2E_ROUNDS") or 6)
ARGS = ["--cdc-capture-delay-ms", "0"]
SRC = None
DDL = ("id int NOT NULL PRIMARY KEY, qty int NULL, note nvarchar(40) NULL, "
       "amount decimal(12,2) NULL")
COLS = [("id", "int"), ("qty", "int"), ("note", "str"), ("amount", "dec")]
KEYS = 300
HOOKS = {"SLUICE_TEST_BATCH_ROWS": "16", "SLUICE_TEST_MAX_FILE_ROWS": "50"}


def cdc_db(src, prefix):
    db = src.new_db(prefix, ct=False)
    src.sql("EXEC sys.sp_cdc_enable_db", db)
    return db


def cdc_table(src, db, table, instance=None, ddl=DDL):
    src.sql("CREATE TABLE dbo.[%s] (%s)" % (table, ddl), db)
    enable(src, db, table, instance or "dbo_" + table)


def enable(src, db, table, instance):
    src.sql("EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'%s', "
            "@role_name = NULL, @supports_net_changes = 1, @capture_instance = N'%s'"
            % (table, instance), db)


def capture(src, db):
    src.sql("EXEC tdslite.cdc_capture @database_name = N'%s'" % db)


def value_sql(rng, i):
    def nul(s):
        return "NULL" if rng.random() < 0.1 else s
    return "(%d, %s, %s, %s)" % (i, nul(str(rng.randrange(-1000, 1000))),
                                 nul("N'n%d'" % rng.randrange(1000)),
                                 nul("%d.%02d" % (rng.randrange(-9999, 9999), rng.randrange(100))))


def dml(src, rng, db, table, ntx):
    """ntx random transactions (some rolled back); inserts, updates, deletes,
    delete-and-reinsert of a key, primary-key updates."""
    conn = src.connect(db, autocommit=False)
    try:
        for _ in range(ntx):
            cur = conn.cursor()
            cur.execute("SELECT id FROM dbo.[%s]" % table)
            ids = set(r[0] for r in cur.fetchall())
            for _ in range(rng.randrange(1, 5)):
                free = [i for i in range(1, KEYS) if i not in ids]
                k = rng.random()
                if k < 0.35 and free:
                    new = rng.sample(free, min(len(free), rng.randrange(1, 6)))
                    cur.execute("INSERT INTO dbo.[%s] (id, qty, note, amount) VALUES %s"
                                % (table, ", ".join(value_sql(rng, i) for i in new)))
                    ids.update(new)
                elif k < 0.65 and ids:
                    i = rng.choice(sorted(ids))
                    cur.execute("UPDATE dbo.[%s] SET qty = %d, note = N'u%d' WHERE id = %d"
                                % (table, rng.randrange(1000), rng.randrange(100), i))
                elif k < 0.8 and ids:
                    gone = rng.sample(sorted(ids), min(len(ids), rng.randrange(1, 4)))
                    cur.execute("DELETE FROM dbo.[%s] WHERE id IN (%s)"
                                % (table, ", ".join(map(str, gone))))
                    ids.difference_update(gone)
                elif k < 0.9 and ids:
                    i = rng.choice(sorted(ids))
                    cur.execute("DELETE FROM dbo.[%s] WHERE id = %d" % (table, i))
                    cur.execute("INSERT INTO dbo.[%s] (id, qty, note, amount) VALUES %s" % (table, value_sql(rng, i)))
                elif ids and free:
                    i, j = rng.choice(sorted(ids)), rng.choice(free)
                    cur.execute("UPDATE dbo.[%s] SET id = %d WHERE id = %d" % (table, j, i))
                    ids.discard(i)
                    ids.add(j)
            if rng.random() < 0.1:
                conn.rollback()
            else:
                conn.commit()
    finally:
        conn.close()


def flist(root, db, table):
    return ", ".join("'%s'" % os.path.join(root, f) for f in committed_files(root, db, table))


def replay(root, db, table, cols=COLS):
    """The latest change per key in LSN order since the last full load; op 1 removes."""
    files = flist(root, db, table)
    if not files:
        return {}
    sel = ", ".join("%s AS c%d" % (sql_expr(c, k), i) for i, (c, k) in enumerate(cols))
    rows = duck('SELECT %s, "__$operation" AS op FROM ('
                ' SELECT *, row_number() OVER (PARTITION BY id ORDER BY "__$start_lsn" DESC,'
                ' "__$seqval" DESC NULLS LAST, "__$operation" DESC) AS rn'
                ' FROM read_parquet([%s], union_by_name = true) WHERE "__$operation" <> 3)'
                ' WHERE rn = 1' % (sel, files))
    out = {}
    for r in rows:
        if r["op"] == 1:
            continue
        vals = tuple(norm(cols[i][1], r["c%d" % i]) for i in range(len(cols)))
        out[vals[0]] = vals
    return out


def assert_replay(src, root, db, table, cols=COLS):
    got, want = replay(root, db, table, cols), source_rows(src, db, table, "id", cols)
    if got != want:
        raise AssertionError("replay of %s.%s differs: %d landed vs %d; missing %s; extra %s; "
                             "different %s" % (db, table, len(got), len(want),
                                               sorted(set(want) - set(got))[:8],
                                               sorted(set(got) - set(want))[:8],
                                               [(want[k], got[k]) for k in want
                                                if k in got and got[k] != want[k]][:5]))


def assert_once(root, db, table):
    """Runs chain without gaps or overlaps, and no change lands twice."""
    h = [e for e in history(root, db, table) if e["status"] == "ok"]
    start = max([i for i, e in enumerate(h) if e["mode"] == "full"] or [0])
    for prev, cur in zip(h[start:], h[start + 1:]):
        assert cur["from"] == prev["to"], ("runs do not chain", prev, cur)
    files = flist(root, db, table)
    if not files:
        return
    dup = duck('SELECT CAST(id AS VARCHAR) AS k, hex("__$start_lsn") AS l, hex("__$seqval") AS s,'
               ' "__$operation" AS o, count(*) AS n FROM read_parquet([%s], union_by_name = true)'
               ' GROUP BY ALL HAVING count(*) > 1' % files)
    assert dup == [], "changes landed twice: %s" % dup[:5]


def sync(src, cfg, table_name, expect_plan=None):
    p = src.sluice("sync", "--config", cfg, env=HOOKS, check=0)
    row = summary_row(p.out, table_name)
    assert row["status"] == "ok", (p.out, p.err)
    if expect_plan:
        assert row["plan"] == expect_plan, (row, p.err)
    return p, row


def random_rounds(mode, update_before):
    rng = random.Random(SEED + (1 if mode == "net" else 0))
    db = cdc_db(SRC, mode)
    cdc_table(SRC, db, "t")
    dml(SRC, rng, db, "t", 15)
    capture(SRC, db)
    spec = {"capture": "cdc", "cdc_mode": mode}
    if update_before:
        spec["cdc_update_before"] = True
    with Tmp("cdc" + mode) as w:
        root = os.path.join(w, "lake")
        cfg = SRC.config(w, {db: {"t": spec}})
        name = "%s.dbo.t" % db
        for rnd in range(ROUNDS):
            # Some changes are committed but not captured yet when the run reads:
            # they must arrive in a later run, exactly once.
            dml(SRC, rng, db, "t", rng.randrange(3, 12))
            if rnd % 2 == 0:
                capture(SRC, db)
            p, row = sync(SRC, cfg, name, "full" if rnd == 0 else "incremental")
            capture(SRC, db)
            sync(SRC, cfg, name, "incremental")
            assert_replay(SRC, root, db, "t")
            assert_once(root, db, "t")
            check_no_orphans(root, db, "t")
        wm = watermark(root, db, "t")
        assert len(wm["position"]["start_lsn"]) == 20, wm
        ops = duck('SELECT DISTINCT "__$operation" AS o FROM read_parquet([%s]) ORDER BY 1'
                   % flist(root, db, "t"))
        got = [r["o"] for r in ops]
        if update_before:
            assert 3 in got and 4 in got, got
        else:
            assert 3 not in got, got
        return root


def test_all_changes_random():
    print("seed %d, %d rounds" % (SEED, ROUNDS), flush=True)
    random_rounds("all", True)


def test_net_changes_random():
    random_rounds("net", False)


def test_instance_switch():
    """Changes before the new instance's start come from the old one, the rest
    from the new one (which also brings the added column); none twice."""
    rng = random.Random(SEED + 2)
    db = cdc_db(SRC, "switch")
    cdc_table(SRC, db, "s", "dbo_s_v1")
    dml(SRC, rng, db, "s", 10)
    capture(SRC, db)
    with Tmp("switch") as w:
        root = os.path.join(w, "lake")
        cfg = SRC.config(w, {db: {"s": {"capture": "cdc"}}})
        name = "%s.dbo.s" % db
        sync(SRC, cfg, name, "full")
        dml(SRC, rng, db, "s", 8)
        capture(SRC, db)  # captured by v1 only
        SRC.sql("ALTER TABLE dbo.s ADD extra int NULL", db)
        enable(SRC, db, "s", "dbo_s_v2")
        dml(SRC, rng, db, "s", 8)
        SRC.sql("UPDATE dbo.s SET extra = id * 2", db)
        capture(SRC, db)  # v2 starts; both capture what follows
        dml(SRC, rng, db, "s", 6)
        capture(SRC, db)
        p, row = sync(SRC, cfg, name, "incremental")
        assert "up to the start of instance dbo_s_v2" in p.err, p.err
        assert_replay(SRC, root, db, "s")
        assert_once(root, db, "s")
        h = [e for e in history(root, db, "s") if e["status"] == "ok"]
        assert len(h) == 3, h  # full, the rest of v1, v2
        # After the switch the added column lands too.
        SRC.sql("EXEC sys.sp_cdc_disable_table @source_schema = N'dbo', @source_name = N's', "
                "@capture_instance = N'dbo_s_v1'", db)
        dml(SRC, rng, db, "s", 6)
        SRC.sql("UPDATE dbo.s SET extra = id * 3", db)
        capture(SRC, db)
        sync(SRC, cfg, name, "incremental")
        newest = [e for e in history(root, db, "s") if e["status"] == "ok"][-1]
        last = duck("SELECT count(*) AS n FROM read_parquet([%s]) WHERE extra IS NOT NULL"
                    % ", ".join("'%s'" % os.path.join(root, f) for f in newest["files"]))
        assert int(last[0]["n"]) > 0, last
        assert_replay(SRC, root, db, "s", COLS + [("extra", "int")])
        assert_once(root, db, "s")
        check_no_orphans(root, db, "s")


def test_retention_overtakes():
    """A sync stopped for longer than the retention reloads in full, with a warning."""
    src = Source(args=ARGS)
    try:
        rng = random.Random(SEED + 3)
        db = cdc_db(src, "ret")
        cdc_table(src, db, "r")
        dml(src, rng, db, "r", 8)
        capture(src, db)
        with Tmp("ret") as w:
            root = os.path.join(w, "lake")
            cfg = src.config(w, {db: {"r": {"capture": "cdc"}}})
            name = "%s.dbo.r" % db
            sync(src, cfg, name, "full")
            dml(src, rng, db, "r", 8)
            capture(src, db)
            src.sql("EXEC tdslite.advance_clock @minutes = 5000")
            dml(src, rng, db, "r", 4)
            capture(src, db)  # cleanup removes the changes the watermark still needs
            p, row = sync(src, cfg, name, "full")
            assert "full reload: CDC cleanup removed changes" in p.err, p.err
            assert_replay(src, root, db, "r")
            # incremental never reloads: it fails with a hint
            dml(src, rng, db, "r", 4)
            capture(src, db)
            src.sql("EXEC tdslite.advance_clock @minutes = 5000")
            dml(src, rng, db, "r", 2)
            capture(src, db)
            cfg2 = src.config(w, {db: {"r": {"capture": "cdc", "mode": "incremental"}}})
            p = src.sluice("sync", "--config", cfg2, env=HOOKS)
            assert p.returncode != 0, p.out
            assert "mode incremental never reloads" in p.out + p.err, p.out + p.err
    finally:
        src.close()


def test_auto_capture():
    """auto: CT when the table is tracked, else CDC, else an error with a hint."""
    db = cdc_db(SRC, "auto")
    SRC.sql("ALTER DATABASE [%s] SET CHANGE_TRACKING = ON" % db)
    cdc_table(SRC, db, "c")
    SRC.table(db, "k", DDL)  # change tracking
    SRC.sql("CREATE TABLE dbo.n (%s)" % DDL, db)  # neither
    SRC.sql("INSERT INTO dbo.c VALUES (1, 1, N'a', 1.00)", db)
    SRC.sql("INSERT INTO dbo.k VALUES (1, 1, N'a', 1.00)", db)
    capture(SRC, db)
    with Tmp("auto") as w:
        root = os.path.join(w, "lake")
        cfg = SRC.config(w, {db: {"c": None, "k": None, "n": None}})
        p = SRC.sluice("sync", "--config", cfg, env=HOOKS)
        assert summary_row(p.out, "%s.dbo.c" % db)["status"] == "ok", p.out + p.err
        assert summary_row(p.out, "%s.dbo.k" % db)["status"] == "ok", p.out + p.err
        assert summary_row(p.out, "%s.dbo.n" % db)["status"] == "failed", p.out + p.err
        assert "change tracking is not enabled on the table" in p.err, p.err
        assert "ALTER TABLE [dbo].[n] ENABLE CHANGE_TRACKING" in p.err, p.err
        assert watermark(root, db, "c")["position"]["start_lsn"]
        assert "version" in watermark(root, db, "k")["position"]


def test_unified_cursor():
    """unified with CDC: cursor.lsn / cursor.seqval in hex, no before-images;
    the latest envelope row per key by (lsn, seqval) reproduces the table."""
    rng = random.Random(SEED + 6)
    db = cdc_db(SRC, "uni")
    cdc_table(SRC, db, "u")
    dml(SRC, rng, db, "u", 10)
    capture(SRC, db)
    with Tmp("uni") as w:
        root = os.path.join(w, "lake")
        cfg = SRC.config(w, {db: {"u": {"capture": "cdc", "cdc_update_before": True}}},
                         storage={"output_format": "unified"})
        for rnd in range(4):
            sync(SRC, cfg, "%s.dbo.u" % db, "full" if rnd == 0 else "incremental")
            files = flist(root, db, "u")
            rows = duck("SELECT data, operation AS op, cursor.lsn AS l, cursor.seqval AS s,"
                        " cursor.version AS v FROM (SELECT *, row_number() OVER (PARTITION BY"
                        " json_extract(data, '$.id') ORDER BY cursor.lsn DESC, cursor.seqval DESC"
                        " NULLS LAST) AS rn FROM read_parquet([%s])) WHERE rn = 1" % files)
            got = {}
            for r in rows:
                assert r["v"] is None and len(r["l"]) == 20, r
                if r["op"] != "DELETE":
                    d = json.loads(r["data"])
                    got[str(d["id"])] = tuple(norm(k, d[c]) for c, k in COLS)
            assert got == source_rows(SRC, db, "u", "id", COLS), rnd
            n = duck("SELECT count(*) AS n FROM read_parquet([%s]) GROUP BY data, cursor.lsn,"
                     " cursor.seqval, operation HAVING count(*) > 1" % files)
            assert n == [], n
            dml(SRC, rng, db, "u", rng.randrange(3, 10))
            capture(SRC, db)


# -- jsonl -----------------------------------------------------------------------

def parse_lines(text):
    """Every line is one JSON object with the envelope's members in order."""
    out = []
    assert text == "" or text.endswith("\n"), text[-200:]
    for line in text.splitlines():
        o = json.loads(line)
        assert list(o) == ["before", "after", "source", "op", "ts_ms", "transaction"], line
        out.append(o)
    return out


def lsn_key(o):
    s = o["source"]
    return (s["commit_lsn"] or "", s["change_lsn"] or "")


def assert_commit_order(lines):
    keys = [lsn_key(o) for o in lines if o["op"] != "r"]
    assert keys == sorted(keys), "lines out of commit order"


def apply_lines(lines, state):
    for o in lines:
        if o["op"] == "d":
            state.pop(o["before"]["id"], None)
        else:
            state[o["after"]["id"]] = o["after"]
    return state


def as_rows(state):
    return {str(k): tuple(norm(kind, v[c]) for c, kind in COLS) for k, v in state.items()}


def cdc_changes(src, db, instance, after_hex, update_old=True):
    """(commit_lsn, change_lsn, op) of every change after after_hex, from SQL Server."""
    rows = src.sql("DECLARE @f binary(10) = sys.fn_cdc_increment_lsn(CONVERT(binary(10), '%s', 2));"
                   " DECLARE @t binary(10) = sys.fn_cdc_get_max_lsn();"
                   " SELECT __$start_lsn, __$seqval, __$operation FROM cdc.fn_cdc_get_all_changes_%s"
                   "(@f, @t, N'all') ORDER BY 1, 2, 3" % (after_hex, instance), db) or []

    def dbz(b):
        h = b.hex()
        return "%s:%s:%s" % (h[0:8], h[8:16], h[16:20])
    names = {1: "d", 2: "c", 4: "u"}
    return [(dbz(a), dbz(b), names[o]) for a, b, o in rows]


def test_jsonl_stream():
    """jsonl on stdout over several runs: every line parses, commit order, every
    change exactly once (against SQL Server's own list), replay equals the table."""
    rng = random.Random(SEED + 4)
    db = cdc_db(SRC, "jsonl")
    cdc_table(SRC, db, "j")
    dml(SRC, rng, db, "j", 10)
    capture(SRC, db)
    with Tmp("jsonl") as w:
        root = os.path.join(w, "lake")
        cfg = SRC.config(w, {db: {"j": {"capture": "cdc", "cdc_update_before": True}}},
                         storage={"output_format": "jsonl"})
        name = "%s.dbo.j" % db
        p = SRC.sluice("sync", "--config", cfg, env=HOOKS, check=0)
        assert name in p.err and "1 table(s): 1 ok" in p.err, p.err  # summary on stderr
        first = parse_lines(p.out)
        assert first and all(o["op"] == "r" and o["source"]["snapshot"] == "true" for o in first)
        full_lsn = watermark(root, db, "j")["position"]["start_lsn"]
        state = apply_lines(first, {})
        changes = []
        for _ in range(4):
            dml(SRC, rng, db, "j", rng.randrange(4, 12))
            capture(SRC, db)
            p = SRC.sluice("sync", "--config", cfg, env=HOOKS, check=0)
            lines = parse_lines(p.out)
            assert_commit_order(lines)
            for o in lines:
                assert o["source"]["snapshot"] == "false" and o["op"] in "cud", o
                if o["op"] == "u":
                    assert o["before"] is not None and o["before"]["id"] == o["after"]["id"], o
            changes += lines
            apply_lines(lines, state)
            assert as_rows(state) == source_rows(SRC, db, "j", "id", COLS)
        got = [(o["source"]["commit_lsn"], o["source"]["change_lsn"], o["op"]) for o in changes]
        assert got == cdc_changes(SRC, db, "dbo_j", full_lsn), "stream != the server's changes"
        assert len(set(got)) == len(got)


def test_jsonl_broken_pipe():
    """The reader goes away mid-stream: exit 3, the watermark covers only whole
    transactions, the next run sends the rest (the cut transaction again)."""
    rng = random.Random(SEED + 5)
    db = cdc_db(SRC, "pipe")
    cdc_table(SRC, db, "b")
    capture(SRC, db)
    with Tmp("pipe") as w:
        root = os.path.join(w, "lake")
        cfg = SRC.config(w, {db: {"b": {"capture": "cdc"}}}, storage={"output_format": "jsonl"})
        SRC.sluice("sync", "--config", cfg, env=HOOKS, check=0)  # empty full load
        wm0 = watermark(root, db, "b")["position"]["start_lsn"]
        conn = SRC.connect(db)
        cur = conn.cursor()
        for t in range(60):  # 60 transactions of 50 inserts: far more than a pipe holds
            cur.execute("INSERT INTO dbo.b (id, qty, note, amount) VALUES %s"
                        % ", ".join("(%d, %d, N'%s', 1.50)" % (t * 50 + i, i, "x" * 30)
                                    for i in range(50)))
        conn.close()
        capture(SRC, db)
        proc = subprocess.Popen([SLUICE, "sync", "--config", cfg], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=SRC.env(HOOKS))
        head = [proc.stdout.readline() for _ in range(75)]
        proc.stdout.close()  # the reader goes away
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=120) == 3, err
        assert "broken pipe" in err, err
        seen = parse_lines(b"".join(head).decode())
        wm1 = watermark(root, db, "b")["position"]["start_lsn"]
        assert wm1 != wm0, "whole transactions were written: the watermark moves"
        p = SRC.sluice("sync", "--config", cfg, env=HOOKS, check=0)
        rest = parse_lines(p.out)
        ids_rest = [o["after"]["id"] for o in rest]
        assert len(ids_rest) == len(set(ids_rest)), "a change twice in one run"
        # The watermark ends a transaction: every change after it comes again, none before.
        first_rest = rest[0]["source"]["commit_lsn"].replace(":", "").upper()
        assert first_rest > wm1, (first_rest, wm1)
        # Transaction t holds ids 50t..50t+49, committed in order: the lines we read are
        # ids 0..74; the next run starts at a transaction boundary at or after id 50 (the
        # lines between what we read and the cut sat in the pipe's buffer when it broke)
        # and brings every later transaction once.
        assert [o["after"]["id"] for o in seen] == list(range(75))
        k = ids_rest[0]
        assert k % 50 == 0 and k >= 50, k
        assert ids_rest == list(range(k, 3000)), ids_rest[:5]

def test_jsonl_change_tracking():
    """A Change Tracking table streams too: full load as op r with change_version,
    then c/u/d lines (d carries the key in before); replay equals the table."""
    rng = random.Random(SEED + 7)
    db = SRC.new_db("jct")
    SRC.table(db, "k", DDL)
    dml(SRC, rng, db, "k", 8)
    with Tmp("jct") as w:
        cfg = SRC.config(w, {db: {"k": None}}, storage={"output_format": "jsonl"})
        p = SRC.sluice("sync", "--config", cfg, env=HOOKS, check=0)
        lines = parse_lines(p.out)
        assert all(o["op"] == "r" and o["source"]["change_version"] is not None and
                   o["source"]["commit_lsn"] is None for o in lines), lines[:2]
        state = apply_lines(lines, {})
        for _ in range(3):
            dml(SRC, rng, db, "k", rng.randrange(3, 10))
            p = SRC.sluice("sync", "--config", cfg, env=HOOKS, check=0)
            lines = parse_lines(p.out)
            assert all(o["op"] in "cud" for o in lines), lines[:2]
            apply_lines(lines, state)
            assert as_rows(state) == source_rows(SRC, db, "k", "id", COLS)


if __name__ == "__main__":
    if os.environ.get("SLUICE_TEST_MSSQL"):
        print("skipped: needs tdslite (EXEC tdslite.cdc_capture, advance_clock)")
        print("0 passed, 0 failed")
        sys.exit(0)
    SRC = Source(args=ARGS)
    ONLY = os.environ.get("SLUICE_E2E_ONLY")
    try:
        run_tests([t for t in [test_all_changes_random, test_net_changes_random,
                               test_instance_switch, test_retention_overtakes, test_auto_capture,
                               test_jsonl_stream, test_jsonl_broken_pipe, test_unified_cursor,
                               test_jsonl_change_tracking]
                   if not ONLY or t.__name__ == ONLY])
    finally:
        SRC.close()
