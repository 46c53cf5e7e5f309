/* Unit tests for emulator/engine's catalog: the values SQL Server 2022
 * shows in sys.* and INFORMATION_SCHEMA.* for what CREATE TABLE / CREATE
 * INDEX / ALTER DATABASE declared, and the metadata functions
 * (COLUMNPROPERTY, TYPE_NAME, TYPE_ID). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_engine_rec.h"

/* DEFAULT definitions are stored in SQL Server's normalised form. */
static void test_default_definitions(void **state)
{
    struct fx *f = *state;
    run(f, "CREATE TABLE d1 (a int DEFAULT 0, b nvarchar(5) CONSTRAINT DF_b DEFAULT N'x''y',"
           " c datetime DEFAULT GETDATE(), d datetime DEFAULT CURRENT_TIMESTAMP, e int DEFAULT (1+2)*3,"
           " f bit DEFAULT CAST(0 AS bit), g datetime DEFAULT DATEADD(day, 1, GETDATE()),"
           " h decimal(5,2) DEFAULT -1.5, i varchar(10) DEFAULT ('a'), j varbinary(4) DEFAULT 0x0A,"
           " k int DEFAULT NULL, l varchar(20) DEFAULT CONVERT(varchar(20), GETDATE(), 120),"
           " m uniqueidentifier DEFAULT NEWID(), n int DEFAULT ((7)))");
    assert_int_equal(f->r.nerrors, 0);
    EXPECT(f, "SELECT parent_column_id, definition, is_system_named FROM sys.default_constraints"
              " WHERE parent_object_id = OBJECT_ID('d1') ORDER BY parent_column_id",
           "cols:parent_column_id int,definition nvarchar(max),is_system_named bit\n"
           "row:1|((0))|1\n"
           "row:2|(N'x''y')|0\n"
           "row:3|(getdate())|1\n"
           "row:4|(getdate())|1\n"
           "row:5|(((1)+(2))*(3))|1\n"
           "row:6|(CONVERT([bit],(0)))|1\n"
           "row:7|(dateadd(day,(1),getdate()))|1\n"
           "row:8|((-1.5))|1\n"
           "row:9|('a')|1\n"
           "row:10|(0x0A)|1\n"
           "row:11|(NULL)|1\n"
           "row:12|(CONVERT([varchar](20),getdate(),(120)))|1\n"
           "row:13|(newid())|1\n"
           "row:14|((7))|1\n"
           "done:C14\n");
    EXPECT(f, "SELECT COLUMN_NAME, COLUMN_DEFAULT FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'd1'"
              " AND COLUMN_NAME IN ('a', 'b', 'c')",
           "cols:COLUMN_NAME nvarchar(128),COLUMN_DEFAULT nvarchar(4000)\n"
           "row:a|((0))\nrow:b|(N'x''y')\nrow:c|(getdate())\ndone:C3\n");
    /* The stored form is evaluated for inserts. */
    run(f, "INSERT INTO d1 DEFAULT VALUES");
    assert_int_equal(f->r.nerrors, 0);
    EXPECT(f, "SELECT a, b, e, f, h, i, j, k, n, CASE WHEN g > c AND m IS NOT NULL AND l LIKE '2%' THEN 1 END AS ok FROM d1",
           "cols:a int,b nvarchar(5),e int,f bit,h decimal(5,2),i varchar(10),j varbinary(4),k int,n int,ok int\n"
           "row:0|x'y|9|0|-1.50|a|0x0A|NULL|7|1\ndone:C1\n");
    /* ALTER TABLE ADD CONSTRAINT ... DEFAULT FOR uses the same form. */
    run(f, "CREATE TABLE d2 (a int NULL); ALTER TABLE d2 ADD CONSTRAINT DF_d2_a DEFAULT 42 FOR a");
    EXPECT(f, "SELECT name, definition FROM sys.default_constraints WHERE parent_object_id = OBJECT_ID('d2')",
           "cols:name nvarchar(128),definition nvarchar(max)\nrow:DF_d2_a|((42))\ndone:C1\n");
}

