"""End to end: what `sluice` says when something is wrong, and that one
table's failure never stops the others.

Covers: bad configurations (exit 2, message naming the key and its line),
usage errors, a wrong password (exit 1, SQL Server's 18456 with a hint, the
password nowhere in output or state), a missing table, a table without a
primary key, change tracking off for the database or the table, `check`
for each of these, two concurrent processes (the second skips the locked
table), and `export`.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sync_harness import (Source, Tmp, check_no_orphans, duck, history, run_tests,  # noqa: E402
                          summary_row, watermark)

SRC = Source()


def read_tree(root):
    out = []
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            if not n.endswith(".parquet"):
                with open(p, "rb") as f:
                    out.append(f.read().decode("utf-8", "replace"))
    return "\n".join(out)


def test_bad_configs():
    with Tmp("cfg") as w:
        bad = os.path.join(w, "bad.yaml")
        with open(bad, "w") as f:
            f.write("connection:\n  server: 127.0.0.1\nstorage:\n  root: ./lake\n"
                    "  compresion: zstd\ndatabases:\n  shop:\n    schemas:\n      dbo:\n"
                    "        tables:\n          orders: full\n")
        for cmd in ("sync", "check", "status"):
            p = SRC.sluice(cmd, "--config", bad, check=2)
            assert 'error: unknown key "compresion" in storage (' in p.err, p.err
            assert 'bad.yaml line 5)' in p.err, p.err
            assert 'hint: did you mean "parquet_compression"?' in p.err, p.err
        with open(bad, "w") as f:
            f.write("databases:\n  shop:\n    schemas:\n      dbo:\n        tables:\n"
                    "          orders: { mode: fast }\n")
        p = SRC.sluice("sync", "--config", bad, check=2)
        assert 'invalid value "fast" for databases.shop.schemas.dbo.tables.orders.mode' in p.err, p.err
        assert "line 6" in p.err, p.err
        p = SRC.sluice("sync", "--config", os.path.join(w, "nope.yaml"), check=2)
        assert "nope.yaml" in p.err, p.err
        p = SRC.sluice("sync", check=2)
        assert "--config FILE is required" in p.err, p.err
        p = SRC.sluice("sync", "--config", bad, "--workers", "0", check=2)
        assert "--workers must be a number from 1 to 64" in p.err, p.err
        p = SRC.sluice("frobnicate", check=2)
        assert 'unknown command "frobnicate"' in p.err, p.err
        good = SRC.config(w, {"shop": {"orders": None}})
        p = SRC.sluice("sync", "--config", good, "--tables", "shop.dbo.nosuch", check=2)
        assert "shop.dbo.nosuch" in p.err, p.err
        for cmd in ("sync", "check", "status", "export"):
            p = SRC.sluice(cmd, "--help", check=0)
            assert p.out.startswith("usage: sluice %s" % cmd), p.out
        p = SRC.sluice("--version", check=0)
        assert p.out.startswith("sluice 0."), p.out


def test_wrong_password_and_missing_objects():
    db = SRC.new_db("err")
    nodb = SRC.new_db("noct", ct=False)
    SRC.table(db, "good", "id int NOT NULL PRIMARY KEY, v int NULL")
    SRC.table(db, "nokey", "id int NULL, v int NULL", track=False)
    SRC.table(db, "untracked", "id int NOT NULL PRIMARY KEY", track=False)
    SRC.table(nodb, "t", "id int NOT NULL PRIMARY KEY", track=False)
    SRC.sql("INSERT INTO dbo.good VALUES (1, 1)", db)
    with Tmp("err") as w:
        root = os.path.join(w, "lake")
        tables = {db: {"good": None, "missing": None, "nokey": None, "untracked": None},
                  nodb: {"t": None}}
        cfg = SRC.config(w, tables, parallelism=2)
        p = SRC.sluice("sync", "--config", cfg, check=1)
        assert summary_row(p.out, "%s.dbo.good" % db)["status"] == "ok", p.out
        for t in ("missing", "nokey", "untracked"):
            assert summary_row(p.out, "%s.dbo.%s" % (db, t))["status"] == "failed", p.out
        assert summary_row(p.out, "%s.dbo.t" % nodb)["status"] == "failed", p.out
        err = p.err
        assert ("[%s.dbo.missing] error: table %s.dbo.missing does not exist in database %s"
                % (db, db, db)) in err, err
        assert "[%s.dbo.nokey] error: table %s.dbo.nokey has no primary key" % (db, db) in err, err
        assert "hint: change tracking requires a primary key; add one, or use mode: full" in err, err
        assert ("[%s.dbo.untracked] error: table %s.dbo.untracked: change tracking is not enabled "
                "on the table" % (db, db)) in err, err
        assert "ALTER TABLE [dbo].[untracked] ENABLE CHANGE_TRACKING" in err, err
        assert ("error: table %s.dbo.t: change tracking is not enabled on database %s" % (nodb, nodb)) in err
        assert [e["status"] for e in history(root, db, "missing")] == ["failed"]
        assert "does not exist" in history(root, db, "missing")[0]["error"]

        p = SRC.sluice("check", "--config", cfg, check=1)
        assert "%s.dbo.good (mode full_incremental)" % db in p.out, p.out
        assert "plan: incremental:" in p.out, p.out
        assert "  error: table [dbo].[missing] does not exist" in p.out, p.out
        assert "  error: the table has no primary key" in p.out, p.out
        assert "change tracking: on for database %s, off for the table" % db in p.out, p.out
        assert "change tracking: off for database %s" % nodb in p.out, p.out
        assert 'password: "***"' in p.out and SRC.password not in p.out, p.out

        # Wrong password: 18456 at once (no retries), a hint, and the
        # password appears nowhere.
        secret = "Wr0ng-Secret-xyz"
        p = SRC.sluice("sync", "--config", cfg, "--tables", "%s.dbo.good" % db,
                       env={"SLUICE_E2E_PASSWORD": secret}, check=1)
        assert "Login failed for user" in p.err, p.err
        assert "hint: check connection.user and connection.password" in p.err, p.err
        assert "transient" not in p.err, p.err
        h = history(root, db, "good")
        assert h[-1]["status"] == "failed" and "Login failed" in h[-1]["error"], h[-1]
        for text in (p.out, p.err, read_tree(w)):
            assert secret not in text and SRC.password not in text
        p = SRC.sluice("check", "--config", cfg, env={"SLUICE_E2E_PASSWORD": secret}, check=1)
        assert "Login failed for user" in p.out and secret not in p.out, p.out


def wait_for(proc, text, timeout=30):
    """Read proc's stderr until text shows up."""
    import select
    import time
    deadline = time.monotonic() + timeout
    seen = b""
    while text not in seen and time.monotonic() < deadline:
        r, _, _ = select.select([proc.stderr], [], [], 1)
        if r:
            seen += os.read(proc.stderr.fileno(), 4096)
    assert text in seen, seen


