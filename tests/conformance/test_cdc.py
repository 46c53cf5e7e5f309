"""tdslite conformance, Change Data Capture through pymssql: one test class
per edge case 12-22 of spec/ct-cdc.md, asserting what SQL Server returns
(messages, numbers, the change rows and LSN functions).

The server runs with --cdc-capture-delay-ms 0, so nothing is captured until
a test runs the capture job with EXEC tdslite.cdc_capture (SQL Server's
Agent job, made deterministic); BackgroundJob starts a second server whose
job runs every 100 ms. test_cdc_random.py replays random workloads.
"""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdslite  # noqa: E402

S = None
ZERO_LSN = b"\x00" * 10
MSG_313_ALL = ("An insufficient number of arguments were supplied for the procedure or function "
               "cdc.fn_cdc_get_all_changes_ ... .")
MSG_313_NET = ("An insufficient number of arguments were supplied for the procedure or function "
               "cdc.fn_cdc_get_net_changes_ ... .")


def setUpModule():
    global S
    S = tdslite.Server(args=["--cdc-capture-delay-ms", "0"]).start()


def tearDownModule():
    if S:
        S.stop()


class Db:
    """A fresh database with CDC enabled (unless enable=False) and one
    autocommit connection using it."""

    def __init__(self, server, name, enable=True):
        self.name = name
        admin = server.connect(autocommit=True)
        admin.cursor().execute("CREATE DATABASE %s" % name)
        admin.close()
        self.conn = server.connect(autocommit=True, database=name)
        if enable:
            self.run("EXEC sys.sp_cdc_enable_db")

    def close(self):
        self.conn.close()

    def run(self, sql, params=None):
        """Execute a batch; rows of its last result set (or None)."""
        return tdslite.last_rows(self.conn.cursor(), sql, params)

    def one(self, sql, params=None):
        rows = self.run(sql, params)
        return rows[0][0] if rows else None

    def cols(self, sql):
        cur = self.conn.cursor()
        cur.execute(sql)
        names = [d[0] for d in cur.description]
        cur.fetchall()
        return names

    def error(self, sql, params=None):
        """The server message the batch fails with."""
        try:
            self.run(sql, params)
        except Exception as e:  # pymssql raises several DB-API classes
            return tdslite.mssql_error(e)
        raise AssertionError("no error from: %s" % sql)

    def capture(self):
        self.run("EXEC tdslite.cdc_capture")

    def table(self, ddl, instance_args=""):
        """Create a table and enable it (dbo schema, no role)."""
        self.run(ddl)
        name = ddl.split("(")[0].split()[-1].split(".")[-1]
        self.run("EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'%s', "
                 "@role_name = NULL%s" % (name, instance_args))

    def wait_past_mapping(self, deadline=30.0):
        """Poll until GETDATE() is later than every cdc.lsn_time_mapping
        entry, so the next commit gets a later tran_end_time."""
        q = ("SELECT CASE WHEN GETDATE() > (SELECT max(tran_end_time) FROM cdc.lsn_time_mapping) "
             "THEN 1 ELSE 0 END")
        end = time.monotonic() + deadline
        while self.one(q) != 1:
            if time.monotonic() > end:
                raise AssertionError("GETDATE() did not pass the newest lsn_time_mapping entry in %gs" % deadline)
            time.sleep(0.005)

    def max_lsn(self):
        return self.one("SELECT sys.fn_cdc_get_max_lsn()")

    def min_lsn(self, ci):
        return self.one("SELECT sys.fn_cdc_get_min_lsn(%s)", (ci,))

    def all_changes(self, ci, opt="all update old", frm=None, to=None, cols="*"):
        frm = self.min_lsn(ci) if frm is None else frm
        to = self.max_lsn() if to is None else to
        return self.run("SELECT %s FROM cdc.fn_cdc_get_all_changes_%s(%%s, %%s, N'%s') "
                        "ORDER BY __$start_lsn, __$seqval, __$operation" % (cols, ci, opt), (frm, to))

    def net_changes(self, ci, opt="all", frm=None, to=None, cols="*", order="id"):
        frm = self.min_lsn(ci) if frm is None else frm
        to = self.max_lsn() if to is None else to
        return self.run("SELECT %s FROM cdc.fn_cdc_get_net_changes_%s(%%s, %%s, N'%s') ORDER BY %s"
                        % (cols, ci, opt, order), (frm, to))


def ops(rows, op_index=2):
    return [r[op_index] for r in rows]


class Capture12(unittest.TestCase):
    """12: capture is asynchronous; max LSN NULL before the first capture;
    idle cycles add tran_id 0x00 filler rows."""

    @classmethod
    def setUpClass(cls):
        cls.db = Db(S, "cdc12")
        cls.db.table("CREATE TABLE dbo.t12 (id int PRIMARY KEY, v nvarchar(10))")

    @classmethod
    def tearDownClass(cls):
        cls.db.close()

    def test_async(self):
        db = self.db
        self.assertIsNone(db.max_lsn())
        self.assertEqual(db.run("SELECT start_lsn FROM cdc.change_tables WHERE capture_instance = 'dbo_t12'"),
                         [(None,)])
        self.assertEqual(db.min_lsn("dbo_t12"), ZERO_LSN)
        db.run("INSERT INTO dbo.t12 VALUES (1, N'a'), (2, N'b')")
        # committed, not captured: the change table and the mapping are empty
        self.assertEqual(db.one("SELECT count(*) FROM cdc.dbo_t12_CT"), 0)
        self.assertIsNone(db.max_lsn())
        db.capture()
        self.assertIsNotNone(db.max_lsn())
        start = db.one("SELECT start_lsn FROM cdc.change_tables WHERE capture_instance = 'dbo_t12'")
        self.assertEqual(len(start), 10)
        self.assertEqual(db.min_lsn("dbo_t12"), start)
        rows = db.all_changes("dbo_t12", "all", cols="__$operation, id, v")
        self.assertEqual(rows, [(2, 1, "a"), (2, 2, "b")])
        # idle cycles: a filler entry each, max LSN moves, no data
        before = db.max_lsn()
        fillers = db.one("SELECT count(*) FROM cdc.lsn_time_mapping WHERE tran_id = 0x00")
        db.capture()
        after = db.max_lsn()
        self.assertGreater(after, before)
        self.assertEqual(db.one("SELECT count(*) FROM cdc.lsn_time_mapping WHERE tran_id = 0x00"), fillers + 1)
        self.assertEqual(db.run("SELECT tran_id FROM cdc.lsn_time_mapping WHERE start_lsn = %s", (after,)),
                         [(b"\x00",)])
        self.assertEqual(len(db.all_changes("dbo_t12", "all", to=after)), 2)
        # Debezium's filter leaves only the real transaction
        self.assertEqual(db.one("SELECT count(*) FROM cdc.lsn_time_mapping WHERE tran_id <> 0x00"), 1)


