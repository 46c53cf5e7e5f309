/* Unit tests for emulator/engine: batches through a recording engine_out,
 * asserting exact column types, canonical values and SQL Server errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_engine_rec.h"

/* ------------------------------------------------------------ tests */

static void test_literal_types(void **state)
{
    struct fx *f = *state;
    EXPECT(f, "SELECT 1 AS a, 'ab' AS b, N'x' AS c, 1.5 AS d, CAST(1.5 AS decimal(10,2)) AS e",
           "cols:a int,b varchar(2),c nvarchar(1),d numeric(2,1),e decimal(10,2)\n"
           "row:1|ab|x|1.5|1.50\n"
           "done:C1\n");
    EXPECT(f, "SELECT 1 + 2147483648 AS x", "cols:x numeric(11,0)\nrow:2147483649\ndone:C1\n");
}

static void test_create_insert_select(void **state)
{
    struct fx *f = *state;
    EXPECT(f, "CREATE TABLE t1 (id int NOT NULL PRIMARY KEY, name nvarchar(50) NULL, price decimal(10,2), d datetime2(3))",
           "done:0\n");
    EXPECT(f, "INSERT INTO t1 VALUES (1, N'a', 1.5, '2024-01-02 03:04:05.678'), (2, NULL, 10, NULL)", "done:C2\n");
    EXPECT(f, "SELECT id, name, price, d FROM t1 ORDER BY price DESC",
           "cols:id int,name nvarchar(50),price decimal(10,2),d datetime2(3)\n"
           "row:2|NULL|10.00|NULL\n"
           "row:1|a|1.50|2024-01-02 03:04:05.678\n"
           "done:C2\n");
    EXPECT(f, "SELECT count(*) AS n, sum(price) AS s, max(name) AS m FROM t1",
           "cols:n int,s decimal(38,2),m nvarchar(50)\nrow:2|11.50|a\ndone:C1\n");
}

static void test_errors(void **state)
{
    struct fx *f = *state;
    run(f, "CREATE TABLE t2 (id int PRIMARY KEY, v varchar(3) NOT NULL)");
    run(f, "INSERT INTO t2 VALUES (1, 'a')");
    run(f, "INSERT INTO t2 VALUES (1, 'b')");
    assert_int_equal(f->r.last_error, 2627);
    assert_true(strstr(f->r.last_text, "Violation of PRIMARY KEY constraint 'PK__t2__") != NULL);
    assert_true(strstr(f->r.last_text, "Cannot insert duplicate key in object 'dbo.t2'. The duplicate key value is (1).") != NULL);
    run(f, "INSERT INTO t2 VALUES (2, NULL)");
    assert_int_equal(f->r.last_error, 515);
    assert_string_equal(f->r.last_text, "Cannot insert the value NULL into column 'v', table 'master.dbo.t2'; column does not allow nulls. INSERT fails.");
    run(f, "SELECT * FROM nosuch");
    assert_int_equal(f->r.last_error, 208);
    assert_string_equal(f->r.last_text, "Invalid object name 'nosuch'.");
    run(f, "SELECT nocol FROM t2");
    assert_int_equal(f->r.last_error, 207);
    run(f, "SELECT 1 +");
    assert_int_equal(f->r.last_error, 102);
    assert_string_equal(f->r.last_text, "Incorrect syntax near '+'.");
    run(f, "SELEC 1");
    assert_int_equal(f->r.last_error, 2812);
    run(f, "SELECT 1/0");
    assert_int_equal(f->r.last_error, 8134);
    run(f, "SELECT @x");
    assert_int_equal(f->r.last_error, 137);
}

static void test_errors_continue(void **state)
{
    struct fx *f = *state;
    run(f, "CREATE TABLE t3 (id int PRIMARY KEY)");
    run(f, "INSERT INTO t3 VALUES (1)");
    const char *out = run(f, "INSERT INTO t3 VALUES (1); SELECT 5 AS five");
    assert_true(strstr(out, "ERR 2627") != NULL);
    assert_true(strstr(out, "done:E0\ncols:five int\nrow:5\ndone:C1\n") != NULL);
}