def test_permissions():
    """A login with SELECT but without VIEW CHANGE TRACKING: sync says which
    grant is missing (not "tracking is off"), check shows it; with the
    grant the same login syncs."""
    db = SRC.new_db("perm")
    SRC.table(db, "t", "id int NOT NULL PRIMARY KEY, v int NULL")
    SRC.sql("INSERT INTO dbo.t VALUES (1, 1)", db)
    login, pw = db + "_reader", "Reader_Pw_1234!"
    SRC.sql("CREATE LOGIN [%s] WITH PASSWORD = '%s'" % (login, pw))
    try:
        SRC.sql("CREATE USER [%s] FOR LOGIN [%s]" % (login, login), db)
        SRC.sql("GRANT SELECT ON dbo.t TO [%s]" % login, db)
        with Tmp("perm") as w:
            cfg = SRC.config(w, {db: {"t": None}}, user=login)
            env = {"SLUICE_E2E_PASSWORD": pw}
            p = SRC.sluice("sync", "--config", cfg, env=env, check=1)
            assert "the login may not read its change tracking data" in p.err, p.err
            assert "GRANT VIEW CHANGE TRACKING ON [dbo].[t]" in p.err, p.err
            p = SRC.sluice("check", "--config", cfg, env=env, check=1)
            assert "permissions: SELECT yes, VIEW CHANGE TRACKING no" in p.out, p.out
            SRC.sql("GRANT VIEW CHANGE TRACKING ON dbo.t TO [%s]" % login, db)
            p = SRC.sluice("check", "--config", cfg, env=env, check=0)
            assert "permissions: SELECT yes, VIEW CHANGE TRACKING yes" in p.out, p.out
            p = SRC.sluice("sync", "--config", cfg, env=env, check=0)
            assert summary_row(p.out, "%s.dbo.t" % db)["rows"] == 1, p.out
    finally:
        try:
            SRC.sql("DROP USER [%s]" % login, db)
        finally:
            SRC.sql("DROP LOGIN [%s]" % login)