class BackgroundJob(unittest.TestCase):
    """12: the background capture job (--cdc-capture-delay-ms 100) captures
    committed changes without anyone asking."""

    def test_job_captures(self):
        import time
        with tdslite.Server(args=["--cdc-capture-delay-ms", "100"]) as s2:
            db = Db(s2, "cdcjob")
            db.table("CREATE TABLE dbo.tj (id int PRIMARY KEY, v int)")
            db.run("INSERT INTO dbo.tj VALUES (1, 10)")
            deadline = time.monotonic() + 20
            rows = []
            while time.monotonic() < deadline:
                if db.max_lsn() is not None and db.min_lsn("dbo_tj") != ZERO_LSN:
                    rows = db.all_changes("dbo_tj", "all", cols="__$operation, id, v")
                    if rows:
                        break
                time.sleep(0.05)
            self.assertEqual(rows, [(2, 1, 10)])
            db.close()


class Bounds13(unittest.TestCase):
    """13: inclusive bounds, fn_cdc_increment_lsn, Msg 313 (level 16,
    state 3) for NULL or out-of-range bounds and a bad filter, 208 once the
    instance is gone."""

    @classmethod
    def setUpClass(cls):
        db = cls.db = Db(S, "cdc13")
        db.table("CREATE TABLE dbo.t13 (id int PRIMARY KEY, v int)")
        db.capture()
        db.run("INSERT INTO dbo.t13 VALUES (1, 1)")
        db.run("INSERT INTO dbo.t13 VALUES (2, 2)")
        db.run("INSERT INTO dbo.t13 VALUES (3, 3)")
        db.capture()
        cls.lsns = [r[0] for r in db.run("SELECT DISTINCT __$start_lsn FROM cdc.dbo_t13_CT ORDER BY 1")]

    @classmethod
    def tearDownClass(cls):
        cls.db.close()

    def ids(self, frm, to, opt="all"):
        return [r[0] for r in self.db.all_changes("dbo_t13", opt, frm, to, cols="id")]

    def test_inclusive(self):
        a, b, c = self.lsns
        self.assertEqual(self.ids(b, b), [2])
        self.assertEqual(self.ids(a, c), [1, 2, 3])
        self.assertEqual(self.ids(a, b), [1, 2])

    def test_increment_decrement(self):
        a, b, c = self.lsns
        db = self.db
        inc = db.one("SELECT sys.fn_cdc_increment_lsn(%s)", (a,))
        self.assertEqual(int.from_bytes(inc, "big"), int.from_bytes(a, "big") + 1)
        self.assertEqual(db.one("SELECT sys.fn_cdc_decrement_lsn(%s)", (inc,)), a)
        self.assertEqual(db.one("SELECT sys.fn_cdc_increment_lsn(0x000000000000000000FF)"),
                         b"\x00" * 8 + b"\x01\x00")
        self.assertIsNone(db.one("SELECT sys.fn_cdc_increment_lsn(NULL)"))
        # the next window starts after the last one: nothing twice
        self.assertEqual(self.ids(inc, c), [2, 3])

    def assert_313(self, sql, params=None, text=MSG_313_ALL):
        m = self.db.error(sql, params)
        self.assertEqual((m.number, m.severity, m.state, m.text), (313, 16, 3, text))

    def test_313(self):
        a, b, c = self.lsns
        q = "SELECT * FROM cdc.fn_cdc_get_all_changes_dbo_t13(%s, %s, N'all')"
        self.assert_313(q, (None, c))
        self.assert_313(q, (a, None))
        low = self.db.one("SELECT sys.fn_cdc_decrement_lsn(sys.fn_cdc_get_min_lsn('dbo_t13'))")
        self.assert_313(q, (low, c))
        high = self.db.one("SELECT sys.fn_cdc_increment_lsn(sys.fn_cdc_get_max_lsn())")
        self.assert_313(q, (a, high))
        self.assert_313(q, (c, a))  # from above to
        self.assert_313("SELECT * FROM cdc.fn_cdc_get_all_changes_dbo_t13(%s, %s, N'bogus')", (a, c))
        self.assert_313("SELECT * FROM cdc.fn_cdc_get_net_changes_dbo_t13(%s, %s, N'all update old')", (a, c),
                        MSG_313_NET)
        # the check runs even when the range holds no rows
        empty = self.db.max_lsn()
        self.assert_313("SELECT * FROM cdc.fn_cdc_get_all_changes_dbo_t13(%s, %s, N'x')", (empty, empty))

    def test_filter_case_and_blanks(self):
        a, b, c = self.lsns
        self.assertEqual(self.ids(a, c, "  ALL UPDATE Old "), [1, 2, 3])
        rows = self.db.run("SELECT id FROM cdc.fn_cdc_get_net_changes_dbo_t13(%s, %s, N' All With Merge') "
                           "ORDER BY id", (a, c))
        self.assertEqual(rows, [(1,), (2,), (3,)])

    def test_wrong_argument_count(self):
        a, b, c = self.lsns
        m = self.db.error("SELECT * FROM cdc.fn_cdc_get_all_changes_dbo_t13(%s, %s)", (a, c))
        self.assertEqual((m.number, m.text), (313, "An insufficient number of arguments were supplied for the "
                                                   "procedure or function cdc.fn_cdc_get_all_changes_dbo_t13."))
        m = self.db.error("SELECT * FROM cdc.fn_cdc_get_all_changes_dbo_t13(%s, %s, N'all', 1)", (a, c))
        self.assertEqual((m.number, m.text), (8144, "Procedure or function cdc.fn_cdc_get_all_changes_dbo_t13 "
                                                    "has too many arguments specified."))

    def test_208_after_disable(self):
        db = Db(S, "cdc13b")
        db.table("CREATE TABLE dbo.g (id int PRIMARY KEY)")
        db.run("INSERT INTO dbo.g VALUES (1)")
        db.capture()
        self.assertEqual(len(db.all_changes("dbo_g")), 1)
        db.run("EXEC sys.sp_cdc_disable_table @source_schema = N'dbo', @source_name = N'g', "
               "@capture_instance = N'all'")
        for fn in ("all", "net"):
            m = db.error("SELECT * FROM cdc.fn_cdc_get_%s_changes_dbo_g(0x00000000000000000000, "
                         "0x00000000000000000000, N'all')" % fn)
            self.assertEqual((m.number, m.severity, m.text),
                             (208, 16, "Invalid object name 'cdc.fn_cdc_get_%s_changes_dbo_g'." % fn))
        m = db.error("SELECT * FROM cdc.dbo_g_CT")
        self.assertEqual(m.number, 208)
        self.assertEqual(db.min_lsn("dbo_g"), ZERO_LSN)
        self.assertEqual(db.one("SELECT is_tracked_by_cdc FROM sys.tables WHERE name = 'g'"), False)
        db.close()


