/* Unit tests for emulator/engine's stored procedures (parser, catalog.c
 * storage, proc.c execution): CREATE/ALTER/DROP PROCEDURE, EXEC with
 * positional, named, DEFAULT and OUTPUT arguments, RETURN status, calls by
 * RPC (engine_rpc) with RETURNVALUEs, errors as SQL Server words them, and
 * the catalog views. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_engine_rec.h"

static const char *P_ADD = "CREATE PROCEDURE dbo.p_add @a int, @b int = 10, @s int OUTPUT AS\n"
                           "BEGIN\n"
                           "  SET @s = @a + @b;\n"
                           "  RETURN 7;\n"
                           "END";

static void test_exec_from_batch(void **state)
{
    struct fx *f = *state;
    EXPECT(f, P_ADD, "done:0\n");
    EXPECT(f, "DECLARE @r int, @rc int; EXEC @rc = dbo.p_add 40, 2, @r OUTPUT; SELECT @r AS r, @rc AS rc",
           "cols:r int,rc int\nrow:42|7\ndone:C1\n");
    /* named arguments in any order, OUT, a default, EXECUTE, no schema */
    EXPECT(f, "DECLARE @r int; EXECUTE p_add @s = @r OUT, @a = 1; SELECT @r AS r",
           "cols:r int\nrow:11\ndone:C1\n");
    EXPECT(f, "DECLARE @r int; EXEC p_add 1, DEFAULT, @r OUTPUT; SELECT @r AS r", "cols:r int\nrow:11\ndone:C1\n");
    /* without OUTPUT at the call the caller's variable is untouched */
    EXPECT(f, "DECLARE @r int = 5; EXEC p_add 1, 2, @r; SELECT @r AS r", "cols:r int\nrow:5\ndone:C1\n");
    /* a bare procedure name as the first statement of a batch is an EXEC */
    EXPECT(f, "p_add 1, 2, NULL", "");
    /* result sets of the body reach the client; SET NOCOUNT inside it is
     * undone when it returns */
    run(f, "CREATE PROCEDURE p_rows @n int = 2 AS\nSET NOCOUNT ON\n"
           "SELECT TOP (@n) v FROM (VALUES (1), (2), (3), (4)) AS t(v) ORDER BY v");
    EXPECT(f, "EXEC p_rows 3; SELECT @@NESTLEVEL AS nl",
           "cols:v int\nrow:1\nrow:2\nrow:3\ndone:3\ncols:nl int\nrow:0\ndone:C1\n");
}

static void test_call_errors(void **state)
{
    struct fx *f = *state;
    run(f, P_ADD);
    EXPECT(f, "EXEC p_add",
           "ERR 201,16,4: Procedure or function 'p_add' expects parameter '@a', which was not supplied.\ndone:E0\n");
    EXPECT(f, "EXEC p_add 1, 2, NULL, 4",
           "ERR 8144,16,1: Procedure or function p_add has too many arguments specified.\ndone:E0\n");
    EXPECT(f, "EXEC p_add @a = 1, 2",
           "ERR 119,15,1: Must pass parameter number 2 and subsequent parameters as '@name = value'. After the form '@name = value' has been used, all subsequent parameters must be passed in the form '@name = value'.\ndone:E0\n");
    EXPECT(f, "EXEC p_add @x = 1", "ERR 8145,16,1: @x is not a parameter for procedure p_add.\ndone:E0\n");
    EXPECT(f, "DECLARE @v int; EXEC p_add @v OUTPUT, 1, NULL",
           "ERR 8162,16,1: The formal parameter \"@a\" was not declared as an OUTPUT parameter, but the actual parameter passed in requested output.\ndone:E0\n");
    EXPECT(f, "EXEC p_add 'abc', 1, NULL", "ERR 8114,16,1: Error converting data type varchar to int.\ndone:E0\n");
    EXPECT(f, "EXEC dbo.no_such_proc", "ERR 2812,16,1: Could not find stored procedure 'dbo.no_such_proc'.\ndone:E0\n");
    /* a statement error inside goes on with the body; a batch-aborting one
     * ends the caller's batch too; messages name the procedure's line */
    run(f, "CREATE PROCEDURE p_err AS\nSELECT 1 AS a\nSELECT 1/0 AS b\nSELECT 2 AS c\nRETURN 3");
    EXPECT(f, "DECLARE @rc int; EXEC @rc = p_err; SELECT @rc AS rc",
           "cols:a int\nrow:1\ndone:C1\ncols:b int\nERR 8134,16,1: Divide by zero error encountered.\ndone:E0\n"
           "cols:c int\nrow:2\ndone:C1\ncols:rc int\nrow:3\ndone:C1\n");
    run(f, "SET ARITHABORT ON");
    EXPECT(f, "EXEC p_err; SELECT 9 AS after",
           "cols:a int\nrow:1\ndone:C1\ncols:b int\nERR 8134,16,1: Divide by zero error encountered.\ndone:E0\n");
    run(f, "SET ARITHABORT OFF");
    /* 266 when the body leaves the transaction count changed */
    run(f, "CREATE PROCEDURE p_tran AS BEGIN TRAN");
    const char *out = run(f, "EXEC p_tran; SELECT @@TRANCOUNT AS tc");
    EXPECT_IN(out, "ERR 266,16,1: Transaction count after EXECUTE indicates a mismatching number of BEGIN and COMMIT statements. Previous count = 0, current count = 1.\n");
    EXPECT_IN(out, "cols:tc int\nrow:1\n");
    run(f, "ROLLBACK");
    /* recursion stops at 32 levels with 217 */
    run(f, "CREATE PROCEDURE p_rec @n int AS\nIF @n > 0 BEGIN DECLARE @m int = @n - 1; EXEC p_rec @m END ELSE SELECT @@NESTLEVEL AS lvl");
    EXPECT(f, "EXEC p_rec 3", "cols:lvl int\nrow:4\ndone:C1\n");
    out = run(f, "EXEC p_rec 40; SELECT 1 AS after");
    EXPECT_IN(out, "ERR 217,16,1: Maximum stored procedure, function, trigger, or view nesting level exceeded (limit 32).\n");
    EXPECT_NOT_IN(out, "after");
}