def test_concurrent_processes():
    db = SRC.new_db("conc")
    for t in ("a", "b"):
        SRC.table(db, t, "id int NOT NULL PRIMARY KEY, v int NULL")
        SRC.sql("INSERT INTO dbo.%s VALUES (1, 1), (2, 2), (3, 3)" % t, db)
    with Tmp("conc") as w:
        root = os.path.join(w, "lake")
        cfg = SRC.config(w, {db: {"a": None, "b": None}})
        first = SRC.spawn("sync", "--config", cfg, "--tables", "%s.dbo.a" % db,
                          env={"SLUICE_TEST_PAUSE_AT": "batch:1", "SLUICE_TEST_PAUSE_MS": "4000",
                               "SLUICE_TEST_BATCH_ROWS": "1"})
        wait_for(first, b"test pause")  # it holds a's lock from now on
        p = SRC.sluice("sync", "--config", cfg, check=0)
        row = summary_row(p.out, "%s.dbo.a" % db)
        assert row["status"] == "skipped", p.out
        assert summary_row(p.out, "%s.dbo.b" % db)["status"] == "ok", p.out
        assert "is being synced by pid %d" % first.pid in p.err, p.err
        out, err = first.communicate(timeout=60)
        assert first.returncode == 0, (out, err)
        assert summary_row(out.decode(), "%s.dbo.a" % db)["rows"] == 3
        assert [e["status"] for e in history(root, db, "a")] == ["ok"]
        check_no_orphans(root, db, "a")
        # The manifest holds both tables although each process wrote only one.
        with open(os.path.join(root, "output.yaml")) as f:
            manifest = f.read()
        assert manifest.count("files:\n      - ") == 2, manifest

    # Two "machines": separate storage roots, so no shared flock; the
    # application lock on the source database keeps them apart.
    with Tmp("conc1") as w1, Tmp("conc2") as w2:
        cfg1 = SRC.config(w1, {db: {"a": None}})
        cfg2 = SRC.config(w2, {db: {"a": None, "b": None}})
        first = SRC.spawn("sync", "--config", cfg1,
                          env={"SLUICE_TEST_PAUSE_AT": "batch:1", "SLUICE_TEST_PAUSE_MS": "4000",
                               "SLUICE_TEST_BATCH_ROWS": "1"})
        wait_for(first, b"test pause")
        p = SRC.sluice("sync", "--config", cfg2, check=0)
        assert summary_row(p.out, "%s.dbo.a" % db)["status"] == "skipped", p.out
        assert summary_row(p.out, "%s.dbo.b" % db)["status"] == "ok", p.out
        assert "application lock sluice:dbo.a is held in database %s" % db in p.err, p.err
        assert history(os.path.join(w2, "lake"), db, "a") == []
        out, err = first.communicate(timeout=60)
        assert first.returncode == 0, (out, err)
        # Released at the end of the run: the second root can sync it now.
        p = SRC.sluice("sync", "--config", cfg2, check=0)
        assert summary_row(p.out, "%s.dbo.a" % db)["status"] == "ok", p.out