class Permissions13(unittest.TestCase):
    """13/14: reading change data needs SELECT on the source table (229 on
    the function, fn_cdc_get_min_lsn all zeros) and membership in the
    gating role (313); enabling needs sysadmin (22902) / db_owner (22904)."""

    PW = "Cdc_Reader_Pw1"

    def test_permissions(self):
        db = Db(S, "cdcperm")
        db.table("CREATE TABLE dbo.open_t (id int PRIMARY KEY, v int)")
        db.run("CREATE TABLE dbo.gated (id int PRIMARY KEY, v int)")
        db.run("EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'gated', "
               "@role_name = N'cdc_gate'")
        self.assertEqual(db.one("SELECT type FROM sys.database_principals WHERE name = 'cdc_gate'"), "R")
        self.assertEqual(db.one("SELECT count(*) FROM sys.database_principals WHERE name = 'cdc'"), 1)
        db.run("INSERT INTO dbo.open_t VALUES (1, 1); INSERT INTO dbo.gated VALUES (1, 1)")
        db.capture()
        admin = S.connect(autocommit=True)
        admin.cursor().execute("CREATE LOGIN cdc_reader WITH PASSWORD = N'%s'" % self.PW)
        admin.close()
        db.run("CREATE USER cdc_reader FOR LOGIN cdc_reader")
        rd = S.connect(user="cdc_reader", password=self.PW, database="cdcperm", autocommit=True)

        def err(sql):
            try:
                cur = rd.cursor()
                cur.execute(sql)
                cur.fetchall()
            except Exception as e:
                return tdslite.mssql_error(e)
            raise AssertionError("no error: " + sql)

        def one(sql):
            cur = rd.cursor()
            cur.execute(sql)
            return cur.fetchall()[0][0]

        q = ("SELECT id FROM cdc.fn_cdc_get_all_changes_dbo_%s(sys.fn_cdc_get_min_lsn('dbo_%s'), "
             "sys.fn_cdc_get_max_lsn(), N'all')")
        m = err(q % ("open_t", "open_t"))
        self.assertEqual((m.number, m.severity, m.state, m.text),
                         (229, 14, 5, "The SELECT permission was denied on the object "
                                      "'fn_cdc_get_all_changes_dbo_open_t', database 'cdcperm', schema 'cdc'."))
        self.assertEqual(one("SELECT sys.fn_cdc_get_min_lsn('dbo_open_t')"), ZERO_LSN)
        self.assertIsNotNone(one("SELECT sys.fn_cdc_get_max_lsn()"))  # public
        self.assertIsNone(one("SELECT sys.fn_cdc_get_column_ordinal('dbo_open_t', 'v')"))
        db.run("GRANT SELECT ON dbo.open_t TO cdc_reader; GRANT SELECT ON dbo.gated TO cdc_reader")
        self.assertEqual(one(q % ("open_t", "open_t")), 1)
        self.assertEqual(one("SELECT sys.fn_cdc_get_column_ordinal('dbo_open_t', 'v')"), 2)
        # gated: SELECT is not enough
        m = err("SELECT id FROM cdc.fn_cdc_get_all_changes_dbo_gated(sys.fn_cdc_get_min_lsn('dbo_open_t'), "
                "sys.fn_cdc_get_max_lsn(), N'all')")
        self.assertEqual((m.number, m.state, m.text), (313, 3, MSG_313_ALL))
        self.assertEqual(one("SELECT sys.fn_cdc_get_min_lsn('dbo_gated')"), ZERO_LSN)
        db.run("ALTER ROLE cdc_gate ADD MEMBER cdc_reader")
        self.assertEqual(one(q % ("gated", "gated")), 1)
        m = err("EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'open_t', "
                "@role_name = NULL, @capture_instance = N'x'")
        self.assertEqual((m.number, m.text), (22904, "Caller is not authorized to initiate the requested action. "
                                                     "DBO privileges are required."))
        m = err("EXEC sys.sp_cdc_disable_db")
        self.assertEqual((m.number, m.text), (22902, "Caller is not authorized to initiate the requested action. "
                                                     "Sysadmin privileges are required."))
        rd.close()
        db.close()


class MinLsn14(unittest.TestCase):
    """14: fn_cdc_get_min_lsn is all zeros for an unknown instance (not NULL,
    no error); after cleanup it rises and from < min means lost data."""

    def test_min_lsn(self):
        db = Db(S, "cdc14")
        self.assertEqual(db.min_lsn("nope"), ZERO_LSN)
        self.assertEqual(db.one("SELECT sys.fn_cdc_get_min_lsn(NULL)"), ZERO_LSN)
        db.table("CREATE TABLE dbo.t14 (id int PRIMARY KEY)")
        db.run("INSERT INTO dbo.t14 VALUES (1)")
        db.capture()
        # cleanup lowers the mark to the smallest LSN sharing the given
        # entry's commit time (SQL Server documents this): commit 2 must not
        # fall in commit 1's datetime tick (1/300 s), or l2 becomes l1
        db.wait_past_mapping()
        db.run("INSERT INTO dbo.t14 VALUES (2)")
        db.capture()
        first = db.min_lsn("dbo_t14")
        l1, l2 = [r[0] for r in db.run("SELECT __$start_lsn FROM cdc.dbo_t14_CT ORDER BY 1")]
        db.run("EXEC sys.sp_cdc_cleanup_change_table @capture_instance = N'dbo_t14', @low_water_mark = %s, "
               "@threshold = 100", (l2,))
        self.assertEqual(db.min_lsn("dbo_t14"), l2)
        self.assertGreater(l2, first)
        # a reader still at the old position finds from < min: Msg 313
        m = db.error("SELECT * FROM cdc.fn_cdc_get_all_changes_dbo_t14(%s, sys.fn_cdc_get_max_lsn(), N'all')", (l1,))
        self.assertEqual((m.number, m.state), (313, 3))
        self.assertEqual([r[0] for r in db.all_changes("dbo_t14", "all", cols="id")], [2])
        db.close()


