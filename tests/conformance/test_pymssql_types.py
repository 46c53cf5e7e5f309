"""tdslite conformance, pymssql: exact round-trip of every SQL Server type,
by literal SQL, through a typed table, and through pymssql's parameter
substitution; string forms (CAST AS varchar) for the sub-microsecond digits
db-lib cannot show; column metadata as db-lib reports it.

Values are what SQL Server 2022 returns (rounding of datetime to 1/300 s,
of smalldatetime to the minute, of time/datetime2/datetimeoffset to the
declared scale, padding of char/nchar, XML normalisation).
"""

import datetime as dt
import os
import struct
import sys
import unittest
import uuid
from decimal import Decimal

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


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def tz(minutes):
    return dt.timezone(dt.timedelta(minutes=minutes))


# -- what pymssql 2.2.2 (Debian) makes of the date/time types ---------------
# pymssql 2.2.2's convert_db_value converts datetime2, time and date with
# dbconvert(..., SQLDATETIME) and dbdatecrack(): the value is rounded to
# SQL Server datetime's 1/300 s and returned to the millisecond; a
# datetime2 that rounds up to midnight cracks to hour 24 and raises
# ValueError("hour must be in 0..23") on the client. It has no case for
# datetimeoffset and returns FreeTDS's TDS_DATETIMEALL struct as bytes. All
# of this happens in the client, with a real SQL Server as well; the full
# precision is checked through CAST(... AS nvarchar) (test_string_forms),
# tsql and tedious.
UNREADABLE = "pymssql 2.2.2 raises ValueError reading this value"


def dblib_micro(seconds, frac100ns):
    """(carry seconds, microseconds) pymssql 2.2.2 shows for a datetime2 /
    time fraction: FreeTDS's datetime2 -> datetime conversion
    (dttime = (t100ns * 3 + 50000) / 100000, i.e. 1/300 s rounding) and
    dbdatecrack's millisecond ((ticks % 300) * 1000 + 150) / 300."""
    ticks = ((seconds * 10 ** 7 + frac100ns) * 3 + 50000) // 100000
    return ticks // 300 - seconds, ((ticks % 300) * 1000 + 150) // 300 * 1000


def dblib_dto(local, frac100ns, offset_minutes, prec):
    """The 16 bytes pymssql 2.2.2 returns for a datetimeoffset: FreeTDS's
    TDS_DATETIMEALL (x86-64, little endian): UINT8 time (100 ns units since
    midnight, UTC), INT date (days since 1900-01-01, UTC), SMALLINT offset
    (minutes), USMALLINT time_prec:3 ... has_time:1 has_date:1
    has_offset:1 (bits 13..15)."""
    utc = local - dt.timedelta(minutes=offset_minutes)
    t = (utc.hour * 3600 + utc.minute * 60 + utc.second) * 10 ** 7 + frac100ns
    days = (utc.date() - dt.date(1900, 1, 1)).days
    return struct.pack("<QihH", t, days, offset_minutes, 0xE000 | prec)


