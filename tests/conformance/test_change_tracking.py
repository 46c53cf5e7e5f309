"""tdslite conformance: SQL Server Change Tracking through pymssql, one test
per edge case 1-11 of spec/ct-cdc.md ("Change Tracking"), plus a
randomized test of CHANGETABLE's net rows.

Each expectation is what SQL Server answers (the spec's [doc]/[probe]
facts). Change data is read the way sluice reads it: the CHANGETABLE
LEFT OUTER JOIN query of src/source/ct.c, with the baseline bound as an
RPC parameter (pymssql callproc of sp_executesql).

The retention tests move tdslite's engine clock with
EXEC tdslite.advance_clock (a tdslite-only test helper); nothing else here
is tdslite-specific.
"""

import os
import random
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdslite  # noqa: E402
from tdslite import raises, run, scalar  # noqa: E402

S = None
DB = "ctconf"


def setUpModule():
    global S
    S = tdslite.Server().start()
    c = S.connect(autocommit=True)
    run(c, "CREATE DATABASE %s" % DB)
    run(c, "ALTER DATABASE %s SET CHANGE_TRACKING = ON (CHANGE_RETENTION = 2 DAYS, AUTO_CLEANUP = ON)" % DB)
    run(c, "ALTER DATABASE %s SET ALLOW_SNAPSHOT_ISOLATION ON" % DB)
    c.close()


def tearDownModule():
    if S:
        S.stop()


def conn(db=DB, **kw):
    kw.setdefault("autocommit", True)
    return S.connect(database=db, **kw)


def rows(c, sql):
    return run(c, sql)[-1]


def versions(c, table):
    return rows(c, "SELECT CHANGE_TRACKING_CURRENT_VERSION(), CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID('%s'))"
                % table)[0]


def net(c, table, base):
    """(operation, version, creation version, key) of CHANGETABLE(CHANGES)."""
    return [tuple(r) for r in rows(c, "SELECT SYS_CHANGE_OPERATION, SYS_CHANGE_VERSION, SYS_CHANGE_CREATION_VERSION, id"
                                      " FROM CHANGETABLE(CHANGES dbo.%s, %s) AS ct ORDER BY id" % (table, base))]


def sluice_changes(c, table, key, cols, last):
    """src/source/ct.c's incremental query, the baseline bound by RPC."""
    q = ("SELECT CT.SYS_CHANGE_VERSION, CT.SYS_CHANGE_CREATION_VERSION, CT.SYS_CHANGE_OPERATION, CT.[%s]%s"
         " FROM CHANGETABLE(CHANGES [dbo].[%s], @last) AS CT LEFT OUTER JOIN [dbo].[%s] AS T ON T.[%s] = CT.[%s]"
         " ORDER BY CT.SYS_CHANGE_VERSION, CT.[%s];"
         % (key, "".join(", T.[%s]" % x for x in cols), table, table, key, key, key))
    cur = c.cursor()
    cur.callproc("sp_executesql", (q, "@last bigint", last))
    # pymssql 2.2.2's callproc does not read the first result header (see
    # test_pymssql_session.py); nextset() reaches a result set with rows,
    # while an empty one stays invisible to it (so: no rows)
    if cur.description is None and (not cur.nextset() or cur.description is None):
        return []
    return [tuple(r) for r in cur.fetchall()]


def table(c, name, ddl, track=" WITH (TRACK_COLUMNS_UPDATED = ON)"):
    run(c, "CREATE TABLE dbo.%s %s" % (name, ddl))
    run(c, "ALTER TABLE dbo.%s ENABLE CHANGE_TRACKING%s" % (name, track))