class Rows15(unittest.TestCase):
    """15: insert 2, delete 1, update 3+4 sharing start_lsn and seqval;
    'all' hides 3; one transaction, one start_lsn; commit order kept."""

    @classmethod
    def setUpClass(cls):
        db = cls.db = Db(S, "cdc15")
        db.table("CREATE TABLE dbo.t15 (id int PRIMARY KEY, v nvarchar(10), n int)")
        db.run("INSERT INTO dbo.t15 VALUES (1, N'a', 1), (2, N'b', 2), (3, N'c', 3)")
        db.run("UPDATE dbo.t15 SET v = N'B' WHERE id = 2")
        db.run("DELETE FROM dbo.t15 WHERE id = 3")
        db.run("BEGIN TRAN; INSERT INTO dbo.t15 VALUES (4, N'd', 4); UPDATE dbo.t15 SET n = n + 10; COMMIT")
        db.run("BEGIN TRAN; INSERT INTO dbo.t15 VALUES (9, N'z', 9); ROLLBACK")
        db.run("BEGIN TRAN; INSERT INTO dbo.t15 VALUES (5, N'e', 5); SAVE TRAN s; DELETE FROM dbo.t15 WHERE id = 1;"
               " ROLLBACK TRAN s; COMMIT")
        db.capture()

    @classmethod
    def tearDownClass(cls):
        cls.db.close()

    def test_all_update_old(self):
        rows = self.db.all_changes("dbo_t15", cols="__$start_lsn, __$seqval, __$operation, id, v, n")
        self.assertEqual([r[2:] for r in rows], [
            (2, 1, "a", 1), (2, 2, "b", 2), (2, 3, "c", 3),
            (3, 2, "b", 2), (4, 2, "B", 2),
            (1, 3, "c", 3),
            (2, 4, "d", 4), (3, 1, "a", 1), (4, 1, "a", 11), (3, 2, "B", 2), (4, 2, "B", 12),
            (3, 4, "d", 4), (4, 4, "d", 14),
            (2, 5, "e", 5)])
        lsns = [r[0] for r in rows]
        self.assertEqual(len(set(lsns)), 5)  # one per committed transaction, the rolled back one absent
        self.assertEqual(lsns, sorted(lsns))
        # one statement: one start_lsn, increasing seqval
        first = [r for r in rows if r[0] == lsns[0]]
        self.assertEqual([r[1] for r in first], sorted(r[1] for r in first))
        self.assertEqual(len({r[1] for r in first}), 3)
        # an update's 3 and 4 share start_lsn and seqval
        upd = [r for r in rows if r[2] in (3, 4) and r[3] == 2 and r[5] == 2]
        self.assertEqual([(r[0], r[1]) for r in upd][0], (rows[3][0], rows[3][1]))
        self.assertEqual((rows[3][0], rows[3][1]), (rows[4][0], rows[4][1]))

    def test_all_hides_old_values(self):
        rows = self.db.all_changes("dbo_t15", "all", cols="__$operation, id")
        self.assertNotIn(3, [r[0] for r in rows])
        self.assertEqual(len(rows), 10)

    def test_columns_and_command_id(self):
        db = self.db
        self.assertEqual(db.cols("SELECT * FROM cdc.fn_cdc_get_all_changes_dbo_t15(sys.fn_cdc_get_min_lsn('dbo_t15'),"
                                 " sys.fn_cdc_get_max_lsn(), N'all')"),
                         ["__$start_lsn", "__$seqval", "__$operation", "__$update_mask", "id", "v", "n"])
        self.assertEqual(db.cols("SELECT * FROM cdc.dbo_t15_CT"),
                         ["__$start_lsn", "__$end_lsn", "__$seqval", "__$operation", "__$update_mask", "id", "v",
                          "n", "__$command_id"])
        # the insert-then-update transaction: statements 1 and 2
        rows = db.run("SELECT __$command_id, __$operation, id FROM cdc.dbo_t15_CT WHERE __$start_lsn ="
                      " (SELECT __$start_lsn FROM cdc.dbo_t15_CT WHERE id = 4 AND __$operation = 2)"
                      " ORDER BY __$seqval, __$operation")
        self.assertEqual([r[0] for r in rows], [1, 2, 2, 2, 2, 2, 2])
        self.assertEqual(db.one("SELECT count(*) FROM cdc.dbo_t15_CT WHERE __$end_lsn IS NOT NULL"), 0)


class Net16(unittest.TestCase):
    """16: net changes exactly as the generated function (spec B5)."""

    @classmethod
    def setUpClass(cls):
        db = cls.db = Db(S, "cdc16")
        db.table("CREATE TABLE dbo.t16 (id int PRIMARY KEY, a int, b int)")
        db.run("INSERT INTO dbo.t16 VALUES (1, 1, 1), (2, 2, 2), (3, 3, 3), (4, 4, 4)")
        db.capture()
        cls.base = db.max_lsn()
        db.run("INSERT INTO dbo.t16 VALUES (10, 10, 10)")               # insert + delete: nothing
        db.run("DELETE FROM dbo.t16 WHERE id = 10")
        db.run("DELETE FROM dbo.t16 WHERE id = 1")                       # delete + insert: 4
        db.run("INSERT INTO dbo.t16 VALUES (1, 100, 100)")
        db.run("INSERT INTO dbo.t16 VALUES (11, 11, 11)")               # insert + update: 2, final values
        db.run("UPDATE dbo.t16 SET a = 12 WHERE id = 11")
        db.run("UPDATE dbo.t16 SET a = 20 WHERE id = 2")                 # two updates: 4, masks ORed
        db.run("UPDATE dbo.t16 SET b = 21 WHERE id = 2")
        db.run("DELETE FROM dbo.t16 WHERE id = 3")                       # delete: 1
        db.run("UPDATE dbo.t16 SET a = 40 WHERE id = 4")                 # update + delete: 1
        db.run("DELETE FROM dbo.t16 WHERE id = 4")
        db.capture()
        cls.frm = db.one("SELECT sys.fn_cdc_increment_lsn(%s)", (cls.base,))

    @classmethod
    def tearDownClass(cls):
        cls.db.close()

    def net(self, opt):
        return self.db.net_changes("dbo_t16", opt, self.frm, None, cols="__$operation, __$update_mask, id, a, b")

    def test_all(self):
        self.assertEqual(self.net("all"), [
            (4, None, 1, 100, 100), (4, None, 2, 20, 21), (1, None, 3, 3, 3), (1, None, 4, 40, 4),
            (2, None, 11, 12, 11)])

    def test_all_with_mask(self):
        # ordinals: id 1, a 2, b 3; masks only for net updates
        self.assertEqual(self.net("all with mask"), [
            (4, b"\x07", 1, 100, 100), (4, b"\x06", 2, 20, 21), (1, None, 3, 3, 3), (1, None, 4, 40, 4),
            (2, None, 11, 12, 11)])

    def test_all_with_merge(self):
        self.assertEqual(self.net("all with merge"), [
            (5, None, 1, 100, 100), (5, None, 2, 20, 21), (1, None, 3, 3, 3), (1, None, 4, 40, 4),
            (5, None, 11, 12, 11)])

    def test_columns_and_start_lsn(self):
        db = self.db
        self.assertEqual(db.cols("SELECT * FROM cdc.fn_cdc_get_net_changes_dbo_t16(sys.fn_cdc_get_min_lsn('dbo_t16'),"
                                 " sys.fn_cdc_get_max_lsn(), N'all')"),
                         ["__$start_lsn", "__$operation", "__$update_mask", "id", "a", "b"])
        # the start_lsn of the key's last change
        last = db.one("SELECT max(__$start_lsn) FROM cdc.dbo_t16_CT WHERE id = 2")
        got = db.run("SELECT __$start_lsn FROM cdc.fn_cdc_get_net_changes_dbo_t16(%s, sys.fn_cdc_get_max_lsn(), "
                     "N'all') WHERE id = 2", (self.frm,))
        self.assertEqual(got, [(last,)])

    def test_only_with_net_support(self):
        db = self.db
        db.run("CREATE TABLE dbo.heap16 (id int, v int)")
        db.run("EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'heap16', @role_name = NULL")
        self.assertEqual(db.one("SELECT supports_net_changes FROM cdc.change_tables WHERE capture_instance = "
                                "'dbo_heap16'"), False)
        m = db.error("SELECT * FROM cdc.fn_cdc_get_net_changes_dbo_heap16(%s, %s, N'all')", (self.frm, self.frm))
        self.assertEqual((m.number, m.text), (208, "Invalid object name 'cdc.fn_cdc_get_net_changes_dbo_heap16'."))
        db.run("CREATE TABLE dbo.nonet16 (id int PRIMARY KEY)")
        db.run("EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'nonet16', @role_name = NULL,"
               " @supports_net_changes = 0")
        m = db.error("SELECT * FROM cdc.fn_cdc_get_net_changes_dbo_nonet16(%s, %s, N'all')", (self.frm, self.frm))
        self.assertEqual(m.number, 208)
        m = db.error("EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'heap16', "
                     "@role_name = NULL, @capture_instance = N'h2', @supports_net_changes = 1")
        self.assertEqual(m.number, 22939)


