"""tdslite conformance, FreeTDS `freebcp` (db-lib bcp, character mode -c):
queryout/out of a table of many types compared value by value with a
SELECT through pymssql; `in` into an empty table (bulk load: FMTONLY probe,
INSERT BULK, 0x07 stream in batches of 1000) compared back; identity
columns with and without -E; NULLs.
"""

import datetime as dt
import os
import re
import sys
import tempfile
import unittest
import uuid
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdslite  # noqa: E402

S = None
N = 5000
COLS = [
    ("id", "int NOT NULL PRIMARY KEY"),
    ("i", "int NULL"),
    ("b", "bigint NULL"),
    ("d", "decimal(18,4) NULL"),
    ("m", "money NULL"),
    ("f", "float NULL"),
    ("dt2", "datetime2(7) NULL"),
    ("dtm", "datetime NULL"),
    ("dd", "date NULL"),
    ("s", "nvarchar(100) NULL"),
    ("v", "varchar(50) NULL"),
    ("bin", "varbinary(20) NULL"),
    ("g", "uniqueidentifier NULL"),
    ("bt", "bit NULL"),
]
TABLE_DDL = ", ".join("%s %s" % c for c in COLS)


def row_values(k):
    """Deterministic values for row k; every 7th row is all NULL but id.
    No tabs, newlines or empty strings (bcp -c uses tab/newline
    terminators and writes '' as a NUL byte)."""
    if k % 7 == 3:
        return [k] + [None] * (len(COLS) - 1)
    return [
        k,
        (k * 7919) % 2000003 - 1000000,
        k * 1000000007 * (-1 if k % 2 else 1),
        Decimal("%d.%04d" % (k * 3 - 5000, (k * 37) % 10000)),
        Decimal("%d.%02d" % (k * 11 - 7000, k % 100)),
        (k % 1000) / 8.0 - 50.0,
        dt.datetime(2000, 1, 1) + dt.timedelta(days=k, seconds=k * 37, microseconds=(k * 123457) % 1000000),
        dt.datetime(1999, 12, 31, 23, 0, 0) + dt.timedelta(hours=k),
        dt.date(1970, 1, 1) + dt.timedelta(days=k * 3),
        "row %d ñ 😀 日本" % k,
        "row %d é" % k,
        bytes((k + j) % 256 for j in range(1 + k % 20)),
        uuid.UUID(int=(k * 0x9E3779B97F4A7C15) % (1 << 128)),
        k % 2 == 0,
    ]


def sql_literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, (int, Decimal)):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, dt.datetime):
        # Whole milliseconds as 3 digits: a string with more than 3
        # fraction digits does not convert to datetime (Msg 241 on SQL
        # Server), and every datetime ("dtm") value here is whole seconds.
        # datetime2 values keep their 6 digits.
        if v.microsecond % 1000 == 0:
            return "'%s.%03d'" % (v.strftime("%Y-%m-%d %H:%M:%S"), v.microsecond // 1000)
        return "'%s'" % v.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, dt.date):
        return "'%s'" % v.isoformat()
    if isinstance(v, bytes):
        return "0x" + v.hex()
    if isinstance(v, uuid.UUID):
        return "'%s'" % v
    return "N'%s'" % v.replace("'", "''")


def setUpModule():
    global S
    S = tdslite.Server().start()
    c = S.connect(autocommit=True)
    cur = c.cursor()
    cur.execute("CREATE TABLE dbo.bcp_src (%s)" % TABLE_DDL)
    for start in range(0, N, 500):
        vals = ",".join("(%s)" % ",".join(sql_literal(v) for v in row_values(k))
                        for k in range(start + 1, min(start + 500, N) + 1))
        cur.execute("INSERT INTO dbo.bcp_src VALUES " + vals)
    c.close()


def tearDownModule():
    if S:
        S.stop()


