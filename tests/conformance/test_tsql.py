"""tdslite conformance, FreeTDS `tsql` (libtds directly): login, a select of
every type, `go` batches, message output for errors and login failures.

tsql -o q prints no prompts or banners; result sets go to stdout as a
tab-separated header line and value lines; server messages go to stderr as
`Msg N (severity S, state T) from SERVER Line L:\\n\\t"text"`.
"""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdslite  # noqa: E402

S = None


def setUpModule():
    global S
    S = tdslite.Server().start()


def tearDownModule():
    if S:
        S.stop()


def run(script, **kw):
    p = S.tsql(script, extra=["-o", "q"], **kw)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def msg_re(number, severity, state, text, line=None):
    pat = r"Msg %d \(severity %d, state %s\) from [^\n]*?" % (number, severity,
                                                              r"\d+" if state is None else state)
    if line is not None:
        pat += r" Line %d" % line
    return re.compile(pat + r":\n\t\"" + re.escape(text) + "\"")


def rows(out):
    return [ln.split("\t") for ln in out.splitlines() if ln.strip() != ""]


def after(tc, r, header):
    """The line after the header line `header` (fails the test if absent)."""
    tc.assertIn(header, r, "result header %r not in tsql output %r" % (header, r))
    i = r.index(header)
    tc.assertLess(i + 1, len(r), "no value line after %r" % (header,))
    return r[i + 1]