class Mask17(unittest.TestCase):
    """17: __$update_mask: all bits for 1 and 2, changed columns for 3 and
    4, bit position = column_ordinal among captured columns."""

    def test_masks(self):
        db = Db(S, "cdc17")
        db.table("CREATE TABLE dbo.t17 (id int PRIMARY KEY, skip1 int, a int, skip2 int, b int, c int)",
                 ", @captured_column_list = N'id, a, b, c'")
        self.assertEqual(db.run("SELECT column_name, column_id, column_ordinal FROM cdc.captured_columns "
                                "ORDER BY column_ordinal"),
                         [("id", 1, 1), ("a", 3, 2), ("b", 5, 3), ("c", 6, 4)])
        db.run("INSERT INTO dbo.t17 VALUES (1, 0, 1, 0, 1, 1)")
        db.run("UPDATE dbo.t17 SET b = 2 WHERE id = 1")
        db.run("UPDATE dbo.t17 SET skip1 = 5 WHERE id = 1")  # no captured column: empty mask
        db.run("UPDATE dbo.t17 SET a = 3, c = 3 WHERE id = 1")
        db.run("DELETE FROM dbo.t17")
        db.capture()
        rows = db.all_changes("dbo_t17", cols="__$operation, __$update_mask")
        self.assertEqual(rows, [(2, b"\x0f"), (3, b"\x04"), (4, b"\x04"), (3, b"\x00"), (4, b"\x00"),
                                (3, b"\x0a"), (4, b"\x0a"), (1, b"\x0f")])
        self.assertEqual(db.one("SELECT sys.fn_cdc_get_column_ordinal('dbo_t17', 'b')"), 3)
        self.assertEqual(db.one("SELECT sys.fn_cdc_get_column_ordinal('dbo_t17', 'skip1')"), None)
        got = db.run("SELECT __$operation, sys.fn_cdc_is_bit_set(sys.fn_cdc_get_column_ordinal('dbo_t17', 'b'),"
                     " __$update_mask), sys.fn_cdc_has_column_changed('dbo_t17', 'c', __$update_mask)"
                     " FROM cdc.fn_cdc_get_all_changes_dbo_t17(sys.fn_cdc_get_min_lsn('dbo_t17'),"
                     " sys.fn_cdc_get_max_lsn(), N'all') ORDER BY __$start_lsn, __$seqval")
        self.assertEqual(got, [(2, True, True), (4, True, False), (4, False, False), (4, False, True),
                               (1, True, True)])
        self.assertEqual(db.one("SELECT sys.fn_cdc_is_bit_set(9, 0x0100)"), True)
        self.assertEqual(db.one("SELECT sys.fn_cdc_is_bit_set(17, 0x0100)"), False)
        db.close()