static void test_ddl(void **state)
{
    struct fx *f = *state;
    run(f, P_ADD);
    EXPECT(f, P_ADD, "ERR 2714,16,1: There is already an object named 'p_add' in the database.\ndone:E0\n");
    /* CREATE/ALTER PROCEDURE must be the first statement of its batch */
    EXPECT(f, "SELECT 1\nCREATE PROCEDURE p_x AS SELECT 1",
           "ERR 111,15,1: 'CREATE/ALTER PROCEDURE' must be the first statement in a query batch.\ndone:E0\n");
    /* the body is checked for syntax at CREATE time, nothing is created */
    EXPECT(f, "CREATE PROCEDURE p_bad AS\nSELECT 1\nSELECT FROM", "ERR 156,15,1: Incorrect syntax near the keyword 'FROM'.\ndone:E0\n");
    EXPECT(f, "EXEC p_bad", "ERR 2812,16,1: Could not find stored procedure 'p_bad'.\ndone:E0\n");
    /* ALTER keeps the object id, CREATE OR ALTER both ways */
    EXPECT(f, "SELECT CASE WHEN OBJECT_ID('dbo.p_add') = OBJECT_ID('p_add', 'P') THEN 1 END AS same",
           "cols:same int\nrow:1\ndone:C1\n");
    run(f, "DECLARE @id int = OBJECT_ID('p_add'); EXEC sp_executesql N'SELECT 1 AS x'");
    run(f, "ALTER PROCEDURE p_add (@a int, @b int, @s int OUTPUT) WITH RECOMPILE AS SET @s = @a * @b");
    assert_int_equal(f->r.nerrors, 0);
    EXPECT(f, "DECLARE @r int; EXEC p_add 6, 7, @r OUTPUT; SELECT @r AS r", "cols:r int\nrow:42\ndone:C1\n");
    EXPECT(f, "ALTER PROCEDURE p_none AS SELECT 1", "ERR 208,16,1: Invalid object name 'p_none'.\ndone:E0\n");
    run(f, "CREATE OR ALTER PROCEDURE p_none AS SELECT 1 AS one");
    run(f, "CREATE OR ALTER PROCEDURE p_none AS SELECT 2 AS two");
    EXPECT(f, "EXEC p_none", "cols:two int\nrow:2\ndone:C1\n");
    /* catalog views */
    EXPECT(f, "SELECT name, type, type_desc FROM sys.procedures ORDER BY name",
           "cols:name nvarchar(128),type char(2),type_desc nvarchar(60)\n"
           "row:p_add|P |SQL_STORED_PROCEDURE\nrow:p_none|P |SQL_STORED_PROCEDURE\ndone:C2\n");
    EXPECT(f, "SELECT o.type_desc FROM sys.objects o WHERE o.name = 'p_add'",
           "cols:type_desc nvarchar(60)\nrow:SQL_STORED_PROCEDURE\ndone:C1\n");
    EXPECT(f, "SELECT name, parameter_id, TYPE_NAME(user_type_id) AS t, max_length, is_output FROM sys.parameters"
              " WHERE object_id = OBJECT_ID('p_add') ORDER BY parameter_id",
           "cols:name nvarchar(128),parameter_id int,t nvarchar(128),max_length smallint,is_output bit\n"
           "row:@a|1|int|4|0\nrow:@b|2|int|4|0\nrow:@s|3|int|4|1\ndone:C3\n");
    EXPECT(f, "SELECT definition FROM sys.sql_modules WHERE object_id = OBJECT_ID('p_none')",
           "cols:definition nvarchar(max)\nrow:CREATE OR ALTER PROCEDURE p_none AS SELECT 2 AS two\ndone:C1\n");
    /* DROP PROCEDURE, with IF EXISTS and lists */
    EXPECT(f, "DROP PROCEDURE p_add, dbo.p_none", "done:0\n");
    EXPECT(f, "DROP PROCEDURE p_add",
           "ERR 3701,11,1: Cannot drop the procedure 'p_add', because it does not exist or you do not have permission.\ndone:E0\n");
    EXPECT(f, "DROP PROCEDURE IF EXISTS p_add", "done:0\n");
    EXPECT(f, "SELECT count(*) AS n FROM sys.parameters", "cols:n int\nrow:0\ndone:C1\n");
}

