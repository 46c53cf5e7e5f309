"""tdslite conformance, catalog views through pymssql: sys.tables,
sys.columns, sys.types, sys.indexes, sys.index_columns, sys.key_constraints
and INFORMATION_SCHEMA.* for a table with a composite primary key, with
the column names and values SQL Server 2022 returns.
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdslite  # noqa: E402

S = None
C = None

DDL = """CREATE TABLE dbo.cat_t (
    a int NOT NULL,
    b nvarchar(20) NOT NULL,
    c nvarchar(max) NULL,
    d decimal(12,3) NULL,
    e datetime2(3) NULL,
    f varchar(30) NULL,
    g varbinary(max) NULL,
    h bit NOT NULL CONSTRAINT DF_cat_t_h DEFAULT 0,
    i bigint IDENTITY(10,5) NOT NULL,
    j uniqueidentifier NULL,
    k char(4) NULL,
    l datetimeoffset NULL,
    m time(0) NULL,
    n money NULL,
    CONSTRAINT PK_cat_t PRIMARY KEY (a, b)
)"""


def setUpModule():
    global S, C
    S = tdslite.Server().start()
    C = S.connect(autocommit=True)
    C.cursor().execute(DDL)


def tearDownModule():
    if C:
        C.close()
    if S:
        S.stop()


def q(sql):
    cur = C.cursor()
    cur.execute(sql)
    return cur.fetchall(), [d[0] for d in cur.description]


class Catalog(unittest.TestCase):
    def test_sys_tables(self):
        rows, cols = q("SELECT name, SCHEMA_NAME(schema_id) AS schema_name, type, type_desc, "
                       "CASE WHEN object_id = OBJECT_ID('dbo.cat_t') THEN 1 ELSE 0 END AS same_id "
                       "FROM sys.tables WHERE name = 'cat_t'")
        self.assertEqual(rows, [("cat_t", "dbo", "U ", "USER_TABLE", 1)])

    def test_sys_columns(self):
        rows, cols = q("SELECT name, column_id, system_type_id, user_type_id, max_length, precision, scale, "
                       "is_nullable, is_identity, collation_name "
                       "FROM sys.columns WHERE object_id = OBJECT_ID('dbo.cat_t') AND name <> 'm' "
                       "ORDER BY column_id")
        self.assertEqual(cols, ["name", "column_id", "system_type_id", "user_type_id", "max_length",
                                "precision", "scale", "is_nullable", "is_identity", "collation_name"])
        coll = "SQL_Latin1_General_CP1_CI_AS"
        self.assertEqual(rows, [
            ("a", 1, 56, 56, 4, 10, 0, False, False, None),
            ("b", 2, 231, 231, 40, 0, 0, False, False, coll),
            ("c", 3, 231, 231, -1, 0, 0, True, False, coll),
            ("d", 4, 106, 106, 9, 12, 3, True, False, None),
            ("e", 5, 42, 42, 7, 23, 3, True, False, None),
            ("f", 6, 167, 167, 30, 0, 0, True, False, coll),
            ("g", 7, 165, 165, -1, 0, 0, True, False, None),
            ("h", 8, 104, 104, 1, 1, 0, False, False, None),
            ("i", 9, 127, 127, 8, 19, 0, False, True, None),
            ("j", 10, 36, 36, 16, 0, 0, True, False, None),
            ("k", 11, 175, 175, 4, 0, 0, True, False, coll),
            ("l", 12, 43, 43, 10, 34, 7, True, False, None),
            # m time(0): see test_sys_columns_time0
            ("n", 14, 60, 60, 8, 19, 4, True, False, None),
        ])

    def test_sys_columns_time0(self):
        # time(0): 3 bytes, precision 8 (hh:mm:ss), scale 0.
        rows, _ = q("SELECT name, system_type_id, max_length, precision, scale "
                    "FROM sys.columns WHERE object_id = OBJECT_ID('dbo.cat_t') AND name = 'm'")
        self.assertEqual(rows, [("m", 41, 3, 8, 0)])

    SYS_TYPES_SQL = ("SELECT name, system_type_id, user_type_id, max_length, precision, scale, is_nullable "
                     "FROM sys.types WHERE name IN (%s) ORDER BY name")

    def test_sys_types(self):
        names = ['int', 'bigint', 'bit', 'money', 'float', 'real', 'date', 'datetime', 'smalldatetime', 'char',
                 'varchar', 'nchar', 'nvarchar', 'binary', 'varbinary', 'uniqueidentifier', 'xml', 'tinyint',
                 'smallint', 'smallmoney']
        rows, _ = q(self.SYS_TYPES_SQL % ",".join("'%s'" % n for n in names))
        self.assertEqual(rows, [
            ("bigint", 127, 127, 8, 19, 0, True),
            ("binary", 173, 173, 8000, 0, 0, True),
            ("bit", 104, 104, 1, 1, 0, True),
            ("char", 175, 175, 8000, 0, 0, True),
            ("date", 40, 40, 3, 10, 0, True),
            ("datetime", 61, 61, 8, 23, 3, True),
            ("float", 62, 62, 8, 53, 0, True),
            ("int", 56, 56, 4, 10, 0, True),
            ("money", 60, 60, 8, 19, 4, True),
            ("nchar", 239, 239, 8000, 0, 0, True),
            ("nvarchar", 231, 231, 8000, 0, 0, True),
            ("real", 59, 59, 4, 24, 0, True),
            ("smalldatetime", 58, 58, 4, 16, 0, True),
            ("smallint", 52, 52, 2, 5, 0, True),
            ("smallmoney", 122, 122, 4, 10, 4, True),
            ("tinyint", 48, 48, 1, 3, 0, True),
            ("uniqueidentifier", 36, 36, 16, 0, 0, True),
            ("varbinary", 165, 165, 8000, 0, 0, True),
            ("varchar", 167, 167, 8000, 0, 0, True),
            ("xml", 241, 241, -1, 0, 0, True),
        ])

    def test_sys_types_scale_and_timestamp(self):
        # The type-level maximum scale (7 for the time types, 38 for
        # decimal/numeric) and timestamp (rowversion) NOT NULL.
        names = ['datetime2', 'datetimeoffset', 'decimal', 'numeric', 'time', 'timestamp']
        rows, _ = q(self.SYS_TYPES_SQL % ",".join("'%s'" % n for n in names))
        self.assertEqual(rows, [
            ("datetime2", 42, 42, 8, 27, 7, True),
            ("datetimeoffset", 43, 43, 10, 34, 7, True),
            ("decimal", 106, 106, 17, 38, 38, True),
            ("numeric", 108, 108, 17, 38, 38, True),
            ("time", 41, 41, 5, 16, 7, True),
            ("timestamp", 189, 189, 8, 0, 0, False),
        ])

    def test_sys_indexes_and_index_columns(self):
        rows, _ = q("SELECT name, index_id, type, type_desc, is_unique, is_primary_key, is_unique_constraint "
                    "FROM sys.indexes WHERE object_id = OBJECT_ID('dbo.cat_t') ORDER BY index_id")
        self.assertEqual(rows, [("PK_cat_t", 1, 1, "CLUSTERED", True, True, False)])
        rows, _ = q("SELECT ic.index_id, ic.index_column_id, ic.column_id, c.name, ic.key_ordinal, "
                    "ic.is_descending_key, ic.is_included_column "
                    "FROM sys.index_columns ic JOIN sys.columns c "
                    "  ON c.object_id = ic.object_id AND c.column_id = ic.column_id "
                    "WHERE ic.object_id = OBJECT_ID('dbo.cat_t') ORDER BY ic.index_id, ic.key_ordinal")
        self.assertEqual(rows, [(1, 1, 1, "a", 1, False, False), (1, 2, 2, "b", 2, False, False)])

    @staticmethod
    def ensure_cat_ix():
        cur = C.cursor()
        cur.execute("IF OBJECT_ID('dbo.cat_ix') IS NULL BEGIN\n"
                    "CREATE TABLE dbo.cat_ix (id int NOT NULL CONSTRAINT PK_cat_ix PRIMARY KEY NONCLUSTERED, "
                    "x int NULL, y nvarchar(10) NULL, CONSTRAINT UQ_cat_ix_y UNIQUE (y))\n"
                    "CREATE INDEX IX_cat_ix_x ON dbo.cat_ix (x DESC) INCLUDE (y)\nEND")

    def test_secondary_index(self):
        self.ensure_cat_ix()
        rows, _ = q("SELECT name, type_desc, is_unique, is_primary_key, is_unique_constraint FROM sys.indexes "
                    "WHERE object_id = OBJECT_ID('dbo.cat_ix') ORDER BY index_id")
        self.assertEqual(rows, [
            (None, "HEAP", False, False, False),
            ("PK_cat_ix", "NONCLUSTERED", True, True, False),
            ("UQ_cat_ix_y", "NONCLUSTERED", True, False, True),
            ("IX_cat_ix_x", "NONCLUSTERED", False, False, False),
        ])

    def test_secondary_index_columns(self):
        self.ensure_cat_ix()
        rows, _ = q("SELECT c.name, ic.key_ordinal, ic.is_descending_key, ic.is_included_column "
                    "FROM sys.index_columns ic JOIN sys.indexes i ON i.object_id = ic.object_id AND i.index_id = ic.index_id "
                    "JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id "
                    "WHERE i.name = 'IX_cat_ix_x' ORDER BY ic.index_column_id")
        self.assertEqual(rows, [("x", 1, True, False), ("y", 0, False, True)])

    def test_sys_key_constraints(self):
        rows, _ = q("SELECT name, type, type_desc, unique_index_id, is_system_named, "
                    "CASE WHEN parent_object_id = OBJECT_ID('dbo.cat_t') THEN 1 ELSE 0 END "
                    "FROM sys.key_constraints WHERE parent_object_id = OBJECT_ID('dbo.cat_t')")
        self.assertEqual(rows, [("PK_cat_t", "PK", "PRIMARY_KEY_CONSTRAINT", 1, False, 1)])

    def test_information_schema_tables(self):
        rows, cols = q("SELECT TABLE_CATALOG, TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE FROM INFORMATION_SCHEMA.TABLES "
                       "WHERE TABLE_NAME = 'cat_t'")
        self.assertEqual(rows, [("master", "dbo", "cat_t", "BASE TABLE")])

    def test_information_schema_columns(self):
        rows, cols = q("SELECT COLUMN_NAME, ORDINAL_POSITION, COLUMN_DEFAULT, IS_NULLABLE, DATA_TYPE, "
                       "CHARACTER_MAXIMUM_LENGTH, CHARACTER_OCTET_LENGTH, NUMERIC_PRECISION, "
                       "NUMERIC_PRECISION_RADIX, NUMERIC_SCALE, DATETIME_PRECISION, COLLATION_NAME "
                       "FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = 'dbo' AND TABLE_NAME = 'cat_t' "
                       "ORDER BY ORDINAL_POSITION")
        coll = "SQL_Latin1_General_CP1_CI_AS"
        # h's COLUMN_DEFAULT ('((0))') is checked by
        # test_information_schema_column_default; its other columns here.
        self.assertEqual([r[:2] + r[3:] for r in rows if r[0] == "h"],
                         [("h", 8, "NO", "bit", None, None, None, None, None, None, None)])
        self.assertEqual([r for r in rows if r[0] != "h"], [
            ("a", 1, None, "NO", "int", None, None, 10, 10, 0, None, None),
            ("b", 2, None, "NO", "nvarchar", 20, 40, None, None, None, None, coll),
            ("c", 3, None, "YES", "nvarchar", -1, -1, None, None, None, None, coll),
            ("d", 4, None, "YES", "decimal", None, None, 12, 10, 3, None, None),
            ("e", 5, None, "YES", "datetime2", None, None, None, None, None, 3, None),
            ("f", 6, None, "YES", "varchar", 30, 30, None, None, None, None, coll),
            ("g", 7, None, "YES", "varbinary", -1, -1, None, None, None, None, None),
            ("i", 9, None, "NO", "bigint", None, None, 19, 10, 0, None, None),
            ("j", 10, None, "YES", "uniqueidentifier", None, None, None, None, None, None, None),
            ("k", 11, None, "YES", "char", 4, 4, None, None, None, None, coll),
            ("l", 12, None, "YES", "datetimeoffset", None, None, None, None, None, 7, None),
            ("m", 13, None, "YES", "time", None, None, None, None, None, 0, None),
            ("n", 14, None, "YES", "money", None, None, 19, 10, 4, None, None),
        ])

    def test_information_schema_column_default(self):
        # SQL Server stores a default's definition text as '((0))' for
        # DEFAULT 0 (sys.default_constraints.definition shows the same).
        rows, _ = q("SELECT COLUMN_DEFAULT FROM INFORMATION_SCHEMA.COLUMNS "
                    "WHERE TABLE_SCHEMA = 'dbo' AND TABLE_NAME = 'cat_t' AND COLUMN_NAME = 'h'")
        self.assertEqual(rows, [("((0))",)])

    def test_information_schema_constraints(self):
        rows, _ = q("SELECT CONSTRAINT_CATALOG, CONSTRAINT_SCHEMA, CONSTRAINT_NAME, TABLE_NAME, CONSTRAINT_TYPE "
                    "FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS WHERE TABLE_NAME = 'cat_t'")
        self.assertEqual(rows, [("master", "dbo", "PK_cat_t", "cat_t", "PRIMARY KEY")])
        rows, _ = q("SELECT CONSTRAINT_NAME, TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION "
                    "FROM INFORMATION_SCHEMA.KEY_COLUMN_USAGE WHERE TABLE_NAME = 'cat_t' ORDER BY ORDINAL_POSITION")
        self.assertEqual(rows, [("PK_cat_t", "dbo", "cat_t", "a", 1), ("PK_cat_t", "dbo", "cat_t", "b", 2)])

    def test_object_id(self):
        rows, _ = q("SELECT OBJECT_NAME(OBJECT_ID('dbo.cat_t')), OBJECT_ID('dbo.no_such')")
        self.assertEqual(rows, [("cat_t", None)])

    def test_type_name_and_type_id(self):
        rows, _ = q("SELECT TYPE_NAME(56), TYPE_ID('nvarchar')")
        self.assertEqual(rows, [("int", 231)])

    def test_columnproperty(self):
        rows, _ = q("SELECT COLUMNPROPERTY(OBJECT_ID('dbo.cat_t'), 'i', 'IsIdentity'), "
                    "COLUMNPROPERTY(OBJECT_ID('dbo.cat_t'), 'a', 'IsIdentity')")
        self.assertEqual(rows, [(1, 0)])


if __name__ == "__main__":
    unittest.main()