class ColumnsDdl18(unittest.TestCase):
    """18: captured column lists, DDL on the source, second and third
    capture instances, start_lsn NULL until the first capture."""

    def test_column_list_quoting(self):
        db = Db(S, "cdc18a")
        db.run("CREATE TABLE dbo.q (id int PRIMARY KEY, [a b] int, [x]]y] int, \"c\"\"d\" int, e int)")
        db.run("EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'q', @role_name = NULL,"
               " @captured_column_list = N' id ,[a b], [x]]y],\"c\"\"d\"'")
        self.assertEqual(db.run("SELECT column_name FROM cdc.captured_columns ORDER BY column_ordinal"),
                         [("id",), ("a b",), ("x]y",), ('c"d',)])
        db.run("CREATE TABLE dbo.q2 (id int PRIMARY KEY, a int)")
        for lst, num in (("a", 22943), ("id, nope", 22942), ("id, [a", 22965)):
            m = db.error("EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'q2', "
                         "@role_name = NULL, @captured_column_list = N'%s'" % lst)
            self.assertEqual(m.number, num, lst)
        m = db.error("EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'q2'")
        self.assertEqual((m.number, m.text), (201, "Procedure or function 'sp_cdc_enable_table' expects parameter "
                                                   "'@role_name', which was not supplied."))
        m = db.error("EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'nope', "
                     "@role_name = NULL")
        self.assertEqual(m.number, 22931)
        db.run("EXEC sys.sp_cdc_enable_table N'dbo', N'q2', NULL")  # positional: role third
        self.assertEqual(db.run("SELECT capture_instance, index_name, role_name FROM cdc.change_tables "
                                "WHERE capture_instance = 'dbo_q2'"), [("dbo_q2", None, None)])
        m = db.error("EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'q', @role_name = NULL,"
                     " @capture_instance = N'dbo_q2'")
        self.assertEqual(m.number, 22926)
        db.close()

    def test_ddl(self):
        db = Db(S, "cdc18b")
        db.table("CREATE TABLE dbo.d (id int PRIMARY KEY, a int, gone int, t int)")
        self.assertIsNone(db.one("SELECT start_lsn FROM cdc.change_tables"))
        db.run("INSERT INTO dbo.d VALUES (1, 1, 1, 1)")
        db.capture()
        first_start = db.one("SELECT start_lsn FROM cdc.change_tables WHERE capture_instance = 'dbo_d'")
        self.assertIsNotNone(first_start)
        db.run("ALTER TABLE dbo.d ADD added int")
        db.run("ALTER TABLE dbo.d DROP COLUMN gone")
        db.run("ALTER TABLE dbo.d ALTER COLUMN t bigint")
        db.run("INSERT INTO dbo.d (id, a, t, added) VALUES (2, 2, 5000000000, 2)")
        db.capture()
        self.assertEqual(db.cols("SELECT * FROM cdc.dbo_d_CT"),
                         ["__$start_lsn", "__$end_lsn", "__$seqval", "__$operation", "__$update_mask", "id", "a",
                          "gone", "t", "__$command_id"])
        self.assertEqual(db.all_changes("dbo_d", cols="id, a, gone, t"), [(1, 1, 1, 1), (2, 2, None, 5000000000)])
        self.assertEqual(db.one("SELECT column_type FROM cdc.captured_columns WHERE column_name = 't'"), "bigint")
        self.assertEqual(db.one("SELECT TYPE_NAME(system_type_id) FROM sys.columns WHERE object_id = "
                                "OBJECT_ID('cdc.dbo_d_CT') AND name = 't'"), "bigint")
        hist = db.run("SELECT ddl_command, required_column_update FROM cdc.ddl_history ORDER BY ddl_time")
        self.assertEqual([h[0] for h in hist], ["ALTER TABLE dbo.d ADD added int", "ALTER TABLE dbo.d DROP COLUMN gone",
                                                "ALTER TABLE dbo.d ALTER COLUMN t bigint"])
        self.assertEqual([h[1] for h in hist], [False, False, True])
        # a second instance picks up the new column and starts later
        db.run("EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'd', @role_name = NULL,"
               " @capture_instance = N'dbo_d_v2'")
        self.assertIsNone(db.one("SELECT start_lsn FROM cdc.change_tables WHERE capture_instance = 'dbo_d_v2'"))
        db.run("INSERT INTO dbo.d (id, a, t, added) VALUES (3, 3, 3, 3)")
        db.capture()
        starts = dict(db.run("SELECT capture_instance, start_lsn FROM cdc.change_tables"))
        self.assertGreater(starts["dbo_d_v2"], starts["dbo_d"])
        self.assertEqual(db.all_changes("dbo_d_v2", cols="id, added"), [(3, 3)])
        self.assertEqual(db.all_changes("dbo_d", cols="id")[-1], (3,))
        m = db.error("EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'd', "
                     "@role_name = NULL, @capture_instance = N'dbo_d_v3'")
        self.assertEqual((m.number, m.severity, m.text),
                         (22962, 16, "Two capture instances already exist for source table 'dbo.d'. A table can have "
                                     "at most two capture instances. If the current tracking options are not "
                                     "appropriate, disable change tracking for the obsolete instance by using "
                                     "sys.sp_cdc_disable_table and retry the operation."))
        db.run("EXEC sys.sp_cdc_disable_table @source_schema = N'dbo', @source_name = N'd', "
               "@capture_instance = N'dbo_d'")
        self.assertEqual(db.run("SELECT capture_instance FROM cdc.change_tables"), [("dbo_d_v2",)])
        m = db.error("EXEC sys.sp_cdc_disable_table @source_schema = N'dbo', @source_name = N'd', "
                     "@capture_instance = N'dbo_d'")
        self.assertEqual(m.number, 22960)
        db.close()

    def test_database_switch(self):
        db = Db(S, "cdc18c", enable=False)
        self.assertEqual(db.one("SELECT is_cdc_enabled FROM sys.databases WHERE name = 'cdc18c'"), False)
        db.run("CREATE TABLE dbo.s (id int PRIMARY KEY)")
        m = db.error("EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N's', @role_name = NULL")
        self.assertEqual(m.number, 22901)
        db.run("EXEC sys.sp_cdc_enable_db")
        self.assertEqual(db.one("SELECT is_cdc_enabled FROM sys.databases WHERE name = 'cdc18c'"), True)
        # already enabled: 22905, an informational message (severity 10), which
        # pymssql turns into an exception as for any message above severity 5
        m = db.error("EXEC sys.sp_cdc_enable_db")
        self.assertEqual((m.number, m.severity), (22905, 10))
        db.table("CREATE TABLE dbo.s2 (id int PRIMARY KEY)")
        self.assertEqual(db.one("SELECT is_ms_shipped FROM sys.tables WHERE name = 'dbo_s2_CT'"), True)
        db.run("EXEC sys.sp_cdc_disable_db")
        self.assertEqual(db.one("SELECT is_cdc_enabled FROM sys.databases WHERE name = 'cdc18c'"), False)
        self.assertEqual(db.one("SELECT count(*) FROM sys.tables WHERE name = 'dbo_s2_CT'"), 0)
        self.assertEqual(db.one("SELECT count(*) FROM sys.schemas WHERE name = 'cdc'"), 0)
        self.assertEqual(db.error("SELECT * FROM cdc.change_tables").number, 208)
        db.run("CREATE SCHEMA cdc")
        m = db.error("EXEC sys.sp_cdc_enable_db")
        self.assertEqual(m.number, 22906)
        m = tdslite_master_error("EXEC sys.sp_cdc_enable_db")
        self.assertEqual(m.number, 22989)
        db.close()


