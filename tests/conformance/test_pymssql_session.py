"""tdslite conformance, pymssql (FreeTDS db-lib): login, errors, row counts,
result sets, callproc, transactions, attention, concurrency.

Every expectation is what a real SQL Server 2022 returns to pymssql; where
tdslite differs, the test fails and tdslite gets fixed.
"""

import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdslite  # noqa: E402
import pymssql  # noqa: E402

S = None


def setUpModule():
    global S
    S = tdslite.Server().start()


def tearDownModule():
    if S:
        S.stop()


def conn(**kw):
    kw.setdefault("autocommit", True)
    return S.connect(**kw)


def scalar(c, sql):
    cur = c.cursor()
    cur.execute(sql)
    row = cur.fetchone()
    return row[0] if row else None


def raises(c, sql):
    """Run sql and return the server message pymssql raised and the
    exception (fails if none)."""
    e = tdslite.raised(c, sql)
    return tdslite.mssql_error(e), e


class Login(unittest.TestCase):
    def test_login_and_session_basics(self):
        c = conn()
        try:
            self.assertEqual(scalar(c, "SELECT DB_NAME()"), "master")
            self.assertEqual(scalar(c, "SELECT 1 + 1"), 2)
            self.assertTrue(scalar(c, "SELECT @@VERSION").startswith("Microsoft SQL Server"))
            self.assertEqual(scalar(c, "SELECT @@TRANCOUNT"), 0)
            self.assertGreater(scalar(c, "SELECT @@SPID"), 0)
            self.assertEqual(scalar(c, "SELECT SUSER_SNAME()"), "sa")
        finally:
            c.close()

    # Each failed login runs in a fresh process (Server.failed_login): pymssql
    # 2.2 keeps the severity of the first failed login of a process and then
    # reports later ones with a stale number and no server text, whatever
    # the server (see tdslite._login_probe).

    def test_wrong_password_18456(self):
        exc, m = S.failed_login(password="wrong-password")
        self.assertEqual(exc, "OperationalError")
        self.assertEqual(m.number, 18456)
        self.assertEqual(m.severity, 14)
        self.assertEqual(m.state, 1)
        self.assertTrue(m.text.startswith("Login failed for user 'sa'."), m.text)
        # The server survives and still accepts the right password.
        c = conn()
        self.assertEqual(scalar(c, "SELECT 1"), 1)
        c.close()

    def test_unknown_user_18456(self):
        exc, m = S.failed_login(user="nobody")
        self.assertEqual(exc, "OperationalError")
        self.assertEqual(m.number, 18456)
        self.assertTrue(m.text.startswith("Login failed for user 'nobody'."), m.text)

    def test_unknown_database_4060_then_18456(self):
        # db-lib puts the database in LOGIN7; SQL Server answers 4060 (class
        # 11) then 18456 (class 14); pymssql keeps the most severe: 18456.
        exc, m = S.failed_login(database="no_such_db")
        self.assertEqual(exc, "OperationalError")
        self.assertEqual(m.number, 18456)
        self.assertEqual(m.severity, 14)
        self.assertTrue(m.text.startswith("Login failed for user 'sa'."), m.text)

    def test_use_unknown_database_911(self):
        c = conn()
        try:
            m, _ = raises(c, "USE no_such_db")
            self.assertEqual((m.number, m.severity, m.state), (911, 16, 1))
            self.assertEqual(m.text, "Database 'no_such_db' does not exist. Make sure that the name is entered correctly.")
            self.assertEqual(scalar(c, "SELECT DB_NAME()"), "master")
        finally:
            c.close()

    def test_refuse_logins_fault(self):
        with tdslite.Server(args=["--fault-refuse-logins"]) as s2:
            exc, m = s2.failed_login()
            self.assertEqual(exc, "OperationalError")
            self.assertEqual(m.number, 18456)

    def test_sixteen_concurrent_connections(self):
        c = conn()
        c.cursor().execute("CREATE TABLE dbo.conc (thread int NOT NULL, i int NOT NULL, v bigint NOT NULL)")
        c.close()
        errors = []
        results = {}

        def work(t):
            try:
                cx = conn()
                cur = cx.cursor()
                for i in range(50):
                    cur.execute("INSERT INTO dbo.conc (thread, i, v) VALUES (%d, %d, %d)", (t, i, t * 1000 + i))
                cur.execute("SELECT COUNT(*), SUM(v) FROM dbo.conc WHERE thread = %d", (t,))
                results[t] = cur.fetchone()
                cur.execute("SELECT @@SPID")
                results[("spid", t)] = cur.fetchone()[0]
                cx.close()
            except Exception as e:  # collected, asserted below
                errors.append((t, repr(e)))

        threads = [threading.Thread(target=work, args=(t,)) for t in range(16)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(120)
        self.assertEqual(errors, [])
        for t in range(16):
            self.assertEqual(results[t], (50, sum(t * 1000 + i for i in range(50))))
        spids = {results[("spid", t)] for t in range(16)}
        self.assertEqual(len(spids), 16, "each concurrent session has its own @@SPID")
        c = conn()
        self.assertEqual(scalar(c, "SELECT COUNT(*) FROM dbo.conc"), 800)
        c.close()


class Errors(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        c = conn()
        cur = c.cursor()
        cur.execute("CREATE TABLE dbo.err_t (id int NOT NULL CONSTRAINT PK_err_t PRIMARY KEY, "
                    "name varchar(5) NOT NULL, code nvarchar(10) NULL CONSTRAINT UQ_err_t_code UNIQUE)")
        cur.execute("INSERT INTO dbo.err_t (id, name, code) VALUES (1, 'a', N'x')")
        c.close()

    def setUp(self):
        self.c = conn()

    def tearDown(self):
        self.c.close()

    def check(self, sql, number, severity, state, text, line=1, exc=None):
        m, e = raises(self.c, sql)
        self.assertEqual(m.number, number, m)
        self.assertEqual(m.severity, severity, m)
        if state is not None:
            self.assertEqual(m.state, state, m)
        self.assertEqual(m.text, text)
        if line is not None:
            self.assertEqual(m.line, line, m)
        if exc is not None:
            self.assertIsInstance(e, exc)
        # the connection stays usable after a statement error
        self.assertEqual(scalar(self.c, "SELECT 7"), 7)

    def test_102_syntax(self):
        self.check("SELECT 1 +", 102, 15, 1, "Incorrect syntax near '+'.", exc=pymssql.ProgrammingError)

    def test_102_line_number(self):
        self.check("SELECT 1\n-- comment\nSELECT 2,", 102, 15, 1, "Incorrect syntax near ','.", line=3)

    def test_207_invalid_column(self):
        self.check("SELECT no_such_col FROM dbo.err_t", 207, 16, 1, "Invalid column name 'no_such_col'.",
                   exc=pymssql.ProgrammingError)

    def test_208_invalid_object(self):
        self.check("SELECT * FROM dbo.no_such_table", 208, 16, 1, "Invalid object name 'dbo.no_such_table'.",
                   exc=pymssql.ProgrammingError)

    def test_245_conversion(self):
        self.check("SELECT CONVERT(int, 'abc')", 245, 16, 1,
                   "Conversion failed when converting the varchar value 'abc' to data type int.")

    def test_8114_numeric_conversion(self):
        self.check("SELECT CONVERT(decimal(10,2), 'abc')", 8114, 16, None,
                   "Error converting data type varchar to numeric.")

    def test_515_null(self):
        self.check("INSERT INTO dbo.err_t (id, name) VALUES (5, NULL)", 515, 16, 2,
                   "Cannot insert the value NULL into column 'name', table 'master.dbo.err_t'; "
                   "column does not allow nulls. INSERT fails.", exc=pymssql.IntegrityError)

    def test_2627_primary_key(self):
        self.check("INSERT INTO dbo.err_t (id, name) VALUES (1, 'dup')", 2627, 14, 1,
                   "Violation of PRIMARY KEY constraint 'PK_err_t'. Cannot insert duplicate key in "
                   "object 'dbo.err_t'. The duplicate key value is (1).", exc=pymssql.IntegrityError)

    def test_2627_unique_constraint(self):
        self.check("INSERT INTO dbo.err_t (id, name, code) VALUES (9, 'b', N'x')", 2627, 14, 1,
                   "Violation of UNIQUE KEY constraint 'UQ_err_t_code'. Cannot insert duplicate key in "
                   "object 'dbo.err_t'. The duplicate key value is (x).")

    def test_2628_truncation(self):
        self.check("INSERT INTO dbo.err_t (id, name) VALUES (2, 'abcdefgh')", 2628, 16, None,
                   "String or binary data would be truncated in table 'master.dbo.err_t', column 'name'. "
                   "Truncated value: 'abcde'.")

    def test_137_undeclared_variable(self):
        self.check("SELECT @nope", 137, 15, None, 'Must declare the scalar variable "@nope".')

    def test_8134_divide_by_zero(self):
        self.check("SELECT 1 / 0", 8134, 16, 1, "Divide by zero error encountered.")

    def test_3902_commit_without_begin(self):
        self.check("COMMIT TRANSACTION", 3902, 16, 1,
                   "The COMMIT TRANSACTION request has no corresponding BEGIN TRANSACTION.")

    def test_3903_rollback_without_begin(self):
        self.check("ROLLBACK TRANSACTION", 3903, 16, 1,
                   "The ROLLBACK TRANSACTION request has no corresponding BEGIN TRANSACTION.")

    def test_statement_error_does_not_abort_batch(self):
        # A run-time statement error (2627) ends that statement only: the
        # INSERTs after it still run (XACT_ABORT is OFF by default).
        cur = self.c.cursor()
        cur.execute("CREATE TABLE dbo.err_batch (id int NOT NULL PRIMARY KEY)")
        try:
            cur.execute("INSERT INTO dbo.err_batch VALUES (1)\nINSERT INTO dbo.err_batch VALUES (1)\n"
                        "INSERT INTO dbo.err_batch VALUES (2)\nSELECT COUNT(*) AS n FROM dbo.err_batch")
            while cur.nextset():
                pass
        except pymssql.Error as e:
            m = tdslite.mssql_error(e)
            self.assertEqual(m.number, 2627)
            self.assertEqual(m.line, 2)
        self.assertEqual(scalar(self.c, "SELECT COUNT(*) FROM dbo.err_batch"), 2)
        self.assertEqual(scalar(self.c, "SELECT MAX(id) FROM dbo.err_batch"), 2)

    def test_syntax_error_aborts_whole_batch(self):
        # 102 is a compile error: nothing of the batch runs.
        cur = self.c.cursor()
        cur.execute("CREATE TABLE dbo.err_batch2 (id int)")
        m, _ = raises(self.c, "INSERT INTO dbo.err_batch2 VALUES (1)\nSELECT 1 +")
        self.assertEqual(m.number, 102)
        self.assertEqual(scalar(self.c, "SELECT COUNT(*) FROM dbo.err_batch2"), 0)


class ResultsAndCounts(unittest.TestCase):
    def setUp(self):
        self.c = conn()
        self.cur = self.c.cursor()

    def tearDown(self):
        self.c.close()

    def test_multiple_result_sets(self):
        cur = self.cur
        cur.execute("SELECT 1 AS a; SELECT N'x' AS b, 2 AS c UNION ALL SELECT N'y', 3; SELECT TOP 0 5 AS z")
        self.assertEqual([d[0] for d in cur.description], ["a"])
        self.assertEqual(cur.fetchall(), [(1,)])
        self.assertTrue(cur.nextset())
        self.assertEqual([d[0] for d in cur.description], ["b", "c"])
        self.assertEqual(cur.fetchall(), [("x", 2), ("y", 3)])
        self.assertTrue(cur.nextset())
        self.assertEqual([d[0] for d in cur.description], ["z"])
        self.assertEqual(cur.fetchall(), [])
        self.assertFalse(cur.nextset())

    def test_rowcounts(self):
        cur = self.cur
        cur.execute("CREATE TABLE dbo.rc (id int NOT NULL, v int NULL)")
        cur.execute("INSERT INTO dbo.rc (id, v) VALUES (1, 10), (2, 20), (3, 30)")
        self.assertEqual(cur.rowcount, 3)
        cur.execute("UPDATE dbo.rc SET v = v + 1 WHERE id <= 2")
        self.assertEqual(cur.rowcount, 2)
        cur.execute("UPDATE dbo.rc SET v = 0 WHERE id = 99")
        self.assertEqual(cur.rowcount, 0)
        cur.execute("UPDATE dbo.rc SET v = v + 1 WHERE id <= 2; SELECT @@ROWCOUNT AS n")
        self.assertEqual(cur.fetchall(), [(2,)])
        cur.execute("SELECT id FROM dbo.rc ORDER BY id")
        self.assertEqual(cur.fetchall(), [(1,), (2,), (3,)])
        self.assertEqual(cur.rowcount, 3)
        cur.execute("DELETE FROM dbo.rc WHERE id = 3")
        self.assertEqual(cur.rowcount, 1)

    def test_nocount_hides_counts(self):
        cur = self.cur
        cur.execute("CREATE TABLE dbo.nc (id int)")
        cur.execute("SET NOCOUNT ON; INSERT INTO dbo.nc VALUES (1), (2)")
        self.assertEqual(cur.rowcount, -1)  # db-lib: no DONE_COUNT -> -1
        # @@ROWCOUNT is still maintained under NOCOUNT.
        cur.execute("SET NOCOUNT ON; INSERT INTO dbo.nc VALUES (3), (4), (5); SELECT @@ROWCOUNT")
        self.assertEqual(cur.fetchall(), [(3,)])
        cur.execute("SET NOCOUNT OFF; INSERT INTO dbo.nc VALUES (6)")
        self.assertEqual(cur.rowcount, 1)

    # pymssql 2.2.2's Cursor.callproc does not read the first result header
    # (pymssql issue #772, fixed by PR #780 in 2.2.6): cursor.description
    # stays None and fetchall() raises "Statement not executed or executed
    # statement has no resultset" until nextset() moves to the result set,
    # against a real SQL Server too.
    def after_callproc(self, cur):
        if cur.description is None:
            self.assertTrue(cur.nextset())

    def test_callproc_output_and_return_status(self):
        cur = self.cur
        cur.execute("CREATE PROCEDURE dbo.p_add @a int, @b int, @s int OUTPUT AS\n"
                    "BEGIN\n  SET @s = @a + @b;\n  RETURN 7;\nEND")
        res = cur.callproc("dbo.p_add", (40, 2, pymssql.output(int, 0)))
        self.assertEqual(list(res), [40, 2, 42])
        self.assertEqual(cur.returnvalue, 7)

    def test_callproc_result_set(self):
        cur = self.cur
        cur.execute("CREATE PROCEDURE dbo.p_rows @n int AS\n"
                    "SELECT TOP (@n) v FROM (VALUES (1), (2), (3), (4)) AS t(v) ORDER BY v")
        cur.callproc("dbo.p_rows", (3,))
        self.after_callproc(cur)
        self.assertEqual(cur.fetchall(), [(1,), (2,), (3,)])

    def test_callproc_sp_executesql(self):
        cur = self.cur
        cur.callproc("sp_executesql", ("SELECT 40 + 2 AS answer",))
        self.after_callproc(cur)
        self.assertEqual(cur.fetchall(), [(42,)])


class Transactions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        c = conn()
        c.cursor().execute("CREATE TABLE dbo.tx (id int NOT NULL PRIMARY KEY, v nvarchar(20) NULL)")
        c.close()

    def setUp(self):
        c = conn()
        c.cursor().execute("DELETE FROM dbo.tx")
        c.close()

    def count(self):
        c = conn()
        try:
            return scalar(c, "SELECT COUNT(*) FROM dbo.tx")
        finally:
            c.close()

    def test_autocommit_false_rollback_discards(self):
        c = conn(autocommit=False)
        cur = c.cursor()
        self.assertEqual(scalar(c, "SELECT @@TRANCOUNT"), 1)  # pymssql sent BEGIN TRAN
        cur.execute("INSERT INTO dbo.tx VALUES (1, N'a'), (2, N'b')")
        self.assertEqual(scalar(c, "SELECT COUNT(*) FROM dbo.tx"), 2)
        c.rollback()
        self.assertEqual(scalar(c, "SELECT COUNT(*) FROM dbo.tx"), 0)
        self.assertEqual(scalar(c, "SELECT @@TRANCOUNT"), 1)  # rollback() begins anew
        c.close()
        self.assertEqual(self.count(), 0)

    def test_autocommit_false_commit_persists(self):
        c = conn(autocommit=False)
        c.cursor().execute("INSERT INTO dbo.tx VALUES (3, N'c')")
        c.commit()
        self.assertEqual(self.count(), 1)
        c.close()

    def test_rollback_on_disconnect(self):
        c = conn(autocommit=False)
        c.cursor().execute("INSERT INTO dbo.tx VALUES (4, N'd')")
        c.close()
        self.assertEqual(self.count(), 0)

    def test_rollback_after_commit_tran_swallows_3903(self):
        # pymssql's rollback() ignores Msg 3903 by matching its exact text; if
        # the text differs from SQL Server's, rollback() raises.
        c = conn(autocommit=False)
        cur = c.cursor()
        cur.execute("INSERT INTO dbo.tx VALUES (5, N'e')")
        cur.execute("COMMIT TRAN")
        self.assertEqual(scalar(c, "SELECT @@TRANCOUNT"), 0)
        c.rollback()  # must not raise
        self.assertEqual(scalar(c, "SELECT @@TRANCOUNT"), 1)
        c.close()
        self.assertEqual(self.count(), 1)

    def test_sql_text_transactions_and_trancount(self):
        c = conn()
        cur = c.cursor()
        self.assertEqual(scalar(c, "SELECT @@TRANCOUNT"), 0)
        cur.execute("BEGIN TRAN")
        cur.execute("BEGIN TRAN")
        self.assertEqual(scalar(c, "SELECT @@TRANCOUNT"), 2)
        cur.execute("INSERT INTO dbo.tx VALUES (6, N'f')")
        cur.execute("COMMIT TRAN")  # inner commit only decrements
        self.assertEqual(scalar(c, "SELECT @@TRANCOUNT"), 1)
        cur.execute("ROLLBACK TRAN")  # rolls back the whole transaction
        self.assertEqual(scalar(c, "SELECT @@TRANCOUNT"), 0)
        self.assertEqual(scalar(c, "SELECT COUNT(*) FROM dbo.tx"), 0)
        cur.execute("BEGIN TRANSACTION; INSERT INTO dbo.tx VALUES (7, N'g'); COMMIT TRANSACTION")
        self.assertEqual(scalar(c, "SELECT COUNT(*) FROM dbo.tx"), 1)
        c.close()

    def test_savepoint(self):
        c = conn()
        cur = c.cursor()
        cur.execute("BEGIN TRAN; INSERT INTO dbo.tx VALUES (8, N'h'); SAVE TRAN sp1; "
                    "INSERT INTO dbo.tx VALUES (9, N'i'); ROLLBACK TRAN sp1")
        self.assertEqual(scalar(c, "SELECT @@TRANCOUNT"), 1)
        cur.execute("COMMIT")
        self.assertEqual(scalar(c, "SELECT id FROM dbo.tx"), 8)
        self.assertEqual(scalar(c, "SELECT COUNT(*) FROM dbo.tx"), 1)
        c.close()


def make_numbers(c, table="dbo.nums", n=1000):
    cur = c.cursor()
    cur.execute("CREATE TABLE %s (n int NOT NULL PRIMARY KEY)" % table)
    values = ",".join("(%d)" % i for i in range(1, n + 1))
    cur.execute("INSERT INTO %s (n) VALUES %s" % (table, values))


class AttentionAndFaults(unittest.TestCase):
    def test_fetchone_then_execute_sends_attention(self):
        c = conn()
        make_numbers(c, "dbo.nums_attn")
        cur = c.cursor()
        # 1M rows: far more than fits in socket buffers, so db-lib must cancel.
        cur.execute("SELECT a.n AS a, b.n AS b FROM dbo.nums_attn a CROSS JOIN dbo.nums_attn b")
        self.assertIsNotNone(cur.fetchone())
        cur.execute("SELECT 42 AS answer")
        self.assertEqual(cur.fetchall(), [(42,)])
        cur.execute("SELECT COUNT(*) FROM dbo.nums_attn")
        self.assertEqual(cur.fetchall(), [(1000,)])
        c.close()

    def test_query_timeout_cancels(self):
        # db-lib's query timeout (1 s) sends an attention during a long
        # query (10^12 joined rows); the server must stop it and stay
        # responsive.
        c = S.connect(autocommit=True, timeout=1)
        make_numbers(c, "dbo.nums_to")
        cur = c.cursor()
        with self.assertRaises(pymssql.Error):
            cur.execute("SELECT COUNT_BIG(*) FROM dbo.nums_to a CROSS JOIN dbo.nums_to b "
                        "CROSS JOIN dbo.nums_to c CROSS JOIN dbo.nums_to d")
            cur.fetchall()
        c.close()
        import time
        t0 = time.monotonic()
        c2 = conn()
        self.assertEqual(scalar(c2, "SELECT 1"), 1)
        c2.close()
        self.assertLess(time.monotonic() - t0, 10)

    def test_drop_after_rows_runtime_fault(self):
        c = conn()
        make_numbers(c, "dbo.nums_drop")
        c.cursor().execute("EXEC tdslite.set_fault N'drop_after_rows', 100")
        c.close()
        try:
            c2 = conn()
            cur = c2.cursor()
            got = None
            with self.assertRaises(pymssql.Error):
                cur.execute("SELECT n FROM dbo.nums_drop ORDER BY n")
                got = cur.fetchall()
            self.assertIsNone(got, "a dropped connection must not look like a complete result")
        finally:
            c3 = conn()
            c3.cursor().execute("EXEC tdslite.set_fault N'drop_after_rows', 0")
            self.assertEqual(scalar(c3, "SELECT COUNT(*) FROM dbo.nums_drop"), 1000)
            c3.close()

    def test_drop_after_rows_cli_fault(self):
        with tdslite.Server(args=["--fault-drop-after-rows", "10"]) as s2:
            c = s2.connect(autocommit=True)
            cur = c.cursor()
            cur.execute("SELECT 1 AS one")  # fewer rows than the limit: fine
            self.assertEqual(cur.fetchall(), [(1,)])
            got = None
            with self.assertRaises(pymssql.Error):
                cur.execute("SELECT v FROM (VALUES (1),(2),(3),(4),(5),(6),(7),(8),(9),(10),(11),(12),"
                            "(13),(14),(15),(16),(17),(18),(19),(20)) AS t(v)")
                got = cur.fetchall()
            self.assertIsNone(got)


if __name__ == "__main__":
    unittest.main()
