"""End to end: `sluice sync` against tdslite (or SLUICE_TEST_MSSQL) through
FreeTDS ODBC, landed Parquet read back with DuckDB.

Covers: full_incremental (initial full load at the snapshot's version,
then changes), idle tables advancing their watermark, mode full (also
without a primary key or change tracking), mode incremental (refuses to
start without a watermark), the minimum-valid-version fallback after
TRUNCATE, soft delete, unified output, schema changes (added and dropped
columns, a new primary key), state files and the manifest.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sync_harness import (Source, Tmp, assert_replay_matches, check_no_orphans, data_files,  # noqa: E402
                          duck, history, run_tests, summary_row, watermark)

SRC = Source()

ORDERS = ("id int NOT NULL PRIMARY KEY, qty int NULL, note nvarchar(40) NULL, "
          "amount decimal(12,2) NULL, flag bit NULL")
COLS = [("id", "int"), ("qty", "int"), ("note", "str"), ("amount", "dec"), ("flag", "bool")]


def current_version(db):
    return SRC.sql("SELECT CHANGE_TRACKING_CURRENT_VERSION()", db)[0][0]


def files_sql(root, files):
    return "[" + ", ".join("'%s'" % os.path.join(root, f) for f in files) + "]"


def test_full_then_incremental():
    db = SRC.new_db("fi")
    SRC.table(db, "orders", ORDERS)
    SRC.table(db, "other", "id int NOT NULL PRIMARY KEY, v int NULL")
    SRC.sql("INSERT INTO dbo.orders VALUES (1, 2, N'first', 10.50, 1), (2, 1, N'zwei ☕', 3.25, 0), "
            "(3, NULL, NULL, NULL, NULL)", db)
    v1 = current_version(db)
    with Tmp("fi") as w:
        root = os.path.join(w, "lake")
        cfg = SRC.config(w, {db: {"orders": None, "other": "full_incremental"}})
        p = SRC.sluice("sync", "--config", cfg, check=0)
        row = summary_row(p.out, "%s.dbo.orders" % db)
        assert row["status"] == "ok" and row["plan"] == "full", row
        assert (row["rows"], row["inserts"], row["files"]) == (3, 3, 1), row
        assert row["versions"] == "none -> %d" % v1, row
        wm = watermark(root, db, "orders")
        assert wm["position"] == {"version": v1} and wm["mode"] == "full" and wm["rows"] == 3, wm
        files = data_files(root, db, "orders")
        assert wm["files"] == files and len(files) == 1, (wm, files)
        assert re.match(r"data/%s/dbo/orders/\d{4}-\d\d-\d\d/dbo_orders_\d{8}T\d{9}Z_part1\.parquet$"
                        % db, files[0]), files
        got = duck("SELECT id, CAST(amount AS VARCHAR) AS a, note, SYS_CHANGE_VERSION AS v, "
                   "SYS_CHANGE_CREATION_VERSION AS c, SYS_CHANGE_OPERATION AS op "
                   "FROM read_parquet(%s) ORDER BY id" % files_sql(root, files))
        v = str(v1)  # DuckDB's JSON renders BIGINT as text
        assert got == [{"id": 1, "a": "10.50", "note": "first", "v": v, "c": None, "op": "I"},
                       {"id": 2, "a": "3.25", "note": "zwei ☕", "v": v, "c": None, "op": "I"},
                       {"id": 3, "a": None, "note": None, "v": v, "c": None, "op": "I"}], got

        # Changes: 2 inserts, an update, a delete (four transactions).
        SRC.sql("INSERT INTO dbo.orders VALUES (4, 4, N'four', 4.00, 1), (5, 5, N'five', 5.00, 0)", db)
        SRC.sql("UPDATE dbo.orders SET qty = 20, note = N'changed' WHERE id = 2", db)
        SRC.sql("DELETE FROM dbo.orders WHERE id = 3", db)
        v2 = current_version(db)
        p = SRC.sluice("sync", "--config", cfg, check=0)
        row = summary_row(p.out, "%s.dbo.orders" % db)
        assert row["plan"] == "incremental", row
        assert (row["rows"], row["inserts"], row["updates"], row["deletes"]) == (4, 2, 1, 1), row
        assert row["versions"] == "%d -> %d" % (v1, v2), row
        assert_replay_matches(SRC, root, db, "orders", "id", COLS)
        h = history(root, db, "orders")
        assert [e["status"] for e in h] == ["ok", "ok"], h
        assert h[1]["from"] == {"version": v1} and h[1]["to"] == {"version": v2}, h[1]
        assert h[1]["rows"] == {"inserts": 2, "updates": 1, "deletes": 1}, h[1]
        deleted = duck("SELECT id, SYS_CHANGE_OPERATION AS op FROM read_parquet(%s) WHERE id = 3"
                       % files_sql(root, h[1]["files"]))
        assert deleted == [{"id": 3, "op": "D"}], deleted

        # Nothing changed: an incremental run with no rows and no file.
        p = SRC.sluice("sync", "--config", cfg, check=0)
        row = summary_row(p.out, "%s.dbo.orders" % db)
        assert (row["plan"], row["rows"], row["files"]) == ("incremental", 0, 0), row
        assert watermark(root, db, "orders")["position"] == {"version": v2}

        # Another table changes: the idle table's watermark still advances.
        SRC.sql("INSERT INTO dbo.other VALUES (1, 1)", db)
        v3 = current_version(db)
        assert v3 > v2
        p = SRC.sluice("sync", "--config", cfg, check=0)
        row = summary_row(p.out, "%s.dbo.orders" % db)
        assert (row["rows"], row["versions"]) == (0, "%d -> %d" % (v2, v3)), row
        assert watermark(root, db, "orders")["position"] == {"version": v3}
        assert len(history(root, db, "orders")) == 4
        check_no_orphans(root, db, "orders")

        # The manifest lists both tables with their keys and watermarks.
        with open(os.path.join(root, "output.yaml")) as f:
            manifest = f.read()
        assert 'table: "orders"' in manifest and 'table: "other"' in manifest, manifest
        assert '- "id"' in manifest and "version: %d" % v3 in manifest, manifest

        # status: watermark, last run, lag 0; then lag 1 after one more commit.
        SRC.sql("UPDATE dbo.other SET v = 2 WHERE id = 1", db)
        p = SRC.sluice("status", "--config", cfg, check=0)
        line = [l for l in p.out.splitlines() if l.startswith("%s.dbo.orders " % db)][0]
        f = line.split()
        assert f[1] == str(v3) and f[3] == "ok" and f[4] == "0" and f[5] == "1", line


def test_mode_full_without_key_or_tracking():
    db = SRC.new_db("full", ct=False, snapshot=False)
    SRC.table(db, "heap", "a int NULL, b nvarchar(10) NULL", track=False)
    SRC.sql("INSERT INTO dbo.heap VALUES (1, N'x'), (1, N'x'), (NULL, N'y')", db)
    with Tmp("full") as w:
        root = os.path.join(w, "lake")
        cfg = SRC.config(w, {db: {"heap": "full"}})
        for run in (1, 2):
            p = SRC.sluice("sync", "--config", cfg, check=0)
            row = summary_row(p.out, "%s.dbo.heap" % db)
            assert (row["plan"], row["rows"], row["versions"]) == ("full", 3, "none -> 0"), row
        h = history(root, db, "heap")
        assert [e["mode"] for e in h] == ["full", "full"], h
        got = duck("SELECT a, b FROM read_parquet(%s) ORDER BY a NULLS LAST, b"
                   % files_sql(root, h[1]["files"]))
        assert got == [{"a": 1, "b": "x"}, {"a": 1, "b": "x"}, {"a": None, "b": "y"}], got
        # check agrees: mode full needs neither a key nor change tracking.
        p = SRC.sluice("check", "--config", cfg)
        assert "plan: full: mode full reloads the whole table every run" in p.out, p.out


def test_mode_incremental():
    db = SRC.new_db("inc")
    SRC.table(db, "t", "id int NOT NULL PRIMARY KEY, v int NULL")
    SRC.sql("INSERT INTO dbo.t VALUES (1, 1)", db)
    with Tmp("inc") as w:
        root = os.path.join(w, "lake")
        inc = SRC.config(w, {db: {"t": "incremental"}}, name="inc.yaml")
        p = SRC.sluice("sync", "--config", inc, check=1)
        assert "has no watermark, and mode incremental never loads a table in full" in p.err, p.err
        assert "hint: use mode: full_incremental for the first load" in p.err, p.err
        assert [e["status"] for e in history(root, db, "t")] == ["failed"]
        SRC.sluice("sync", "--config", SRC.config(w, {db: {"t": None}}), check=0)
        SRC.sql("UPDATE dbo.t SET v = 2 WHERE id = 1", db)
        p = SRC.sluice("sync", "--config", inc, check=0)
        row = summary_row(p.out, "%s.dbo.t" % db)
        assert (row["plan"], row["updates"]) == ("incremental", 1), row
        assert_replay_matches(SRC, root, db, "t", "id", [("id", "int"), ("v", "int")])


def test_truncate_forces_reload():
    db = SRC.new_db("trunc")
    SRC.table(db, "t", "id int NOT NULL PRIMARY KEY, v int NULL")
    SRC.sql("INSERT INTO dbo.t VALUES (1, 1), (2, 2), (3, 3)", db)
    with Tmp("trunc") as w:
        root = os.path.join(w, "lake")
        cfg = SRC.config(w, {db: {"t": None}})
        inc = SRC.config(w, {db: {"t": "incremental"}}, name="inc.yaml")
        SRC.sluice("sync", "--config", cfg, check=0)
        # TRUNCATE is not tracked: it resets the table's tracking (its
        # begin_version, and the minimum valid version jumps to the current
        # version, spec §A1/§A3). Right after a sync the minimum valid
        # version equals the watermark, so only the begin_version shows it.
        SRC.sql("TRUNCATE TABLE dbo.t", db)
        SRC.sql("INSERT INTO dbo.t VALUES (7, 7)", db)
        p = SRC.sluice("sync", "--config", inc, check=1)
        assert "change tracking of the table was reset after watermark version" in p.err, p.err
        assert "mode incremental never reloads" in p.err, p.err
        p = SRC.sluice("sync", "--config", cfg, check=0)
        row = summary_row(p.out, "%s.dbo.t" % db)
        assert (row["plan"], row["rows"]) == ("full", 1), row
        assert "was reset after watermark version" in p.err and "full resync" in p.err, p.err
        h = history(root, db, "t")
        assert [(e["status"], e["mode"]) for e in h] == [("ok", "full"), ("failed", "incremental"),
                                                         ("ok", "full")], h
        assert_replay_matches(SRC, root, db, "t", "id", [("id", "int"), ("v", "int")])


def test_retention_forces_reload():
    """Cleanup past the watermark (tdslite's clock and the manual cleanup
    procedure; a real server would need days) -> full resync."""
    if SRC.real:
        print("skip test_retention_forces_reload: needs tdslite.advance_clock")
        return
    db = SRC.new_db("ret", retention="1 MINUTES")
    SRC.table(db, "t", "id int NOT NULL PRIMARY KEY, v int NULL")
    SRC.sql("INSERT INTO dbo.t VALUES (1, 1), (2, 2)", db)
    with Tmp("ret") as w:
        root = os.path.join(w, "lake")
        cfg = SRC.config(w, {db: {"t": None}})
        SRC.sluice("sync", "--config", cfg, check=0)
        SRC.sql("DELETE FROM dbo.t WHERE id = 1", db)
        SRC.sql("INSERT INTO dbo.t VALUES (3, 3)", db)
        SRC.sql("EXEC tdslite.advance_clock @minutes = 5", db)
        SRC.sql("EXEC sys.sp_flush_CT_internal_table_on_demand", db)
        p = SRC.sluice("sync", "--config", cfg, check=0)
        row = summary_row(p.out, "%s.dbo.t" % db)
        assert (row["plan"], row["rows"]) == ("full", 2), (row, p.err)
        assert "older than the minimum valid version" in p.err, p.err
        assert_replay_matches(SRC, root, db, "t", "id", [("id", "int"), ("v", "int")])


def test_soft_delete():
    db = SRC.new_db("soft")
    SRC.table(db, "t", "id int NOT NULL PRIMARY KEY, v nvarchar(10) NULL")
    SRC.sql("INSERT INTO dbo.t VALUES (1, N'a'), (2, N'b')", db)
    with Tmp("soft") as w:
        root = os.path.join(w, "lake")
        cfg = SRC.config(w, {db: {"t": {"soft_delete": True}}})
        SRC.sluice("sync", "--config", cfg, check=0)
        SRC.sql("DELETE FROM dbo.t WHERE id = 1", db)
        SRC.sluice("sync", "--config", cfg, check=0)
        h = history(root, db, "t")
        got = duck("SELECT id, _is_deleted AS d, SYS_CHANGE_OPERATION AS op FROM read_parquet(%s) "
                   "ORDER BY id" % files_sql(root, h[1]["files"]))
        assert got == [{"id": 1, "d": True, "op": "D"}], got
        first = duck("SELECT DISTINCT _is_deleted AS d FROM read_parquet(%s)"
                     % files_sql(root, h[0]["files"]))
        assert first == [{"d": False}], first



def test_unified():
    db = SRC.new_db("unified")
    SRC.table(db, "t", "id int NOT NULL PRIMARY KEY, v nvarchar(10) NULL")
    SRC.sql("INSERT INTO dbo.t VALUES (1, N'a'), (2, N'b')", db)
    with Tmp("unified") as w:
        root = os.path.join(w, "lake")
        cfg = SRC.config(w, {db: {"t": None}}, storage={"output_format": "unified"})
        SRC.sluice("sync", "--config", cfg, check=0)
        SRC.sql("UPDATE dbo.t SET v = N'B' WHERE id = 2", db)
        v = current_version(db)
        SRC.sluice("sync", "--config", cfg, check=0)
        h = history(root, db, "t")
        got = duck("SELECT CAST(data AS VARCHAR) AS data, table_id.schema AS s, table_id.\"table\" AS t, "
                   "cursor.version AS cv, operation AS op, schemaVersion AS sv FROM read_parquet(%s)"
                   % files_sql(root, h[1]["files"]))
        assert len(got) == 1, got
        assert json.loads(got[0]["data"]) == {"id": 2, "v": "B"}, got
        assert (got[0]["s"], got[0]["t"], got[0]["cv"], got[0]["op"]) == ("dbo", "t", str(v), "UPDATE"), got
        assert got[0]["sv"] == watermark(root, db, "t")["schema_version"], got


def test_schema_changes():
    db = SRC.new_db("schema")
    SRC.sql("CREATE TABLE dbo.t (id int NOT NULL CONSTRAINT pk_t PRIMARY KEY, a int NULL, "
            "b nvarchar(10) NULL)", db)
    SRC.sql("ALTER TABLE dbo.t ENABLE CHANGE_TRACKING", db)
    SRC.sql("INSERT INTO dbo.t VALUES (1, 1, N'x')", db)
    with Tmp("schema") as w:
        root = os.path.join(w, "lake")
        cfg = SRC.config(w, {db: {"t": None}})
        SRC.sluice("sync", "--config", cfg, check=0)
        v1 = watermark(root, db, "t")["schema_version"]

        SRC.sql("ALTER TABLE dbo.t ADD c decimal(8,3) NULL", db)
        SRC.sql("ALTER TABLE dbo.t DROP COLUMN b", db)
        SRC.sql("INSERT INTO dbo.t VALUES (2, 2, 2.5)", db)
        p = SRC.sluice("sync", "--config", cfg, check=0)
        assert "column c was added" in p.err and "column b was dropped" in p.err, p.err
        wm = watermark(root, db, "t")
        assert wm["schema_version"] != v1 and wm["mode"] == "incremental", wm
        with open(os.path.join(root, "watermarks", db, "dbo", "t", "schema.json")) as f:
            versions = json.load(f)["versions"]
        assert [v["schema_version"] for v in versions] == [v1, wm["schema_version"]]
        assert [c["name"] for c in versions[1]["columns"]] == ["id", "a", "c"], versions[1]
        assert versions[1]["columns"][2]["sql_type"] == "decimal(8,3)", versions[1]
        got = duck("SELECT id, CAST(c AS VARCHAR) AS c FROM read_parquet(%s)"
                   % files_sql(root, wm["files"]))
        assert got == [{"id": 2, "c": "2.500"}], got

        # A new primary key (CT must be off to change it) forces a full resync.
        SRC.sql("ALTER TABLE dbo.t DISABLE CHANGE_TRACKING", db)
        SRC.sql("ALTER TABLE dbo.t DROP CONSTRAINT pk_t", db)
        SRC.sql("UPDATE dbo.t SET a = id WHERE a IS NULL", db)
        SRC.sql("ALTER TABLE dbo.t ALTER COLUMN a int NOT NULL", db)
        SRC.sql("ALTER TABLE dbo.t ADD CONSTRAINT pk_t2 PRIMARY KEY (a, id)", db)
        SRC.sql("ALTER TABLE dbo.t ENABLE CHANGE_TRACKING", db)
        p = SRC.sluice("sync", "--config", cfg, check=0)
        row = summary_row(p.out, "%s.dbo.t" % db)
        assert (row["plan"], row["rows"]) == ("full", 2), (row, p.err)
        assert "the primary key changed" in p.err, p.err
        with open(os.path.join(root, "output.yaml")) as f:
            manifest = f.read()
        assert 'primary_keys:\n      - "a"\n      - "id"' in manifest, manifest


if __name__ == "__main__":
    try:
        run_tests([test_full_then_incremental, test_mode_full_without_key_or_tracking,
                   test_mode_incremental, test_truncate_forces_reload, test_retention_forces_reload,
                   test_soft_delete, test_unified, test_schema_changes])
    finally:
        SRC.close()