class Tsql(unittest.TestCase):
    def test_login_and_select(self):
        rc, out, err = run("SELECT DB_NAME() AS db, 40 + 2 AS answer\ngo\n")
        self.assertEqual(rc, 0, err)
        r = rows(out)
        self.assertIn(["db", "answer"], r)
        self.assertIn(["master", "42"], r)

    def test_go_batches(self):
        rc, out, err = run("SELECT 1 AS first_batch\ngo\nSELECT 2 AS second_batch\nSELECT 3 AS third_set\ngo\n")
        self.assertEqual(rc, 0, err)
        r = rows(out)
        for header, value in (("first_batch", "1"), ("second_batch", "2"), ("third_set", "3")):
            self.assertEqual(after(self, r, [header]), [value])

    def test_variables_live_within_one_batch_only(self):
        rc, out, err = run("DECLARE @x int = 5\nSELECT @x * 2 AS v\ngo\nSELECT @x\ngo\n")
        self.assertIn(["v"], rows(out))
        self.assertIn(["10"], rows(out))
        self.assertRegex(err, msg_re(137, 15, None, 'Must declare the scalar variable "@x".'))

    def test_every_type(self):
        sel = [
            ("bit", "CAST(1 AS bit)", "1"),
            ("tinyint", "CAST(255 AS tinyint)", "255"),
            ("smallint", "CAST(-32768 AS smallint)", "-32768"),
            ("int", "CAST(-2147483648 AS int)", "-2147483648"),
            ("bigint", "CAST(9223372036854775807 AS bigint)", "9223372036854775807"),
            ("dec38", "CAST(-99999999999999999999999999999999999999 AS decimal(38,0))",
             "-99999999999999999999999999999999999999"),
            ("dec10_2", "CAST(-123.45 AS decimal(10,2))", "-123.45"),
            ("num_scale", "CAST(7.5 AS numeric(9,3))", "7.500"),
            ("char", "CAST('ab' AS char(4))", "ab  "),
            ("varchar", "CAST('héllo' AS varchar(10))", "héllo"),
            ("nvarchar", "N'\U0001F600 ñ'", "\U0001F600 ñ"),
            ("nchar", "CAST(N'日' AS nchar(2))", "日 "),
            ("guid", "CAST('6F9619FF-8B86-D011-B42D-00C04FC964FF' AS uniqueidentifier)",
             "6F9619FF-8B86-D011-B42D-00C04FC964FF"),
            ("date_s", "CONVERT(varchar(10), CAST('0001-01-01' AS date), 23)", "0001-01-01"),
            ("dtm_s", "CONVERT(varchar(23), CAST('2020-01-01 12:34:56.999' AS datetime), 121)",
             "2020-01-01 12:34:57.000"),
            ("dt2_s", "CAST(CAST('2020-01-01 12:34:56.1234567' AS datetime2(7)) AS varchar(30))",
             "2020-01-01 12:34:56.1234567"),
            ("dto_s", "CAST(CAST('2020-01-01 12:34:56 -08:00' AS datetimeoffset(0)) AS varchar(40))",
             "2020-01-01 12:34:56 -08:00"),
            ("time_s", "CAST(CAST('01:02:03.5' AS time(1)) AS varchar(20))", "01:02:03.5"),
            # xml: test_xml_empty_element
            ("nullcol", "CAST(NULL AS int)", "NULL"),
        ]
        script = "SELECT " + ", ".join("%s AS %s" % (expr, name) for name, expr, _ in sel) + "\ngo\n"
        rc, out, err = run(script)
        self.assertEqual(rc, 0, err)
        r = rows(out)
        names = [n for n, _, _ in sel]
        values = after(self, r, names)
        self.assertEqual(len(values), len(sel), out)
        mism = ["%s: got %r want %r" % (n, got, want) for (n, _, want), got in zip(sel, values) if got != want]
        self.assertEqual(mism, [], "\n".join(mism))

    def test_xml_empty_element(self):
        # SQL Server serialises an empty element as <b /> (space, slash).
        rc, out, err = run("SELECT CAST(N'<a><b></b></a>' AS xml) AS x\ngo\n")
        self.assertEqual(rc, 0, err)
        self.assertEqual(after(self, rows(out), ["x"]), ["<a><b /></a>"])

    def test_native_date_and_binary_types_arrive(self):
        # tsql formats these itself; check they decode (no protocol error) and
        # carry the right digits.
        rc, out, err = run("SELECT CAST('2024-02-29' AS date) AS d, CAST('2024-02-29 13:14:15.1234567' AS datetime2(7)) AS t, "
                           "CAST(0xDEADBEEF AS varbinary(4)) AS b, CAST(12.5 AS money) AS m, CAST(0.5 AS float) AS f\ngo\n")
        self.assertEqual(rc, 0, err)
        r = rows(out)
        vals = after(self, r, ["d", "t", "b", "m", "f"])
        self.assertRegex(vals[0], r"2024|Feb")
        # tsql prints datetime2 in FreeTDS's default date format
        # "%b %e %Y %I:%M%p" (no seconds): "Feb 29 2024 01:14PM".
        self.assertRegex(vals[1], r"^Feb 29 2024 +0?1:14PM$|13:14:15")
        self.assertRegex(vals[2].lower(), r"^(0x)?deadbeef$")
        self.assertRegex(vals[3], r"^12\.50(00)?$")
        self.assertRegex(vals[4], r"^0\.5(0*)$")

    def test_error_output_and_batch_after_error(self):
        rc, out, err = run("SELECT * FROM dbo.no_such\ngo\nSELECT 5 AS after_error\ngo\n")
        self.assertRegex(err, msg_re(208, 16, 1, "Invalid object name 'dbo.no_such'.", line=1))
        r = rows(out)
        self.assertEqual(after(self, r, ["after_error"]), ["5"])

    def test_syntax_error_line(self):
        rc, out, err = run("SELECT 1 AS a\n\nSELECT 1 +\ngo\n")
        self.assertRegex(err, msg_re(102, 15, 1, "Incorrect syntax near '+'.", line=3))
        self.assertNotIn(["a"], rows(out), "a compile error runs nothing of the batch")

    def test_statement_error_continues_batch(self):
        rc, out, err = run("CREATE TABLE dbo.ts_pk (id int NOT NULL CONSTRAINT PK_ts_pk PRIMARY KEY)\ngo\n"
                           "INSERT INTO dbo.ts_pk VALUES (1)\nINSERT INTO dbo.ts_pk VALUES (1)\n"
                           "SELECT COUNT(*) AS n FROM dbo.ts_pk\ngo\n")
        self.assertRegex(err, msg_re(2627, 14, 1, "Violation of PRIMARY KEY constraint 'PK_ts_pk'. Cannot insert "
                                     "duplicate key in object 'dbo.ts_pk'. The duplicate key value is (1).", line=2))
        r = rows(out)
        self.assertEqual(after(self, r, ["n"]), ["1"])

    def test_statement_error_info_3621(self):
        rc, out, err = run("CREATE TABLE dbo.ts_pk2 (id int NOT NULL CONSTRAINT PK_ts_pk2 PRIMARY KEY)\ngo\n"
                           "INSERT INTO dbo.ts_pk2 VALUES (1)\nINSERT INTO dbo.ts_pk2 VALUES (1)\ngo\n")
        self.assertRegex(err, msg_re(3621, 0, 0, "The statement has been terminated.", line=2))

    def test_row_count_footer(self):
        # (-o q would suppress the footer too.) tsql (FreeTDS 1.3 do_query)
        # prints "(N rows affected)" only after a result set, counting the
        # rows it fetched; a DONE count without rows (INSERT) prints
        # nothing, with a real SQL Server as well.
        p = S.tsql("CREATE TABLE dbo.ts_rc (id int)\ngo\nINSERT INTO dbo.ts_rc VALUES (1), (2), (3)\ngo\n"
                   "SELECT id FROM dbo.ts_rc\ngo\n")
        both = p.stdout.decode() + p.stderr.decode()
        self.assertEqual(both.count("rows affected)"), 1, both)
        self.assertIn("(3 rows affected)", both)

    def test_wrong_password(self):
        rc, out, err = run("SELECT 1\ngo\n", password="bad")
        self.assertNotEqual(rc, 0)
        self.assertRegex(err, msg_re(18456, 14, 1, "Login failed for user 'sa'."))

    def test_unknown_database(self):
        rc, out, err = run("SELECT 1\ngo\n", database="no_such_db")
        self.assertNotEqual(rc, 0)
        self.assertRegex(err, msg_re(4060, 11, 1, 'Cannot open database "no_such_db" requested by the login. '
                                     "The login failed."))
        self.assertRegex(err, msg_re(18456, 14, 1, "Login failed for user 'sa'."))

    def test_use_database_changes_context(self):
        rc, out, err = run("CREATE DATABASE ts_db\ngo\nUSE ts_db\nSELECT DB_NAME() AS db\ngo\n")
        self.assertEqual(rc, 0, err)
        r = rows(out)
        self.assertEqual(after(self, r, ["db"]), ["ts_db"])


if __name__ == "__main__":
    unittest.main()