/* Calls by RPC: named (tedious) and positional (db-lib) parameters; the
 * RETURNVALUE name echoes the name as sent. */
static void test_rpc(void **state)
{
    struct fx *f = *state;
    run(f, "CREATE PROCEDURE dbo.p_mul @a int, @b int, @p int OUTPUT AS\nBEGIN\n  SET @p = @a * @b;\n"
           "  SELECT @a AS a, @b AS b;\n  RETURN 3;\nEND");
    struct engine_param p[3] = {int_param("@a", 6, false), int_param("@b", 7, false),
                                null_param("@p", TL_T_INT, true)};
    EXPECT_IN(run_rpc(f, "dbo.p_mul", p, 3), "cols:a int,b int\nrow:6|7\ndone:C1\nstatus:3\nret:@p=42\n");
    struct engine_param q[3] = {int_param("", 40, false), int_param("", 2, false), int_param("", 0, true)};
    EXPECT_IN(run_rpc(f, "p_mul", q, 3), "status:3\nret:=80\n");
    struct engine_param r[1] = {int_param("@a", 1, false)};
    assert_string_equal(run_rpc(f, "[dbo].[p_mul]", r, 1),
                        "ERR 201,16,4: Procedure or function 'p_mul' expects parameter '@b', which was not supplied.\n"
                        "done:E0\nstatus:-6\n");
    EXPECT_IN(run_rpc(f, "dbo.no_such_proc", NULL, 0), "ERR 2812,16,1: Could not find stored procedure 'dbo.no_such_proc'.\n");
    /* sp_executesql by RPC, positional: the output's name comes back empty */
    struct engine_param s[4] = {text_param("", "SET @o = @i + 1"), text_param("", "@i int, @o int OUTPUT"),
                                int_param("", 1, false), int_param("", 0, true)};
    EXPECT_IN(run_rpc(f, "sp_executesql", s, 4), "status:0\nret:=2\n");
}

/* A procedure runs in the database it lives in, and is found by a
 * three-part name from elsewhere. */
static void test_other_database(void **state)
{
    struct fx *f = *state;
    run(f, "CREATE DATABASE pdb");
    run(f, "USE pdb");
    run(f, "CREATE TABLE t (id int)");
    run(f, "CREATE PROCEDURE p_ins @v int AS INSERT INTO t VALUES (@v); SELECT DB_NAME() AS db, count(*) AS n FROM t");
    run(f, "USE master");
    EXPECT(f, "EXEC pdb.dbo.p_ins 5; SELECT DB_NAME() AS db",
           "done:C1\ncols:db nvarchar(128),n int\nrow:pdb|1\ndone:C1\ncols:db nvarchar(128)\nrow:master\ndone:C1\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_exec_from_batch, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_call_errors, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_ddl, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_rpc, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_other_database, rec_setup, rec_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