static void test_transactions(void **state)
{
    struct fx *f = *state;
    run(f, "CREATE TABLE t4 (id int)");
    run(f, "BEGIN TRAN; INSERT INTO t4 VALUES (1); SELECT @@TRANCOUNT AS tc");
    assert_int_equal(f->r.envs[0], ENGINE_ENV_BEGIN_TRAN);
    assert_true(f->r.last_desc != 0);
    assert_true(strstr((char *)f->r.log.data, "row:1\n") != NULL);
    run(f, "ROLLBACK");
    assert_int_equal(f->r.envs[0], ENGINE_ENV_ROLLBACK_TRAN);
    EXPECT(f, "SELECT count(*) AS n FROM t4", "cols:n int\nrow:0\ndone:C1\n");
    run(f, "COMMIT");
    assert_int_equal(f->r.last_error, 3902);
    run(f, "ROLLBACK TRAN");
    assert_int_equal(f->r.last_error, 3903);
    assert_string_equal(f->r.last_text, "The ROLLBACK TRANSACTION request has no corresponding BEGIN TRANSACTION.");
    run(f, "BEGIN TRAN INSERT INTO t4 VALUES (7) COMMIT TRAN");
    assert_int_equal(f->r.envs[1], ENGINE_ENV_COMMIT_TRAN);
    EXPECT(f, "SELECT id FROM t4", "cols:id int\nrow:7\ndone:C1\n");
}

static void test_variables_if(void **state)
{
    struct fx *f = *state;
    EXPECT(f, "DECLARE @a int = 5, @s varchar(10); SET @s = 'x' + 'y'; IF @a > 3 SELECT @a * 2 AS r, @s AS s ELSE SELECT 0 AS r",
           "cols:r int,s varchar(10)\nrow:10|xy\ndone:C1\n");
    EXPECT(f, "DECLARE @i int = 0; WHILE @i < 3 BEGIN SET @i += 1 END; SELECT @i AS i",
           "cols:i int\nrow:3\ndone:C1\n");
}

static void test_use_and_databases(void **state)
{
    struct fx *f = *state;
    run(f, "CREATE DATABASE shop");
    assert_int_equal(f->r.nerrors, 0);
    const char *out = run(f, "USE shop");
    assert_true(strstr(out, "env:1 shop\nINFO 5701,0,1: Changed database context to 'shop'.\n") != NULL);
    run(f, "CREATE TABLE o (id int IDENTITY(1,1) PRIMARY KEY, amt money)");
    run(f, "INSERT INTO o (amt) VALUES (1.5), (2)");
    EXPECT(f, "SELECT id, amt, SCOPE_IDENTITY() AS si FROM o",
           "cols:id int,amt money,si numeric(38,0)\nrow:1|1.5000|2\nrow:2|2.0000|2\ndone:C2\n");
    run(f, "USE master");
    EXPECT(f, "SELECT count(*) AS n FROM shop.dbo.o", "cols:n int\nrow:2\ndone:C1\n");
    run(f, "USE nodb");
    assert_int_equal(f->r.last_error, 911);
}

static void test_catalog_views(void **state)
{
    struct fx *f = *state;
    run(f, "CREATE TABLE cv (a int NOT NULL, b nvarchar(20), c decimal(9,3), CONSTRAINT pk_cv PRIMARY KEY (a))");
    EXPECT(f, "SELECT c.name, t.name AS tn, c.max_length, c.precision, c.scale, c.is_nullable FROM sys.columns c JOIN sys.types t ON t.user_type_id = c.user_type_id WHERE c.object_id = OBJECT_ID('dbo.cv') ORDER BY c.column_id",
           "cols:name nvarchar(128),tn nvarchar(128),max_length smallint,precision tinyint,scale tinyint,is_nullable bit\n"
           "row:a|int|4|10|0|0\nrow:b|nvarchar|40|0|0|1\nrow:c|decimal|5|9|3|1\ndone:C3\n");
    EXPECT(f, "SELECT COLUMN_NAME, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'cv' ORDER BY ORDINAL_POSITION",
           "cols:COLUMN_NAME nvarchar(128),DATA_TYPE nvarchar(128),CHARACTER_MAXIMUM_LENGTH int\n"
           "row:a|int|NULL\nrow:b|nvarchar|20\nrow:c|decimal|NULL\ndone:C3\n");
    EXPECT(f, "SELECT kc.name, ic.column_id FROM sys.key_constraints kc JOIN sys.index_columns ic ON ic.object_id = kc.parent_object_id AND ic.index_id = kc.unique_index_id WHERE kc.parent_object_id = OBJECT_ID('cv')",
           "cols:name nvarchar(128),column_id int\nrow:pk_cv|1\ndone:C1\n");
}