BIG_N = 100 * 1024
BIG_VARCHAR = ("0123456789abcdef" * (BIG_N // 16 + 1))[:BIG_N]
BIG_NVARCHAR = ("\U0001F600é日x" * (BIG_N // 5 + 1))[:BIG_N]  # 😀 is 2 UTF-16 units
BIG_BINARY = bytes(range(256)) * (BIG_N // 256)

# (column, declared type, T-SQL literal, expected Python value from pymssql,
#  expected CAST(value AS nvarchar(100)) or None)
CASES = [
    ("bit1", "bit", "1", True, "1"),
    ("bit0", "bit", "0", False, "0"),
    ("ti_min", "tinyint", "0", 0, "0"),
    ("ti_max", "tinyint", "255", 255, "255"),
    ("si_min", "smallint", "-32768", -32768, "-32768"),
    ("si_max", "smallint", "32767", 32767, "32767"),
    ("i_min", "int", "-2147483648", -2147483648, "-2147483648"),
    ("i_max", "int", "2147483647", 2147483647, "2147483647"),
    ("bi_min", "bigint", "-9223372036854775808", -9223372036854775808, "-9223372036854775808"),
    ("bi_max", "bigint", "9223372036854775807", 9223372036854775807, "9223372036854775807"),
    ("d38_0_max", "decimal(38,0)", "99999999999999999999999999999999999999",
     Decimal("99999999999999999999999999999999999999"), "99999999999999999999999999999999999999"),
    ("d38_0_min", "decimal(38,0)", "-99999999999999999999999999999999999999",
     Decimal("-99999999999999999999999999999999999999"), "-99999999999999999999999999999999999999"),
    ("d38_38_max", "decimal(38,38)", "0.99999999999999999999999999999999999999",
     Decimal("0.99999999999999999999999999999999999999"), None),
    ("d38_38_min", "decimal(38,38)", "-0.99999999999999999999999999999999999999",
     Decimal("-0.99999999999999999999999999999999999999"), None),
    ("d10_2_neg", "decimal(10,2)", "-123.45", Decimal("-123.45"), "-123.45"),
    ("d10_2_pad", "decimal(10,2)", "7.5", Decimal("7.50"), "7.50"),
    ("d18_4", "numeric(18,4)", "12345678901234.5678", Decimal("12345678901234.5678"), "12345678901234.5678"),
    ("d9_0_zero", "numeric(9,0)", "0", Decimal("0"), "0"),
    ("m_max", "money", "922337203685477.5807", Decimal("922337203685477.5807"), "922337203685477.58"),
    ("m_min", "money", "-922337203685477.5808", Decimal("-922337203685477.5808"), "-922337203685477.58"),
    ("m_frac", "money", "1.2345", Decimal("1.2345"), "1.23"),
    ("sm_max", "smallmoney", "214748.3647", Decimal("214748.3647"), "214748.36"),
    ("sm_min", "smallmoney", "-214748.3648", Decimal("-214748.3648"), "-214748.36"),
    ("r_max", "real", "3.40282347E+38", f32(3.40282347e38), None),
    ("r_half", "real", "1.5", 1.5, "1.5"),
    ("r_tenth", "real", "0.1", f32(0.1), None),
    ("f_max", "float", "1.7976931348623157E+308", 1.7976931348623157e308, None),
    ("f_min_norm", "float", "-2.2250738585072014E-308", -2.2250738585072014e-308, None),
    ("f_tenth", "float", "0.1", 0.1, "0.1"),
    ("date_min", "date", "'0001-01-01'", dt.date(1, 1, 1), "0001-01-01"),
    ("date_max", "date", "'9999-12-31'", dt.date(9999, 12, 31), "9999-12-31"),
    ("date_leap", "date", "'2024-02-29'", dt.date(2024, 2, 29), "2024-02-29"),
    ("dtm_127", "datetime", "'2020-01-01 12:34:56.127'", dt.datetime(2020, 1, 1, 12, 34, 56, 127000),
     "2020-01-01 12:34:56.127"),
    ("dtm_999", "datetime", "'2020-01-01 12:34:56.999'", dt.datetime(2020, 1, 1, 12, 34, 57, 0),
     "2020-01-01 12:34:57.000"),
    ("dtm_002", "datetime", "'2020-01-01 00:00:00.002'", dt.datetime(2020, 1, 1, 0, 0, 0, 3000),
     "2020-01-01 00:00:00.003"),
    ("dtm_min", "datetime", "'1753-01-01 00:00:00.000'", dt.datetime(1753, 1, 1), "1753-01-01 00:00:00.000"),
    ("dtm_max", "datetime", "'9999-12-31 23:59:59.997'", dt.datetime(9999, 12, 31, 23, 59, 59, 997000),
     "9999-12-31 23:59:59.997"),
    ("sdt_down", "smalldatetime", "'2020-01-01 12:34:29'", dt.datetime(2020, 1, 1, 12, 34), "2020-01-01 12:34:00"),
    ("sdt_up", "smalldatetime", "'2020-01-01 12:34:30'", dt.datetime(2020, 1, 1, 12, 35), "2020-01-01 12:35:00"),
    ("sdt_min", "smalldatetime", "'1900-01-01 00:00'", dt.datetime(1900, 1, 1), "1900-01-01 00:00:00"),
    ("sdt_max", "smalldatetime", "'2079-06-06 23:59'", dt.datetime(2079, 6, 6, 23, 59), "2079-06-06 23:59:00"),
    ("dt2_min", "datetime2(7)", "'0001-01-01 00:00:00'", dt.datetime(1, 1, 1), "0001-01-01 00:00:00.0000000"),
    ("dt2_max", "datetime2(7)", "'9999-12-31 23:59:59.9999999'", UNREADABLE, "9999-12-31 23:59:59.9999999"),
    ("dt2_carry0", "datetime2(0)", "'2020-02-29 23:59:59.9999999'", dt.datetime(2020, 3, 1), "2020-03-01 00:00:00"),
    ("dt2_carry3", "datetime2(3)", "'2020-02-29 23:59:59.9999999'", dt.datetime(2020, 3, 1),
     "2020-03-01 00:00:00.000"),
    ("dto_plus", "datetimeoffset(7)", "'2025-03-01 10:00:00.1234567 +02:00'",
     dblib_dto(dt.datetime(2025, 3, 1, 10, 0, 0), 1234567, 120, 7), "2025-03-01 10:00:00.1234567 +02:00"),
    ("dto_minus", "datetimeoffset(3)", "'2025-03-01 10:00:00.5 -05:30'",
     dblib_dto(dt.datetime(2025, 3, 1, 10, 0, 0), 5000000, -330, 3), "2025-03-01 10:00:00.500 -05:30"),
    ("dto_max_off", "datetimeoffset(0)", "'2025-12-31 23:00:00 +14:00'",
     dblib_dto(dt.datetime(2025, 12, 31, 23, 0, 0), 0, 840, 0), "2025-12-31 23:00:00 +14:00"),
    ("dto_min_off", "datetimeoffset(0)", "'2025-01-01 01:00:00 -14:00'",
     dblib_dto(dt.datetime(2025, 1, 1, 1, 0, 0), 0, -840, 0), "2025-01-01 01:00:00 -14:00"),
    ("ch", "char(10)", "'abc'", "abc       ", "abc       "),
    ("vch", "varchar(50)", "'héllo wörld'", "héllo wörld", "héllo wörld"),
    ("vch_empty", "varchar(10)", "''", "", ""),
    ("nch", "nchar(10)", "N'日本'", "日本        ", "日本        "),
    ("nvch", "nvarchar(50)", "N'\U0001F600 grin ñ'", "\U0001F600 grin ñ", "\U0001F600 grin ñ"),
    ("nvch_quote", "nvarchar(50)", "N'it''s'", "it's", "it's"),
    ("bin", "binary(8)", "0x0102", b"\x01\x02\x00\x00\x00\x00\x00\x00", None),
    ("vbin", "varbinary(50)", "0x00FF10", b"\x00\xff\x10", None),
    ("vbin_empty", "varbinary(10)", "0x", b"", None),
    ("guid", "uniqueidentifier", "'6F9619FF-8B86-D011-B42D-00C04FC964FF'",
     uuid.UUID("6F9619FF-8B86-D011-B42D-00C04FC964FF"), "6F9619FF-8B86-D011-B42D-00C04FC964FF"),
    ("xml", "xml", "N'<r><e></e><f x=\"1\"/>t</r>'", '<r><e /><f x="1" />t</r>', '<r><e /><f x="1" />t</r>'),
]

# time(n), datetime2(n), datetimeoffset(n) for every scale: SQL Server
# rounds (not truncates) the 7 given digits to n.
FRAC = "1234567"


def _rounded(n):
    """Fraction digits of .1234567 rounded to n digits (n = 0..7)."""
    if n == 0:
        return ""
    v = round(int(FRAC) / 10 ** (7 - n))
    return "." + str(v).rjust(n, "0")


def _frac100ns(n):
    """.1234567 rounded to n digits, in 100 ns units."""
    digits = _rounded(n)[1:]
    return int((digits + "0000000")[:7]) if digits else 0


for n in range(8):
    _carry, _us = dblib_micro(12 * 3600 + 34 * 60 + 56, _frac100ns(n))
    CASES.append(("time%d" % n, "time(%d)" % n, "'12:34:56.%s'" % FRAC,
                  dt.time(12, 34, 56 + _carry, _us), "12:34:56" + _rounded(n)))
    CASES.append(("dt2_%d" % n, "datetime2(%d)" % n, "'2020-01-01 12:34:56.%s'" % FRAC,
                  dt.datetime(2020, 1, 1, 12, 34, 56 + _carry, _us), "2020-01-01 12:34:56" + _rounded(n)))
    CASES.append(("dto_%d" % n, "datetimeoffset(%d)" % n, "'2020-01-01 12:34:56.%s +01:00'" % FRAC,
                  dblib_dto(dt.datetime(2020, 1, 1, 12, 34, 56), _frac100ns(n), 60, n),
                  "2020-01-01 12:34:56" + _rounded(n) + " +01:00"))

# Cases checked by their own tests (expected failures, see KNOWN_FAILURES.md)
# instead of inside the all-types rows.
SPLIT_OUT = {"xml"}

# Python values for pymssql's client-side parameter substitution (None = the
# case is covered by literals only, because pymssql cannot express it).
PARAMS = {
    "bit1": True, "bit0": False, "ti_min": 0, "ti_max": 255, "si_min": -32768, "si_max": 32767,
    "i_min": -2147483648, "i_max": 2147483647,
    "bi_min": -9223372036854775808, "bi_max": 9223372036854775807,
    "d38_0_max": Decimal("99999999999999999999999999999999999999"),
    "d38_0_min": Decimal("-99999999999999999999999999999999999999"),
    "d38_38_max": Decimal("0.99999999999999999999999999999999999999"),
    "d38_38_min": Decimal("-0.99999999999999999999999999999999999999"),
    "d10_2_neg": Decimal("-123.45"), "d10_2_pad": Decimal("7.5"), "d18_4": Decimal("12345678901234.5678"),
    "d9_0_zero": Decimal("0"),
    "m_max": Decimal("922337203685477.5807"), "m_min": Decimal("-922337203685477.5808"),
    "m_frac": Decimal("1.2345"), "sm_max": Decimal("214748.3647"), "sm_min": Decimal("-214748.3648"),
    "r_half": 1.5, "f_max": 1.7976931348623157e308, "f_min_norm": -2.2250738585072014e-308, "f_tenth": 0.1,
    "date_min": dt.date(1, 1, 1), "date_max": dt.date(9999, 12, 31), "date_leap": dt.date(2024, 2, 29),
    "dtm_127": dt.datetime(2020, 1, 1, 12, 34, 56, 127000),
    "dtm_min": dt.datetime(1753, 1, 1), "dtm_max": dt.datetime(9999, 12, 31, 23, 59, 59, 997000),
    "sdt_down": dt.datetime(2020, 1, 1, 12, 34, 29), "sdt_up": dt.datetime(2020, 1, 1, 12, 34, 30),
    "ch": "abc", "vch": "héllo wörld", "vch_empty": "", "nch": "日本", "nvch": "\U0001F600 grin ñ",
    "nvch_quote": "it's", "bin": b"\x01\x02", "vbin": b"\x00\xff\x10",
    "guid": uuid.UUID("6F9619FF-8B86-D011-B42D-00C04FC964FF"),
    "xml": '<r><e></e><f x="1"/>t</r>',
    # strings the server converts (pymssql has no time/datetimeoffset literal form)
    "dto_plus": "2025-03-01 10:00:00.1234567 +02:00", "time7": "12:34:56.1234567",
    "dt2_max": "9999-12-31 23:59:59.9999999",
}


def same(a, b):
    """Exact equality: same Python type, same value; datetimes also the
    same UTC offset; Decimals also the same exponent (scale)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dt.datetime):
        return a == b and a.utcoffset() == b.utcoffset()
    if isinstance(a, Decimal):
        return a == b and a.as_tuple().exponent == b.as_tuple().exponent
    return a == b


def string_form(t, lit):
    """SQL that shows a value as SQL Server's text: CAST for most types
    (ISO forms with n fraction digits for date/time types); datetime
    and smalldatetime default to style 0 ('Jan  1 2020 12:34PM'), so use
    121 / 120 for them."""
    if t == "datetime":
        return "CONVERT(nvarchar(100), CAST(%s AS %s), 121)" % (lit, t)
    if t == "smalldatetime":
        return "CONVERT(nvarchar(100), CAST(%s AS %s), 120)" % (lit, t)
    return "CAST(CAST(%s AS %s) AS nvarchar(100))" % (lit, t)


class Types(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.c = S.connect(autocommit=True)
        cols = ",\n".join("[%s] %s NULL" % (name, t) for name, t, _, _, _ in CASES)
        cur = cls.c.cursor()
        cur.execute("CREATE TABLE dbo.ty (id int NOT NULL PRIMARY KEY,\n%s)" % cols)

    @classmethod
    def tearDownClass(cls):
        cls.c.close()

    def compare(self, got_row, names, how):
        errors = []
        by_name = {c[0]: c for c in CASES}
        for name, got in zip(names, got_row):
            want = by_name[name][3]
            if not same(got, want):
                errors.append("%s %s: got %r, want %r" % (how, name, got, want))
        self.assertEqual(errors, [], "\n" + "\n".join(errors))

    @staticmethod
    def readable(names):
        by_name = {c[0]: c for c in CASES}
        return [n for n in names if n not in SPLIT_OUT and by_name[n][3] is not UNREADABLE]

    def check_unreadable_as_text(self, cur, names, where):
        """The values pymssql cannot read, as CAST(... AS nvarchar(100))."""
        by_name = {c[0]: c for c in CASES}
        names = [n for n in names if by_name[n][3] is UNREADABLE]
        self.assertTrue(names)
        cur.execute("SELECT %s FROM dbo.ty WHERE %s"
                    % (", ".join("CAST([%s] AS nvarchar(100))" % n for n in names), where))
        self.assertEqual(list(cur.fetchone()), [by_name[n][4] for n in names])

    def test_select_literals(self):
        cur = self.c.cursor()
        cases = [c for c in CASES if c[0] in self.readable([c[0] for c in CASES])]
        sel = ", ".join("CAST(%s AS %s) AS [%s]" % (lit, t, name) for name, t, lit, _, _ in cases)
        cur.execute("SELECT " + sel)
        self.assertEqual([d[0] for d in cur.description], [c[0] for c in cases])
        self.compare(cur.fetchone(), [c[0] for c in cases], "literal")

    def test_table_roundtrip_literals(self):
        cur = self.c.cursor()
        names = [c[0] for c in CASES]
        cur.execute("INSERT INTO dbo.ty (id, %s) VALUES (1, %s)"
                    % (", ".join("[%s]" % n for n in names), ", ".join(c[2] for c in CASES)))
        self.assertEqual(cur.rowcount, 1)
        readable = self.readable(names)
        cur.execute("SELECT %s FROM dbo.ty WHERE id = 1" % ", ".join("[%s]" % n for n in readable))
        self.compare(cur.fetchone(), readable, "table")
        self.check_unreadable_as_text(cur, names, "id = 1")

    def test_table_roundtrip_params(self):
        cur = self.c.cursor()
        names = [n for n in PARAMS]
        cur.execute("INSERT INTO dbo.ty (id, %s) VALUES (2, %s)"
                    % (", ".join("[%s]" % n for n in names), ", ".join(["%s"] * len(names))),
                    tuple(PARAMS[n] for n in names))
        readable = self.readable(names)
        cur.execute("SELECT %s FROM dbo.ty WHERE id = 2" % ", ".join("[%s]" % n for n in readable))
        self.compare(cur.fetchone(), readable, "param")
        self.check_unreadable_as_text(cur, names, "id = 2")

    def test_nulls(self):
        cur = self.c.cursor()
        cur.execute("INSERT INTO dbo.ty (id) VALUES (3)")
        names = [c[0] for c in CASES]
        cur.execute("SELECT %s FROM dbo.ty WHERE id = 3" % ", ".join("[%s]" % n for n in names))
        self.assertEqual(list(cur.fetchone()), [None] * len(names))
        cur.execute("SELECT %s" % ", ".join("CAST(NULL AS %s) AS [%s]" % (t, n) for n, t, _, _, _ in CASES))
        self.assertEqual(list(cur.fetchone()), [None] * len(names))

    def test_string_forms(self):
        # CAST(x AS nvarchar) shows digits db-lib cannot (7th fraction digit),
        # and SQL Server's own text forms (money: 2 decimals, decimal(38,38):
        # no leading zero, datetime2/datetimeoffset: ISO with n digits).
        cur = self.c.cursor()
        cases = [c for c in CASES if c[4] is not None and c[0] not in SPLIT_OUT]
        cur.execute("SELECT " + ", ".join(string_form(t, lit) for _, t, lit, _, _ in cases))
        got = cur.fetchone()
        errors = ["%s: got %r, want %r" % (c[0], g, c[4]) for c, g in zip(cases, got) if g != c[4]]
        self.assertEqual(errors, [], "\n" + "\n".join(errors))

    # -- xml: SQL Server re-serialises xml: an empty element becomes <e />
    # (space before the slash), an attribute-only one <f x="1" />.
    XML = [c for c in CASES if c[0] == "xml"][0]

    def test_xml_literal(self):
        cur = self.c.cursor()
        cur.execute("SELECT CAST(%s AS xml)" % self.XML[2])
        self.assertEqual(cur.fetchone()[0], self.XML[3])

    def test_xml_string_form(self):
        cur = self.c.cursor()
        cur.execute("SELECT " + string_form("xml", self.XML[2]))
        self.assertEqual(cur.fetchone()[0], self.XML[4])

    def test_xml_table_param(self):
        cur = self.c.cursor()
        cur.execute("INSERT INTO dbo.ty (id, [xml]) VALUES (4, %s)", (PARAMS["xml"],))
        cur.execute("SELECT [xml] FROM dbo.ty WHERE id = 4")
        self.assertEqual(cur.fetchone()[0], self.XML[3])

    def test_big_values(self):
        cur = self.c.cursor()
        cur.execute("CREATE TABLE dbo.big (id int NOT NULL PRIMARY KEY, vc varchar(max), nv nvarchar(max), "
                    "vb varbinary(max))")
        cur.execute("INSERT INTO dbo.big VALUES (1, '%s', N'%s', 0x%s)"
                    % (BIG_VARCHAR, BIG_NVARCHAR, BIG_BINARY.hex()))
        cur.execute("INSERT INTO dbo.big VALUES (%s, %s, %s, %s)", (2, BIG_VARCHAR, BIG_NVARCHAR, BIG_BINARY))
        for i in (1, 2):
            cur.execute("SELECT vc, nv, vb, LEN(vc), DATALENGTH(nv), DATALENGTH(vb) FROM dbo.big WHERE id = %d" % i)
            vc, nv, vb, lvc, dnv, dvb = cur.fetchone()
            self.assertEqual(vc, BIG_VARCHAR)
            self.assertEqual(nv, BIG_NVARCHAR)
            self.assertEqual(vb, BIG_BINARY)
            self.assertEqual(lvc, BIG_N)
            self.assertEqual(dnv, len(BIG_NVARCHAR.encode("utf-16-le")))
            self.assertEqual(dvb, len(BIG_BINARY))

    def test_replicate_truncates_non_max(self):
        # REPLICATE of a non-max string stops at 8000 bytes in SQL Server.
        cur = self.c.cursor()
        cur.execute("SELECT LEN(REPLICATE('ab', 5000))")
        self.assertEqual(cur.fetchone(), (8000,))

    def test_replicate_max(self):
        cur = self.c.cursor()
        cur.execute("SELECT LEN(REPLICATE(CAST('ab' AS varchar(max)), 5000))")
        self.assertEqual(cur.fetchone(), (10000,))

    # SQL_Latin1_General_CP1_CI_AS (not _SC): a surrogate pair counts as
    # 2 characters; varchar (code page 1252) gets '?' per UTF-16 unit.
    def test_non_bmp_datalength(self):
        cur = self.c.cursor()
        cur.execute("SELECT DATALENGTH(N'\U0001F600'), N'\U0001F600' AS s")
        self.assertEqual(cur.fetchone(), (4, "\U0001F600"))

    def test_non_bmp_len(self):
        cur = self.c.cursor()
        cur.execute("SELECT LEN(N'\U0001F600')")
        self.assertEqual(cur.fetchone(), (2,))

    def test_non_bmp_to_varchar(self):
        cur = self.c.cursor()
        cur.execute("SELECT CAST(N'\U0001F600' AS varchar(10)) AS v")
        self.assertEqual(cur.fetchone(), ("??",))

    def test_rowversion(self):
        cur = self.c.cursor()
        cur.execute("CREATE TABLE dbo.rv (id int NOT NULL PRIMARY KEY, v int, rv rowversion)")
        cur.execute("INSERT INTO dbo.rv (id, v) VALUES (1, 10)")
        cur.execute("INSERT INTO dbo.rv (id, v) VALUES (2, 20)")
        cur.execute("SELECT rv FROM dbo.rv ORDER BY id")
        r1, r2 = [r[0] for r in cur.fetchall()]
        self.assertIsInstance(r1, bytes)
        self.assertEqual((len(r1), len(r2)), (8, 8))
        self.assertLess(r1, r2)  # big-endian counters: byte order == numeric order
        cur.execute("UPDATE dbo.rv SET v = 11 WHERE id = 1")
        cur.execute("SELECT rv FROM dbo.rv WHERE id = 1")
        r1b = cur.fetchone()[0]
        self.assertGreater(r1b, r2)
        cur.execute("SELECT CAST(@@DBTS AS binary(8))")
        self.assertGreaterEqual(cur.fetchone()[0], r1b)

    def test_description(self):
        cur = self.c.cursor()
        cur.execute("SELECT CAST(1 AS int) AS i, CAST(1 AS decimal(5,2)) AS d, CAST(1 AS money) AS m, "
                    "GETDATE() AS t, CAST('a' AS varchar(5)) AS v, N'n' AS n, 0x01 AS b, "
                    "CAST(1.5 AS float) AS f")
        desc = cur.description
        self.assertEqual([d[0] for d in desc], ["i", "d", "m", "t", "v", "n", "b", "f"])
        self.assertEqual([d[1] for d in desc],
                         [pymssql.NUMBER, pymssql.DECIMAL, pymssql.DECIMAL, pymssql.DATETIME,
                          pymssql.STRING, pymssql.STRING, pymssql.BINARY, pymssql.NUMBER])
        cur.fetchall()


if __name__ == "__main__":
    unittest.main()