/* sys.types lists every built-in type with SQL Server's facts. */
static void test_sys_types(void **state)
{
    struct fx *f = *state;
    EXPECT(f, "SELECT count(*) AS n FROM sys.types", "cols:n int\nrow:34\ndone:C1\n");
    EXPECT(f, "SELECT name, system_type_id, user_type_id, max_length, precision, scale, collation_name, is_nullable"
              " FROM sys.types WHERE name IN ('time', 'datetime2', 'datetimeoffset', 'decimal', 'numeric',"
              " 'timestamp', 'sysname', 'varchar', 'text', 'hierarchyid', 'sql_variant') ORDER BY name",
           "cols:name nvarchar(128),system_type_id tinyint,user_type_id int,max_length smallint,precision tinyint,"
           "scale tinyint,collation_name nvarchar(128),is_nullable bit\n"
           "row:datetime2|42|42|8|27|7|NULL|1\n"
           "row:datetimeoffset|43|43|10|34|7|NULL|1\n"
           "row:decimal|106|106|17|38|38|NULL|1\n"
           "row:hierarchyid|240|128|892|0|0|NULL|1\n"
           "row:numeric|108|108|17|38|38|NULL|1\n"
           "row:sql_variant|98|98|8016|0|0|NULL|1\n"
           "row:sysname|231|256|256|0|0|SQL_Latin1_General_CP1_CI_AS|0\n"
           "row:text|35|35|16|0|0|SQL_Latin1_General_CP1_CI_AS|1\n"
           "row:time|41|41|5|16|7|NULL|1\n"
           "row:timestamp|189|189|8|0|0|NULL|0\n"
           "row:varchar|167|167|8000|0|0|SQL_Latin1_General_CP1_CI_AS|1\n"
           "done:C11\n");
    EXPECT(f, "SELECT TYPE_NAME(56) AS a, TYPE_NAME(256) AS b, TYPE_NAME(999) AS c, TYPE_ID('nvarchar') AS d,"
              " TYPE_ID('sysname') AS e, TYPE_ID('no_such') AS g",
           "cols:a nvarchar(128),b nvarchar(128),c nvarchar(128),d int,e int,g int\n"
           "row:int|sysname|NULL|231|256|NULL\ndone:C1\n");
}

/* sys.columns reports the declared precision/scale/length exactly. */
static void test_sys_columns_declared(void **state)
{
    struct fx *f = *state;
    run(f, "CREATE TABLE ct (t0 time(0), t3 time(3), t7 time, d0 datetime2(0), d2 datetime2(2), o0 datetimeoffset(0),"
           " o7 datetimeoffset, f24 float(24), n numeric(5,1), rv nvarchar(max))");
    EXPECT(f, "SELECT name, system_type_id, max_length, precision, scale FROM sys.columns"
              " WHERE object_id = OBJECT_ID('ct') ORDER BY column_id",
           "cols:name nvarchar(128),system_type_id tinyint,max_length smallint,precision tinyint,scale tinyint\n"
           "row:t0|41|3|8|0\nrow:t3|41|4|12|3\nrow:t7|41|5|16|7\nrow:d0|42|6|19|0\nrow:d2|42|6|22|2\n"
           "row:o0|43|8|26|0\nrow:o7|43|10|34|7\nrow:f24|59|4|24|0\nrow:n|108|5|5|1\nrow:rv|231|-1|0|0\n"
           "done:C10\n");
}