/* The result columns' nullability as a string, one '1' (nullable) or '0' per column. */
static const char *nullability(struct fx *f, const char *sql)
{
    static char out[65];
    run(f, sql);
    assert_int_equal(f->r.nerrors, 0);
    for (int i = 0; i < f->r.ncols && i < 64; i++)
        out[i] = (f->r.cols[i].flags & ENGINE_COL_NULLABLE) ? '1' : '0';
    out[f->r.ncols < 64 ? f->r.ncols : 64] = 0;
    return out;
}

/*
 * Result-column nullability as SQL Server reports it (COLMETADATA
 * fNullable): declared nullability of base columns, nullable on the
 * NULL-supplying side of outer joins, NOT NULL literals, COUNT and ISNULL
 * with a NOT NULL replacement; nullable CAST, arithmetic, other aggregates,
 * variables and subqueries.
 */
static void test_result_nullability(void **state)
{
    struct fx *f = *state;
    run(f, "CREATE TABLE nl (id int IDENTITY(1,1) NOT NULL PRIMARY KEY, a int NOT NULL, b int NULL, s nvarchar(10) NOT NULL)");
    run(f, "CREATE TABLE nr (id int NOT NULL PRIMARY KEY, x float NOT NULL)");
    run(f, "INSERT INTO nl (a, b, s) VALUES (1, NULL, N'p'), (2, 5, N'q')");
    run(f, "INSERT INTO nr (id, x) VALUES (2, 1.5), (9, 2.5)");
    assert_string_equal(nullability(f, "SELECT id, a, b, s FROM nl"), "0010");
    assert_int_equal(f->r.cols[0].flags & ENGINE_COL_IDENTITY, ENGINE_COL_IDENTITY);
    /* Joins: only the NULL-supplying side turns nullable (rows with no
     * match really do bring NULLs: the recorder checks every row). */
    assert_string_equal(nullability(f, "SELECT l.a, r.x FROM nl l JOIN nr r ON r.id = l.id"), "00");
    assert_string_equal(nullability(f, "SELECT l.a, r.x FROM nl l LEFT JOIN nr r ON r.id = l.id"), "01");
    assert_string_equal(nullability(f, "SELECT l.a, r.x FROM nl l RIGHT JOIN nr r ON r.id = l.id"), "10");
    assert_string_equal(nullability(f, "SELECT l.a, r.x FROM nl l FULL JOIN nr r ON r.id = l.id"), "11");
    assert_string_equal(nullability(f, "SELECT * FROM nl l LEFT OUTER JOIN nr r ON r.id = l.id"), "001011");
    assert_string_equal(nullability(f, "SELECT l.a FROM nr r LEFT JOIN (SELECT id, a FROM nl) l ON l.id = r.id"), "1");
    assert_string_equal(nullability(f, "SELECT d.a FROM (SELECT a FROM nl) d"), "0");
    /* Literals: NOT NULL except NULL itself. */
    assert_string_equal(nullability(f, "SELECT 1, 'a', N'b', 1.5, -3, 0x01, 1e3, 12345678901, NULL"),
                        "000000001");
    /* Aggregates: COUNT and COUNT_BIG never NULL, the others NULL over no rows. */
    assert_string_equal(nullability(f, "SELECT COUNT(*), COUNT(b), COUNT_BIG(*), SUM(a), MAX(a), MIN(s), AVG(a) FROM nl"),
                        "0001111");
    assert_string_equal(nullability(f, "SELECT COUNT(*), MAX(a) FROM nl WHERE 1 = 0"), "01");
    /* ISNULL is NOT NULL when either argument is; COALESCE only when all are. */
    assert_string_equal(nullability(f, "SELECT ISNULL(b, 0), ISNULL(b, b), ISNULL(a, b), ISNULL(NULL, 1) FROM nl"),
                        "0100");
    assert_string_equal(nullability(f, "SELECT COALESCE(b, 0), COALESCE(a, 0), COALESCE(b, a, NULL) FROM nl"),
                        "101");
    /* CASE: NOT NULL only with an ELSE and every result NOT NULL. */
    assert_string_equal(nullability(f, "SELECT CASE WHEN a > 1 THEN 1 ELSE 0 END, CASE WHEN a > 1 THEN 1 END,"
                                       " CASE WHEN a > 1 THEN 1 ELSE NULL END, CASE a WHEN 1 THEN b ELSE 0 END FROM nl"),
                        "0111");
    /* Computed expressions are nullable even over NOT NULL inputs. */
    assert_string_equal(nullability(f, "SELECT a + 1, a / 2, -a, CAST(a AS bigint), CAST(1 AS int), CONVERT(varchar(5), a),"
                                       " s + N'x', UPPER(s), LEN(s), GETDATE() FROM nl"),
                        "1111111111");
    /* Variables and scalar subqueries are nullable; @@ variables other than
     * @@IDENTITY are NOT NULL. */
    assert_string_equal(nullability(f, "DECLARE @v int = 1; SELECT @v, (SELECT MAX(a) FROM nl)"), "11");
    assert_string_equal(nullability(f, "SELECT @@ROWCOUNT, @@SPID, @@TRANCOUNT, @@ERROR, @@IDENTITY"), "00001");
    /* UNION: nullable when any branch is. */
    assert_string_equal(nullability(f, "SELECT a FROM nl UNION ALL SELECT b FROM nl"), "1");
    assert_string_equal(nullability(f, "SELECT a FROM nl UNION SELECT 5"), "0");
}