def test_transient_retries():
    """A dropped connection is retried with backoff on a new connection; a
    table whose every attempt drops fails alone, with one history line;
    when the fault clears between attempts, the retry lands the table."""
    if SRC.real:
        print("skip test_transient_retries: needs tdslite.set_fault")
        return
    db = SRC.new_db("retry")
    SRC.table(db, "small", "id int NOT NULL PRIMARY KEY")
    SRC.table(db, "big", "id int NOT NULL PRIMARY KEY, v int NULL")
    SRC.sql("INSERT INTO dbo.small VALUES (1), (2), (3)", db)
    SRC.sql("INSERT INTO dbo.big VALUES %s" % ", ".join("(%d, %d)" % (i, i) for i in range(1, 201)), db)
    with Tmp("retry") as w:
        root = os.path.join(w, "lake")
        cfg = SRC.config(w, {db: {"small": None, "big": None}})
        SRC.sql("EXEC tdslite.set_fault N'drop_after_rows', 50")
        try:
            p = SRC.sluice("sync", "--config", cfg, env={"SLUICE_TEST_RETRY_MS": "10"}, check=1)
        finally:
            SRC.sql("EXEC tdslite.set_fault N'drop_after_rows', 0")
        assert summary_row(p.out, "%s.dbo.small" % db)["status"] == "ok", p.out
        assert summary_row(p.out, "%s.dbo.big" % db)["status"] == "failed", p.out
        for n in (2, 3, 4):
            assert "transient, attempt %d of 4 in" % n in p.err, p.err
        assert "attempt 5" not in p.err, p.err
        h = history(root, db, "big")
        assert [e["status"] for e in h] == ["failed"], h
        assert data_files_of(root, db, "big") == [], "a failed run left files"

        # The fault clears while sluice waits before its second attempt.
        SRC.sql("EXEC tdslite.set_fault N'drop_after_rows', 50")
        proc = SRC.spawn("sync", "--config", cfg, "--tables", "%s.dbo.big" % db,
                         env={"SLUICE_TEST_RETRY_MS": "3000"})
        try:
            wait_for(proc, b"transient, attempt 2 of 4")
        finally:
            SRC.sql("EXEC tdslite.set_fault N'drop_after_rows', 0")
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, (out, err)
        row = summary_row(out.decode(), "%s.dbo.big" % db)
        assert (row["status"], row["rows"]) == ("ok", 200), out
        assert [e["status"] for e in history(root, db, "big")] == ["failed", "ok"]
        check_no_orphans(root, db, "big")


def data_files_of(root, db, table):
    from sync_harness import data_files
    return data_files(root, db, table, hidden=True)


def test_export():
    db = SRC.new_db("exp", ct=False)
    SRC.table(db, "t", "id int NOT NULL PRIMARY KEY, v nvarchar(10) NULL", track=False)
    SRC.sql("INSERT INTO dbo.t VALUES (1, N'a'), (2, NULL)", db)
    with Tmp("exp") as w:
        cfg = SRC.config(w, {db: {"t": None}})
        out = os.path.join(w, "out.parquet")
        qf = os.path.join(w, "q.sql")
        with open(qf, "w") as f:
            f.write("SELECT id, v FROM dbo.t ORDER BY id")
        p = SRC.sluice("export", "--config", cfg, "--database", db, "--query-file", qf,
                       "--output", out, check=0)
        assert p.out.strip() == "exported 2 rows to %s" % out, p.out
        got = duck("SELECT id, v FROM read_parquet('%s') ORDER BY id" % out)
        assert got == [{"id": 1, "v": "a"}, {"id": 2, "v": None}], got
        p = SRC.sluice("export", "--config", cfg, "--database", db, "--query", "SELECT * FROM dbo.nope",
                       "--output", out, check=1)
        assert "Invalid object name" in p.err, p.err
        p = SRC.sluice("export", "--config", cfg, "--output", out, check=2)
        assert "exactly one of --query" in p.err, p.err


if __name__ == "__main__":
    try:
        run_tests([test_bad_configs, test_wrong_password_and_missing_objects, test_permissions,
                   test_concurrent_processes, test_transient_retries, test_export])
    finally:
        SRC.close()