def select_all(table):
    """Every row through pymssql, as a list of tuples. dt2 is read as its
    style-121 text (all 7 digits) and parsed: pymssql 2.2.2 converts
    datetime2 to datetime on the client (dbconvert to SQLDATETIME, 1/300 s
    rounding, then milliseconds), whatever the server sends."""
    c = S.connect(autocommit=True)
    try:
        cur = c.cursor()
        cols = ["CONVERT(varchar(27), dt2, 121)" if n == "dt2" else n for n, _ in COLS]
        cur.execute("SELECT %s FROM %s ORDER BY id" % (", ".join(cols), table))
        i = [n for n, _ in COLS].index("dt2")
        return [tuple(parse_dt(v) if j == i and v is not None else v for j, v in enumerate(r))
                for r in cur.fetchall()]
    finally:
        c.close()


# -- parsing freebcp's character output -------------------------------------
def parse_dt(text):
    text = text.strip()
    m = re.match(r"^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d+))?$", text)
    if m:
        y, mo, d, h, mi, s, frac = m.groups()
        us = int(((frac or "") + "000000")[:6])
        return dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), us)
    for fmt in ("%b %d %Y %I:%M:%S.%f%p", "%b %d %Y %I:%M:%S%p", "%b %d %Y %I:%M%p"):
        try:
            return dt.datetime.strptime(re.sub(r"\s+", " ", text), fmt)
        except ValueError:
            pass
    raise ValueError("unparsed datetime %r" % text)


def parse_field(name, text):
    if text == "":
        return None
    if name in ("id", "i", "b"):
        return int(text)
    if name in ("d", "m"):
        return Decimal(text)
    if name == "f":
        return float(text)
    if name in ("dt2", "dtm"):
        return parse_dt(text)
    if name == "dd":
        d = parse_dt(text + (" 00:00:00" if re.match(r"^\d{4}-\d\d-\d\d$", text) else ""))
        return d.date()
    if name == "bin":
        t = text[2:] if text.lower().startswith("0x") else text
        return bytes.fromhex(t)
    if name == "g":
        return uuid.UUID(text)
    if name == "bt":
        return text == "1"
    return text


def read_c_file(path):
    with open(path, "rb") as f:
        data = f.read().decode("utf-8")
    lines = data.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [[parse_field(n, t) for (n, _), t in zip(COLS, ln.rstrip("\r").split("\t"))] for ln in lines]