static void test_fmtonly_and_streaming(void **state)
{
    struct fx *f = *state;
    run(f, "CREATE TABLE big (id int IDENTITY PRIMARY KEY, v varchar(20))");
    EXPECT(f, "SET FMTONLY ON select * from big SET FMTONLY OFF", "cols:id int,v varchar(20)\ndone:0\n");
    assert_true(f->r.cols[0].flags & ENGINE_COL_IDENTITY);
    run(f, "EXEC tdslite.generate N'dbo.big', 100000, 7");
    assert_int_equal(f->r.nerrors, 0);
    rec_reset(&f->r);
    f->r.keep_rows = false;
    const char *sql = "SELECT a.id, a.v FROM big a CROSS JOIN (SELECT TOP 10 id FROM big) b";
    assert_int_equal(engine_batch(f->s, sql, strlen(sql), &rec_out, &f->r), 0);
    assert_int_equal(f->r.rows, 1000000);
}

static void test_rpc_executesql(void **state)
{
    struct fx *f = *state;
    struct engine_param p[4];
    memset(p, 0, sizeof(p));
    const char *stmt = "SELECT @a + 1 AS x; SET @o = @a * 10";
    const char *decl = "@a int, @o int OUTPUT";
    p[0].name = "@statement";
    p[0].type = (struct tl_type){TL_T_NVARCHAR, TL_MAX, 0, 0};
    p[0].value = (struct tl_value){TL_V_TEXT, 0, 0, (const uint8_t *)stmt, strlen(stmt)};
    p[1].name = "@params";
    p[1].type = p[0].type;
    p[1].value = (struct tl_value){TL_V_TEXT, 0, 0, (const uint8_t *)decl, strlen(decl)};
    p[2].name = "@a";
    p[2].type = (struct tl_type){TL_T_INT, 0, 0, 0};
    p[2].value = (struct tl_value){TL_V_INT, 41, 0, NULL, 0};
    p[3].name = "@o";
    p[3].type = p[2].type;
    p[3].output = true;
    rec_reset(&f->r);
    assert_int_equal(engine_rpc(f->s, "sp_executesql", p, 4, &rec_out, &f->r), 0);
    assert_string_equal((char *)f->r.log.data, "cols:x int\nrow:42\ndone:C1\nstatus:0\nret:@o=410\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_literal_types, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_create_insert_select, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_errors, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_errors_continue, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_transactions, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_variables_if, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_use_and_databases, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_catalog_views, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_rpc_executesql, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_fmtonly_and_streaming, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_result_nullability, rec_setup, rec_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