class Help(unittest.TestCase):
    """sys.sp_cdc_help_change_data_capture (Debezium's way to list capture
    instances), and the procedures called by RPC."""

    def test_help(self):
        db = Db(S, "cdchelp")
        db.run("CREATE TABLE dbo.h (id int PRIMARY KEY, [odd]]name] int, v int)")
        cur = db.conn.cursor()
        cur.callproc("sys.sp_cdc_enable_table", ("dbo", "h", None))  # RPC, positional
        cur.callproc("tdslite.cdc_capture", ())
        cols = db.cols("EXEC sys.sp_cdc_help_change_data_capture")
        self.assertEqual(cols, ["source_schema", "source_table", "capture_instance", "object_id", "source_object_id",
                                "start_lsn", "end_lsn", "supports_net_changes", "has_drop_pending", "role_name",
                                "index_name", "filegroup_name", "create_date", "index_column_list",
                                "captured_column_list"])
        rows = db.run("EXEC sys.sp_cdc_help_change_data_capture @source_schema = N'dbo', @source_name = N'h'")
        self.assertEqual(len(rows), 1)
        r = rows[0]
        self.assertEqual(r[:3], ("dbo", "h", "dbo_h"))
        self.assertEqual(r[3], db.one("SELECT OBJECT_ID('cdc.dbo_h_CT')"))
        self.assertEqual(r[4], db.one("SELECT OBJECT_ID('dbo.h')"))
        self.assertEqual(r[5], db.min_lsn("dbo_h"))
        self.assertEqual((r[7], r[13], r[14]), (True, "[id]", "[id], [odd]]name], [v]"))
        self.assertEqual(db.run("EXEC sys.sp_cdc_help_change_data_capture N'dbo', N'other'"), [])
        m = db.error("EXEC sys.sp_cdc_help_change_data_capture @source_schema = N'dbo'")
        self.assertEqual(m.number, 22972)
        # capture of another database, from master
        db.run("INSERT INTO dbo.h VALUES (7, 7, 7)")
        admin = S.connect(autocommit=True)
        admin.cursor().execute("EXEC tdslite.cdc_capture @database_name = N'cdchelp'")
        admin.close()
        self.assertEqual(db.one("SELECT count(*) FROM cdc.dbo_h_CT WHERE id = 7"), 1)
        m = db.error("EXEC tdslite.cdc_capture @database_name = N'nosuchdb'")
        self.assertEqual(m.number, 911)
        db.close()


def tdslite_master_error(sql):
    conn = S.connect(autocommit=True)
    try:
        conn.cursor().execute(sql)
    except Exception as e:
        return tdslite.mssql_error(e)
    finally:
        conn.close()
    raise AssertionError("no error")


class Types19(unittest.TestCase):
    """19: rowversion is binary(8) in the change table, identity is a plain
    int, (max) columns are NULL in old-value rows unless they changed."""

    def test_types(self):
        db = Db(S, "cdc19")
        db.table("CREATE TABLE dbo.t19 (id int IDENTITY(1,1) PRIMARY KEY, rv rowversion, big nvarchar(max),"
                 " small nvarchar(10), bin varbinary(max))")
        got = db.run("SELECT name, TYPE_NAME(system_type_id), max_length, is_identity FROM sys.columns"
                     " WHERE object_id = OBJECT_ID('cdc.dbo_t19_CT') AND name IN ('id', 'rv', 'big') ORDER BY column_id")
        self.assertEqual(got, [("id", "int", 4, False), ("rv", "binary", 8, False), ("big", "nvarchar", -1, False)])
        db.run("INSERT INTO dbo.t19 (big, small, bin) VALUES (N'long text', N's', 0x0102)")
        db.run("UPDATE dbo.t19 SET small = N't'")
        db.run("UPDATE dbo.t19 SET big = N'longer text'")
        db.run("DELETE FROM dbo.t19")
        db.capture()
        rows = db.all_changes("dbo_t19", cols="__$operation, id, big, small, bin")
        self.assertEqual(rows, [
            (2, 1, "long text", "s", b"\x01\x02"),
            (3, 1, None, "s", None), (4, 1, "long text", "t", b"\x01\x02"),
            (3, 1, "long text", "t", None), (4, 1, "longer text", "t", b"\x01\x02"),
            (1, 1, "longer text", "t", b"\x01\x02")])
        rv = db.run("SELECT __$operation, rv FROM cdc.dbo_t19_CT ORDER BY __$seqval, __$operation")
        self.assertTrue(all(len(r[1]) == 8 for r in rv))
        self.assertEqual(rv[1][1], rv[0][1])          # old value of the first update = the inserted version
        self.assertGreater(rv[2][1], rv[1][1])        # a new version after it
        # the rowversion column changes with every update: its bit is set
        ordinal = db.one("SELECT sys.fn_cdc_get_column_ordinal('dbo_t19', 'rv')")
        masks = db.run("SELECT sys.fn_cdc_is_bit_set(%d, __$update_mask) FROM cdc.dbo_t19_CT "
                       "WHERE __$operation = 4" % ordinal)
        self.assertEqual(masks, [(True,), (True,)])
        db.close()

    def test_text_columns(self):
        # text/ntext/image: NULL in delete (1) and old-value (3) rows
        db = Db(S, "cdc19b")
        db.table("CREATE TABLE dbo.tx (id int PRIMARY KEY, nt ntext, v int)")
        db.run("INSERT INTO dbo.tx VALUES (1, N'old text', 1)")
        db.run("UPDATE dbo.tx SET v = 2")
        db.run("DELETE FROM dbo.tx")
        db.capture()
        rows = db.all_changes("dbo_tx", cols="__$operation, CAST(nt AS nvarchar(20)), v")
        self.assertEqual(rows, [(2, "old text", 1), (3, None, 1), (4, "old text", 2), (1, None, 2)])
        db.close()


class Truncate20(unittest.TestCase):
    """20: TRUNCATE TABLE is refused on a CDC table (4711); SWITCH is not
    supported by tdslite (no partitions) and says so."""

    def test_truncate(self):
        db = Db(S, "cdc20")
        db.table("CREATE TABLE dbo.t20 (id int PRIMARY KEY)")
        db.run("INSERT INTO dbo.t20 VALUES (1)")
        m = db.error("TRUNCATE TABLE dbo.t20")
        self.assertEqual((m.number, m.severity, m.state, m.text),
                         (4711, 16, 1, "Cannot truncate table 't20' because it is published for replication or "
                                       "enabled for Change Data Capture."))
        self.assertEqual(db.one("SELECT count(*) FROM dbo.t20"), 1)
        m = db.error("ALTER TABLE dbo.t20 SWITCH TO dbo.other")
        self.assertEqual(m.number, 50000)
        self.assertIn("not supported by tdslite", m.text)
        db.run("EXEC sys.sp_cdc_disable_table @source_schema = N'dbo', @source_name = N't20', "
               "@capture_instance = N'all'")
        db.run("TRUNCATE TABLE dbo.t20")
        db.close()