def norm(name, v):
    """Compare at the precision freebcp's character output carries: FreeTDS
    (1.3) writes datetime and datetime2 with 3 fraction digits, truncating
    datetime2's further digits (the server sends all 7)."""
    if v is None:
        return None
    if name in ("dtm", "dt2"):
        return v.replace(microsecond=(v.microsecond // 1000) * 1000)
    return v


def norm_row(row):
    return tuple(norm(n, v) for (n, _), v in zip(COLS, row))


class Freebcp(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="bcp-", dir=S.tmp)

    def compare(self, got_rows, want_rows, exact=False):
        self.assertEqual(len(got_rows), len(want_rows))
        errors = []
        for g, w in zip(got_rows, want_rows):
            for (name, _), gv, wv in zip(COLS, g, w):
                if (gv != wv) if exact else (norm(name, gv) != norm(name, wv)):
                    errors.append("id %s col %s: got %r want %r" % (w[0], name, gv, wv))
        self.assertEqual(errors[:20], [], "%d mismatches" % len(errors))

    def test_expected_data(self):
        # The table holds what the generator produced (sanity for the rest).
        got = select_all("dbo.bcp_src")
        want = [tuple(row_values(k)) for k in range(1, N + 1)]
        self.assertEqual(len(got), N)
        self.compare([list(r) for r in got], want, exact=True)

    def test_queryout(self):
        path = os.path.join(self.tmp, "q.txt")
        p = S.freebcp("SELECT %s FROM master.dbo.bcp_src ORDER BY id" % ", ".join(n for n, _ in COLS),
                      "queryout", path, extra=["-c"])
        self.assertEqual(p.returncode, 0, p.stdout.decode() + p.stderr.decode())
        self.assertIn("%d rows copied" % N, p.stdout.decode())
        self.compare(read_c_file(path), select_all("dbo.bcp_src"))

    def test_out_table(self):
        path = os.path.join(self.tmp, "o.txt")
        p = S.freebcp("master.dbo.bcp_src", "out", path, extra=["-c"])
        self.assertEqual(p.returncode, 0, p.stdout.decode() + p.stderr.decode())
        got = sorted(read_c_file(path), key=lambda r: r[0])
        self.compare(got, select_all("dbo.bcp_src"))

    def test_in_roundtrip(self):
        path = os.path.join(self.tmp, "rt.txt")
        p = S.freebcp("master.dbo.bcp_src", "out", path, extra=["-c"])
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        c = S.connect(autocommit=True)
        c.cursor().execute("CREATE TABLE dbo.bcp_dst (%s)" % TABLE_DDL)
        c.close()
        p = S.freebcp("master.dbo.bcp_dst", "in", path, extra=["-c"])
        out = p.stdout.decode() + p.stderr.decode()
        self.assertEqual(p.returncode, 0, out)
        self.assertIn("%d rows copied" % N, out)
        # The file carries datetime2 to the millisecond (see norm), so the
        # loaded table holds the source values truncated to it.
        self.assertEqual(select_all("dbo.bcp_dst"), [norm_row(r) for r in select_all("dbo.bcp_src")])

    def test_in_identity(self):
        path = os.path.join(self.tmp, "ident.txt")
        with open(path, "w", encoding="utf-8") as f:
            for k in range(1, 2501):
                f.write("%d\t%s\t%s\n" % (1000 + k, "v%d" % k, "" if k % 5 == 0 else str(k)))
        c = S.connect(autocommit=True)
        cur = c.cursor()
        cur.execute("CREATE TABLE dbo.bcp_id1 (id int IDENTITY(1,1) NOT NULL PRIMARY KEY, v nvarchar(20) NOT NULL, n int NULL)")
        cur.execute("CREATE TABLE dbo.bcp_id2 (id int IDENTITY(1,1) NOT NULL PRIMARY KEY, v nvarchar(20) NOT NULL, n int NULL)")
        c.close()
        # Without -E the server generates identity values 1..N (the file's
        # ids are ignored); with -E the file's ids are kept.
        p = S.freebcp("master.dbo.bcp_id1", "in", path, extra=["-c"])
        self.assertEqual(p.returncode, 0, p.stdout.decode() + p.stderr.decode())
        p = S.freebcp("master.dbo.bcp_id2", "in", path, extra=["-c", "-E"])
        self.assertEqual(p.returncode, 0, p.stdout.decode() + p.stderr.decode())
        c = S.connect(autocommit=True)
        cur = c.cursor()
        cur.execute("SELECT id, v, n FROM dbo.bcp_id1 ORDER BY id")
        r1 = cur.fetchall()
        cur.execute("SELECT id, v, n FROM dbo.bcp_id2 ORDER BY id")
        r2 = cur.fetchall()
        cur.execute("SELECT IDENT_CURRENT('dbo.bcp_id1'), IDENT_CURRENT('dbo.bcp_id2')")
        idents = cur.fetchone()
        c.close()
        self.assertEqual(r1, [(k, "v%d" % k, None if k % 5 == 0 else k) for k in range(1, 2501)])
        self.assertEqual(r2, [(1000 + k, "v%d" % k, None if k % 5 == 0 else k) for k in range(1, 2501)])
        self.assertEqual([int(x) for x in idents], [2500, 3500])

    def test_in_constraint_violation_fails(self):
        path = os.path.join(self.tmp, "dup.txt")
        with open(path, "w") as f:
            f.write("1\ta\n1\tb\n")
        c = S.connect(autocommit=True)
        c.cursor().execute("CREATE TABLE dbo.bcp_pk (id int NOT NULL PRIMARY KEY, v varchar(5) NULL)")
        c.close()
        p = S.freebcp("master.dbo.bcp_pk", "in", path, extra=["-c"])
        out = p.stdout.decode() + p.stderr.decode()
        self.assertIn("2627", out)
        c = S.connect(autocommit=True)
        cur = c.cursor()
        cur.execute("SELECT COUNT(*) FROM dbo.bcp_pk")
        self.assertEqual(cur.fetchone()[0], 0, "a failed bulk batch leaves nothing behind")
        c.close()


if __name__ == "__main__":
    unittest.main()