static void test_columnproperty(void **state)
{
    struct fx *f = *state;
    run(f, "CREATE TABLE cp (id bigint IDENTITY(10,5) NOT NULL, s nvarchar(20) NULL, m varchar(max) NULL,"
           " d decimal(12,3) NOT NULL, t datetime2(3) NULL, mo money NULL)");
    EXPECT(f, "SELECT COLUMNPROPERTY(OBJECT_ID('dbo.cp'), 'id', 'IsIdentity') AS a,"
              " COLUMNPROPERTY(OBJECT_ID('dbo.cp'), 's', 'IsIdentity') AS b,"
              " COLUMNPROPERTY(OBJECT_ID('dbo.cp'), 'S', 'AllowsNull') AS c,"
              " COLUMNPROPERTY(OBJECT_ID('dbo.cp'), 'd', 'AllowsNull') AS d,"
              " COLUMNPROPERTY(OBJECT_ID('dbo.cp'), 'd', 'ColumnId') AS e,"
              " COLUMNPROPERTY(OBJECT_ID('dbo.cp'), 'nope', 'ColumnId') AS g",
           "cols:a int,b int,c int,d int,e int,g int\nrow:1|0|1|0|4|NULL\ndone:C1\n");
    EXPECT(f, "SELECT COLUMNPROPERTY(OBJECT_ID('cp'), 'id', 'Precision') AS a, COLUMNPROPERTY(OBJECT_ID('cp'), 'id', 'Scale') AS b,"
              " COLUMNPROPERTY(OBJECT_ID('cp'), 's', 'Precision') AS c, COLUMNPROPERTY(OBJECT_ID('cp'), 's', 'Scale') AS d,"
              " COLUMNPROPERTY(OBJECT_ID('cp'), 'm', 'Precision') AS e, COLUMNPROPERTY(OBJECT_ID('cp'), 'd', 'Precision') AS g,"
              " COLUMNPROPERTY(OBJECT_ID('cp'), 'd', 'Scale') AS h, COLUMNPROPERTY(OBJECT_ID('cp'), 't', 'Precision') AS i,"
              " COLUMNPROPERTY(OBJECT_ID('cp'), 't', 'Scale') AS j, COLUMNPROPERTY(OBJECT_ID('cp'), 'mo', 'Scale') AS k,"
              " COLUMNPROPERTY(OBJECT_ID('cp'), 'd', 'NoSuchProperty') AS l",
           "cols:a int,b int,c int,d int,e int,g int,h int,i int,j int,k int,l int\n"
           "row:19|0|20|NULL|-1|12|3|23|3|4|NULL\ndone:C1\n");
}

/* DESC keys and INCLUDE columns of CREATE INDEX appear in sys.index_columns. */
static void test_index_desc_include(void **state)
{
    struct fx *f = *state;
    run(f, "CREATE TABLE ix (id int NOT NULL CONSTRAINT PK_ix PRIMARY KEY NONCLUSTERED, x int NULL, y nvarchar(10) NULL,"
           " z int NULL, CONSTRAINT UQ_ix_y UNIQUE (y))");
    run(f, "CREATE INDEX IX_ix_x ON dbo.ix (x DESC, z) INCLUDE (y, id)");
    assert_int_equal(f->r.nerrors, 0);
    EXPECT(f, "SELECT c.name, ic.index_column_id, ic.key_ordinal, ic.is_descending_key, ic.is_included_column"
              " FROM sys.index_columns ic JOIN sys.indexes i ON i.object_id = ic.object_id AND i.index_id = ic.index_id"
              " JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id"
              " WHERE i.name = 'IX_ix_x' ORDER BY ic.index_column_id",
           "cols:name nvarchar(128),index_column_id int,key_ordinal tinyint,is_descending_key bit,is_included_column bit\n"
           "row:x|1|1|1|0\nrow:z|2|2|0|0\nrow:y|3|0|0|1\nrow:id|4|0|0|1\ndone:C4\n");
    /* The index still works as an index and the table stays usable. */
    run(f, "INSERT INTO ix VALUES (1, 5, N'a', 1), (2, 3, N'b', 2)");
    EXPECT(f, "SELECT id FROM ix WHERE x = 3", "cols:id int\nrow:2\ndone:C1\n");
    run(f, "CREATE INDEX IX_bad ON ix (x) INCLUDE (nope)");
    assert_int_equal(f->r.last_error, 1911);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_default_definitions, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_sys_types, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_sys_columns_declared, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_columnproperty, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_index_desc_include, rec_setup, rec_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