class Cleanup21(unittest.TestCase):
    """21: retention cleanup (default 4320 minutes) on the engine clock:
    the low water mark rises and old rows leave the functions."""

    def test_retention(self):
        db = Db(S, "cdc21")
        db.table("CREATE TABLE dbo.t21 (id int PRIMARY KEY)")
        db.run("INSERT INTO dbo.t21 VALUES (1)")
        db.capture()
        # a minute apart: entries sharing one tran_end_time count as one point
        db.run("EXEC tdslite.advance_clock @minutes = 1")
        db.run("INSERT INTO dbo.t21 VALUES (2)")
        db.capture()
        old_min = db.min_lsn("dbo_t21")
        self.assertEqual([r[0] for r in db.all_changes("dbo_t21", cols="id")], [1, 2])
        db.run("EXEC tdslite.advance_clock @minutes = 4318")
        db.run("INSERT INTO dbo.t21 VALUES (3)")
        db.capture()  # nothing is older than 4320 minutes yet
        self.assertEqual(db.min_lsn("dbo_t21"), old_min)
        self.assertEqual(len(db.all_changes("dbo_t21")), 3)
        db.run("EXEC tdslite.advance_clock @minutes = 2")
        db.run("INSERT INTO dbo.t21 VALUES (4)")
        db.capture()
        # the newest entry at or before (newest time - 4320 min) is the low water mark:
        # id 2's transaction; id 1's is gone from the change table and the mapping
        l2 = db.one("SELECT __$start_lsn FROM cdc.dbo_t21_CT WHERE id = 2")
        self.assertEqual(db.min_lsn("dbo_t21"), l2)
        self.assertEqual([r[0] for r in db.all_changes("dbo_t21", cols="id")], [2, 3, 4])
        self.assertEqual(db.one("SELECT count(*) FROM cdc.dbo_t21_CT WHERE id = 1"), 0)
        self.assertEqual(db.one("SELECT count(*) FROM cdc.lsn_time_mapping WHERE start_lsn < %s", (l2,)), 0)
        m = db.error("SELECT * FROM cdc.fn_cdc_get_all_changes_dbo_t21(%s, sys.fn_cdc_get_max_lsn(), N'all')",
                     (old_min,))
        self.assertEqual(m.number, 313)
        db.close()

    def test_change_job_and_manual_cleanup(self):
        db = Db(S, "cdc21b")
        db.table("CREATE TABLE dbo.u (id int PRIMARY KEY)")
        db.run("EXEC sys.sp_cdc_change_job @job_type = N'cleanup', @retention = 10")
        for i in range(3):
            db.run("EXEC tdslite.advance_clock @minutes = 1")
            db.run("INSERT INTO dbo.u VALUES (%d)" % i)
            db.capture()
        db.run("EXEC tdslite.advance_clock @minutes = 11")
        db.capture()  # idle: its filler entry is 11 minutes newer
        self.assertEqual([r[0] for r in db.all_changes("dbo_u", cols="id")], [2])
        self.assertEqual(db.error("EXEC sys.sp_cdc_change_job @job_type = N'cleanup', @retention = 0").number,
                         22994)
        m = db.error("EXEC sys.sp_cdc_cleanup_change_table @capture_instance = N'dbo_u', "
                     "@low_water_mark = 0x00000000000000000005, @threshold = 10")
        self.assertEqual(m.number, 22964)
        m = db.error("EXEC sys.sp_cdc_cleanup_change_table @capture_instance = N'nope', @low_water_mark = NULL")
        self.assertEqual(m.number, 22920)
        db.close()


class Lsn22(unittest.TestCase):
    """22: 10-byte big-endian LSNs, 0x literals, the 8:8:4 text form,
    tran_end_time in server-local time."""

    def test_lsn_forms(self):
        db = Db(S, "cdc22")
        db.table("CREATE TABLE dbo.t22 (id int PRIMARY KEY)")
        for i in range(3):
            db.run("INSERT INTO dbo.t22 VALUES (%d)" % i)
        db.capture()
        lsns = [r[0] for r in db.run("SELECT start_lsn FROM cdc.lsn_time_mapping WHERE tran_id <> 0x00 "
                                     "ORDER BY tran_end_time, start_lsn")]
        self.assertEqual(len(lsns), 3)
        self.assertTrue(all(len(x) == 10 for x in lsns))
        self.assertEqual(lsns, sorted(lsns, key=lambda b: int.from_bytes(b, "big")))

        def text(lsn):  # Debezium / fn_dblog style
            h = lsn.hex()
            return "%s:%s:%s" % (h[:8], h[8:16], h[16:])

        def parse(t):
            return bytes.fromhex(t.replace(":", ""))

        second = text(lsns[1])
        self.assertRegex(second, r"^[0-9a-f]{8}:[0-9a-f]{8}:[0-9a-f]{4}$")
        self.assertEqual(parse(second), lsns[1])
        # the round-tripped value and a 0x literal select the same transaction
        literal = "0x" + parse(second).hex().upper()
        rows = db.run("SELECT id FROM cdc.fn_cdc_get_all_changes_dbo_t22(%s, %s, N'all')" % (literal, literal))
        self.assertEqual(rows, [(1,)])
        self.assertEqual(db.run("SELECT id FROM cdc.fn_cdc_get_all_changes_dbo_t22(%s, %s, N'all')",
                                (parse(second), parse(second))), [(1,)])
        self.assertEqual(db.one("SELECT CONVERT(binary(10), %s, 1)", (literal,)), lsns[1])
        self.assertEqual(db.one("SELECT CONVERT(varchar(30), %s, 1)", (lsns[1],)), literal)
        # commit times: server-local datetime, in commit order; map both ways
        times = db.run("SELECT start_lsn, tran_end_time, ABS(DATEDIFF(second, tran_end_time, GETDATE())) "
                       "FROM cdc.lsn_time_mapping WHERE tran_id <> 0x00 ORDER BY start_lsn")
        self.assertTrue(all(t[2] < 120 for t in times))
        self.assertEqual([t[1] for t in times], sorted(t[1] for t in times))
        lsn, t = times[1][0], times[1][1]
        # the time functions read every entry, fillers and the instance's
        # start marker (tran_id 0x00) included: one may share t's tick
        mapping = db.run("SELECT start_lsn, tran_end_time FROM cdc.lsn_time_mapping")
        self.assertEqual(db.one("SELECT sys.fn_cdc_map_lsn_to_time(%s)", (lsn,)), t)
        self.assertIsNone(db.one("SELECT sys.fn_cdc_map_lsn_to_time(sys.fn_cdc_increment_lsn(%s))", (lsn,)))
        tt = t.strftime("%Y-%m-%d %H:%M:%S.") + "%03d" % (t.microsecond // 1000)
        same = [x[0] for x in mapping if x[1] == t]
        q = "SELECT sys.fn_cdc_map_time_to_lsn(N'%s', '%s')"
        self.assertEqual(db.one(q % ("largest less than or equal", tt)), max(same))
        self.assertEqual(db.one(q % ("smallest greater than or equal", tt)), min(same))
        below = [x[0] for x in db.run("SELECT start_lsn FROM cdc.lsn_time_mapping WHERE tran_end_time < '%s'" % tt)]
        self.assertEqual(db.one(q % ("largest less than", tt)), max(below) if below else None)
        self.assertIsNone(db.one(q % ("smallest greater than", "9999-12-31 00:00:00")))
        self.assertIsNone(db.one(q % ("nonsense", tt)))
        db.close()


if __name__ == "__main__":
    unittest.main()