class ChangeTracking(unittest.TestCase):
    def setUp(self):
        self.c = conn()

    def tearDown(self):
        self.c.close()

    # 1. The counter moves once per committed transaction.
    def test_01_counter_per_transaction(self):
        c = self.c
        table(c, "e1", "(id int NOT NULL PRIMARY KEY, v int NULL)")
        run(c, "CREATE TABLE dbo.e1u (id int NOT NULL PRIMARY KEY)")
        v0 = versions(c, "dbo.e1")[0]
        run(c, "INSERT INTO dbo.e1 VALUES (1, 1), (2, 2), (3, 3)")
        self.assertEqual(versions(c, "dbo.e1")[0], v0 + 1)
        run(c, "BEGIN TRAN; INSERT INTO dbo.e1 VALUES (4, 4); UPDATE dbo.e1 SET v = 0; DELETE FROM dbo.e1 WHERE id = 2;"
               " COMMIT")
        self.assertEqual(versions(c, "dbo.e1")[0], v0 + 2)
        self.assertEqual(net(c, "e1", v0), [("I", v0 + 2, v0 + 1, 1), ("D", v0 + 2, v0 + 1, 2),
                                            ("I", v0 + 2, v0 + 1, 3), ("I", v0 + 2, v0 + 2, 4)])
        # nothing moves it: untracked writes, rollback, savepoint rollback,
        # a 0-row update, a failed statement, TRUNCATE
        run(c, "INSERT INTO dbo.e1u VALUES (1)")
        run(c, "BEGIN TRAN; INSERT INTO dbo.e1 VALUES (9, 9); ROLLBACK")
        run(c, "BEGIN TRAN; SAVE TRAN s1; UPDATE dbo.e1 SET v = 7; ROLLBACK TRAN s1; COMMIT")
        run(c, "UPDATE dbo.e1 SET v = 5 WHERE id = 100")
        self.assertEqual(raises(c, "INSERT INTO dbo.e1 VALUES (20, 20), (1, 1)").number, 2627)
        run(c, "TRUNCATE TABLE dbo.e1u")
        self.assertEqual(versions(c, "dbo.e1")[0], v0 + 2)
        # an update to the same value moves it
        run(c, "UPDATE dbo.e1 SET v = v WHERE id = 1")
        self.assertEqual(versions(c, "dbo.e1")[0], v0 + 3)

    # 2. CHANGE_TRACKING_CURRENT_VERSION(): NULL when off, own transaction
    # invisible, survives OFF/ON.
    def test_02_current_version(self):
        c = self.c
        run(c, "CREATE DATABASE ct_off")
        self.assertIsNone(scalar(conn("ct_off"), "SELECT CHANGE_TRACKING_CURRENT_VERSION()"))
        table(c, "e2", "(id int NOT NULL PRIMARY KEY)")
        run(c, "INSERT INTO dbo.e2 VALUES (1)")
        before = versions(c, "dbo.e2")[0]
        res = run(c, "BEGIN TRAN; INSERT INTO dbo.e2 VALUES (2); SELECT CHANGE_TRACKING_CURRENT_VERSION()")
        self.assertEqual(res[-1][0][0], before)
        run(c, "COMMIT")
        self.assertEqual(versions(c, "dbo.e2")[0], before + 1)
        # OFF and ON again: the counter goes on from where it was
        o = conn("ct_off")
        run(o, "ALTER DATABASE ct_off SET CHANGE_TRACKING = ON")
        run(o, "CREATE TABLE dbo.x (id int NOT NULL PRIMARY KEY); ALTER TABLE dbo.x ENABLE CHANGE_TRACKING")
        run(o, "INSERT INTO dbo.x VALUES (1); INSERT INTO dbo.x VALUES (2)")
        run(o, "ALTER TABLE dbo.x DISABLE CHANGE_TRACKING")
        run(o, "ALTER DATABASE ct_off SET CHANGE_TRACKING = OFF")
        self.assertEqual(versions(o, "dbo.x"), (None, None))
        run(o, "ALTER DATABASE ct_off SET CHANGE_TRACKING = ON")
        run(o, "ALTER TABLE dbo.x ENABLE CHANGE_TRACKING")
        self.assertEqual(versions(o, "dbo.x"), (2, 2))
        o.close()

    # 3. The net-change table of A4.
    def test_03_net_rows(self):
        c = self.c
        table(c, "e3", "(id int NOT NULL PRIMARY KEY, v int NULL)")
        b = versions(c, "dbo.e3")[0]
        run(c, "INSERT INTO dbo.e3 VALUES (1, 0), (2, 0), (3, 0)")   # b+1
        self.assertEqual(net(c, "e3", b), [("I", b + 1, b + 1, 1), ("I", b + 1, b + 1, 2), ("I", b + 1, b + 1, 3)])
        run(c, "UPDATE dbo.e3 SET v = 1 WHERE id = 1")                # b+2
        self.assertEqual(net(c, "e3", b)[0], ("I", b + 2, b + 1, 1))
        self.assertEqual(net(c, "e3", b + 1), [("U", b + 2, None, 1)])
        # insert + delete after the baseline: D with its creation version
        run(c, "INSERT INTO dbo.e3 VALUES (5, 0)")                    # b+3
        run(c, "DELETE FROM dbo.e3 WHERE id = 5")                     # b+4
        self.assertEqual(net(c, "e3", b + 2), [("D", b + 4, b + 3, 5)])
        # delete + re-insert: U, no column list
        run(c, "DELETE FROM dbo.e3 WHERE id = 2")                     # b+5
        run(c, "INSERT INTO dbo.e3 VALUES (2, 9)")                    # b+6
        self.assertEqual(net(c, "e3", b + 4), [("U", b + 6, b + 6, 2)])
        self.assertIsNone(scalar(c, "SELECT SYS_CHANGE_COLUMNS FROM CHANGETABLE(CHANGES dbo.e3, %d) AS ct" % (b + 4)))
        # a primary-key update: D(old) + I(new); SET id = id + 1 over 1..3
        run(c, "UPDATE dbo.e3 SET id = id + 1")                       # b+7
        self.assertEqual(net(c, "e3", b + 6), [("D", b + 7, None, 1), ("U", b + 7, b + 7, 2),
                                               ("U", b + 7, b + 7, 3), ("I", b + 7, b + 7, 4)])
        # SET id = id: U
        run(c, "UPDATE dbo.e3 SET id = id WHERE id = 4")              # b+8
        self.assertEqual(net(c, "e3", b + 7), [("U", b + 8, b + 8, 4)])

    # 4. The baseline argument.
    def test_04_last_sync_version(self):
        c = self.c
        table(c, "e4", "(id int NOT NULL PRIMARY KEY)")
        run(c, "INSERT INTO dbo.e4 VALUES (1); INSERT INTO dbo.e4 VALUES (2)")
        cur, mn = versions(c, "dbo.e4")
        self.assertEqual(len(net(c, "e4", "NULL")), 2)
        self.assertEqual(net(c, "e4", cur + 50), [])
        self.assertEqual(net(c, "e4", -1), [])
        run(c, "EXEC tdslite.advance_clock @minutes = 3000; EXEC sys.sp_flush_CT_internal_table_on_demand N'dbo.e4'")
        cur, mn = versions(c, "dbo.e4")
        self.assertEqual(mn, cur + 1)
        self.assertEqual(net(c, "e4", 0), [])  # below min_valid: no error
        e = raises(c, "DECLARE @v bigint = 1; SELECT * FROM CHANGETABLE(CHANGES dbo.e4, @v + 1) AS ct")
        self.assertEqual((e.number, e.text), (102, "Incorrect syntax near '+'."))
        self.assertEqual(raises(c, "DECLARE @v varchar(5) = '1'; SELECT * FROM CHANGETABLE(CHANGES dbo.e4, @v) AS ct").number,
                         8114)
        self.assertEqual(raises(c, "DECLARE @v datetime = GETDATE(); SELECT * FROM CHANGETABLE(CHANGES dbo.e4, @v) AS ct")
                         .number, 257)

    # 5. TRUNCATE: no rows, min_valid_version = current.
    def test_05_truncate(self):
        c = self.c
        table(c, "e5", "(id int NOT NULL PRIMARY KEY)")
        run(c, "INSERT INTO dbo.e5 VALUES (1), (2)")
        cur = versions(c, "dbo.e5")[0]
        run(c, "TRUNCATE TABLE dbo.e5")
        self.assertEqual(versions(c, "dbo.e5"), (cur, cur))
        self.assertEqual(net(c, "e5", 0), [])
        self.assertEqual(rows(c, "SELECT begin_version, min_valid_version FROM sys.change_tracking_tables"
                                 " WHERE object_id = OBJECT_ID('dbo.e5')"), [(cur, cur)])
        run(c, "INSERT INTO dbo.e5 VALUES (3)")
        self.assertEqual(net(c, "e5", cur), [("I", cur + 1, cur + 1, 3)])

    # 6. Cleanup: old data really goes, min_valid rises; a client behind
    # min_valid must reload, one at min_valid is fine.
    def test_06_cleanup(self):
        o = conn("master")
        run(o, "CREATE DATABASE ct_ret")
        run(o, "ALTER DATABASE ct_ret SET CHANGE_TRACKING = ON (CHANGE_RETENTION = 60 MINUTES, AUTO_CLEANUP = OFF)")
        o.close()
        c = conn("ct_ret")
        table(c, "e6", "(id int NOT NULL PRIMARY KEY, v int NULL)", "")
        run(c, "INSERT INTO dbo.e6 VALUES (1, 1)")     # 1
        run(c, "INSERT INTO dbo.e6 VALUES (2, 2)")     # 2
        last = 1                                       # a client synced at 1
        run(c, "EXEC tdslite.advance_clock @minutes = 61")
        run(c, "UPDATE dbo.e6 SET v = 3 WHERE id = 2")  # 3
        self.assertEqual(rows(c, "SELECT retention_period, retention_period_units_desc, is_auto_cleanup_on"
                                 " FROM sys.change_tracking_databases WHERE database_id = DB_ID()"),
                         [(60, "MINUTES", False)])
        self.assertEqual(versions(c, "dbo.e6"), (3, 0))   # AUTO_CLEANUP OFF: kept
        run(c, "EXEC sys.sp_flush_CT_internal_table_on_demand @TableToClean = N'dbo.e6'")
        cur, mn = versions(c, "dbo.e6")
        self.assertEqual((cur, mn), (3, 3))
        self.assertLess(last, mn)                        # the client must reload
        self.assertEqual(rows(c, "SELECT cleanup_version FROM sys.change_tracking_tables"), [(2,)])
        self.assertEqual(net(c, "e6", "NULL"), [("U", 3, None, 2)])
        # a client at min_valid reads on
        self.assertEqual(sluice_changes(c, "e6", "id", ["v"], mn), [])
        run(c, "UPDATE dbo.e6 SET v = 4 WHERE id = 1")   # 4
        self.assertEqual(sluice_changes(c, "e6", "id", ["v"], mn), [(4, None, "U", 1, 4)])
        # automatic cleanup in the background (every 30 minutes at most)
        run(c, "ALTER DATABASE ct_ret SET CHANGE_TRACKING (AUTO_CLEANUP = ON)")
        run(c, "EXEC tdslite.advance_clock @minutes = 90")
        run(c, "SELECT 1")
        self.assertEqual(versions(c, "dbo.e6"), (4, 5))
        self.assertEqual(net(c, "e6", "NULL"), [])
        c.close()

    # 7. SYS_CHANGE_COLUMNS and CHANGE_TRACKING_IS_COLUMN_IN_MASK.
    def test_07_change_columns(self):
        c = self.c
        table(c, "e7", "(id int NOT NULL PRIMARY KEY, a int NULL, b int NULL, c int NULL, rv rowversion)")
        run(c, "INSERT INTO dbo.e7 (id, a, b, c) VALUES (1, 0, 0, 0), (2, 0, 0, 0), (3, 0, 0, 0)")
        base = versions(c, "dbo.e7")[0]
        run(c, "UPDATE dbo.e7 SET b = 1 WHERE id = 1")
        run(c, "UPDATE dbo.e7 SET c = 5, a = 3 WHERE id = 1")
        run(c, "UPDATE dbo.e7 SET a = 1, b = 1, c = 1 WHERE id = 2")  # every non-key column at once
        run(c, "DELETE FROM dbo.e7 WHERE id = 3")
        res = {r[0]: r[1:] for r in rows(c, "SELECT id, SYS_CHANGE_OPERATION, SYS_CHANGE_COLUMNS,"
                                            " CHANGE_TRACKING_IS_COLUMN_IN_MASK(COLUMNPROPERTY(OBJECT_ID('dbo.e7'), 'a', 'ColumnId'), SYS_CHANGE_COLUMNS)"
                                            " FROM CHANGETABLE(CHANGES dbo.e7, %d) AS ct" % base)}
        # b (3), then rowversion (5), then c (4), a (2), in first-set order
        self.assertEqual(res[1], ("U", bytes.fromhex("00000000" "03000000" "05000000" "04000000" "02000000"), True))
        self.assertEqual(res[2], ("U", None, True))   # NULL mask: every column counts as changed
        self.assertEqual(res[3], ("D", None, True))
        self.assertEqual(rows(c, "SELECT CHANGE_TRACKING_IS_COLUMN_IN_MASK(4, 0x0000000003000000),"
                                 " CHANGE_TRACKING_IS_COLUMN_IN_MASK(3, 0x0000000003000000FFFF),"
                                 " CHANGE_TRACKING_IS_COLUMN_IN_MASK(3, 0x0100000003000000)"), [(False, True, False)])
        self.assertEqual(raises(c, "SELECT CHANGE_TRACKING_IS_COLUMN_IN_MASK(3, 0x00000000)").number, 22101)
        self.assertEqual(raises(c, "SELECT CHANGE_TRACKING_IS_COLUMN_IN_MASK(NULL, 0x0000000003000000)").number, 8116)

    # 8. Errors.
    def test_08_errors(self):
        c = self.c
        run(c, "CREATE TABLE dbo.e8u (id int NOT NULL PRIMARY KEY)")
        e = raises(c, "INSERT INTO dbo.e8u VALUES (1)\nIF 1 = 0 SELECT * FROM CHANGETABLE(CHANGES dbo.e8u, 0) AS ct")
        self.assertEqual((e.number, e.severity, e.text), (22105, 16, "Change tracking is not enabled on table 'dbo.e8u'."))
        self.assertEqual(scalar(c, "SELECT count(*) FROM dbo.e8u"), 0)  # the whole batch failed to compile
        self.assertEqual(raises(c, "CREATE PROCEDURE dbo.p8 AS SELECT * FROM CHANGETABLE(CHANGES dbo.e8u, 0) AS ct").number,
                         22105)
        e = raises(c, "SELECT * FROM CHANGETABLE(CHANGES dbo.e8u, 0)")
        self.assertEqual((e.number, e.text), (22104, "A table returned by the CHANGETABLE function must be aliased."))
        self.assertEqual(raises(c, "SELECT * FROM CHANGETABLE(CHANGES sys.objects, 0) AS ct").number, 22107)
        self.assertEqual(raises(c, "SELECT * FROM CHANGETABLE(CHANGES dbo.nosuch, 0) AS ct").number, 208)
        run(c, "CREATE TABLE dbo.e8n (id int NOT NULL)")
        self.assertEqual(raises(c, "ALTER TABLE dbo.e8n ENABLE CHANGE_TRACKING").number, 4997)
        run(c, "CREATE TABLE dbo.e8t (id int NOT NULL CONSTRAINT PK_e8t PRIMARY KEY); ALTER TABLE dbo.e8t ENABLE CHANGE_TRACKING")
        e = raises(c, "ALTER TABLE dbo.e8t ENABLE CHANGE_TRACKING")
        self.assertEqual((e.number, e.text), (4996, "Change tracking is already enabled for table 'e8t'."))
        e = raises(c, "ALTER TABLE dbo.e8u DISABLE CHANGE_TRACKING")
        self.assertEqual((e.number, e.text), (4998, "Change tracking is not enabled on table 'e8u'."))
        # 3735, then 3727 (pymssql keeps the first of equal severities)
        e = raises(c, "ALTER TABLE dbo.e8t DROP CONSTRAINT PK_e8t")
        self.assertEqual(e.number, 3735)
        e = raises(c, "ALTER DATABASE %s SET CHANGE_TRACKING = ON" % DB)
        self.assertEqual((e.number, e.text), (5088, "Change tracking is already enabled for database '%s'." % DB))
        self.assertEqual(raises(c, "ALTER DATABASE %s SET CHANGE_TRACKING = OFF" % DB).number, 22115)
        run(c, "CREATE DATABASE ct_e8")
        self.assertEqual(raises(c, "ALTER DATABASE ct_e8 SET CHANGE_TRACKING = OFF").number, 5089)
        # 229: VIEW CHANGE TRACKING missing for a login with SELECT only
        run(c, "CREATE LOGIN ct_reader WITH PASSWORD = 'Str0ng!pass'; CREATE USER ct_reader FOR LOGIN ct_reader;"
               " GRANT SELECT ON dbo.e8t TO ct_reader")
        r = S.connect(user="ct_reader", password="Str0ng!pass", database=DB, autocommit=True)
        e = raises(r, "SELECT * FROM CHANGETABLE(CHANGES dbo.e8t, 0) AS ct")
        self.assertEqual((e.number, e.text),
                         (229, "The VIEW CHANGE TRACKING permission was denied on the object 'e8t', database '%s',"
                               " schema 'dbo'." % DB))
        self.assertIsNone(scalar(r, "SELECT CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID('dbo.e8t'))"))
        run(c, "GRANT VIEW CHANGE TRACKING ON dbo.e8t TO ct_reader")
        self.assertEqual(rows(r, "SELECT count(*) FROM CHANGETABLE(CHANGES dbo.e8t, 0) AS ct"), [(0,)])
        r.close()

    # 9. SNAPSHOT isolation: one consistent state; 3952 without the option.
    def test_09_snapshot(self):
        c = self.c
        table(c, "e9", "(id int NOT NULL PRIMARY KEY, v int NULL)")
        run(c, "INSERT INTO dbo.e9 VALUES (1, 1)")
        other = conn()
        run(c, "SET TRANSACTION ISOLATION LEVEL SNAPSHOT; BEGIN TRAN")
        q = ("SELECT CHANGE_TRACKING_CURRENT_VERSION(), (SELECT count(*) FROM CHANGETABLE(CHANGES dbo.e9, 0) AS ct),"
             " (SELECT count(*) FROM dbo.e9)")
        first = rows(c, q)
        run(other, "INSERT INTO dbo.e9 VALUES (2, 2); UPDATE dbo.e9 SET v = 5 WHERE id = 1")
        self.assertEqual(rows(c, q), first)
        self.assertEqual(sluice_changes(c, "e9", "id", ["v"], 0)[-1][4], 1)  # the row as of the snapshot
        run(c, "COMMIT; SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        self.assertEqual(rows(c, q)[0][0], first[0][0] + 2)
        other.close()
        run(c, "CREATE DATABASE ct_nosnap")
        n = conn("ct_nosnap")
        run(n, "ALTER DATABASE ct_nosnap SET CHANGE_TRACKING = ON")
        table(n, "t", "(id int NOT NULL PRIMARY KEY)")
        e = raises(n, "SET TRANSACTION ISOLATION LEVEL SNAPSHOT; BEGIN TRAN;"
                      " SELECT * FROM CHANGETABLE(CHANGES dbo.t, 0) AS ct")
        self.assertEqual(e.number, 3952)
        n.close()

    # 10. The output: key columns in key order after the 5 SYS_ columns,
    # column aliases, LEFT JOIN with NULLs for deleted rows.
    def test_10_output(self):
        c = self.c
        table(c, "e10", "(id int NOT NULL, note nvarchar(20) NULL, k varchar(5) NOT NULL,"
                        " CONSTRAINT PK_e10 PRIMARY KEY (k, id))")
        base = versions(c, "dbo.e10")[0]
        run(c, "BEGIN TRAN; INSERT INTO dbo.e10 VALUES (1, N'one', 'a'), (2, N'two', 'a'); DELETE FROM dbo.e10 WHERE id = 2;"
               " COMMIT")
        cur = c.cursor()
        cur.execute("SELECT * FROM CHANGETABLE(CHANGES dbo.e10, %d) AS ct ORDER BY id" % base)
        self.assertEqual([d[0] for d in cur.description],
                         ["SYS_CHANGE_VERSION", "SYS_CHANGE_CREATION_VERSION", "SYS_CHANGE_OPERATION",
                          "SYS_CHANGE_COLUMNS", "SYS_CHANGE_CONTEXT", "k", "id"])
        self.assertEqual([tuple(r) for r in cur.fetchall()],
                         [(base + 1, base + 1, "I", None, None, "a", 1), (base + 1, base + 1, "D", None, None, "a", 2)])
        self.assertEqual(rows(c, "SELECT c.o, c.kk, c.ii FROM CHANGETABLE(CHANGES dbo.e10, %d)"
                                 " AS c(v, cv, o, cl, cx, kk, ii) ORDER BY c.ii" % base), [("I", "a", 1), ("D", "a", 2)])
        self.assertEqual(rows(c, "SELECT CT.SYS_CHANGE_OPERATION, CT.id, T.note FROM CHANGETABLE(CHANGES dbo.e10, %d) AS CT"
                                 " LEFT OUTER JOIN dbo.e10 AS T ON T.k = CT.k AND T.id = CT.id ORDER BY CT.id" % base),
                         [("I", 1, "one"), ("D", 2, None)])

    # 11. CHANGETABLE(VERSION ...).
    def test_11_version(self):
        c = self.c
        run(c, "CREATE TABLE dbo.e11 (id int NOT NULL PRIMARY KEY, v int NULL); INSERT INTO dbo.e11 VALUES (1, 0), (2, 0)")
        run(c, "ALTER TABLE dbo.e11 ENABLE CHANGE_TRACKING")
        run(c, "UPDATE dbo.e11 SET v = 1 WHERE id = 2")
        ver = versions(c, "dbo.e11")[0]
        q = "SELECT SYS_CHANGE_VERSION, id FROM CHANGETABLE(VERSION dbo.e11, (id), (%d)) AS v"
        self.assertEqual(rows(c, q % 1), [(None, 1)])          # unchanged since tracking began
        self.assertEqual(rows(c, q % 2), [(ver, 2)])
        self.assertEqual(rows(c, q % 9), [])                   # no such key
        res = run(c, "BEGIN TRAN; INSERT INTO dbo.e11 VALUES (3, 0); " + q % 3)
        self.assertEqual(res[-1], [(None, 3)])                 # own uncommitted change
        run(c, "ROLLBACK")
        e = raises(c, "SELECT * FROM CHANGETABLE(VERSION dbo.e11, (v), (1)) AS v")
        self.assertEqual(e.number, 22111)
        self.assertEqual(raises(c, "SELECT * FROM CHANGETABLE(VERSION dbo.e11, (id), (1, 2)) AS v").number, 22103)

    # A7: contexts, reported for the last statement that touched the row.
    def test_12_context(self):
        c = self.c
        table(c, "e12", "(id int NOT NULL PRIMARY KEY, v int NULL)")
        base = versions(c, "dbo.e12")[0]
        run(c, "DECLARE @ctx varbinary(128) = CAST('app1' AS varbinary(128));"
               " WITH CHANGE_TRACKING_CONTEXT (@ctx) INSERT INTO dbo.e12 VALUES (1, 1), (2, 2)")
        run(c, "WITH CHANGE_TRACKING_CONTEXT (0x0B) UPDATE dbo.e12 SET v = 3 WHERE id = 2")
        self.assertEqual(rows(c, "SELECT id, SYS_CHANGE_CONTEXT FROM CHANGETABLE(CHANGES dbo.e12, %d) AS ct ORDER BY id"
                                 % base), [(1, b"app1"), (2, b"\x0b")])
        self.assertEqual(raises(c, "DECLARE @c varbinary(200) = 0x01;"
                                   " WITH CHANGE_TRACKING_CONTEXT (@c) INSERT INTO dbo.e12 VALUES (9, 9)").number, 22109)
        self.assertEqual(raises(c, "WITH CHANGE_TRACKING_CONTEXT (NULL) INSERT INTO dbo.e12 VALUES (9, 9)").number, 156)


class Randomized(unittest.TestCase):
    """Random INSERT / UPDATE / DELETE (key updates, delete + re-insert
    included) in random transactions, some rolled back or partly rolled
    back to a savepoint. For random baselines B, replaying the net rows
    of CHANGETABLE(CHANGES t, B) LEFT JOINed to t onto the table as it was
    at B must give the table as it is now. Fixed seeds: reproducible."""

    SEEDS = (1, 7, 42, 1234, 2024)
    KEYS = 25

    def setUp(self):
        self.c = conn()

    def tearDown(self):
        self.c.close()

    def state(self, name):
        return {r[0]: (r[1], r[2]) for r in rows(self.c, "SELECT id, a, b FROM dbo.%s" % name)}

    def random_stmt(self, rnd, name, model):
        keys = sorted(model)
        free = [k for k in range(1, self.KEYS + 1) if k not in model]
        kind = rnd.random()
        if kind < 0.3 and free:
            k = rnd.choice(free)
            model[k] = (rnd.randint(0, 9), rnd.choice(["x", "y", None]))
            return "INSERT INTO dbo.%s VALUES (%d, %d, %s)" % (name, k, model[k][0],
                                                               "NULL" if model[k][1] is None else "'%s'" % model[k][1])
        if kind < 0.5 and keys:
            k = rnd.choice(keys)
            a = rnd.randint(0, 9)
            model[k] = (a, model[k][1])
            return "UPDATE dbo.%s SET a = %d WHERE id = %d" % (name, a, k)
        if kind < 0.6 and keys:
            lo = rnd.choice(keys)
            for k in keys:
                if k >= lo:
                    model[k] = (model[k][0], "z")
            return "UPDATE dbo.%s SET b = 'z', a = a WHERE id >= %d" % (name, lo)
        if kind < 0.7 and keys and free:
            k, n = rnd.choice(keys), rnd.choice(free)
            model[n] = model.pop(k)
            return "UPDATE dbo.%s SET id = %d WHERE id = %d" % (name, n, k)
        if kind < 0.78 and keys:
            # shift a run of keys up by one: statement-level uniqueness
            top = max(keys) + 1
            if top > self.KEYS:
                return "UPDATE dbo.%s SET a = a WHERE id = %d" % (name, keys[0])
            lo = rnd.choice(keys)
            moved = {k + 1: v for k, v in model.items() if k >= lo}
            for k in [k for k in model if k >= lo]:
                del model[k]
            model.update(moved)
            return "UPDATE dbo.%s SET id = id + 1 WHERE id >= %d" % (name, lo)
        if kind < 0.9 and keys:
            k = rnd.choice(keys)
            del model[k]
            return "DELETE FROM dbo.%s WHERE id = %d" % (name, k)
        if keys:
            k = rnd.choice(keys)
            model[k] = (rnd.randint(0, 9), "r")
            return "DELETE FROM dbo.%s WHERE id = %d; INSERT INTO dbo.%s VALUES (%d, %d, 'r')" % (
                name, k, name, k, model[k][0])
        return "UPDATE dbo.%s SET a = 0 WHERE id = 0" % name  # 0 rows

    def check(self, name, snapshots, base):
        now = self.state(name)
        cur = versions(self.c, "dbo." + name)[0]
        replay = dict(snapshots[base])
        for ver, cver, op, key, a, b in sluice_changes(self.c, name, "id", ["a", "b"], base):
            self.assertTrue(base < ver <= cur, (base, ver, cur))
            if op == "D":
                self.assertNotIn(key, now)
                replay.pop(key, None)
                continue
            self.assertIn(key, now, "%s reported for a row that is gone" % op)
            if op == "I":
                self.assertNotIn(key, snapshots[base])
                self.assertIsNotNone(cver)
            else:
                self.assertIn(key, snapshots[base])
            self.assertTrue(cver is None or base < cver <= ver)
            replay[key] = (a, b)
        self.assertEqual(replay, now, "replay from baseline %d" % base)

    def test_random_histories(self):
        for seed in self.SEEDS:
            rnd = random.Random(seed)
            name = "rnd%d" % seed
            table(self.c, name, "(id int NOT NULL PRIMARY KEY, a int NULL, b varchar(5) NULL)")
            snapshots = {versions(self.c, "dbo." + name)[0]: {}}
            for _ in range(40):
                model = self.state(name)
                stmts = [self.random_stmt(rnd, name, model) for _ in range(rnd.randint(1, 4))]
                how = rnd.random()
                if how < 0.15:
                    run(self.c, "BEGIN TRAN; %s; ROLLBACK" % "; ".join(stmts))
                elif how < 0.3 and len(stmts) > 1:
                    run(self.c, "BEGIN TRAN; %s; SAVE TRAN sp; %s; ROLLBACK TRAN sp; COMMIT"
                        % (stmts[0], "; ".join(stmts[1:])))
                else:
                    run(self.c, "BEGIN TRAN; %s; COMMIT" % "; ".join(stmts))
                snapshots[versions(self.c, "dbo." + name)[0]] = self.state(name)
                if how >= 0.3:
                    self.assertEqual(self.state(name), model, "seed %d: the model drifted" % seed)
            for base in sorted(snapshots):
                with self.subTest(seed=seed, base=base):
                    self.check(name, snapshots, base)


if __name__ == "__main__":
    unittest.main(verbosity=2)
